-- 0020_admin_types.sql: request types, fields and options as admins change
-- them in the browser (issue 16). Nothing is deleted that a request may
-- name: a type is hidden from customers, a field hidden from the forms, an
-- option retired; each stays readable for the requests that have it.
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE request_types ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fields ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE field_options ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
