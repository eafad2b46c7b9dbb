-- 0024_request_sla.sql: each request's service levels as the queues need
-- them (issue 18), kept by core/sla_request.c whenever something happens
-- to the request, so a queue can sort "next to breach" and list the
-- breached ones without reading any activity log.
-- sla_due_at: when the earliest running goal breaches, or the breached
--   one did (past); 9223372036854775807 = no goal runs (none set, all
--   met, or paused before its breach): those sort last.
-- sla_due_goal_ms: that goal's length (for "under 25 % left").
-- sla_breach_at: the earliest breach of any goal, past or (running)
--   future; the same "never" value. Breached now = sla_breach_at <= now.
-- sla_stale: 1 = to be worked out again by the "sla" job (goals changed,
--   or the request predates this migration).
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE requests ADD COLUMN sla_due_at INTEGER NOT NULL
	DEFAULT 9223372036854775807;
ALTER TABLE requests ADD COLUMN sla_due_goal_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN sla_breach_at INTEGER NOT NULL
	DEFAULT 9223372036854775807;
ALTER TABLE requests ADD COLUMN sla_stale INTEGER NOT NULL DEFAULT 0;
UPDATE requests SET sla_stale = 1 WHERE status <> 'geschlossen';

CREATE INDEX requests_status_sla_due ON requests (status, sla_due_at, id);
CREATE INDEX requests_assignee_sla_due ON requests (assignee_id, status,
	sla_due_at, id);
CREATE INDEX requests_status_sla_breach ON requests (status, sla_breach_at);
CREATE INDEX requests_sla_stale ON requests (id) WHERE sla_stale = 1;
