-- 0002_search.sql: the index behind the request list ("Anfragen"): full
-- text of key, title and description, plus facets for the filters and for
-- who may see a request; kept right by triggers for every writer.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- What the index holds for one request. `facets` is a list of tokens:
--   zs<status code without "_">  zt<type id>
--   zr<reporter id>  zc<creator id>  zo<organisation shared with>
--   zp<participant id> (one per participant)
-- A customer may see a request when one of zr/zc/zp is their user id or zo
-- one of their organisations (core/perm.c says the same; the store builds
-- that condition in sqlite_list.c and a unit test compares both).
CREATE VIEW request_search_doc (id, issue_key, title, description, facets) AS
SELECT r.id, r.issue_key, r.title,
	coalesce((SELECT v.value FROM request_values v WHERE v.request_id = r.id
	    AND v.field_key = 'description' ORDER BY v.position LIMIT 1), ''),
	'zs' || replace(r.status, '_', '') || ' zt' || r.type_id ||
	' zr' || r.reporter_id || ' zc' || r.creator_id ||
	coalesce(' zo' || r.shared_org_id, '') ||
	coalesce((SELECT ' ' || group_concat('zp' || p.user_id, ' ')
	    FROM participants p WHERE p.request_id = r.id), '')
FROM requests r;

-- unicode61 folds case and, with remove_diacritics 2, umlauts (o-umlaut is
-- indexed as o), so a prefix with or without the umlaut finds the word.
-- Prefixes of 2 to 6 characters have their own index entries: reading one
-- list instead of merging every word that starts so is 2 to 3 times faster
-- for common prefixes ("antr": Antrag, Antraege, ...), for a third more
-- index. User words are only ever matched against the first three columns.
CREATE VIRTUAL TABLE request_search USING fts5(
	issue_key, title, description, facets,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4 5 6',
	columnsize = 0
);

CREATE TRIGGER request_search_ins AFTER INSERT ON requests BEGIN
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id = new.id;
END;

CREATE TRIGGER request_search_upd AFTER UPDATE OF id, issue_key, title,
	status, type_id, reporter_id, creator_id, shared_org_id ON requests
BEGIN
	DELETE FROM request_search WHERE rowid = old.id;
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id = new.id;
END;

CREATE TRIGGER request_search_del AFTER DELETE ON requests BEGIN
	DELETE FROM request_search WHERE rowid = old.id;
END;

-- The description is inserted right after its request.
CREATE TRIGGER request_search_value_ins AFTER INSERT ON request_values
WHEN new.field_key = 'description' BEGIN
	DELETE FROM request_search WHERE rowid = new.request_id;
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id = new.request_id;
END;

CREATE TRIGGER request_search_value_upd AFTER UPDATE ON request_values
WHEN old.field_key = 'description' OR new.field_key = 'description' BEGIN
	DELETE FROM request_search WHERE rowid IN (old.request_id, new.request_id);
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id IN (old.request_id, new.request_id);
END;

CREATE TRIGGER request_search_value_del AFTER DELETE ON request_values
WHEN old.field_key = 'description' BEGIN
	DELETE FROM request_search WHERE rowid = old.request_id;
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id = old.request_id;
END;

CREATE TRIGGER request_search_part_ins AFTER INSERT ON participants BEGIN
	DELETE FROM request_search WHERE rowid = new.request_id;
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id = new.request_id;
END;

CREATE TRIGGER request_search_part_upd AFTER UPDATE ON participants BEGIN
	DELETE FROM request_search WHERE rowid IN (old.request_id, new.request_id);
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id IN (old.request_id, new.request_id);
END;

CREATE TRIGGER request_search_part_del AFTER DELETE ON participants BEGIN
	DELETE FROM request_search WHERE rowid = old.request_id;
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id = old.request_id;
END;

-- Requests that exist already.
INSERT INTO request_search (rowid, issue_key, title, description, facets)
SELECT id, issue_key, title, description, facets FROM request_search_doc;

-- The list is ordered newest first (created_at DESC, id DESC). This index
-- gives that order from any cursor, with status and type at hand, so a
-- page of an agent's list reads index entries only.
CREATE INDEX requests_created ON requests (created_at, id, status, type_id);
-- How many requests have each status and type: an agent's list without
-- search is counted from here, at once, even with 100,000 requests.
CREATE TABLE request_counts (
	status TEXT NOT NULL,
	type_id INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (status, type_id)
) WITHOUT ROWID;

INSERT INTO request_counts (status, type_id, n)
SELECT status, type_id, count(*) FROM requests GROUP BY status, type_id;

CREATE TRIGGER request_counts_ins AFTER INSERT ON requests BEGIN
	INSERT INTO request_counts (status, type_id, n)
	VALUES (new.status, new.type_id, 1)
	ON CONFLICT (status, type_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER request_counts_upd AFTER UPDATE OF status, type_id ON requests
WHEN old.status <> new.status OR old.type_id <> new.type_id BEGIN
	UPDATE request_counts SET n = n - 1
	WHERE status = old.status AND type_id = old.type_id;
	INSERT INTO request_counts (status, type_id, n)
	VALUES (new.status, new.type_id, 1)
	ON CONFLICT (status, type_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER request_counts_del AFTER DELETE ON requests BEGIN
	UPDATE request_counts SET n = n - 1
	WHERE status = old.status AND type_id = old.type_id;
END;
-- The header's number of open requests on every page: reported by the
-- user or taking part, without reading the requests themselves.
CREATE INDEX requests_reporter_status ON requests (reporter_id, status);
DROP INDEX participants_user;
CREATE INDEX participants_user ON participants (user_id, request_id);
