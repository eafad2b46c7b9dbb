-- 0002_search.sql (PostgreSQL): the search behind the request list and
-- the agents' queues, and the indexes their pages read (pg_search.c).
-- ASCII only in this file: gen_migrations.py emits char arrays.
--
-- SQLite finds words with FTS5's unicode61 tokenizer (remove_diacritics 2);
-- a search must find the same requests here. So the words are not those of
-- PostgreSQL's text search parser (which keeps e-mail addresses, URLs and
-- hyphenated words whole) but unicode61's, made by the functions below:
-- - a word is a run of letters, digits and private-use characters; every
--   other character separates words ("ZEK-12" is zek and 12, "a_b" is a
--   and b). zek_search_tokens lists the separators as unicode61's own
--   tables have them (made from SQLite 3.40: every code point tokenized
--   once), so that no locale decides;
-- - case is folded and diacritics are removed from Latin letters, as
--   unicode61 does: o-umlaut is o, but sharp s stays (not "ss", which the
--   unaccent extension would make), and so do o-slash, ae and Greek
--   accents. lower() uses ICU's root locale (collation "und-x-icu", present
--   whenever PostgreSQL is built with ICU, as Debian's is) whatever locale
--   the database has; translate() adds the case foldings that lower() does
--   not make (final sigma, micro sign, long s, Greek symbol forms) and
--   drops the combining marks that unicode61 drops; NFD then shows the
--   diacritics of precomposed letters, those after a-z go (not those of
--   a with dot above and macron, which unicode61 keeps), and NFC puts
--   every other character back together.
-- Words are compared after this folding, on both sides: the request's text
-- and the user's words (zek_search_query) go through the same functions.
-- The functions that run statements are PL/pgSQL, which keeps their plans
-- for the session: as SQL functions they took ten times as long.

-- A text folded as unicode61 folds its words (the text should already have
-- its separators replaced by spaces: folding never adds nor removes one).
CREATE FUNCTION zek_search_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN normalize(regexp_replace(normalize(translate(
	lower(t COLLATE "und-x-icu"),
	U&'\03C2\00B5\017F\03D0\03D1\03D5\03D6\03F0\03F1\03F5\1E9B' ||
	    U&'\0300\0301\0302\0303\0304\0306\0307\0308\0309\030A\030B\030C' ||
	    U&'\030F\0311\031B\0323\0324\0325\0326\0327\0328\032D\032E\0330' ||
	    U&'\0331',
	U&'\03C3\03BC\0073\03B2\03B8\03C6\03C0\03BA\03C1\03B5\1E61'), NFD),
	'([b-z]|a(?!\u0307\u0304))[\u0300-\u0304\u0306-\u030c\u030f\u0311'
	    '\u031b\u0323-\u0328\u032d\u032e\u0330\u0331]+', '\1', 'g'),
	NFC);

