-- 0015_pending_uploads.sql: a user's temporary uploads, for their cap.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- Every upload checks the uploader's temporary uploads (count and total
-- size, store_attachment_insert) in the statement that stores it. Only
-- temporary rows are indexed: few, and gone once attached or purged.
CREATE INDEX attachments_pending ON attachments (uploader_id, size)
	WHERE request_id IS NULL;
