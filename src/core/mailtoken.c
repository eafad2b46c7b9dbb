/* mailtoken.c: reply and rating tokens signed with a secret kept in the database. */
#include "core/mailtoken.h"

#include <sodium.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

/* The first byte: what the token is for. The reply tokens' 1 was their
 * version before there was a second purpose. */
#define PURPOSE_REPLY 1
#define PURPOSE_RATING 2
#define MAC_BYTES 10 /* 80 bits: guessing online is hopeless */
#define RAW_MAX 32   /* version, day, two varints, MAC */
#define DAY_MS (86400LL * 1000)

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* The secret (crypto_auth_KEYBYTES) into the arena. */
static enum zek_rc
secret(struct zctx *ctx, const unsigned char **key)
{
	unsigned char fresh[crypto_auth_KEYBYTES];
	enum zek_rc rc;
	size_t n = 0;

	randombytes_buf(fresh, sizeof(fresh));
	rc = store_mail_secret(ctx->db, ctx->arena, fresh, sizeof(fresh), key,
	    &n);
	sodium_memzero(fresh, sizeof(fresh));
	if (rc == ZEK_OK && n != crypto_auth_KEYBYTES)
		rc = ZEK_IO; /* a damaged row: never sign with it */
	return rc;
}

static size_t
put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v > 0);
	return n;
}

/* Reads a varint of at most 9 bytes; 0 when it does not fit in [p, end). */
static size_t
get_varint(const unsigned char *p, const unsigned char *end, uint64_t *v)
{
	size_t n = 0;

	*v = 0;
	while (p + n < end && n < 9) {
		*v |= (uint64_t)(p[n] & 0x7f) << (7 * n);
		if ((p[n++] & 0x80) == 0)
			return n;
	}
	return 0;
}

