/* pg_search.c: the request list ("Anfragen") and the agents' queues on
 * PostgreSQL: filters, visibility and search words in one statement, pages
 * by keyset, counts. The same rows as SQLite's (sqlite_list.c,
 * sqlite_queue.c) for the same data and query. */
#include "store/pg_search.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "store/query.h"
#include "store/search_words.h"

/*
 * Search words find requests through request_search (0002_search.sql): a
 * tsvector of the words of key, title and description, split and folded
 * as SQLite's unicode61 tokenizer does, with a GIN index. The user's words
 * are read as for SQLite (search_words.c) and become a tsquery in the
 * database, by the same functions that fold the requests' words: C only
 * says where words end and which are prefixes.
 *
 * Every filter is plain SQL; each combination of them is a statement of
 * its own below (only the type, which no index leads with, is a "? = 0
 * OR" condition), so that PostgreSQL plans each for what it asks: a page
 * walks an index in the page's order from the cursor, or collects the few
 * matches and sorts them, as it estimates. That choice needs the values:
 * with a generic plan a rare word would walk every request, so each of
 * these is planned with its values on every run (SQ_PLAN_WITH_VALUES),
 * but for a customer's unions of index walks without words (V_PAGE).
 * Counts of search hits stop at count_max + 1 (a LIMIT in a subquery).
 *
 * How the words are found depends on how common they are. Rare words are
 * found by the GIN index (`s.doc @@ q`), the matches ANDed with the other
 * conditions' bitmaps. For words that most requests hold (a short prefix:
 * "antr" starts words of 60 % of them) that bitmap is the slow part (a
 * customer's count: 200 ms for 600,000 requests, to keep the 1,001 of the
 * 17,000 they may see), and testing the words of each row the other
 * conditions find, stopping at the LIMIT, is faster (30 ms). PostgreSQL
 * estimates both at about the same cost. So search_query() asks the
 * database for the share of requests the words match (zek_search_share,
 * 0023_search_common_own.sql, from ANALYZE's statistics) and each statement
 * says `CASE WHEN common THEN ts_match_vq(s.doc, q) ELSE s.doc @@ q END`:
 * planned with the values, the CASE folds to one of the two, and only the
 * operator can use the index. Both find the same rows.
 *
 * Words that few requests hold have the opposite trouble. A page of an
 * agent's list or a queue walks requests in its order and looks up each
 * one's words until it has a page: 20 of 1,500 requests with "Yilmaz"
 * took a walk of 14,000 (15 ms), and a word of 149 requests a walk of all
 * 1,000,000 (180-360 ms), where collecting the matches from the index and
 * sorting them takes 1-8 ms. PostgreSQL walks because it estimates the
 * walk at its average length. So the words that the statistics know as
 * rare (every word not among their most common ones) are FIND_FEW: the
 * page orders by `CASE WHEN few THEN r.created_at + 0 ELSE r.created_at
 * END`, which folds to an expression no index is sorted by, and the
 * matches are collected. A list that has a count reads the matches'
 * order values and ids as its count (up to 1,001), and when that is all of
 * them, picks the page among them: the matches are found once, not once
 * for the count and again for the page (list_total_hits).
 */

#define STATUS_MAX_CODES 8  /* the list's status codes: ?4..?11 */
#define QUERY_TEXT_MAX 4096 /* bytes of the words handed to SQL */
/* From this share of requests (per million) on, words count as common and
 * are tested row by row. Measured on 1,000,000 requests (bench/README.md):
 * a customer's count is as fast both ways near 6-9 % and 2-7 times faster
 * row by row from 11 %; an agent's count and a queue's count, which have
 * no customer's set to walk, lose row by row at 11 % and break even near
 * 25 %; below 3 % the index wins everywhere. */
#define COMMON_PPM 200000
/* Words count as few when they are likely to match at most this many
 * requests (their share times the requests). A page of 20 walks about
 * 20 / share requests and collects share * requests, each collected one
 * costing about five walked ones (1,000,000 requests, EXPLAIN ANALYZE):
 * at 2,000 both take about 10 ms. The statistics give every word that is
 * not among their most common ones half the share of the least common of
 * those (0.14 % of 1,000,000). */
#define FEW_ROWS 2000

/* How a statement finds the words (its ?15 in the list, ?8 in the
 * queues). */
enum find_how {
	FIND_INDEXED,    /* GIN, ANDed with the other conditions' indexes */
	FIND_ROW_BY_ROW, /* tested on each row the other conditions find */
	FIND_FEW,        /* GIN, and every match sorted for the page */
};

/* The words' match: Q the tsquery, H its enum find_how. */
#define S_MATCH(Q, H) \
	" AND CASE WHEN " H " = 1 THEN ts_match_vq(s.doc, " Q "::tsquery) " \
	"ELSE s.doc @@ " Q "::tsquery END"
/* A page's order column F: not by an index when the words are few. */
#define S_ORDER(F, H) "CASE WHEN " H " = 2 THEN r." F " + 0 ELSE r." F " END"

/* ---- the list ---- */

/*
 * Parameters of every list statement: ?1, ?2 created_at and id of the
 * cursor row, ?3 the number of rows (pages) or where a count stops, ?4..?11
 * status codes (NULL: none), ?12 a type id (0 = any), ?13 the viewer, ?14
 * the tsquery, ?15 how to find its words. A statement uses those it
 * needs.
 */
#define L_COLS \
	"r.id, r.issue_key, r.title, r.status, r.type_id, " \
	"r.desk_id, r.reporter_id, u.name, r.created_at, r.updated_at, " \
	"r.customer_updated_at"
