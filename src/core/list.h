/* list.h: the requests a user may see, filtered, searched and paged ("Anfragen"). */
#ifndef ZEK_CORE_LIST_H
#define ZEK_CORE_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"

struct user;

#define LIST_LIMIT_DEFAULT 20 /* rows per page */
#define LIST_LIMIT_MAX 100
#define LIST_SEARCH_MAX 200 /* code points of search text; more is cut */
/* Lists with a search, or a customer's, are counted up to this many
 * requests; beyond, the page says "mehr als 1.000" (counting every hit of
 * a word in most requests would cost more than the page itself). An
 * agent's list by status and type alone is always counted exactly. */
#define LIST_COUNT_MAX 1000
/* A list by last change sorts at most this many requests (an agent's by
 * status and type alone any number); list_page.order_refused beyond. */
#define LIST_UPDATED_MAX 2000

/* The status filter. */
enum list_status {
	LIST_STATUS_OPEN,   /* "Offene Anfragen": all but Geschlossen */
	LIST_STATUS_CLOSED, /* "Geschlossene Anfragen" */
	LIST_STATUS_ALL,    /* "Alle Anfragen" */
	LIST_STATUS_ONE,    /* one status, list_filter.one */
};

/* The creator filter. */
enum list_creator {
	LIST_CREATOR_ME, /* "Erstellt von mir": the user is the reporter */
	LIST_CREATOR_PARTICIPANT, /* "Ich bin Teilnehmer" */
	LIST_CREATOR_ANY, /* "Beliebiger Ersteller": all the user may see */
};

struct list_filter {
	enum list_status status;
	enum status one; /* with LIST_STATUS_ONE */
	enum list_creator creator;
	int64_t type_id;    /* 0 = every type */
	const char *search; /* words in key, title or description;
	                       NULL or "" = none */
};

/* The order: "Neueste zuerst" (by creation) or "Zuletzt aktualisiert"
 * (by the last change the viewer may know of; lists of more than
 * LIST_UPDATED_MAX requests, other than an agent's by status and
 * type alone, are shown by creation instead, see list_page). */
enum list_order {
	LIST_ORDER_CREATED,
	LIST_ORDER_UPDATED,
};

/* A position in the list: the row a page continues from, by the order's
 * value (created_at or the last change) and id. */
struct list_cursor {
	int64_t at;
	int64_t id;
};

struct list_query {
	struct list_filter filter;
	enum list_order order;
	bool has_cursor; /* false: the first page */
	struct list_cursor cursor;
	bool backward; /* the page before the cursor ("Zurück") */
	size_t limit;  /* 1..LIST_LIMIT_MAX; 0 = LIST_LIMIT_DEFAULT */
	bool no_total; /* only pages (the API): total may stay 0 */
};

/* One row of the list, in the viewer's language. */
struct list_item {
	int64_t id;
	const char *key; /* "ZEK-12" */
	const char *title;
	int64_t portal_id;        /* for the link to the request page */
	const char *project_name; /* the service desk ("Service-Projekt") */
	int64_t type_id;
	const char *type_name;
	const char *type_icon; /* "" if none */
	enum status status;
	const char *status_code;
	const char *status_label;
	const char *reporter_name; /* "Anfragender" */
	int64_t created_at;
	int64_t updated_at;        /* the last change the viewer may know of */
	struct list_cursor cursor; /* this row as a position */
};

/* One page. Lives in ctx->arena. */
struct list_page {
	struct list_item *items; /* newest first */
	size_t n;
	int64_t total; /* matching requests, on every page; with
	                  total_capped: LIST_COUNT_MAX, and there
	                  are more */
	bool total_capped;
	bool has_next;         /* older rows follow ("Weiter") */
	bool has_prev;         /* newer rows precede ("Zurück") */
	bool is_first;         /* this is the first page (a page back
	                          that reached the start is one) */
	enum list_order order; /* the order shown: LIST_ORDER_CREATED when
	                          too many requests to sort by change */
	bool order_refused;    /* that was the reason */
};

/* A request type to filter by. */
struct list_type {
	int64_t id;
	const char *name;
};

/* The page of requests `user` may see that match the filter, newest first
 * (created_at or the last change, then id). Visibility is core/perm.c's rule: an agent sees
 * every request; a customer those they reported, raised, take part in, or
 * that are shared with one of their organisations; nothing else shows in
 * rows, counts or search hits. The search text is trimmed and cut to
 * LIST_SEARCH_MAX code points. ZEK_NOTFOUND for no user; ZEK_INVALID for
 * a bad limit or search text that is not UTF-8. */
enum zek_rc core_list_requests(struct zctx *ctx, const struct user *user,
    const struct list_query *q, const char *lang, struct list_page **out);

/* The request types of every portal, for the type filter, in portal and
 * type order, in `lang`. */
enum zek_rc core_list_types(struct zctx *ctx, const struct user *user,
    const char *lang, struct list_type **out, size_t *n);

/* "<created_at>.<id>", and back; the parser returns false for anything
 * else. */
const char *core_list_cursor_format(struct zctx *ctx,
    const struct list_cursor *c);
bool core_list_cursor_parse(const char *s, struct list_cursor *out);

#endif
