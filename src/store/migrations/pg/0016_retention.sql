-- 0016_retention.sql: closed requests past retention_closed_days are
-- deleted with their comments, files and mails (issue 20,
-- core/retention.c), and each deletion is recorded.
-- The activity log stays append-only for everything else: its rows may go
-- only with a request that its purge has marked (requests.purging = 1),
-- inside the purge's own transaction. (A trigger's WHEN cannot hold a
-- subquery here, so the function asks.)
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE requests ADD COLUMN purging bigint NOT NULL DEFAULT 0;

CREATE FUNCTION zek_activity_delete_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM requests WHERE id = OLD.request_id
	    AND purging = 1) THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'activity is append-only'
		USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
DROP TRIGGER activity_no_delete ON activity;
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
	FOR EACH ROW
	EXECUTE FUNCTION zek_activity_delete_check();

-- What was deleted, when, and how much of it: the record that stays.
CREATE SEQUENCE retention_log_id_seq;
CREATE TABLE retention_log (
	id bigint PRIMARY KEY,
	request_key text COLLATE "C" NOT NULL,
	type_id bigint NOT NULL,
	last_change_at bigint NOT NULL,
	purged_at bigint NOT NULL,
	comments bigint NOT NULL,
	attachments bigint NOT NULL,
	mails bigint NOT NULL
);
ALTER SEQUENCE retention_log_id_seq OWNED BY retention_log.id;
CREATE TRIGGER retention_log_assign_id BEFORE INSERT ON retention_log
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('retention_log_id_seq');
CREATE INDEX retention_log_purged ON retention_log (purged_at);