#define L_SEARCH "JOIN request_search s ON s.id = r.id "
#define L_MATCH S_MATCH("?14", "?15")
#define L_STATUS " AND r.status IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
#define L_TYPE " AND (?12 = 0 OR r.type_id = ?12)"
/* Whose: all (agents); reported or raised by the viewer ("Erstellt von
 * mir": when Anna raised it for Ben, both find it there); taking part in
 * it; or every request a customer may see: they reported it, raised it,
 * take part in it, or it is shared with one of their first 200
 * organisations (core/perm.c decides the same for one request; SQLite
 * reads 200 as well). */
#define W_ALL ""
#define W_REPORTED " AND (r.reporter_id = ?13 OR r.creator_id = ?13)"
#define W_PARTICIPATING \
	" AND r.id IN (SELECT p.request_id " \
	"FROM participants p WHERE p.user_id = ?13)"
#define L_WHERE(S, ST, W, M) \
	"FROM requests r " S \
	"JOIN users u ON u.id = r.reporter_id WHERE TRUE" ST L_TYPE W M
/* Older rows than the cursor, newest first; newer ones, read oldest first
 * from the cursor and turned around. */
/* clang-format off */
#define L_ORDER(DIR) \
	" ORDER BY " S_ORDER("created_at", "?15") " " DIR ", r.id " DIR \
	" LIMIT ?3"
#define L_OLDER(S, ST, W, M) \
	SQ_PLAN_WITH_VALUES "SELECT " L_COLS " " L_WHERE(S, ST, W, M) \
	" AND (r.created_at, r.id) < (?1, ?2)" L_ORDER("DESC")
#define L_NEWER(S, ST, W, M) \
	SQ_PLAN_WITH_VALUES "SELECT * FROM (SELECT " L_COLS " " \
	L_WHERE(S, ST, W, M) " AND (r.created_at, r.id) > (?1, ?2)" \
	L_ORDER("ASC") ") k ORDER BY k.created_at DESC, k.id DESC"
/* clang-format on */
#define L_COUNT(S, ST, W, M) \
	SQ_PLAN_WITH_VALUES "SELECT count(*) FROM (SELECT 1 " \
	                    "FROM requests r " S "WHERE TRUE" ST L_TYPE W M \
	                    " LIMIT ?3) k"

/* An agent's list without search words: counted exactly from the
 * tallies the triggers of 0005_list_own.sql keep, not row by row. */
#define L_TALLY(ST) \
	"SELECT coalesce(sum(r.n), 0)::bigint " \
	"FROM request_tallies r WHERE TRUE" ST L_TYPE

/*
 * Every request a customer may see: they reported it, raised it, take
 * part in it, or it is shared with one of their first 200 organisations
 * (core/perm.c decides the same for one request; SQLite reads 200 as
 * well). One "IN (any of four)" made PostgreSQL collect all of them (18,000
 * for a busy customer) and sort them for every page. Instead each of the
 * four ways is walked in the page's order from the cursor along its own
 * index (0005_list_own.sql) for at most a page, the filters applied on
 * the way, and the page is the first rows of their union. A count is
 * the union of at most ?3 rows from each way: when none of them reaches
 * ?3 the union is complete, else it has ?3 rows or more.
 */
/* The SQL reads as SQL: */
/* clang-format off */
#define V_WAY(FROM, WHO, ST, TAIL) \
	"SELECT r.id FROM " FROM " WHERE " WHO ST L_TYPE TAIL
#define V_ORGS \
	"(SELECT o.org_id FROM user_orgs o WHERE o.user_id = ?13 " \
	"ORDER BY o.org_id LIMIT 200) o"
/* The way through participants walks their own index in the page's order
 * (p.created_at is r.created_at, 0027_participants_created.sql): TAIL_P
 * is TAIL in p's columns. */
#define P_WAY(ST, TAIL_P) \
	V_WAY("participants p JOIN requests r ON r.id = p.request_id", \
	    "p.user_id = ?13", ST, TAIL_P)
#define V_WAYS(ST, TAIL, TAIL_P) \
	"(" V_WAY("requests r", "r.reporter_id = ?13", ST, TAIL) ") " \
	"UNION ALL (" V_WAY("requests r", "r.creator_id = ?13", ST, TAIL) ") " \
	"UNION ALL (" P_WAY(ST, TAIL_P) ") " \
	"UNION ALL (SELECT x.id FROM " V_ORGS " CROSS JOIN LATERAL (" \
	    V_WAY("requests r", "r.shared_org_id = o.org_id", ST, TAIL) ") x)"
#define V_FROM_OF(T, ID, CMP, DIR) \
	" AND (" T ".created_at, " T "." ID ") " CMP " (?1, ?2) " \
	"ORDER BY " T ".created_at " DIR ", " T "." ID " " DIR " LIMIT ?3"
/* "Erstellt von mir" the same way: reported by the viewer, or raised by
 * them for someone (one OR made every customer's first page a bitmap of
 * all their requests, sorted: 1 -> 8 ms). */
#define M_WAYS(ST, TAIL, TAIL_P) \
	"(" V_WAY("requests r", "r.reporter_id = ?13", ST, TAIL) ") " \
	"UNION ALL (" V_WAY("requests r", "r.creator_id = ?13", ST, TAIL) ")"
/* "Ich nehme teil": the one way. */
#define P_WAYS(ST, TAIL, TAIL_P) P_WAY(ST, TAIL_P)
/* A page and a count of the union of WAYS (V_WAYS, M_WAYS or P_WAYS).
 * These are prepared once, not planned with their values: each way is an
 * index walk whatever the values, and planning the union of four took
 * longer than running it (5-8 ms against 2.5 ms, EXPLAIN ANALYZE at
 * 1,000,000 requests). */
