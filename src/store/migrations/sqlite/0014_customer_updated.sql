-- 0014_customer_updated.sql: when a request last changed in a way its
-- customers can see.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- updated_at also moves with internal notes and assignments, which
-- customers must not learn of (issue 13: fields.updated of
-- /rest/api/2/issue told a customer when an internal note was written).
-- Customers are shown customer_updated_at instead, kept on write by the
-- same statements that move updated_at for public changes (a column, not
-- a per-row subquery: lists run over 1,000,000 requests).
ALTER TABLE requests ADD COLUMN customer_updated_at INTEGER NOT NULL DEFAULT 0;

-- Existing requests: updated_at, unless an internal entry (a note, an
-- assignment) moved it last; then their latest public activity, else
-- their creation. (Changes without an activity entry, such as the demo
-- data's status changes, count as public: updated_at stays.)
UPDATE requests SET customer_updated_at = CASE
	WHEN updated_at <= coalesce((SELECT max(a.created_at) FROM activity a
		WHERE a.request_id = requests.id AND a.public = 0), -1)
	THEN max(created_at, coalesce((SELECT max(a.created_at) FROM activity a
		WHERE a.request_id = requests.id AND a.public = 1), 0))
	ELSE updated_at END;