-- The words of a text, folded, in order.
CREATE FUNCTION zek_search_tokens(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN array_remove(string_to_array(zek_search_fold(regexp_replace(t,
	    '[\u0001-\u002f\u003a-\u0040\u005b-\u0060\u007b-\u00a9'
	    '\u00ab-\u00b1\u00b4\u00b6-\u00b8\u00bb\u00bf\u00d7\u00f7'
	    '\u02c2-\u02c5\u02d2-\u02df\u02e5-\u02eb\u02ed\u02ef-\u02ff\u0305'
	    '\u030d-\u030e\u0310\u0312-\u031a\u031c-\u0322\u0329-\u032c\u032f'
	    '\u0332-\u036f\u0375\u037e\u0384-\u0385\u0387\u03f6\u0482-\u0489'
	    '\u055a-\u055f\u0589-\u058a\u058f\u0591-\u05c7\u05f3-\u05f4'
	    '\u0600-\u0604\u0606-\u061b\u061e-\u061f\u064b-\u065f'
	    '\u066a-\u066d\u0670\u06d4\u06d6-\u06e4\u06e7-\u06ed\u06fd-\u06fe'
	    '\u0700-\u070d\u070f\u0711\u0730-\u074a\u07a6-\u07b0\u07eb-\u07f3'
	    '\u07f6-\u07f9\u0816-\u0819\u081b-\u0823\u0825-\u0827'
	    '\u0829-\u082d\u0830-\u083e\u0859-\u085b\u085e\u08e4-\u08fe'
	    '\u0900-\u0903\u093a-\u093c\u093e-\u094f\u0951-\u0957'
	    '\u0962-\u0965\u0970\u0981-\u0983\u09bc\u09be-\u09c4\u09c7-\u09c8'
	    '\u09cb-\u09cd\u09d7\u09e2-\u09e3\u09f2-\u09f3\u09fa-\u09fb'
	    '\u0a01-\u0a03\u0a3c\u0a3e-\u0a42\u0a47-\u0a48\u0a4b-\u0a4d\u0a51'
	    '\u0a70-\u0a71\u0a75\u0a81-\u0a83\u0abc\u0abe-\u0ac5\u0ac7-\u0ac9'
	    '\u0acb-\u0acd\u0ae2-\u0ae3\u0af0-\u0af1\u0b01-\u0b03\u0b3c'
	    '\u0b3e-\u0b44\u0b47-\u0b48\u0b4b-\u0b4d\u0b56-\u0b57'
	    '\u0b62-\u0b63\u0b70\u0b82\u0bbe-\u0bc2\u0bc6-\u0bc8\u0bca-\u0bcd'
	    '\u0bd7\u0bf3-\u0bfa\u0c01-\u0c03\u0c3e-\u0c44\u0c46-\u0c48'
	    '\u0c4a-\u0c4d\u0c55-\u0c56\u0c62-\u0c63\u0c7f\u0c82-\u0c83\u0cbc'
	    '\u0cbe-\u0cc4\u0cc6-\u0cc8\u0cca-\u0ccd\u0cd5-\u0cd6'
	    '\u0ce2-\u0ce3\u0d02-\u0d03\u0d3e-\u0d44\u0d46-\u0d48'
	    '\u0d4a-\u0d4d\u0d57\u0d62-\u0d63\u0d79\u0d82-\u0d83\u0dca'
	    '\u0dcf-\u0dd4\u0dd6\u0dd8-\u0ddf\u0df2-\u0df4\u0e31\u0e34-\u0e3a'
	    '\u0e3f\u0e47-\u0e4f\u0e5a-\u0e5b\u0eb1\u0eb4-\u0eb9\u0ebb-\u0ebc'
	    '\u0ec8-\u0ecd\u0f01-\u0f1f\u0f34-\u0f3f\u0f71-\u0f87'
	    '\u0f8d-\u0f97\u0f99-\u0fbc\u0fbe-\u0fcc\u0fce-\u0fda'
	    '\u102b-\u103e\u104a-\u104f\u1056-\u1059\u105e-\u1060'
	    '\u1062-\u1064\u1067-\u106d\u1071-\u1074\u1082-\u108d\u108f'
	    '\u109a-\u109f\u10fb\u135d-\u1368\u1390-\u1399\u1400\u166d-\u166e'
	    '\u1680\u169b-\u169c\u16eb-\u16ed\u1712-\u1714\u1732-\u1736'
	    '\u1752-\u1753\u1772-\u1773\u17b4-\u17d6\u17d8-\u17db\u17dd'
	    '\u1800-\u180e\u18a9\u1920-\u192b\u1930-\u193b\u1940\u1944-\u1945'
	    '\u19b0-\u19c0\u19c8-\u19c9\u19de-\u19ff\u1a17-\u1a1b'
	    '\u1a1e-\u1a1f\u1a55-\u1a5e\u1a60-\u1a7c\u1a7f\u1aa0-\u1aa6'
	    '\u1aa8-\u1aad\u1b00-\u1b04\u1b34-\u1b44\u1b5a-\u1b7c'
	    '\u1b80-\u1b82\u1ba1-\u1bad\u1be6-\u1bf3\u1bfc-\u1bff'
	    '\u1c24-\u1c37\u1c3b-\u1c3f\u1c7e-\u1c7f\u1cc0-\u1cc7'
	    '\u1cd0-\u1ce8\u1ced\u1cf2-\u1cf4\u1dc0-\u1de6\u1dfc-\u1dff\u1fbd'
	    '\u1fbf-\u1fc1\u1fcd-\u1fcf\u1fdd-\u1fdf\u1fed-\u1fef'
	    '\u1ffd-\u1ffe\u2000-\u2064\u206a-\u206f\u207a-\u207e'
	    '\u208a-\u208e\u20a0-\u20b9\u20d0-\u20f0\u2100-\u2101'
	    '\u2103-\u2106\u2108-\u2109\u2114\u2116-\u2118\u211e-\u2123\u2125'
	    '\u2127\u2129\u212e\u213a-\u213b\u2140-\u2144\u214a-\u214d\u214f'
	    '\u2190-\u23f3\u2400-\u2426\u2440-\u244a\u249c-\u24e9'
	    '\u2500-\u26ff\u2701-\u2775\u2794-\u2b4c\u2b50-\u2b59'
	    '\u2ce5-\u2cea\u2cef-\u2cf1\u2cf9-\u2cfc\u2cfe-\u2cff\u2d70\u2d7f'
	    '\u2de0-\u2e2e\u2e30-\u2e3b\u2e80-\u2e99\u2e9b-\u2ef3'
	    '\u2f00-\u2fd5\u2ff0-\u2ffb\u3000-\u3004\u3008-\u3020'
	    '\u302a-\u3030\u3036-\u3037\u303d-\u303f\u3099-\u309c\u30a0\u30fb'
	    '\u3190-\u3191\u3196-\u319f\u31c0-\u31e3\u3200-\u321e'
	    '\u322a-\u3247\u3250\u3260-\u327f\u328a-\u32b0\u32c0-\u32fe'
	    '\u3300-\u33ff\u4dc0-\u4dff\ua490-\ua4c6\ua4fe-\ua4ff'
	    '\ua60d-\ua60f\ua66f-\ua67e\ua69f\ua6f0-\ua6f7\ua700-\ua716'
	    '\ua720-\ua721\ua789-\ua78a\ua802\ua806\ua80b\ua823-\ua82b'
	    '\ua836-\ua839\ua874-\ua877\ua880-\ua881\ua8b4-\ua8c4'
	    '\ua8ce-\ua8cf\ua8e0-\ua8f1\ua8f8-\ua8fa\ua926-\ua92f'
	    '\ua947-\ua953\ua95f\ua980-\ua983\ua9b3-\ua9cd\ua9de-\ua9df'
	    '\uaa29-\uaa36\uaa43\uaa4c-\uaa4d\uaa5c-\uaa5f\uaa77-\uaa79\uaa7b'
	    '\uaab0\uaab2-\uaab4\uaab7-\uaab8\uaabe-\uaabf\uaac1\uaade-\uaadf'
	    '\uaaeb-\uaaf1\uaaf5-\uaaf6\uabe3-\uabed\ufb1e\ufb29\ufbb2-\ufbc1'
	    '\ufd3e-\ufd3f\ufdfc-\ufdfd\ufe00-\ufe19\ufe20-\ufe26'
	    '\ufe30-\ufe52\ufe54-\ufe66\ufe68-\ufe6b\ufeff\uff01-\uff0f'
	    '\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\uffe0-\uffe6'
	    '\uffe8-\uffee\ufff9-\uffff\U00010100-\U00010102'
	    '\U00010137-\U0001013f\U00010179-\U00010189\U00010190-\U0001019b'
	    '\U000101d0-\U000101fd\U0001039f\U000103d0\U00010857\U0001091f'
	    '\U0001093f\U00010a01-\U00010a03\U00010a05-\U00010a06'
	    '\U00010a0c-\U00010a0f\U00010a38-\U00010a3a\U00010a3f'
	    '\U00010a50-\U00010a58\U00010a7f\U00010b39-\U00010b3f'
	    '\U00011000-\U00011002\U00011038-\U0001104d\U00011080-\U00011082'
	    '\U000110b0-\U000110c1\U00011100-\U00011102\U00011127-\U00011134'
	    '\U00011140-\U00011143\U00011180-\U00011182\U000111b3-\U000111c0'
	    '\U000111c5-\U000111c8\U000116ab-\U000116b7\U00012470-\U00012473'
	    '\U00016f51-\U00016f7e\U00016f8f-\U00016f92\U0001d000-\U0001d0f5'
	    '\U0001d100-\U0001d126\U0001d129-\U0001d1dd\U0001d200-\U0001d245'
	    '\U0001d300-\U0001d356\U0001d6c1\U0001d6db\U0001d6fb\U0001d715'
	    '\U0001d735\U0001d74f\U0001d76f\U0001d789\U0001d7a9\U0001d7c3'
	    '\U0001eef0-\U0001eef1\U0001f000-\U0001f02b\U0001f030-\U0001f093'
	    '\U0001f0a0-\U0001f0ae\U0001f0b1-\U0001f0be\U0001f0c1-\U0001f0cf'
	    '\U0001f0d1-\U0001f0df\U0001f110-\U0001f12e\U0001f130-\U0001f16b'
	    '\U0001f170-\U0001f19a\U0001f1e6-\U0001f202\U0001f210-\U0001f23a'
	    '\U0001f240-\U0001f248\U0001f250-\U0001f251\U0001f300-\U0001f320'
	    '\U0001f330-\U0001f335\U0001f337-\U0001f37c\U0001f380-\U0001f393'
	    '\U0001f3a0-\U0001f3c4\U0001f3c6-\U0001f3ca\U0001f3e0-\U0001f3f0'
	    '\U0001f400-\U0001f43e\U0001f440\U0001f442-\U0001f4f7'
	    '\U0001f4f9-\U0001f4fc\U0001f500-\U0001f53d\U0001f540-\U0001f543'
	    '\U0001f550-\U0001f567\U0001f5fb-\U0001f640\U0001f645-\U0001f64f'
	    '\U0001f680-\U0001f6c5\U0001f700-\U0001f773\U000e0001'
	    '\U000e0020-\U000e007f\U000e0100-\U000e01ef]+',
	' ', 'g')), ' '), '');

-- What a request's search row holds: the words of its key, title and
-- description with their positions, for phrases ("ZEK-12" is zek followed
-- by 12). A position is left out between the three, so that a phrase never
-- runs from one into the next (an FTS5 phrase stays in its column). The
-- core's limits (title 255, description 32,000 characters) keep every
-- position below tsvector's 16,383. A word longer than a tsvector lexeme
-- may be (2,046 bytes) keeps its first 500 characters and a space: a user
-- word (at most 1,024 bytes) can still find it by its prefix, never equal
-- it, as in SQLite. Words hold no quote or backslash (both separate words),
-- so the text below is a valid tsvector.
CREATE FUNCTION zek_search_doc(issue_key text, title text, description text)
RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	-- NULL: the position left out between two of them
	w text[] := zek_search_tokens(coalesce(issue_key, '')) || NULL::text ||
	    zek_search_tokens(coalesce(title, '')) || NULL::text ||
	    zek_search_tokens(coalesce(description, ''));
BEGIN
	RETURN coalesce((SELECT string_agg('''' || CASE
	    WHEN octet_length(u.tok) > 2046 THEN left(u.tok, 500) || ' '
	    ELSE u.tok END || ''':' || u.i, ' ')
	    FROM unnest(w) WITH ORDINALITY u(tok, i)
	    WHERE u.tok IS NOT NULL), '')::tsvector;
END;
$$;

-- The user's words as a query: `words` is what pg_search.c makes of them
-- (search_words.c reads them as for SQLite): each word followed by '*'
-- when its last token is a prefix, else by '.', the words separated by one
-- space. Every word must occur; a word of several tokens is a phrase. A
-- word without tokens here is left out, as FTS5 leaves out an empty
-- phrase; NULL when no word has any (then nothing matches).
CREATE FUNCTION zek_search_query(words text) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
	RETURN (SELECT string_agg(p.phrase, ' & ' ORDER BY p.n)::tsquery
	FROM (SELECT w.n, string_agg('''' || t.tok || '''', ' <-> '
	    ORDER BY t.k) || CASE WHEN right(w.word, 1) = '*' THEN ':*'
	    ELSE '' END AS phrase
	    FROM unnest(string_to_array(words, ' ')) WITH ORDINALITY w(word, n)
	    CROSS JOIN LATERAL unnest(zek_search_tokens(left(w.word, -1)))
	    WITH ORDINALITY t(tok, k)
	    GROUP BY w.n, w.word) p);
END;
$$;

-- One row per request: its words. A table of its own, not a column of
-- requests: requests changes with every status change and comment
-- (updated_at), and each such change would copy the words and add them to
-- the GIN index again.
CREATE TABLE request_search (
	id bigint PRIMARY KEY
		REFERENCES requests (id) ON DELETE CASCADE ON UPDATE CASCADE,
	doc tsvector NOT NULL
);
CREATE INDEX request_search_doc ON request_search USING gin (doc);

-- The search row of one request, from its key, title and first
-- description value (as SQLite's request_search_doc view); none when the
-- request is gone.
CREATE FUNCTION zek_search_refresh(rid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_search (id, doc)
	SELECT r.id, zek_search_doc(r.issue_key, r.title,
	    (SELECT v.value FROM request_values v WHERE v.request_id = r.id
	    AND v.field_key = 'description' ORDER BY v.position LIMIT 1))
	FROM requests r WHERE r.id = rid
	ON CONFLICT (id) DO UPDATE SET doc = excluded.doc;
END;
$$;

-- Kept right by triggers for every writer. Deleting a request deletes its
-- row (ON DELETE CASCADE); a changed id moves it (ON UPDATE CASCADE).
CREATE FUNCTION zek_search_request_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM zek_search_refresh(NEW.id);
	RETURN NULL;
END;
$$;

CREATE TRIGGER request_search_ins AFTER INSERT ON requests
	FOR EACH ROW EXECUTE FUNCTION zek_search_request_changed();
CREATE TRIGGER request_search_upd AFTER UPDATE OF issue_key, title
	ON requests FOR EACH ROW
	WHEN (OLD.issue_key IS DISTINCT FROM NEW.issue_key OR
	    OLD.title IS DISTINCT FROM NEW.title)
	EXECUTE FUNCTION zek_search_request_changed();

CREATE FUNCTION zek_search_value_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' AND OLD.field_key = 'description' THEN
		PERFORM zek_search_refresh(OLD.request_id);
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.field_key = 'description' AND
	    (TG_OP = 'INSERT' OR NEW.request_id IS DISTINCT FROM OLD.request_id
	    OR OLD.field_key <> 'description') THEN
		PERFORM zek_search_refresh(NEW.request_id);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER request_search_value AFTER INSERT OR UPDATE OR DELETE
	ON request_values FOR EACH ROW
	EXECUTE FUNCTION zek_search_value_changed();

-- Requests that exist already.
INSERT INTO request_search (id, doc)
SELECT r.id, zek_search_doc(r.issue_key, r.title,
	(SELECT v.value FROM request_values v WHERE v.request_id = r.id
	AND v.field_key = 'description' ORDER BY v.position LIMIT 1))
FROM requests r;

-- The pages are keysets on (order column, id): with id in the index a
-- page starts at its cursor and stops after `limit` entries. 0001 made the
-- queue indexes without id; these replace them under the same names.
DROP INDEX requests_status;
CREATE INDEX requests_status ON requests (status, updated_at, id);
DROP INDEX requests_status_created;
CREATE INDEX requests_status_created ON requests (status, created_at, id);
DROP INDEX requests_assignee_created;
CREATE INDEX requests_assignee_created ON requests (assignee_id, status,
	created_at, id);
DROP INDEX requests_assignee_updated;
CREATE INDEX requests_assignee_updated ON requests (assignee_id, status,
	updated_at, id);
-- A customer's list reads the requests they raised for someone else, with
-- those they reported, take part in or see through an organisation.
CREATE INDEX requests_creator ON requests (creator_id);