#define V_PAGE(WAYS, ST, CMP, DIR) \
	"SELECT " L_COLS " FROM requests r " \
	"JOIN users u ON u.id = r.reporter_id WHERE r.id IN (" \
	WAYS(ST, V_FROM_OF("r", "id", CMP, DIR), \
	    V_FROM_OF("p", "request_id", CMP, DIR)) ") " \
	"ORDER BY r.created_at " DIR ", r.id " DIR " LIMIT ?3"
#define V_OLDER(WAYS, ST) V_PAGE(WAYS, ST, "<", "DESC")
#define V_NEWER(WAYS, ST) \
	"SELECT * FROM (" V_PAGE(WAYS, ST, ">", "ASC") ") k " \
	"ORDER BY k.created_at DESC, k.id DESC"
#define V_COUNT(WAYS, ST) \
	"SELECT count(DISTINCT w.id) " \
	"FROM (" WAYS(ST, " LIMIT ?3", " LIMIT ?3") ") w"
/* clang-format on */
/* With search words the same rule is the facets of the search row
 * (0006_search_facets_own.sql): both GIN indexes answer, and only the
 * rows in both are read. A list of open statuses asks for the facet of
 * open requests too (0030_search_open_facet_own.sql), folded to a
 * constant in the plan made with the values. */
#define W_OPEN_FACET \
	"zek_search_status_facet(ARRAY[?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11]::text[])"
#define W_FACETS \
	" AND s.facets @@ zek_search_visible(?13) AND (" W_OPEN_FACET \
	" IS NULL OR s.facets @@ " W_OPEN_FACET ")"

#define L_PAGES(ST, W) \
	L_OLDER("", ST, W, ""), L_NEWER("", ST, W, ""), \
	    L_OLDER(L_SEARCH, ST, W, L_MATCH), \
	    L_NEWER(L_SEARCH, ST, W, L_MATCH)
#define V_PAGES(ST) \
	V_OLDER(V_WAYS, ST), V_NEWER(V_WAYS, ST), \
	    L_OLDER(L_SEARCH, ST, W_FACETS, L_MATCH), \
	    L_NEWER(L_SEARCH, ST, W_FACETS, L_MATCH)
#define M_PAGES(ST) \
	V_OLDER(M_WAYS, ST), V_NEWER(M_WAYS, ST), \
	    L_OLDER(L_SEARCH, ST, W_REPORTED, L_MATCH), \
	    L_NEWER(L_SEARCH, ST, W_REPORTED, L_MATCH)
#define P_PAGES(ST) \
	V_OLDER(P_WAYS, ST), V_NEWER(P_WAYS, ST), \
	    L_OLDER(L_SEARCH, ST, W_PARTICIPATING, L_MATCH), \
	    L_NEWER(L_SEARCH, ST, W_PARTICIPATING, L_MATCH)
#define L_PAGES_WHO(ST) \
	L_PAGES(ST, W_ALL), M_PAGES(ST), P_PAGES(ST), V_PAGES(ST)
#define L_COUNTS(ST, W) \
	L_COUNT("", ST, W, ""), L_COUNT(L_SEARCH, ST, W, L_MATCH)
#define L_COUNTS_WHO(ST) \
	L_TALLY(ST), L_COUNT(L_SEARCH, ST, W_ALL, L_MATCH), \
	    V_COUNT(M_WAYS, ST), L_COUNT(L_SEARCH, ST, W_REPORTED, L_MATCH), \
	    L_COUNTS(ST, W_PARTICIPATING), V_COUNT(V_WAYS, ST), \
	    L_COUNT(L_SEARCH, ST, W_FACETS, L_MATCH)

/*
 * By last change (F: updated_at for staff, customer_updated_at for
 * customers). An agent's list by status and type alone walks
 * requests_changed from the cursor; any other is the set the ways above
 * find, at most STORE_LIST_UPDATED_MAX requests (counted first), sorted.
 */
#define U_STR(x) #x
#define U_NUM(x) U_STR(x)
#define U_LIM " LIMIT " U_NUM(STORE_LIST_UPDATED_MAX)
#define U_ORDER(F, CMP, DIR) \
	" AND (r." F ", r.id) " CMP " (?1, ?2) " \
	"ORDER BY r." F " " DIR ", r.id " DIR " LIMIT ?3"
#define U_WALK(ST, CMP, DIR) \
	"SELECT " L_COLS " FROM requests r " \
	"JOIN users u ON u.id = r.reporter_id WHERE TRUE" ST L_TYPE U_ORDER( \
	    "updated_at", CMP, DIR)
#define U_IN(F, SET, CMP, DIR) \
	"SELECT " L_COLS " FROM requests r " \
	"JOIN users u ON u.id = r.reporter_id WHERE r.id IN (" SET \
	")" U_ORDER(F, CMP, DIR)
#define U_FORMS(F, PAGE) \
	SQ_PLAN_WITH_VALUES PAGE(F, "<", "DESC"), \
	    SQ_PLAN_WITH_VALUES \
	    "SELECT * FROM (" PAGE(F, ">", "ASC") ") k " \
	                                          "ORDER BY k." F \
	                                          " DESC, k.id DESC"
#define U_SET_ONE(ST, W, S, M) \
	"SELECT r.id FROM requests r " S "WHERE TRUE" ST L_TYPE W M U_LIM
