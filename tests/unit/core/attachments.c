/* Unit tests for core/attachments.c: sniffing, limits, ownership, download. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/attachments.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

static struct tenv *env;
static struct user *anna, *ben, *carla;

/* A complete 1x1 PNG. */
static const unsigned char png[] = {
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d,
	0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
	0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00,
	0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
};
static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
static const char html[] = "<!DOCTYPE html>\n<html><head><script>alert(1)"
    "</script></head><body>Hallo</body></html>\n";
static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\""
    "http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>\n";
static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0 };

static int
setup(void **state)
{
	env = tenv_new();
	tenv_config(env);
	anna = tenv_user(env, "anna@example.org", "customer", "Stadt");
	ben = tenv_user(env, "ben@example.org", "customer", "Stadt");
	carla = tenv_user(env, "carla@example.org", "customer", "Land");
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

static enum zek_rc
upload(struct user *u, const char *name, const void *data, size_t len,
    struct attachment_info *ai, struct field_error *err)
{
	return core_attachment_upload_temp(&env->ctx, u, name, data, len, ai,
	    err);
}

static void
test_sniffed_types(void **state)
{
	struct attachment_info ai;
	struct field_error err;

	/* The bytes decide, never the name. */
	assert_int_equal(upload(anna, "bild.txt", png, sizeof(png), &ai, &err),
	    ZEK_OK);
	assert_string_equal(ai.mime, "image/png");
	assert_true(ai.is_image);
	assert_int_equal(ai.size, sizeof(png));
	assert_string_equal(ai.filename, "bild.txt");
	assert_true(strlen(ai.token) >= 32);
	assert_int_equal(upload(anna, "a.pdf", pdf, strlen(pdf), &ai, &err),
	    ZEK_OK);
	assert_string_equal(ai.mime, "application/pdf");
	assert_false(ai.is_image);
	assert_int_equal(upload(anna, "log.txt", "Fehler 504\nZeile 2\n", 19,
	    &ai, &err), ZEK_OK);
	assert_string_equal(ai.mime, "text/plain");
	assert_int_equal(upload(anna, "seite.png", html, strlen(html), &ai,
	    &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_file_type");
	assert_string_equal(err.field, "attachment");
	assert_string_equal(err.arg, "seite.png");
	assert_int_equal(upload(anna, "bild.svg", svg, strlen(svg), &ai, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "err_file_type");
	assert_int_equal(upload(anna, "tool.pdf", elf, sizeof(elf), &ai, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "err_file_type");
	assert_int_equal(upload(anna, "leer.txt", "", 0, &ai, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "err_file_empty");
}

static void
test_file_names(void **state)
{
	struct attachment_info ai;
	struct field_error err;

	assert_int_equal(upload(anna, "../../etc/passwd", "x\n", 2, &ai, &err),
	    ZEK_OK);
	assert_string_equal(ai.filename, "passwd");
	assert_int_equal(upload(anna, "C:\\Users\\anna\\Screenshot 1.png", png,
	    sizeof(png), &ai, &err), ZEK_OK);
	assert_string_equal(ai.filename, "Screenshot 1.png");
	assert_int_equal(upload(anna, "a\r\nb.txt", "x\n", 2, &ai, &err),
	    ZEK_OK);
	assert_string_equal(ai.filename, "ab.txt");
	assert_int_equal(upload(anna, "..", "x\n", 2, &ai, &err), ZEK_OK);
	assert_string_equal(ai.filename, "datei");
	assert_int_equal(upload(anna, NULL, "x\n", 2, &ai, &err), ZEK_OK);
	assert_string_equal(ai.filename, "datei");
}

static void
test_size_limit(void **state)
{
	struct attachment_info ai;
	struct field_error err;
	char big[101];

	memset(big, 'a', sizeof(big));
	env->cfg.max_file_bytes = 100;
	assert_int_equal(upload(anna, "gross.txt", big, 100, &ai, &err),
	    ZEK_OK);
	assert_int_equal(upload(anna, "gross.txt", big, 101, &ai, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "err_file_too_big");
	assert_int_equal(err.max, 100);
	env->cfg.max_file_bytes = 10u << 20;
}

static enum zek_rc
create_with(struct user *u, const char **tokens, size_t n, const char **key,
    struct field_error **e, size_t *ne)
{
	const char *s[] = { "Mit Anhang" }, *d[] = { "Siehe Anhang" };
	struct field_value fv[] = { { "summary", s, 1 },
	    { "description", d, 1 } };
	struct create_input in = { .portal_id = 17, .type_id = 4,
	    .values = fv, .nvalues = 2, .attachment_tokens = tokens,
	    .ntokens = n };

	return core_request_create(&env->ctx, u, &in, e, ne, key);
}

static void
test_ownership_and_download(void **state)
{
	struct attachment_info a1, a2, *list;
	struct request_view *v;
	struct field_error err, *e;
	struct attachment *att;
	const char *toks[3], *key;
	size_t n;

	assert_int_equal(upload(anna, "screen.png", png, sizeof(png), &a1,
	    &err), ZEK_OK);
	assert_int_equal(upload(anna, "bericht.pdf", pdf, strlen(pdf), &a2,
	    &err), ZEK_OK);
	toks[0] = a1.token;
	toks[1] = "not-a-token";
	toks[2] = a2.token;
	/* Re-shown on an error page: only the user's own, unknown skipped. */
	assert_int_equal(core_attachments_temp_get(&env->ctx, anna, toks, 3,
	    &list, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].filename, "screen.png");
	assert_string_equal(list[1].filename, "bericht.pdf");
	assert_int_equal(core_attachments_temp_get(&env->ctx, ben, toks, 3,
	    &list, &n), ZEK_OK);
	assert_int_equal(n, 0);
	/* Someone else's token cannot be attached. */
	assert_int_equal(create_with(ben, toks, 1, &key, &e, &n), ZEK_INVALID);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].field, "attachment");
	assert_string_equal(e[0].key, "err_upload_expired");
	toks[1] = a2.token;
	assert_int_equal(create_with(anna, toks, 2, &key, &e, &n), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, anna, key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->nattachments, 2);
	assert_string_equal(v->attachments[0].filename, "screen.png");
	assert_true(v->attachments[0].is_image);
	assert_string_equal(v->attachments[0].token, "");
	/* Attached uploads are no longer temporary. */
	assert_int_equal(core_attachments_temp_get(&env->ctx, anna, toks, 2,
	    &list, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(create_with(anna, toks, 1, &key, &e, &n), ZEK_INVALID);
	assert_int_equal(core_attachment_get(&env->ctx, anna,
	    v->attachments[0].id, &att), ZEK_OK);
	assert_int_equal(att->size, sizeof(png));
	assert_memory_equal(att->data, png, sizeof(png));
	assert_string_equal(att->mime, "image/png");
	assert_int_equal(core_attachment_get(&env->ctx, carla,
	    v->attachments[0].id, &att), ZEK_NOTFOUND);
	assert_int_equal(core_attachment_get(&env->ctx, ben, 999999, &att),
	    ZEK_NOTFOUND);
	/* A temporary upload cannot be downloaded by id. */
	assert_int_equal(upload(anna, "temp.pdf", pdf, strlen(pdf), &a1, &err),
	    ZEK_OK);
	assert_int_equal(core_attachment_get(&env->ctx, anna, a1.id, &att),
	    ZEK_NOTFOUND);
}

static void
test_too_many_and_expiry(void **state)
{
	struct attachment_info ai[3], *list;
	struct field_error err, *e;
	const char *toks[3], *key;
	int64_t now = env->ctx.now_ms, purged;
	size_t n, i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(upload(anna, "x.txt", "abc\n", 4, &ai[i], &err),
		    ZEK_OK);
		toks[i] = ai[i].token;
	}
	env->cfg.max_files = 2;
	assert_int_equal(create_with(anna, toks, 3, &key, &e, &n), ZEK_INVALID);
	assert_string_equal(e[0].key, "err_too_many_files");
	assert_int_equal(e[0].max, 2);
	env->cfg.max_files = 10;
	/* Past the time to live the uploads are gone, purged or not. */
	env->ctx.now_ms = now + env->cfg.temp_attachment_ttl_ms + 1;
	assert_int_equal(core_attachments_temp_get(&env->ctx, anna, toks, 3,
	    &list, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(create_with(anna, toks, 1, &key, &e, &n), ZEK_INVALID);
	assert_string_equal(e[0].key, "err_upload_expired");
	assert_int_equal(core_attachments_purge(&env->ctx, &purged), ZEK_OK);
	assert_true(purged >= 3);
	env->ctx.now_ms = now;
	assert_int_equal(core_attachments_temp_get(&env->ctx, anna, toks, 3,
	    &list, &n), ZEK_OK);
	assert_int_equal(n, 0);
}

/* Each user's temporary uploads are capped by count and total size; a
 * refused upload stores nothing, other users are unaffected, and uploads
 * that went into a request no longer count (issue 13). */
static void
test_pending_cap(void **state)
{
	struct attachment_info ai[4];
	struct field_error err, *e;
	const char *toks[3], *key;
	int64_t count, bytes;
	char text[700];
	size_t i, n;

	memset(text, 'a', sizeof(text));
	text[sizeof(text) - 1] = '\n';
	env->cfg.max_pending_uploads = 3;
	env->cfg.max_pending_upload_bytes = 1000;
	for (i = 0; i < 3; i++) {
		assert_int_equal(upload(carla, "x.txt", "abc\n", 4, &ai[i], &err),
		    ZEK_OK);
		toks[i] = ai[i].token;
	}
	assert_int_equal(upload(carla, "vier.txt", "abc\n", 4, &ai[3], &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, CORE_ERR_PENDING_COUNT);
	assert_int_equal(err.max, 3);
	assert_string_equal(err.field, "attachment");
	assert_int_equal(store_attachments_pending(env->ctx.db, carla->id,
	    &count, &bytes), ZEK_OK);
	assert_int_equal(count, 3);
	assert_int_equal(bytes, 12);
	/* By size: 600 + 600 is too much, 600 + 400 fits exactly. */
	assert_int_equal(upload(ben, "a.txt", text, 600, &ai[0], &err), ZEK_OK);
	assert_int_equal(upload(ben, "b.txt", text, 600, &ai[1], &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, CORE_ERR_PENDING_BYTES);
	assert_int_equal(err.max, 1000);
	assert_string_equal(err.arg, "b.txt");
	assert_true(core_error_max_is_bytes(err.key));
	assert_int_equal(upload(ben, "c.txt", text, 400, &ai[1], &err), ZEK_OK);
	assert_int_equal(upload(ben, "d.txt", "x\n", 2, &ai[2], &err),
	    ZEK_INVALID);
	/* Uploads that went into a request free the cap. */
	assert_int_equal(create_with(carla, toks, 3, &key, &e, &n), ZEK_OK);
	assert_int_equal(upload(carla, "neu.txt", "abc\n", 4, &ai[3], &err),
	    ZEK_OK);
	env->cfg.max_pending_uploads = 30;
	env->cfg.max_pending_upload_bytes = 200LL << 20;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniffed_types),
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_ownership_and_download),
		cmocka_unit_test(test_too_many_and_expiry),
		cmocka_unit_test(test_pending_cap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
