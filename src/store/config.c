/* config.c: service desks, request types, fields and the object catalogue. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/utf8.h"
#include "store/query.h"

/* ---- service desks, request types, fields ---- */

#define DESK_COLS "id, portal_id, project_key, name, description, next_number"

static void
map_desk(struct sq_row *r, void *elem)
{
	struct store_desk *d = elem;

	d->id = sq_col_i64(r);
	d->portal_id = sq_col_i64(r);
	d->project_key = sq_col_str(r);
	d->name = sq_col_str(r);
	d->description = sq_col_str(r);
	d->next_number = sq_col_i64(r);
}

enum zek_rc
store_desk_insert(struct store_conn *c, const struct store_desk *d,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO service_desks (id, portal_id, "
	    "project_key, name, description, next_number) "
	    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	    "Iittti", d->id, d->portal_id, d->project_key, d->name,
	    d->description != NULL ? d->description : "", d->next_number);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_desks_list(struct store_conn *c, struct arena *a, struct store_desk **out,
    size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " DESK_COLS " FROM service_desks "
	    "ORDER BY name, id",
	    "");
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_desk, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_desk_by_portal(struct store_conn *c, struct arena *a, int64_t portal_id,
    struct store_desk **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " DESK_COLS " FROM service_desks "
	    "WHERE portal_id = ?",
	    "i", portal_id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_desk, sizeof(**out), (void **)out);
}

enum zek_rc
store_desk_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_desk **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " DESK_COLS " FROM service_desks "
	    "WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one_cached(c, a, st, id, map_desk, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_desk_count(struct store_conn *c, int64_t *out)
{
	return sq_query_i64(c, out, "SELECT count(*) FROM service_desks", "");
}

enum zek_rc
store_desk_next_number(struct store_conn *c, int64_t desk_id, int64_t *number)
{
	if (c->drv->take_number != NULL &&
	    c->drv->take_number(c, desk_id, number) == ZEK_OK)
		return ZEK_OK;
	return sq_query_i64(c, number,
	    "UPDATE service_desks "
	    "SET next_number = next_number + 1 WHERE id = ? "
	    "RETURNING next_number",
	    "i", desk_id);
}

static void
map_group(struct sq_row *r, void *elem)
{
	struct store_group *g = elem;

	g->id = sq_col_i64(r);
	g->desk_id = sq_col_i64(r);
	g->name_de = sq_col_str(r);
	g->name_en = sq_col_str(r);
	g->position = sq_col_i64(r);
}

