-- 0030_snippets.sql: canned responses (Textbausteine, issue 18): shared
-- snippets agents insert into a reply, with placeholders such as
-- {{Name}} and {{Referenz}} that core/snippets.c fills for the request.
-- Every change names who made it and when; a deleted snippet keeps its
-- row (deleted_at > 0), so the record of who deleted it stays too.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- title: at most 100 code points, body at most 5000 (core checks them;
-- the CHECKs bound the bytes, 4 per code point).
CREATE TABLE snippets (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL CHECK (length(CAST(title AS BLOB)) <= 400),
	body TEXT NOT NULL CHECK (length(CAST(body AS BLOB)) <= 20000),
	created_by INTEGER NOT NULL REFERENCES users (id),
	created_at INTEGER NOT NULL,
	updated_by INTEGER NOT NULL REFERENCES users (id),
	updated_at INTEGER NOT NULL,
	deleted_by INTEGER REFERENCES users (id),       -- NULL = not deleted
	deleted_at INTEGER NOT NULL DEFAULT 0           -- 0 = not deleted
);