/* The pages of each way in list_who order, without and with words. */
#define U_WAYS(F, ST) \
	U_FORMS(F, U_WALK_##ST), U_FORMS(F, U_ALL_WORDS_##ST), \
	    U_FORMS(F, U_MINE_##ST), U_FORMS(F, U_MINE_WORDS_##ST), \
	    U_FORMS(F, U_PART_##ST), U_FORMS(F, U_PART_WORDS_##ST), \
	    U_FORMS(F, U_VISIBLE_##ST), U_FORMS(F, U_VISIBLE_WORDS_##ST)
#define U_WALK_A(F, CMP, DIR) U_WALK("", CMP, DIR)
#define U_WALK_S(F, CMP, DIR) U_WALK(L_STATUS, CMP, DIR)
#define U_ALL_WORDS_A(F, CMP, DIR) \
	U_IN(F, U_SET_ONE("", W_ALL, L_SEARCH, L_MATCH), CMP, DIR)
#define U_ALL_WORDS_S(F, CMP, DIR) \
	U_IN(F, U_SET_ONE(L_STATUS, W_ALL, L_SEARCH, L_MATCH), CMP, DIR)
#define U_MINE_A(F, CMP, DIR) U_IN(F, M_WAYS("", U_LIM, U_LIM), CMP, DIR)
#define U_MINE_S(F, CMP, DIR) U_IN(F, M_WAYS(L_STATUS, U_LIM, U_LIM), CMP, DIR)
#define U_MINE_WORDS_A(F, CMP, DIR) \
	U_IN(F, U_SET_ONE("", W_REPORTED, L_SEARCH, L_MATCH), CMP, DIR)
#define U_MINE_WORDS_S(F, CMP, DIR) \
	U_IN(F, U_SET_ONE(L_STATUS, W_REPORTED, L_SEARCH, L_MATCH), CMP, DIR)
#define U_PART_A(F, CMP, DIR) \
	U_IN(F, U_SET_ONE("", W_PARTICIPATING, "", ""), CMP, DIR)
#define U_PART_S(F, CMP, DIR) \
	U_IN(F, U_SET_ONE(L_STATUS, W_PARTICIPATING, "", ""), CMP, DIR)
#define U_PART_WORDS_A(F, CMP, DIR) \
	U_IN(F, U_SET_ONE("", W_PARTICIPATING, L_SEARCH, L_MATCH), CMP, DIR)
#define U_PART_WORDS_S(F, CMP, DIR) \
	U_IN(F, U_SET_ONE(L_STATUS, W_PARTICIPATING, L_SEARCH, L_MATCH), CMP, \
	    DIR)
#define U_VISIBLE_A(F, CMP, DIR) U_IN(F, V_WAYS("", U_LIM, U_LIM), CMP, DIR)
#define U_VISIBLE_S(F, CMP, DIR) \
	U_IN(F, V_WAYS(L_STATUS, U_LIM, U_LIM), CMP, DIR)
#define U_VISIBLE_WORDS_A(F, CMP, DIR) \
	U_IN(F, U_SET_ONE("", W_FACETS, L_SEARCH, L_MATCH), CMP, DIR)
#define U_VISIBLE_WORDS_S(F, CMP, DIR) \
	U_IN(F, U_SET_ONE(L_STATUS, W_FACETS, L_SEARCH, L_MATCH), CMP, DIR)

enum {
	WHO_ALL,
	WHO_REPORTED,
	WHO_PARTICIPATING,
	WHO_VISIBLE,
	WHO_MAX
};

/* Index: ((by status * WHO_MAX + who) * 2 + search) * 2 + newer. */
static const char *const list_page_sql[] = {
	L_PAGES_WHO(""),
	L_PAGES_WHO(L_STATUS),
};

/*
 * A customer's page with common words (FIND_ROW_BY_ROW): each of their
 * ways walked in the page's order, the words tested on each request, so
 * that every way stops after a page of hits. Through the search row's
 * facets instead, the page walked all requests newest first and tested
 * what the customer may see and the words on each: "antr" for the bench
 * customer, 3,931 requests for 21 hits (16.6 ms), now 8 ms. Not for
 * "Erstellt von mir" nor an agent's page: their pages with words are
 * list_page_sql's. A word common among all requests may be rare among one
 * customer's own: for "antr" the bench customer's two ways walked 2,116
 * requests each, and PostgreSQL's bitmap of their requests is faster.
 */
#define C_WORDS \
	" AND EXISTS (SELECT 1 FROM request_search s WHERE s.id = r.id " \
	"AND ts_match_vq(s.doc, ?14::tsquery))"
#define C_PAGES(ST) \
	L_OLDER(L_SEARCH, ST, W_ALL, L_MATCH), \
	    L_NEWER(L_SEARCH, ST, W_ALL, L_MATCH), \
	    L_OLDER(L_SEARCH, ST, W_REPORTED, L_MATCH), \
	    L_NEWER(L_SEARCH, ST, W_REPORTED, L_MATCH), \
	    V_OLDER(P_WAYS, ST C_WORDS), V_NEWER(P_WAYS, ST C_WORDS), \
	    V_OLDER(V_WAYS, ST C_WORDS), V_NEWER(V_WAYS, ST C_WORDS)

/* Index: (by status * WHO_MAX + who) * 2 + newer. */
static const char *const list_common_sql[] = {
	C_PAGES(""),
	C_PAGES(L_STATUS),
};

/* Index: (((staff * 2 + by status) * WHO_MAX + who) * 2 + search) * 2 +
 * newer. */
static const char *const list_updated_sql[] = {
	U_WAYS("customer_updated_at", A),
	U_WAYS("customer_updated_at", S),
	U_WAYS("updated_at", A),
	U_WAYS("updated_at", S),
};

/* Index: (by status * WHO_MAX + who) * 2 + search. */
static const char *const list_count_sql[] = {
	L_COUNTS_WHO(""),
	L_COUNTS_WHO(L_STATUS),
};

/*
 * The requests that search words match, as the count finds them (L_COUNT),
 * but their order values and ids instead of how many: when there are few,
 * these are the page and the count at once (list_from_hits), and GIN's
 * bitmaps (the words and, for a customer, what they may see) are built
 * once, not once for the count and again for the page.
 */
/* clang-format off */
#define L_HITS(ST, W) \
	SQ_PLAN_WITH_VALUES "SELECT r.created_at, r.id FROM requests r " \
	L_SEARCH "WHERE TRUE" ST L_TYPE W L_MATCH " LIMIT ?3"
/* clang-format on */
#define L_HITS_WHO(ST) \
	L_HITS(ST, W_ALL), L_HITS(ST, W_REPORTED), \
	    L_HITS(ST, W_PARTICIPATING), L_HITS(ST, W_FACETS)

/* Index: by status * WHO_MAX + who. */
static const char *const list_hits_sql[] = {
	L_HITS_WHO(""),
	L_HITS_WHO(L_STATUS),
};

/* The rows of a page of hits, newest first. */
static const char
    list_rows_sql[] = "SELECT " L_COLS
                      " FROM requests r JOIN users u ON u.id = r.reporter_id "
                      "WHERE r.id " SQ_IN_IDS_PG
                      " ORDER BY r.created_at DESC, r.id DESC";

/* ---- the queues ---- */

/*
 * Parameters of a page: ?1, ?2 the cursor's order value and id, ?3 the
 * status, ?4 the number of rows, ?5 the assignee, ?6 updated since, ?7 the
 * tsquery, ?8 how to find its words. Of a count: ?1..?4 statuses,
 * ?5..?8 as a page, ?9 where the count stops. The indexes of
 * 0002_search.sql give each page its order from the cursor: (status,
 * created_at, id), (status, updated_at, id) and the same after
 * assignee_id.
 */
#define Q_COLS \
	"SELECT r.id, r.issue_key, r.title, r.status, " \
	"r.resolution, r.type_id, r.desk_id, r.reporter_id, u.name, " \
	"coalesce(r.assignee_id, 0), coalesce(a.name, ''), r.created_at, " \
	"r.updated_at, r.sla_due_at, r.sla_due_goal_ms, r.sla_breach_at " \
	"FROM requests r "
#define Q_JOIN \
	"JOIN users u ON u.id = r.reporter_id " \
	"LEFT JOIN users a ON a.id = r.assignee_id "
#define Q_MATCH S_MATCH("?7", "?8")
#define Q_PAGE(F, CMP, DIR, COND, S, M) \
	SQ_PLAN_WITH_VALUES Q_COLS S Q_JOIN \
	    "WHERE r.status = ?3" COND M " AND (r." F ", r.id) " CMP \
	    " (?1, ?2) " \
	    "ORDER BY " S_ORDER(F, "?8") " " DIR ", r.id " DIR " LIMIT ?4"
#define Q_FORMS(F, CMP, DIR, COND) \
	Q_PAGE(F, CMP, DIR, COND, "", ""), \
	    Q_PAGE(F, CMP, DIR, COND, L_SEARCH, Q_MATCH)
/* The assignee conditions in enum store_assignee order, then "since". */
#define Q_ANY ""
#define Q_NONE " AND r.assignee_id IS NULL"
#define Q_USER " AND r.assignee_id = ?5"
#define Q_SINCE " AND r.updated_at >= ?6"
#define Q_BREACHED " AND r.sla_breach_at <= ?6"
#define Q_MODES(F, CMP, DIR) \
	Q_FORMS(F, CMP, DIR, Q_ANY), Q_FORMS(F, CMP, DIR, Q_NONE), \
	    Q_FORMS(F, CMP, DIR, Q_USER), Q_FORMS(F, CMP, DIR, Q_SINCE), \
	    Q_FORMS(F, CMP, DIR, Q_BREACHED)
#define Q_COUNT(COND, S, M) \
	SQ_PLAN_WITH_VALUES "SELECT count(*) FROM (SELECT 1 " \
	                    "FROM requests r " S \
	                    "WHERE r.status IN (?1, ?2, ?3, ?4)" COND M \
	                    " LIMIT ?9) k"
#define Q_COUNTS(COND) Q_COUNT(COND, "", ""), Q_COUNT(COND, L_SEARCH, Q_MATCH)
/* Without search words, a queue of everybody's, nobody's or one agent's
 * requests is counted from the tallies of 0005_list_own.sql (assignee 0
 * is nobody, as in SQLite's request_assignee_counts). */
#define Q_TALLY(T, COND) \
	"SELECT coalesce(sum(t.n), 0)::bigint FROM " T \
	" t WHERE t.status IN (?1, ?2, ?3, ?4)" COND

/* Index: ((order * 2 + ascending) * SQ_MODE_MAX + mode) * 2 + search. */
static const char *const queue_page_sql[] = {
	Q_MODES("created_at", "<", "DESC"),
	Q_MODES("created_at", ">", "ASC"),
	Q_MODES("updated_at", "<", "DESC"),
	Q_MODES("updated_at", ">", "ASC"),
	Q_MODES("sla_due_at", "<", "DESC"),
	Q_MODES("sla_due_at", ">", "ASC"),
};

/* Index: mode * 2 + search. */
static const char *const queue_count_sql[] = {
	Q_TALLY("request_tallies", ""),
	Q_COUNT(Q_ANY, L_SEARCH, Q_MATCH),
	Q_TALLY("request_assignee_tallies", " AND t.assignee_id = 0"),
	Q_COUNT(Q_NONE, L_SEARCH, Q_MATCH),
	Q_TALLY("request_assignee_tallies", " AND t.assignee_id = ?5"),
	Q_COUNT(Q_USER, L_SEARCH, Q_MATCH),
	Q_COUNTS(Q_SINCE),
	Q_COUNTS(Q_BREACHED),
};

/* The user's words as a tsquery (its text), "" when none has a token; the
 * share of requests they are likely to match, per million; how many
 * requests that is, -1 before ANALYZE has seen the words. A prefix that
 * starts few words is asked as those words (zek_search_exact,
 * 0029_search_lexicon_own.sql); the share is the prefix's. */
static const char query_sql
    [] = "SELECT coalesce(zek_search_exact(q)::text, ''), "
         "round(w.share * 1e6)::bigint, "
         "CASE WHEN w.share > 0 AND c.reltuples >= 0 "
         "THEN ceil(w.share * c.reltuples)::bigint ELSE -1 END "
         "FROM zek_search_query(?) q "
         "CROSS JOIN LATERAL (SELECT coalesce(zek_search_share(q), 0) share) w "
         "JOIN pg_class c ON c.oid = 'request_search'::regclass";

/* ---- search words ---- */

struct search_tsq {
	const char *text;
	int64_t ppm, rows;
};

static void
map_tsq(struct sq_row *r, void *elem)
{
	struct search_tsq *q = elem;

	q->text = sq_col_str(r);
	q->ppm = sq_col_i64(r);
	q->rows = sq_col_i64(r);
}

/*
 * The tsquery of the words `r` reads into *tsq (arena text); "" when
 * nothing can match: no word with a letter or digit (search_words.c), or
 * none that the database finds a token in. The words go to SQL as they
 * are, each followed by '*' (its last token is a prefix) or '.', separated
 * by spaces (zek_search_query of 0002_search.sql). *how: an enum
 * find_how, by the share of requests they are likely to match.
 */
static enum zek_rc
search_query(struct store_conn *c, struct arena *a, struct search_reader *r,
    const char **tsq, int64_t *how)
{
	struct search_word w;
	struct search_tsq *got;
	enum zek_rc rc;
	struct sq_stmt *st;
	struct buf b;

	*tsq = "";
	*how = FIND_INDEXED;
	buf_init(&b, QUERY_TEXT_MAX);
	while (search_words_next(r, &w)) {
		if (b.len > 0)
			buf_putc(&b, ' ');
		buf_append(&b, w.s, w.len);
		buf_putc(&b, w.prefix ? '*' : '.');
	}
	if (b.failed || b.len == 0) {
		rc = b.failed ? ZEK_NOMEM : ZEK_OK;
		goto out;
	}
	st = sq_start(c, &rc, query_sql, "t", b.data);
	if (st == NULL)
		goto out;
	rc = sq_collect_one(c, a, st, map_tsq, sizeof(*got), (void **)&got);
	if (rc == ZEK_OK) {
		*tsq = got->text;
		*how = got->ppm >= COMMON_PPM               ? FIND_ROW_BY_ROW :
		    got->rows >= 0 && got->rows <= FEW_ROWS ? FIND_FEW :
		                                              FIND_INDEXED;
	}
out:
	buf_free(&b);
	return rc;
}

/* Whether a status code is one the search index of SQLite takes as a
 * facet (sqlite_match.c): a-z, 0-9 and '_', not empty. SQLite refuses
 * other codes in a search; so does this file. */
static bool
is_status_code(const char *code)
{
	if (code == NULL || code[0] == '\0')
		return false;
	for (; *code != '\0'; code++)
		if (!((*code >= 'a' && *code <= 'z') ||
		        (*code >= '0' && *code <= '9') || *code == '_'))
			return false;
	return true;
}

static bool
are_status_codes(const char *const *codes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_status_code(codes[i]))
			return false;
	return true;
}

/* ---- the list ---- */

/* What one list read binds: every statement takes the same 15 values. */
struct list_args {
	int64_t at, id, limit;
	const char *codes[STATUS_MAX_CODES];
	int64_t type_id, viewer;
	const char *tsq;
	int64_t how; /* enum find_how */
};

static struct sq_stmt *
list_start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const struct list_args *x)
{
	return sq_start(c, rc, sql, "iiittttttttiiti", x->at, x->id, x->limit,
	    x->codes[0], x->codes[1], x->codes[2], x->codes[3], x->codes[4],
	    x->codes[5], x->codes[6], x->codes[7], x->type_id, x->viewer,
	    x->tsq, x->how);
}

static int
list_who(const struct store_list_query *q)
{
	if (q->who == STORE_LIST_REPORTED)
		return WHO_REPORTED;
	if (q->who == STORE_LIST_PARTICIPATING)
		return WHO_PARTICIPATING;
	return q->see_all ? WHO_ALL : WHO_VISIBLE;
}

/* The number of matching rows, stopping after `upto`. */
static enum zek_rc
list_count(struct store_conn *c, size_t sql, struct list_args x, int64_t upto,
    int64_t *out)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	int step;

	*out = 0;
	x.limit = upto;
	st = list_start(c, &rc, list_count_sql[sql], &x);
	if (st == NULL)
		return rc;
	step = sq_next(c, st, &rc);
	if (step == 1)
		*out = sq_stmt_i64(c, st, 0);
	else if (step == 0)
		rc = ZEK_IO;
	sq_finish(c, st);
	return rc;
}

/*
 * As SQLite: a list by status and type alone (an agent's, without search)
 * is counted exactly, a negative type id there matching nothing; any other
 * is counted up to count_max + 1, unless skip_count. *none when the count
 * found nothing, so no page need be read.
 */
static enum zek_rc
list_total(struct store_conn *c, const struct store_list_query *q, size_t sql,
    bool plain, struct list_args x, int64_t *total, bool *capped, bool *none)
{
	int64_t count, upto = q->count_max > 0 ? q->count_max + 1 : INT64_MAX;
	enum zek_rc rc;

	*none = false;
	if (plain) {
		x.type_id = q->type_id;
		rc = list_count(c, sql, x, INT64_MAX, total);
		*none = *total == 0;
		return rc;
	}
	if (q->skip_count && !q->by_updated)
		return ZEK_OK;
	if (q->by_updated && upto < STORE_LIST_UPDATED_MAX + 1)
		upto = STORE_LIST_UPDATED_MAX + 1;
	rc = list_count(c, sql, x, upto, &count);
	if (rc == ZEK_OK && q->by_updated && count > STORE_LIST_UPDATED_MAX)
		return ZEK_TOOBIG; /* too many to sort by change */
	*capped = q->count_max > 0 && count > q->count_max;
	*total = *capped ? q->count_max : count;
	*none = count == 0;
	return rc;
}

struct list_hit {
	int64_t at, id;
};

/* All the hits of a list's search words when they are few, else none. */
struct list_hits {
	struct list_hit *all; /* NULL: too many, or not read */
	size_t n;
};

static void
map_hit(struct sq_row *r, void *elem)
{
	struct list_hit *h = elem;

	h->at = sq_col_i64(r);
	h->id = sq_col_i64(r);
}

/* Newest first: created_at, then id, descending. */
static int
hit_newer_first(const void *a, const void *b)
{
	const struct list_hit *x = a, *y = b;

	if (x->at != y->at)
		return x->at > y->at ? -1 : 1;
	return (x->id < y->id) - (x->id > y->id);
}

/* 1 when hit h comes after the cursor (at, id) in the newest-first order
 * (is older), -1 when before it, 0 when it is the cursor's row. */
static int
hit_vs_cursor(const struct list_hit *h, int64_t at, int64_t id)
{
	return hit_newer_first(h, &(struct list_hit){ at, id });
}

/*
 * The page of `x` (cursor and limit as the page statements take them)
 * out of all its n hits: older than the cursor, the first `limit`; newer,
 * the `limit` nearest the cursor. Then their rows, newest first.
 */
static enum zek_rc
list_from_hits(struct store_conn *c, struct arena *a, struct list_hits *h,
    const struct list_args *x, bool newer, struct store_list_row **rows,
    size_t *nrows)
{
	struct list_hit *hits = h->all;
	size_t n = h->n, from = 0, to, i, k = 0;
	int64_t *ids;

	qsort(hits, n, sizeof(*hits), hit_newer_first);
	while (from < n && hit_vs_cursor(&hits[from], x->at, x->id) <= 0)
		from++; /* [0, from): newer than the cursor, or it */
	if (newer) {
		to = from > 0 &&
		        hit_vs_cursor(&hits[from - 1], x->at, x->id) == 0 ?
		    from - 1 :
		    from;
		from = to > (size_t)x->limit ? to - (size_t)x->limit : 0;
	} else {
		to = n - from > (size_t)x->limit ? from + (size_t)x->limit : n;
	}
	ids = arena_calloc(a, to - from + 1, sizeof(*ids));
	if (ids == NULL)
		return ZEK_NOMEM;
	for (i = from; i < to; i++)
		ids[k++] = hits[i].id;
	return sq_collect_ids(c, a, list_rows_sql, ids, k, sq_map_list_row,
	    sizeof(**rows), (void **)rows, nrows);
}

/* The statement of a page of list `sql` (as list_count_sql), its words
 * found `how`. */
static const char *
list_page_stmt(const struct store_list_query *q, size_t sql, int64_t how,
    bool newer)
{
	if (q->by_updated)
		return list_updated_sql[((size_t)q->see_all * 2 * WHO_MAX * 2 +
		                            sql) *
		        2 +
		    (size_t)newer];
	if (sql % 2 == 1 && how == FIND_ROW_BY_ROW)
		return list_common_sql[sql / 2 * 2 + (size_t)newer];
	return list_page_sql[sql * 2 + (size_t)newer];
}

/*
 * As list_total; with search words, counted up to count_max + 1 by their
 * hits, which are then in *h when the count is not capped: the page is
 * among them (list_from_hits). Not for the order by change, nor without a
 * count or when count_max is larger than FEW_ROWS.
 */
static enum zek_rc
list_total_hits(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, size_t sql, bool plain,
    struct list_args x, int64_t *total, bool *capped, bool *none,
    struct list_hits *h)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	*h = (struct list_hits){ 0 };
	*none = false;
	if (sql % 2 == 0 || q->by_updated || q->skip_count ||
	    q->count_max <= 0 || q->count_max > FEW_ROWS)
		return list_total(c, q, sql, plain, x, total, capped, none);
	x.limit = q->count_max + 1;
	st = list_start(c, &rc, list_hits_sql[sql / 2], &x);
	if (st == NULL)
		return rc;
	rc = sq_collect(c, a, st, map_hit, sizeof(*h->all), (void **)&h->all,
	    &h->n);
	if (rc != ZEK_OK)
		return rc;
	*capped = (int64_t)h->n > q->count_max;
	*total = *capped ? q->count_max : (int64_t)h->n;
	*none = h->n == 0;
	if (*capped)
		*h = (struct list_hits){ 0 };
	return ZEK_OK;
}

