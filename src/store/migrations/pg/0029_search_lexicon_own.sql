-- 0029_search_lexicon_own.sql (PostgreSQL): every word of the search rows
-- in a table of its own, so that a word the user types as a prefix is
-- looked up as the few whole words it starts.
-- ASCII only in this file: gen_migrations.py emits char arrays.
--
-- GIN finds a prefix ('t':*) by collecting the rows of every word it
-- starts into a bitmap before anything else; it finds a whole word by
-- walking that word's list, and two words ANDed by skipping through the
-- longer list with the shorter. On 1,000,000 requests (bench/README.md)
-- "Fischereischein", one word in 30,000 requests, took 12.7 ms as a prefix
-- and 3.2 ms as a word; the count of the closed requests with
-- "Zeitueberschreitung Kfz" 60 ms and 13.5 ms. The rows are the same: a
-- prefix matches the rows that hold a word it starts, and the lexicon
-- holds every word of every search row (and words of requests since
-- deleted, which match nothing).
CREATE TABLE search_lexicon (
	word text COLLATE "C" PRIMARY KEY
);

-- A statement's new or changed search rows add their words. In the words'
-- order, so that two writers adding the same new words wait for one
-- another, never in a circle. Transition tables allow one event per
-- trigger: two triggers.
CREATE FUNCTION zek_search_lexicon_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_lexicon (word)
	SELECT DISTINCT w.word
	FROM zek_new_search_rows n, unnest(tsvector_to_array(n.doc)) w(word)
	ORDER BY 1
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END;
$$;

CREATE TRIGGER search_lexicon_ins AFTER INSERT ON request_search
	REFERENCING NEW TABLE AS zek_new_search_rows
	FOR EACH STATEMENT EXECUTE FUNCTION zek_search_lexicon_add();
CREATE TRIGGER search_lexicon_upd AFTER UPDATE ON request_search
	REFERENCING NEW TABLE AS zek_new_search_rows
	FOR EACH STATEMENT EXECUTE FUNCTION zek_search_lexicon_add();

INSERT INTO search_lexicon (word)
SELECT DISTINCT w.word
FROM request_search s, unnest(tsvector_to_array(s.doc)) w(word);

-- What a prefix becomes in the query: the words it starts, ORed, when
-- there are 1 to 16 of them; else the prefix itself. None: nothing
-- matches either way. More: the lists of many words are a bitmap in any
-- case, and the prefix builds it as fast as their OR.
-- The words p starts are those from p up to p followed by the highest
-- character, in code point order (COLLATE "C", UTF-8): a range the index
-- walks. (`^@` uses the index only for a constant p.)
CREATE FUNCTION zek_search_prefix(p text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
	SELECT CASE WHEN count(*) BETWEEN 1 AND 16
	    THEN '(' || string_agg('''' || l.word || '''', ' | ' ORDER BY l.word)
	        || ')'
	    ELSE '''' || p || ''':*' END
	FROM (SELECT x.word FROM search_lexicon x
	    WHERE x.word >= p AND x.word < p || chr(1114111)
	    ORDER BY x.word LIMIT 17) l;
$$;

-- A query of zek_search_query with each prefix as zek_search_prefix says.
-- Its text quotes every word, and words hold no quote (0002_search.sql).
CREATE FUNCTION zek_search_exact(q tsquery) RETURNS tsquery
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
	rest text := q::text;
	done text := '';
	m text[];
BEGIN
	LOOP
		m := regexp_match(rest, '^(.*?)''([^'']+)'':\*(.*)$');
		EXIT WHEN m IS NULL;
		done := done || m[1] || zek_search_prefix(m[2]);
		rest := m[3];
	END LOOP;
	RETURN (done || rest)::tsquery;
END;
$$;
