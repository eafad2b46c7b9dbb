-- 0014_inbound_discard.sql (PostgreSQL): SQLite's 0025_inbound_discard
-- (see there): the state 'discarded', who discarded a message and when.
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE inbound_mail DROP CONSTRAINT inbound_mail_state_check;
ALTER TABLE inbound_mail ADD CONSTRAINT inbound_mail_state_check
	CHECK (state IN ('new', 'done', 'ignored', 'quarantined', 'discarded'));
ALTER TABLE inbound_mail ADD COLUMN discarded_by bigint NOT NULL DEFAULT 0;
ALTER TABLE inbound_mail ADD COLUMN discarded_at bigint NOT NULL DEFAULT 0;
