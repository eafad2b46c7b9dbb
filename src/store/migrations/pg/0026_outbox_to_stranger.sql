-- 0026_outbox_to_stranger.sql (PostgreSQL): as SQLite's 0034, the index of
-- mails to one address holds only the answers to strangers, the one kind
-- it is read for (store_outbox_count_stranger): 25 fewer index entries per
-- create on the bench's desk of 25 agents.
-- ASCII only in this file: gen_migrations.py emits char arrays.

DROP INDEX outbox_to_addr;
CREATE INDEX outbox_to_stranger ON outbox (lower(to_addr), created_at)
	WHERE event = 'mail_unknown';
