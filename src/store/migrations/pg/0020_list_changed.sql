-- 0020_list_changed.sql (PostgreSQL): SQLite's 0031_list_changed: the request list "Zuletzt aktualisiert" (issue 19).
-- An agent's list by status and type walks this index from its cursor by
-- last change, as the list by creation walks requests_created. It serves
-- every use of requests_updated (updated_at alone), which it replaces.
DROP INDEX IF EXISTS requests_updated;
CREATE INDEX requests_changed ON requests (updated_at, id, status, type_id);
