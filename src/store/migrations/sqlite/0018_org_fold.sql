-- 0018_org_fold.sql: organisations searched by their folded name.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- lower() of SQLite folds ASCII only: "amt" found "Amt", but a search
-- with an umlaut in lower case missed the name that starts with it in
-- upper case. name_fold is utf8_fold(name), written with the name by
-- the store; rows from before this migration get it when the store next
-- starts (store/directory.c, store_orgs_fold_fill).
ALTER TABLE organisations ADD COLUMN name_fold TEXT NOT NULL DEFAULT '';
