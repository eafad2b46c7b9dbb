-- 0034_outbox_to_stranger.sql: the index of mails to one address holds
-- only the answers to strangers, the one kind it is read for (core/inbound.c,
-- store_outbox_count_stranger). As 0023 made it, every mail of every
-- create added an entry: 25 agents' "new request" mails touched 25 places
-- of it per create, for nothing.
-- ASCII only in this file: gen_migrations.py emits char arrays.

DROP INDEX outbox_to_addr;
CREATE INDEX outbox_to_stranger ON outbox (lower(to_addr), created_at)
	WHERE event = 'mail_unknown';