static char *
base32(struct arena *a, const unsigned char *p, size_t n)
{
	char *s = arena_alloc(a, (n * 8 + 4) / 5 + 1);
	size_t i, o = 0;
	unsigned bits = 0, acc = 0;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | p[i];
		bits += 8;
		while (bits >= 5) {
			s[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		s[o++] = alphabet[(acc << (5 - bits)) & 31];
	s[o] = '\0';
	return s;
}

/* Decodes base32 (any case); the length, or 0 for a bad text. */
static size_t
unbase32(const char *s, unsigned char *out, size_t max)
{
	unsigned bits = 0, acc = 0;
	size_t o = 0;
	const char *hit;
	char ch;

	for (; *s != '\0'; s++) {
		ch = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
		hit = strchr(alphabet, ch);
		if (hit == NULL || ch == '\0')
			return 0;
		acc = (acc << 5) | (unsigned)(hit - alphabet);
		bits += 5;
		if (bits >= 8) {
			if (o == max)
				return 0;
			out[o++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
		acc &= 0xff;
	}
	return o;
}

/* A token of `purpose` (its first byte, covered by the MAC, so a token
 * made for one purpose never passes for another). */
static enum zek_rc
token_make(struct zctx *ctx, unsigned char purpose, int64_t user_id,
    int64_t request_id, const char **out)
{
	unsigned char raw[RAW_MAX], mac[crypto_auth_BYTES];
	const unsigned char *key;
	uint64_t day = (uint64_t)(ctx->now_ms / DAY_MS);
	enum zek_rc rc;
	size_t n = 0;

	if (user_id <= 0 || request_id <= 0)
		return ZEK_INVALID;
	rc = secret(ctx, &key);
	if (rc != ZEK_OK)
		return rc;
	raw[n++] = purpose;
	raw[n++] = (unsigned char)(day >> 8);
	raw[n++] = (unsigned char)day;
	n += put_varint(raw + n, (uint64_t)user_id);
	n += put_varint(raw + n, (uint64_t)request_id);
	crypto_auth(mac, raw, n, key);
	memcpy(raw + n, mac, MAC_BYTES);
	*out = base32(ctx->arena, raw, n + MAC_BYTES);
	return *out != NULL ? ZEK_OK : ZEK_NOMEM;
}

/* Checks a token of `purpose` made at most `days` days ago: ZEK_OK,
 * ZEK_NOTFOUND for a bad form or MAC (*expired false) or a good one too
 * old (*expired true). */
static enum zek_rc
token_check(struct zctx *ctx, unsigned char purpose, uint64_t days,
    const char *token, int64_t *user_id, int64_t *request_id, bool *expired)
{
	unsigned char raw[RAW_MAX], mac[crypto_auth_BYTES];
	const unsigned char *key, *p, *end;
	uint64_t day, now_day, uid, rid;
	enum zek_rc rc;
	size_t n, k;

	*expired = false;
	if (str_empty(token) || strlen(token) > MAILTOKEN_LEN_MAX)
		return ZEK_NOTFOUND;
	n = unbase32(token, raw, sizeof(raw));
	if (n < 3 + 2 + MAC_BYTES || raw[0] != purpose)
		return ZEK_NOTFOUND;
	end = raw + n - MAC_BYTES;
	p = raw + 3;
	if ((k = get_varint(p, end, &uid)) == 0)
		return ZEK_NOTFOUND;
	p += k;
	if ((k = get_varint(p, end, &rid)) == 0 || p + k != end)
		return ZEK_NOTFOUND;
	rc = secret(ctx, &key);
	if (rc != ZEK_OK)
		return rc;
	crypto_auth(mac, raw, (size_t)(end - raw), key);
	if (sodium_memcmp(mac, end, MAC_BYTES) != 0)
		return ZEK_NOTFOUND;
	if (uid == 0 || rid == 0 || uid > INT64_MAX || rid > INT64_MAX)
		return ZEK_NOTFOUND;
	/* The day wraps every 179 years; compare in 16 bits. */
	day = (uint64_t)raw[1] << 8 | raw[2];
	now_day = (uint64_t)(ctx->now_ms / DAY_MS) & 0xffff;
	if (((now_day - day) & 0xffff) > days) {
		*expired = true;
		return ZEK_NOTFOUND;
	}
	*user_id = (int64_t)uid;
	*request_id = (int64_t)rid;
	return ZEK_OK;
}

enum zek_rc
core_mail_token_make(struct zctx *ctx, int64_t user_id, int64_t request_id,
    const char **out)
{
	return token_make(ctx, PURPOSE_REPLY, user_id, request_id, out);
}

enum zek_rc
core_mail_token_check(struct zctx *ctx, const char *token, int64_t *user_id,
    int64_t *request_id)
{
	bool expired;

	return token_check(ctx, PURPOSE_REPLY, MAILTOKEN_DAYS, token, user_id,
	    request_id, &expired);
}

enum zek_rc
core_rating_token_make(struct zctx *ctx, int64_t user_id, int64_t request_id,
    const char **out)
{
	return token_make(ctx, PURPOSE_RATING, user_id, request_id, out);
}

enum zek_rc
core_rating_token_check(struct zctx *ctx, const char *token, int64_t *user_id,
    int64_t *request_id, bool *expired)
{
	return token_check(ctx, PURPOSE_RATING, RATINGTOKEN_DAYS, token,
	    user_id, request_id, expired);
}

static bool
plain_token(const char *t)
{
	size_t n = strlen(t);

	return n > 0 && n <= MAILTOKEN_LEN_MAX && strspn(t, alphabet) == n;
}

const char *
core_mail_reply_addr(struct arena *a, const char *reply_address,
    const char *token)
{
	const char *at = reply_address != NULL ? strrchr(reply_address, '@') :
	                                         NULL;

	if (at == NULL || at == reply_address || !plain_token(token))
		return NULL;
	return arena_printf(a, "%.*s+%s%s", (int)(at - reply_address),
	    reply_address, token, at);
}

const char *
core_mail_token_of_addr(struct arena *a, const char *reply_address,
    const char *addr)
{
	const char *at = reply_address != NULL ? strrchr(reply_address, '@') :
	                                         NULL;
	const char *aat = addr != NULL ? strrchr(addr, '@') : NULL;
	size_t local;

	if (at == NULL || aat == NULL)
		return NULL;
	local = (size_t)(at - reply_address);
	/* Local parts are compared without regard to case as well: some
	 * systems fold them, and the token's alphabet survives that. */
	if (strncasecmp(addr, reply_address, local) != 0 ||
	    addr[local] != '+' || strcasecmp(aat, at) != 0 ||
	    aat <= addr + local + 1)
		return NULL;
	return arena_strndup(a, addr + local + 1,
	    (size_t)(aat - (addr + local + 1)));
}
