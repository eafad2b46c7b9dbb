-- 0023_outbox_to_addr.sql: mails to one address since a time, for the one
-- answer a day to an unknown sender (core/inbound.c,
-- store_outbox_count_to): without it every incoming mail from a stranger
-- would read the whole outbox.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE INDEX outbox_to_addr ON outbox (lower(to_addr), event, created_at);