enum zek_rc
pg_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n,
    int64_t *total, bool *capped)
{
	bool newer = q->has_cursor && q->backward;
	bool by_status = q->nstatuses > 0 && q->nnot_statuses > 0;
	bool has_terms = q->terms != NULL && q->terms[0] != '\0';
	struct list_args x = { .at = INT64_MAX, .id = INT64_MAX, .tsq = "" };
	struct search_reader r;
	struct list_hits h;
	enum zek_rc rc;
	struct sq_stmt *st;
	bool plain, none;
	size_t sql;

	*rows = NULL;
	*n = 0;
	*total = 0;
	*capped = false;
	if (q->limit == 0 || q->limit > STORE_LIST_LIMIT_MAX ||
	    q->nstatuses > STATUS_MAX_CODES ||
	    q->nnot_statuses > STATUS_MAX_CODES)
		return ZEK_INVALID;
	if (has_terms &&
	    search_words_start(&r, q->terms, STORE_LIST_TERMS_MAX,
	        STORE_LIST_WORDS_MAX) != ZEK_OK)
		return ZEK_INVALID;
	/* Only the wanted codes are bound: the others are all the rest. */
	if (by_status &&
	    (!are_status_codes(q->statuses, q->nstatuses) ||
	        !are_status_codes(q->not_statuses, q->nnot_statuses)))
		return ZEK_INVALID;
	if (has_terms) {
		rc = search_query(c, a, &r, &x.tsq, &x.how);
		if (rc != ZEK_OK || x.tsq[0] == '\0')
			return rc; /* no usable word: nothing matches */
	}
	for (size_t i = 0; by_status && i < q->nstatuses; i++)
		x.codes[i] = q->statuses[i];
	x.type_id = q->type_id > 0 ? q->type_id : 0;
	x.viewer = q->viewer_id;
	plain = !has_terms && q->who == STORE_LIST_VISIBLE && q->see_all;
	sql = ((size_t)by_status * WHO_MAX + (size_t)list_who(q)) * 2 +
	    (size_t)has_terms;
	rc = list_total_hits(c, a, q, sql, plain, x, total, capped, &none, &h);
	if (rc != ZEK_OK || none)
		return rc;
	if (q->has_cursor) {
		x.at = q->cursor_at;
		x.id = q->cursor_id;
	}
	x.limit = (int64_t)q->limit;
	if (h.all != NULL)
		return list_from_hits(c, a, &h, &x, newer, rows, n);
	st = list_start(c, &rc, list_page_stmt(q, sql, x.how, newer), &x);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_list_row, sizeof(**rows),
	    (void **)rows, n);
}

