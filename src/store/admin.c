/* admin.c: what admins change in the browser: the help center's texts and
 * announcement, the configuration's version, and the record of changes. */
#include "store/store.h"

#include "lib/arena.h"
#include "store/query.h"

/* ---- the help center ---- */

static void
map_help_center(struct sq_row *r, void *elem)
{
	struct store_help_center *h = elem;

	h->title_de = sq_col_str(r);
	h->title_en = sq_col_str(r);
	h->intro_de = sq_col_str(r);
	h->intro_en = sq_col_str(r);
	h->announcement_de = sq_col_str(r);
	h->announcement_en = sq_col_str(r);
	h->announcement_from = sq_col_i64(r);
	h->announcement_until = sq_col_i64(r);
}

enum zek_rc
store_help_center_get(struct store_conn *c, struct arena *a,
    struct store_help_center *out)
{
	struct store_help_center *h;
	struct sq_stmt *st;
	enum zek_rc rc;

	*out = (struct store_help_center){ "", "", "", "", "", "", 0, 0 };
	/* Every customer page reads it (the announcement): kept per
	 * connection while the database is unchanged. */
	st = sq_start(c, &rc,
	    "SELECT title_de, title_en, intro_de, intro_en, "
	    "announcement_de, announcement_en, announcement_from, "
	    "announcement_until FROM help_center WHERE id = ?",
	    "i", (int64_t)1);
	if (st == NULL)
		return rc;
	rc = sq_collect_one_cached(c, a, st, 1, map_help_center, sizeof(*h),
	    (void **)&h);
	if (rc == ZEK_OK)
		*out = *h;
	return rc == ZEK_NOTFOUND ? ZEK_OK : rc;
}

enum zek_rc
store_help_center_put(struct store_conn *c, const struct store_help_center *h)
{
	return sq_exec(c,
	    "INSERT INTO help_center (id, title_de, title_en, "
	    "intro_de, intro_en, announcement_de, announcement_en, "
	    "announcement_from, announcement_until) "
	    "VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
	    "title_de = excluded.title_de, title_en = excluded.title_en, "
	    "intro_de = excluded.intro_de, intro_en = excluded.intro_en, "
	    "announcement_de = excluded.announcement_de, "
	    "announcement_en = excluded.announcement_en, "
	    "announcement_from = excluded.announcement_from, "
	    "announcement_until = excluded.announcement_until",
	    "ttttttii", sq_nz(h->title_de), sq_nz(h->title_en),
	    sq_nz(h->intro_de), sq_nz(h->intro_en), sq_nz(h->announcement_de),
	    sq_nz(h->announcement_en), h->announcement_from,
	    h->announcement_until);
}

enum zek_rc
store_desk_texts_set(struct store_conn *c, int64_t desk_id, const char *name,
    const char *description)
{
	return sq_exec_changed(c,
	    "UPDATE service_desks SET name = ?, "
	    "description = ? WHERE id = ?",
	    "tti", name, sq_nz(description), desk_id);
}

/* ---- the configuration's version ---- */

enum zek_rc
store_config_version(struct store_conn *c, int64_t *out)
{
	enum zek_rc rc;

	rc = sq_query_i64(c, out,
	    "SELECT version FROM config_state "
	    "WHERE id = 1",
	    "");
	if (rc == ZEK_NOTFOUND) {
		*out = 0;
		rc = ZEK_OK;
	}
	return rc;
}

enum zek_rc
store_config_version_bump(struct store_conn *c, int64_t *out)
{
	return sq_query_i64(c, out,
	    "INSERT INTO config_state (id, version) "
	    "VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET "
	    "version = config_state.version + 1 RETURNING version",
	    "");
}

/* ---- the record of changes ---- */

enum zek_rc
store_config_change_add(struct store_conn *c,
    const struct store_config_change *e)
{
	return sq_exec(c,
	    "INSERT INTO config_changes (at, actor_id, subject, "
	    "target, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?)",
	    "iItttt", e->at, e->actor_id, e->subject, sq_nz(e->target),
	    sq_nz(e->old_value), sq_nz(e->new_value));
}

static void
map_change(struct sq_row *r, void *elem)
{
	struct store_config_change *e = elem;

	e->id = sq_col_i64(r);
	e->at = sq_col_i64(r);
	e->actor_id = sq_col_i64(r);
	e->actor_name = sq_col_str(r);
	e->subject = sq_col_str(r);
	e->target = sq_col_str(r);
	e->old_value = sq_col_str(r);
	e->new_value = sq_col_str(r);
}

enum zek_rc
store_config_changes_list(struct store_conn *c, struct arena *a,
    int64_t before_id, size_t limit, struct store_config_change **out,
    size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT e.id, e.at, coalesce(e.actor_id, 0), "
	    "coalesce(u.name, ''), e.subject, e.target, e.old_value, e.new_value "
	    "FROM config_changes e LEFT JOIN users u ON u.id = e.actor_id "
	    "WHERE ?1 = 0 OR e.id < ?1 ORDER BY e.id DESC LIMIT ?2",
	    "iz", before_id, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_change, sizeof(**out), (void **)out, n);
}
