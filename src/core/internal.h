/* internal.h: helpers shared by core/ files only; web/ does not include it. */
#ifndef ZEK_CORE_INTERNAL_H
#define ZEK_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"

struct store_user;
struct user;
struct person;

/* en when lang is "en" and en is not empty, else de. */
const char *core_pick(const char *lang, const char *de, const char *en);
/* "de" or "en" for any input ("de" by default). */
const char *core_lang(const char *lang);
/* The organisations of user_id, ordered by name, as struct user holds
 * them (ids[i] is named names[i]). */
enum zek_rc core_user_orgs(struct zctx *ctx, int64_t user_id, int64_t **ids,
    const char ***names, size_t *n);
/* Loads the user's organisations into a struct user built from `su`. */
enum zek_rc core_user_from_store(struct zctx *ctx, const struct store_user *su,
    struct user **out);
/* The one customer account `who` names: an e-mail address, else an exact
 * full name. ZEK_NOTFOUND, or ZEK_CONFLICT when several match. */
enum zek_rc core_customer_find(struct zctx *ctx, const char *who,
    struct store_user **out);
void core_person_from_store(struct person *p, const struct store_user *su);
/* cfg->base_url without a trailing slash, in the arena (NULL: no memory). */
const char *core_base_url(struct zctx *ctx);
/* The trimmed display name, or NULL with *err the error key
 * (err_required, err_invalid_utf8, err_invalid_chars, err_too_long
 * past `max` code points); NULL with *err NULL when out of memory. */
const char *core_name_check(struct zctx *ctx, const char *name, size_t max,
    const char **err);
/* A plausible e-mail address (one "@", a dot in the domain, no spaces). */
bool core_email_valid(const char *email);
/* Inserts su and adds it to the organisation org_name (made if missing;
 * NULL or "" = none), inside the caller's transaction. *org_id_out (may
 * be NULL) is 0 without an organisation. ZEK_CONFLICT: the address is
 * taken. */
enum zek_rc core_user_insert(struct zctx *ctx, const struct store_user *su,
    const char *org_name, int64_t *id_out, int64_t *org_id_out);
struct reqtype;
/* Loads a request type by id alone, whatever its portal. Read once per
 * call (zctx.types) and shared by every reader in it: read-only. */
enum zek_rc core_reqtype_load(struct zctx *ctx, int64_t type_id,
    const char *lang, struct reqtype **out);
struct store_request;
/* The status and the resolution of a stored request. Only requests
 * core_request_lock or core_request_read let through reach these: their
 * codes are known (status_decode reads any other as closed). */
enum status core_status_of(const struct store_request *r);
enum resolution core_resolution_of(const struct store_request *r);
struct store_attachment;
struct attachment_info;
/* Whether `user` may see the stored request (see core/perm.h). */
enum zek_rc core_request_visible(struct zctx *ctx, const struct user *user,
    const struct store_request *r, bool *out);
/* The stored request `key` ("ZEK-12", any case), unlocked, when `user`
 * may see it; ZEK_NOTFOUND when there is none or it is not the user's to
 * see (existence is not revealed). */
enum zek_rc core_request_by_key(struct zctx *ctx, const struct user *user,
    const char *key, struct store_request **out);
/* The user's own temporary upload with `token`, if it has not expired. */
enum zek_rc core_attachment_temp_find(struct zctx *ctx, const struct user *user,
    const char *token, struct store_attachment **out);
void core_attachment_info_from_store(struct attachment_info *ai,
    const struct store_attachment *sa);
/* A page cursor as text, "VALUE.ID" (list.c); parse refuses anything else. */
const char *core_cursor_format(struct zctx *ctx, int64_t value, int64_t id);
bool core_cursor_parse(const char *s, int64_t *value, int64_t *id);
/* Grows an arena array for one more element (n in use, *cap capacity). */
void *core_grow(struct zctx *ctx, void *arr, size_t n, size_t *cap,
    size_t size);
struct field_error;
/* A growing list of a form's field errors in ctx->arena. */
struct core_errs {
	struct field_error *e;
	size_t n, cap;
};
/* Appends a copy of *e; ZEK_NOMEM when the arena is out. */
enum zek_rc core_err_add(struct zctx *ctx, struct core_errs *l,
    const struct field_error *e);

struct field;
struct field_value;
struct request_field_view;
/* The values `vals` of field f as the request page shows them (option
 * labels, object names, the checkbox's label; a date-time stays UTC ms,
 * in datetime_ms too). */
enum zek_rc core_field_display(struct zctx *ctx, const struct field *f,
    const char *const *vals, size_t n, struct request_field_view *out);
/* A request's title from its values (norm[i] those of t->fields[i]): the
 * summary, else the first text filled in; NULL when there is none. */
const char *core_request_title(const struct reqtype *t,
    const struct field_value *norm);

struct store_desk;
struct store_reqtype;

/* Service desks and request types, loaded once per list page to label its
 * rows (and fill the type filter). Lives in ctx->arena. */
struct core_catalogue {
	struct store_desk *desks;
	size_t ndesks;
	struct store_reqtype *types;
	size_t ntypes;
};
enum zek_rc core_catalogue_load(struct zctx *ctx, struct core_catalogue *cat);
const struct store_desk *core_catalogue_desk(const struct core_catalogue *cat,
    int64_t id);
const struct store_reqtype *core_catalogue_type(
    const struct core_catalogue *cat, int64_t id);
/* A search term as lists use it: valid UTF-8, cut to `max` code points,
 * trimmed; *out NULL when nothing is left. ZEK_INVALID for bad UTF-8. */
enum zek_rc core_search_text(struct zctx *ctx, const char *s, size_t max,
    const char **out);

#endif
