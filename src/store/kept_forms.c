/* kept_forms.c: forms kept when the session was gone, and their files. */
#include "store/store.h"

#include "store/query.h"

#define KEPT_COLS \
	"id, secret_hash, coalesce(user_id, 0), page, fields, " \
	"files_dropped, client_ip, bytes, created_at, expires_at"

static void
map_kept(struct sq_row *r, void *elem)
{
	struct store_kept_form *k = elem;

	k->id = sq_col_i64(r);
	k->secret_hash = sq_col_str(r);
	k->user_id = sq_col_i64(r);
	k->page = sq_col_str(r);
	k->fields = sq_col_str(r);
	k->files_dropped = sq_col_bool(r);
	k->client_ip = sq_col_str(r);
	k->bytes = sq_col_i64(r);
	k->created_at = sq_col_i64(r);
	k->expires_at = sq_col_i64(r);
}

static void
map_file(struct sq_row *r, void *elem)
{
	struct store_kept_file *f = elem;

	f->field = sq_col_str(r);
	f->filename = sq_col_str(r);
	f->data = sq_col_blob(r, &f->size);
}

static enum zek_rc
insert_files(struct store_conn *c, int64_t id, const struct store_kept_form *kf)
{
	enum zek_rc rc = ZEK_OK;
	size_t i;

	for (i = 0; rc == ZEK_OK && i < kf->nfiles; i++)
		rc = sq_exec(c,
		    "INSERT INTO kept_form_files (kept_form_id, field, "
		    "filename, data) VALUES (?, ?, ?, ?)",
		    "ittB", id, kf->files[i].field, kf->files[i].filename,
		    (const void *)kf->files[i].data, kf->files[i].size);
	return rc;
}

enum zek_rc
store_kept_form_insert(struct store_conn *c, const struct store_kept_form *kf)
{
	enum zek_rc rc;
	int64_t id;

	rc = store_begin(c);
	if (rc != ZEK_OK)
		return rc;
	rc = store_kept_form_delete(c, kf->secret_hash);
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, &id,
		    "INSERT INTO kept_forms (secret_hash, "
		    "user_id, page, fields, files_dropped, client_ip, bytes, "
		    "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
		    "RETURNING id",
		    "tIttbtiii", kf->secret_hash, kf->user_id, kf->page,
		    kf->fields, (int)kf->files_dropped, kf->client_ip,
		    kf->bytes, kf->created_at, kf->expires_at);
	if (rc == ZEK_OK)
		rc = insert_files(c, id, kf);
	return store_finish(c, rc);
}

enum zek_rc
store_kept_form_get(struct store_conn *c, struct arena *a,
    const char *secret_hash, struct store_kept_form **out)
{
	struct store_kept_form *k;
	struct sq_stmt *st;
	enum zek_rc rc;

	st = sq_start(c, &rc,
	    "SELECT " KEPT_COLS " FROM kept_forms "
	    "WHERE secret_hash = ?",
	    "t", secret_hash);
	if (st == NULL)
		return rc;
	rc = sq_collect_one(c, a, st, map_kept, sizeof(*k), (void **)&k);
	if (rc != ZEK_OK)
		return rc;
	st = sq_start(c, &rc,
	    "SELECT field, filename, data FROM kept_form_files "
	    "WHERE kept_form_id = ? ORDER BY id",
	    "i", k->id);
	if (st == NULL)
		return rc;
	rc = sq_collect(c, a, st, map_file, sizeof(*k->files),
	    (void **)&k->files, &k->nfiles);
	if (rc == ZEK_OK)
		*out = k;
	return rc;
}

enum zek_rc
store_kept_form_delete(struct store_conn *c, const char *secret_hash)
{
	return sq_exec(c, "DELETE FROM kept_forms WHERE secret_hash = ?", "t",
	    secret_hash);
}

enum zek_rc
store_kept_forms_purge(struct store_conn *c, int64_t now, int64_t *n)
{
	enum zek_rc rc;

	rc = sq_exec(c, "DELETE FROM kept_forms WHERE expires_at <= ?", "i",
	    now);
	if (rc == ZEK_OK && n != NULL)
		*n = sq_changes(c);
	return rc;
}

enum zek_rc
store_kept_forms_usage(struct store_conn *c, const char *client_ip, int64_t now,
    int64_t *from_ip, int64_t *bytes)
{
	enum zek_rc rc;

	rc = sq_query_i64(c, from_ip,
	    "SELECT count(*) FROM kept_forms "
	    "WHERE client_ip = ? AND expires_at > ?",
	    "ti", client_ip, now);
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, bytes,
		    "SELECT coalesce(sum(bytes), 0) "
		    "FROM kept_forms WHERE expires_at > ?",
		    "i", now);
	return rc;
}
