-- 0011_queue_counts.sql: requests per assignee and status, for the agents'
-- queue counts without counting index entries.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- Every queue page shows the counts of all queues. "Nicht zugewiesen" and
-- "Meine offenen" were counted from requests_assignee_created on every
-- page: 28,000 index entries for the unassigned open requests of
-- 1,000,000, 80 % of a queue page's time. Kept by triggers like
-- request_counts (0002); assignee_id 0 = nobody.
CREATE TABLE request_assignee_counts (
	assignee_id INTEGER NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (assignee_id, status)
) WITHOUT ROWID;

INSERT INTO request_assignee_counts (assignee_id, status, n)
SELECT coalesce(assignee_id, 0), status, count(*) FROM requests
GROUP BY coalesce(assignee_id, 0), status;

CREATE TRIGGER request_assignee_counts_ins AFTER INSERT ON requests BEGIN
	INSERT INTO request_assignee_counts (assignee_id, status, n)
	VALUES (coalesce(new.assignee_id, 0), new.status, 1)
	ON CONFLICT (assignee_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER request_assignee_counts_upd
AFTER UPDATE OF status, assignee_id ON requests
WHEN old.status <> new.status OR
    coalesce(old.assignee_id, 0) <> coalesce(new.assignee_id, 0) BEGIN
	UPDATE request_assignee_counts SET n = n - 1
	WHERE assignee_id = coalesce(old.assignee_id, 0) AND status = old.status;
	INSERT INTO request_assignee_counts (assignee_id, status, n)
	VALUES (coalesce(new.assignee_id, 0), new.status, 1)
	ON CONFLICT (assignee_id, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER request_assignee_counts_del AFTER DELETE ON requests BEGIN
	UPDATE request_assignee_counts SET n = n - 1
	WHERE assignee_id = coalesce(old.assignee_id, 0) AND status = old.status;
END;