/* ---- the queues ---- */

/* The search of a queue read: *tsq "" for none, *how as search_query;
 * *nothing when its words cannot match. ZEK_INVALID as SQLite: bad text,
 * or a status code that is no facet (only looked at with search words). */
static enum zek_rc
queue_search(struct store_conn *c, struct arena *a, const char *terms,
    const char *const *statuses, size_t nstatuses, const char **tsq,
    int64_t *how, bool *nothing)
{
	struct search_reader r;
	enum zek_rc rc;

	*tsq = "";
	*how = FIND_INDEXED;
	*nothing = false;
	if (terms == NULL || terms[0] == '\0')
		return ZEK_OK;
	if (search_words_start(&r, terms, STORE_QUEUE_TERMS_MAX,
	        STORE_QUEUE_WORDS_MAX) != ZEK_OK ||
	    (!search_statuses_all_open(statuses, nstatuses) &&
	        !are_status_codes(statuses, nstatuses)))
		return ZEK_INVALID;
	rc = search_query(c, a, &r, tsq, how);
	*nothing = rc == ZEK_OK && (*tsq)[0] == '\0';
	return rc;
}

enum zek_rc
pg_queue_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, struct store_queue_row **rows, size_t *n)
{
	int64_t from_v, from_id, how;
	const char *tsq;
	enum zek_rc rc;
	struct sq_stmt *st;
	bool nothing;
	size_t idx;
	enum sq_queue_mode mode;

	*rows = NULL;
	*n = 0;
	if (q->limit == 0 || q->limit > STORE_QUEUE_LIMIT_MAX ||
	    q->status == NULL || !sq_queue_ok(q))
		return ZEK_INVALID;
	rc = queue_search(c, a, q->terms, &q->status, 1, &tsq, &how, &nothing);
	if (rc != ZEK_OK || nothing)
		return rc;
	mode = sq_queue_mode(q);
	/* SQLite's walk of search hits in creation order compares assignee
	 * ids with 0 for nobody: there "user 0" is nobody's. */
	if (tsq[0] != '\0' && q->order == STORE_ORDER_CREATED &&
	    mode == SQ_MODE_USER && q->assignee_id == 0)
		mode = SQ_MODE_NONE;
	idx = (((size_t)q->order * 2 + q->ascending) * SQ_MODE_MAX +
	          (size_t)mode) *
	        2 +
	    (tsq[0] != '\0');
	if (q->has_cursor) {
		from_v = q->cursor_value;
		from_id = q->cursor_id;
	} else {
		from_v = from_id = q->ascending ? INT64_MIN : INT64_MAX;
	}
	st = sq_start(c, &rc, queue_page_sql[idx], "iitiiiti", from_v, from_id,
	    q->status, (int64_t)q->limit, q->assignee_id, sq_queue_p6(q), tsq,
	    how);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_queue_row, sizeof(**rows),
	    (void **)rows, n);
}