enum zek_rc
store_group_insert(struct store_conn *c, const struct store_group *g,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO request_type_groups (id, desk_id, "
	    "name_de, name_en, position) VALUES (?, ?, ?, ?, ?) RETURNING id",
	    "Iitti", g->id, g->desk_id, g->name_de, g->name_en, g->position);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_groups_by_desk(struct store_conn *c, struct arena *a, int64_t desk_id,
    struct store_group **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT id, desk_id, name_de, name_en, position "
	    "FROM request_type_groups WHERE desk_id = ? ORDER BY position, id",
	    "i", desk_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_group, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_group_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_group **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT id, desk_id, name_de, name_en, position "
	    "FROM request_type_groups WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_group, sizeof(**out), (void **)out);
}

enum zek_rc
store_group_update(struct store_conn *c, const struct store_group *g)
{
	return sq_exec(c,
	    "UPDATE request_type_groups SET name_de = ?, "
	    "name_en = ?, position = ? WHERE id = ?",
	    "ttii", g->name_de, g->name_en, g->position, g->id);
}

#define TYPE_COLS \
	"id, desk_id, group_id, name_de, name_en, description_de, " \
	"description_en, position, icon, hidden, sla_response_minutes, " \
	"sla_resolution_minutes"

static void
map_reqtype(struct sq_row *r, void *elem)
{
	struct store_reqtype *t = elem;

	t->id = sq_col_i64(r);
	t->desk_id = sq_col_i64(r);
	t->group_id = sq_col_i64(r);
	t->name_de = sq_col_str(r);
	t->name_en = sq_col_str(r);
	t->description_de = sq_col_str(r);
	t->description_en = sq_col_str(r);
	t->position = sq_col_i64(r);
	t->icon = sq_col_str(r);
	t->hidden = sq_col_bool(r);
	t->sla_response_minutes = sq_col_i64(r);
	t->sla_resolution_minutes = sq_col_i64(r);
}

enum zek_rc
store_reqtype_insert(struct store_conn *c, const struct store_reqtype *t,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO request_types (id, desk_id, "
	    "group_id, name_de, name_en, description_de, description_en, "
	    "position, icon, hidden, sla_response_minutes, "
	    "sla_resolution_minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "RETURNING id",
	    "Iiittttitbii", t->id, t->desk_id, t->group_id, t->name_de,
	    t->name_en, sq_nz(t->description_de), sq_nz(t->description_en),
	    t->position, sq_nz(t->icon), (int)t->hidden,
	    t->sla_response_minutes, t->sla_resolution_minutes);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_reqtypes_by_desk(struct store_conn *c, struct arena *a, int64_t desk_id,
    struct store_reqtype **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " TYPE_COLS " FROM request_types "
	    "WHERE desk_id = ? ORDER BY position, id",
	    "i", desk_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_reqtype, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_reqtype_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_reqtype **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " TYPE_COLS " FROM request_types "
	    "WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one_cached(c, a, st, id, map_reqtype, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_reqtype_update(struct store_conn *c, const struct store_reqtype *t)
{
	return sq_exec(c,
	    "UPDATE request_types SET group_id = ?, name_de = ?, "
	    "name_en = ?, description_de = ?, description_en = ?, "
	    "position = ?, icon = ?, hidden = ?, sla_response_minutes = ?, "
	    "sla_resolution_minutes = ? WHERE id = ?",
	    "ittttitbiii", t->group_id, t->name_de, t->name_en,
	    sq_nz(t->description_de), sq_nz(t->description_en), t->position,
	    sq_nz(t->icon), (int)t->hidden, t->sla_response_minutes,
	    t->sla_resolution_minutes, t->id);
}

enum zek_rc
store_field_insert(struct store_conn *c, const struct store_field *f,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO fields (id, type_id, field_key, "
	    "kind, label_de, label_en, help_de, help_en, placeholder_de, "
	    "placeholder_en, required, position, object_kind, multiple, "
	    "checkbox_label_de, checkbox_label_en, hidden) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	    "RETURNING id",
	    "Iittttttttbitbttb", f->id, f->type_id, f->key, f->kind,
	    f->label_de, f->label_en, sq_nz(f->help_de), sq_nz(f->help_en),
	    sq_nz(f->placeholder_de), sq_nz(f->placeholder_en),
	    (int)f->required, f->position, sq_nz(f->object_kind),
	    (int)f->multiple, sq_nz(f->checkbox_label_de),
	    sq_nz(f->checkbox_label_en), (int)f->hidden);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

#define FIELD_COLS \
	"id, type_id, field_key, kind, label_de, label_en, " \
	"help_de, help_en, placeholder_de, placeholder_en, required, " \
	"position, object_kind, multiple, checkbox_label_de, " \
	"checkbox_label_en, hidden"

static void
map_field(struct sq_row *r, void *elem)
{
	struct store_field *f = elem;

	f->id = sq_col_i64(r);
	f->type_id = sq_col_i64(r);
	f->key = sq_col_str(r);
	f->kind = sq_col_str(r);
	f->label_de = sq_col_str(r);
	f->label_en = sq_col_str(r);
	f->help_de = sq_col_str(r);
	f->help_en = sq_col_str(r);
	f->placeholder_de = sq_col_str(r);
	f->placeholder_en = sq_col_str(r);
	f->required = sq_col_bool(r);
	f->position = sq_col_i64(r);
	f->object_kind = sq_col_str(r);
	f->multiple = sq_col_bool(r);
	f->checkbox_label_de = sq_col_str(r);
	f->checkbox_label_en = sq_col_str(r);
	f->hidden = sq_col_bool(r);
}

enum zek_rc
store_fields_by_type(struct store_conn *c, struct arena *a, int64_t type_id,
    struct store_field **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " FIELD_COLS " FROM fields "
	    "WHERE type_id = ? ORDER BY position, id",
	    "i", type_id);
	if (st == NULL)
		return rc;
	return sq_collect_cached(c, a, st, type_id, map_field, sizeof(**out),
	    (void **)out, n);
}

enum zek_rc
store_option_insert(struct store_conn *c, const struct store_option *o,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO field_options (id, field_id, value, "
	    "label_de, label_en, position, retired) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "Iitttib", o->id, o->field_id, o->value, o->label_de, o->label_en,
	    o->position, (int)o->retired);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

static void
map_option(struct sq_row *r, void *elem)
{
	struct store_option *o = elem;

	o->id = sq_col_i64(r);
	o->field_id = sq_col_i64(r);
	o->value = sq_col_str(r);
	o->label_de = sq_col_str(r);
	o->label_en = sq_col_str(r);
	o->position = sq_col_i64(r);
	o->retired = sq_col_bool(r);
}

enum zek_rc
store_options_by_type(struct store_conn *c, struct arena *a, int64_t type_id,
    struct store_option **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT o.id, o.field_id, o.value, o.label_de, "
	    "o.label_en, o.position, o.retired FROM field_options o "
	    "JOIN fields f ON f.id = o.field_id WHERE f.type_id = ? "
	    "ORDER BY o.field_id, o.position, o.id",
	    "i", type_id);
	if (st == NULL)
		return rc;
	return sq_collect_cached(c, a, st, type_id, map_option, sizeof(**out),
	    (void **)out, n);
}

enum zek_rc
store_field_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_field **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc, "SELECT " FIELD_COLS " FROM fields WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_field, sizeof(**out), (void **)out);
}

enum zek_rc
store_option_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_option **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT id, field_id, value, label_de, label_en, "
	    "position, retired FROM field_options WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_option, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_field_update(struct store_conn *c, const struct store_field *f)
{
	return sq_exec(c,
	    "UPDATE fields SET label_de = ?, label_en = ?, "
	    "help_de = ?, help_en = ?, placeholder_de = ?, placeholder_en = ?, "
	    "required = ?, position = ?, object_kind = ?, multiple = ?, "
	    "checkbox_label_de = ?, checkbox_label_en = ?, hidden = ? "
	    "WHERE id = ?",
	    "ttttttbitbttbi", f->label_de, f->label_en, sq_nz(f->help_de),
	    sq_nz(f->help_en), sq_nz(f->placeholder_de),
	    sq_nz(f->placeholder_en), (int)f->required, f->position,
	    sq_nz(f->object_kind), (int)f->multiple,
	    sq_nz(f->checkbox_label_de), sq_nz(f->checkbox_label_en),
	    (int)f->hidden, f->id);
}

enum zek_rc
store_option_update(struct store_conn *c, const struct store_option *o)
{
	return sq_exec(c,
	    "UPDATE field_options SET label_de = ?, label_en = ?, "
	    "position = ?, retired = ? WHERE id = ?",
	    "ttibi", o->label_de, o->label_en, o->position, (int)o->retired,
	    o->id);
}

/* ---- object catalogue ---- */

static void
map_object(struct sq_row *r, void *elem)
{
	struct store_object *o = elem;

	o->id = sq_col_i64(r);
	o->kind = sq_col_str(r);
	o->name = sq_col_str(r);
	o->retired_at = sq_col_i64(r);
}

enum zek_rc
store_objects_by_ids(struct store_conn *c, struct arena *a, const int64_t *ids,
    size_t n, struct store_object **out, size_t *nout)
{
	return sq_collect_ids(c, a,
	    sq_in_ids(c,
	        "SELECT id, kind, name, "
	        "retired_at FROM objects WHERE id ",
	        ""),
	    ids, n, map_object, sizeof(**out), (void **)out, nout);
}

enum zek_rc
store_object_ensure(struct store_conn *c, const char *kind, const char *name,
    int64_t *id_out, bool *created)
{
	char *nf = utf8_fold(name);
	enum zek_rc rc;
	int64_t id;
	int changed;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = sq_exec(c,
	    "INSERT INTO objects (kind, name, name_fold) "
	    "VALUES (?, ?, ?) ON CONFLICT (kind, name) DO NOTHING",
	    "ttt", kind, name, nf);
	free(nf);
	if (rc != ZEK_OK)
		return rc;
	changed = sq_changes(c);
	rc = sq_query_i64(c, &id,
	    "SELECT id FROM objects WHERE kind = ? AND "
	    "name = ?",
	    "tt", kind, name);
	if (rc != ZEK_OK)
		return rc;
	if (id_out != NULL)
		*id_out = id;
	if (created != NULL)
		*created = changed > 0;
	return ZEK_OK;
}

enum zek_rc
store_object_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_object **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT id, kind, name, retired_at FROM objects "
	    "WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_object, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_objects_search(struct store_conn *c, struct arena *a, const char *kind,
    const char *query, bool with_retired, size_t limit, size_t offset,
    struct store_object **out, size_t *n)
{
	char *pat = sq_like_pattern(query);
	enum zek_rc rc;
	struct sq_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    "SELECT id, kind, name, retired_at FROM objects "
	    "WHERE kind = ? AND name_fold LIKE ? ESCAPE '\\' AND "
	    "(? <> 0 OR retired_at = 0) ORDER BY name_fold, id LIMIT ? OFFSET ?",
	    "ttbzz", kind, pat, (int)with_retired, limit, offset);
	free(pat);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_object, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_object_rename(struct store_conn *c, int64_t id, const char *name)
{
	char *nf = utf8_fold(name);
	enum zek_rc rc;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = sq_exec_changed(c,
	    "UPDATE objects SET name = ?, name_fold = ? "
	    "WHERE id = ?",
	    "tti", name, nf, id);
	free(nf);
	return rc;
}

enum zek_rc
store_object_retire(struct store_conn *c, int64_t id, int64_t at)
{
	return sq_exec_changed(c,
	    "UPDATE objects SET retired_at = ? "
	    "WHERE id = ?",
	    "ii", at, id);
}

enum zek_rc
store_object_by_name(struct store_conn *c, struct arena *a, const char *kind,
    const char *name, struct store_object **out)
{
	char *nf = utf8_fold(name);
	enum zek_rc rc;
	struct sq_stmt *st;

	if (nf == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    "SELECT id, kind, name, retired_at FROM objects "
	    "WHERE kind = ? AND name_fold = ? ORDER BY id LIMIT 1",
	    "tt", kind, nf);
	free(nf);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_object, sizeof(**out),
	    (void **)out);
}