enum zek_rc
pg_queue_count(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, int64_t *out)
{
	const char *tsq;
	enum zek_rc rc;
	bool nothing;
	int64_t how, upto = INT64_MAX;
	enum sq_queue_mode mode;

	*out = 0;
	if (nstatuses == 0 || nstatuses > STORE_QUEUE_STATUSES ||
	    !sq_queue_ok(q))
		return ZEK_INVALID;
	rc = queue_search(c, a, q->terms, statuses, nstatuses, &tsq, &how,
	    &nothing);
	if (rc != ZEK_OK || nothing)
		return rc;
	mode = sq_queue_mode(q);
	if (tsq[0] != '\0' && q->count_max > 0)
		upto = q->count_max + 1;
	/* SQLite counts one agent's without search from a table where
	 * assignee 0 is nobody: so is it here. */
	if (tsq[0] == '\0' && mode == SQ_MODE_USER && q->assignee_id == 0)
		mode = SQ_MODE_NONE;
	return sq_query_i64(c, out,
	    queue_count_sql[(size_t)mode * 2 + (tsq[0] != '\0')], "ttttiitii",
	    statuses[0], nstatuses > 1 ? statuses[1] : NULL,
	    nstatuses > 2 ? statuses[2] : NULL,
	    nstatuses > 3 ? statuses[3] : NULL, q->assignee_id, sq_queue_p6(q),
	    tsq, how, upto);
}
