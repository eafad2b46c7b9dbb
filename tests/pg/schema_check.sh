#!/bin/sh
# schema_check.sh: src/store/migrations/pg/0001_init.sql (and the later
# migrations but PostgreSQL's own search and list machinery, 0002 and
# the *_own.sql ones) on a throw-away
# PostgreSQL 15 cluster (tests/pg/cluster): that it applies, matches the
# tables, columns, indexes and foreign keys SQLite has after its own
# migrations (but for the search and list machinery left out on purpose),
# and keeps the rules SQLite keeps: ids handed out for NULL, append-only
# activity, known statuses only, cascading deletes, bytewise text order.
# Exits non-zero on any failure; the cluster is stopped on every exit.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
migrations=$top/src/store/migrations
schema=$migrations/pg/0001_init.sql
PSQL=/usr/lib/postgresql/15/bin/psql

dir=$(mktemp -d "${TMPDIR:-/tmp}/zek-pg.XXXXXX")
work=$(mktemp -d "${TMPDIR:-/tmp}/zek-pgcheck.XXXXXX")
cleanup()
{
	"$here/cluster" stop "$dir" || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

pass=0
fail=0

ok()
{
	pass=$((pass + 1))
	echo "ok - $1"
}

not_ok()
{
	fail=$((fail + 1))
	echo "not ok - $1"
	shift
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# Unaligned, tuples only, stop at the first error, SQLSTATE in messages.
q()
{
	"$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$db" "$@"
}

# expect NAME WANT SQL: SQL (one transaction) prints WANT.
expect()
{
	if got=$(q -c "$3" 2>&1) && [ "$got" = "$2" ]; then
		ok "$1"
	else
		not_ok "$1" "want: $2" "got: $got"
	fi
}

# refuse NAME WHAT SQL: SQL fails with an error that starts with WHAT
# (its SQLSTATE, and maybe the message).
refuse()
{
	if got=$(q -c "$3" 2>&1); then
		not_ok "$1" "succeeded, want ERROR: $2" "got: $got"
	elif printf '%s\n' "$got" | grep -qF "ERROR:  $2"; then
		ok "$1"
	else
		not_ok "$1" "want ERROR: $2" "got: $got"
	fi
}

# same NAME FILE1 FILE2
same()
{
	if diff -u "$2" "$3" >"$work/diff"; then
		ok "$1"
	else
		not_ok "$1" "$(cat "$work/diff")"
	fi
}

url=$("$here/cluster" start "$dir")
db=$url
expect "cluster answers" 1 'select 1'
if [ "$("$here/cluster" url "$dir")" = "$url" ]; then
	ok "cluster url repeats the URL"
else
	not_ok "cluster url repeats the URL"
fi
expect "role zek may create databases" "zek|t|f" \
    "select current_user, rolcreatedb, rolsuper from pg_roles
     where rolname = current_user"
q -c 'CREATE DATABASE t1 TEMPLATE template0'
db=${url%/postgres}/t1
expect "database UTF8 with C.UTF-8" "UTF8|C.UTF-8" \
    "select pg_encoding_to_char(encoding), datcollate from pg_database
     where datname = current_database()"

# As the store does: schema_migrations first, then the migration in one
# transaction.
q -c 'CREATE TABLE schema_migrations (version bigint PRIMARY KEY,
    name text, applied_at bigint)'
if out=$(q -1 -f "$schema" 2>&1); then
	ok "0001_init.sql applies"
else
	not_ok "0001_init.sql applies" "$out"
	echo "$pass passed, $fail failed"
	exit 1
fi
# The later migrations that change the shared shape (0002 and *_own.sql
# are PostgreSQL's own search and list machinery, left out as SQLite's is).
for f in "$migrations"/pg/[0-9][0-9][0-9][0-9]_*.sql; do
	case $f in */0001_*|*/0002_*|*_own.sql) continue ;; esac
	if out=$(q -1 -f "$f" 2>&1); then
		ok "$(basename "$f") applies"
	else
		not_ok "$(basename "$f") applies" "$out"
	fi
done
if LC_ALL=C grep -n '[^ -~	]' "$schema" >"$work/nonascii"; then
	not_ok "0001_init.sql is ASCII" "$(cat "$work/nonascii")"
else
	ok "0001_init.sql is ASCII"
fi

# --- the same shape as SQLite -------------------------------------------

# Tables of SQLite's search and list machinery, not in the PostgreSQL
# schema (see its header).
sqlite_only="'request_search', 'request_counts', 'request_assignee_counts',
    'request_blocks', 'schema_migrations'"
if command -v sqlite3 >/dev/null; then
	for f in "$migrations"/sqlite/[0-9][0-9][0-9][0-9]_*.sql; do
		cat "$f"
	done | sqlite3 "$work/lite.db"
	# table, position, column, type, not null (a primary key column is
	# never NULL in PostgreSQL; SQLite only enforces it for INTEGER ones)
	sqlite3 -separator ' ' "$work/lite.db" "
	    select m.name, p.cid, p.name, case p.type when 'INTEGER' then
	        'bigint' when 'TEXT' then 'text' when 'BLOB' then 'bytea'
	        else p.type end, p.\"notnull\" or p.pk > 0
	    from sqlite_master m, pragma_table_info(m.name) p
	    where m.type = 'table' and m.name not like 'sqlite_%'
	        and m.name not like 'request_search%'
	        and m.name not in ($sqlite_only)" |
	    LC_ALL=C sort -k1,1 -k2,2n >"$work/lite.cols"
	q -F ' ' -c "select table_name, ordinal_position - 1, column_name,
	        data_type, case is_nullable when 'NO' then 1 else 0 end
	    from information_schema.columns
	    where table_schema = 'public' and table_name <> 'schema_migrations'" |
	    LC_ALL=C sort -k1,1 -k2,2n >"$work/pg.cols"
	same "tables and columns as in SQLite" "$work/lite.cols" "$work/pg.cols"

	# index name, table, columns, partial or not
	sqlite3 -separator ' ' "$work/lite.db" "
	    select m.name, m.tbl_name, (select group_concat(name, ',') from
	        (select i.name from pragma_index_info(m.name) i
	        order by i.seqno)), (select l.partial
	        from pragma_index_list(m.tbl_name) l where l.name = m.name)
	    from sqlite_master m
	    where m.type = 'index' and m.sql is not null
	        and m.tbl_name not like 'request_search%'
	        and m.tbl_name not in ($sqlite_only)" |
	    LC_ALL=C sort >"$work/lite.idx"
	q -F ' ' -c "select c.relname, t.relname, (select string_agg(a.attname,
	        ',' order by k.n) from unnest(x.indkey) with ordinality
	        as k (attnum, n) join pg_attribute a on a.attrelid = x.indrelid
	        and a.attnum = k.attnum),
	        case when x.indpred is null then 0 else 1 end
	    from pg_index x join pg_class c on c.oid = x.indexrelid
	    join pg_class t on t.oid = x.indrelid
	    join pg_namespace s on s.oid = t.relnamespace
	    where s.nspname = 'public' and not x.indisunique" |
	    LC_ALL=C sort >"$work/pg.idx"
	same "indexes as in SQLite" "$work/lite.idx" "$work/pg.idx"

	# table and columns of each unique rule (SQLite's automatic indexes;
	# its INTEGER PRIMARY KEY needs none, PostgreSQL's id key is left out)
	sqlite3 -separator ' ' "$work/lite.db" "
	    select m.name, (select group_concat(name, ',') from
	        (select i.name from pragma_index_info(l.name) i
	        order by i.seqno))
	    from sqlite_master m, pragma_index_list(m.name) l
	    where m.type = 'table' and l.\"unique\"
	        and m.name not like 'request_search%'
	        and m.name not like 'sqlite_%'
	        and m.name not in ($sqlite_only)" |
	    LC_ALL=C sort >"$work/lite.uniq"
	q -F ' ' -c "select t.relname, (select string_agg(a.attname, ','
	        order by k.n) from unnest(x.indkey) with ordinality
	        as k (attnum, n) join pg_attribute a on a.attrelid = x.indrelid
	        and a.attnum = k.attnum) as cols
	    from pg_index x join pg_class t on t.oid = x.indrelid
	    join pg_namespace s on s.oid = t.relnamespace
	    where s.nspname = 'public' and x.indisunique
	        and t.relname <> 'schema_migrations'" |
	    grep -v ' id$' | LC_ALL=C sort >"$work/pg.uniq"
	same "unique rules as in SQLite" "$work/lite.uniq" "$work/pg.uniq"

	# table, column, referenced table and column, ON DELETE
	sqlite3 -separator ' ' "$work/lite.db" "
	    select m.name, f.\"from\", f.\"table\", f.\"to\", f.on_delete
	    from sqlite_master m, pragma_foreign_key_list(m.name) f
	    where m.type = 'table'" | LC_ALL=C sort >"$work/lite.fk"
	q -F ' ' -c "select c.conrelid::regclass, a.attname,
	        c.confrelid::regclass, af.attname,
	        case c.confdeltype when 'c' then 'CASCADE'
	        when 'a' then 'NO ACTION' when 'n' then 'SET NULL'
	        else c.confdeltype::text end
	    from pg_constraint c
	    join pg_attribute a on a.attrelid = c.conrelid
	        and a.attnum = c.conkey[1]
	    join pg_attribute af on af.attrelid = c.confrelid
	        and af.attnum = c.confkey[1]
	    where c.contype = 'f'" | LC_ALL=C sort >"$work/pg.fk"
	same "foreign keys and ON DELETE as in SQLite" "$work/lite.fk" \
	    "$work/pg.fk"
else
	echo "# sqlite3 missing: the comparison with SQLite's schema is skipped"
fi

expect "every text column is COLLATE \"C\"" 0 \
    "select count(*) from information_schema.columns
     where table_schema = 'public' and table_name <> 'schema_migrations'
         and data_type = 'text' and collation_name is distinct from 'C'"
expect "only bigint, text and bytea columns" "" \
    "select distinct table_name || '.' || column_name || ' ' || data_type
     from information_schema.columns
     where table_schema = 'public' and table_name <> 'schema_migrations'
         and data_type not in ('bigint', 'text', 'bytea')"
# Single-row tables (id CHECK (id = 1): help_center, config_state,
# mail_secret) are always written with id 1 and need no sequence.
expect "every table with an id has its id trigger" "21|0" \
    "select count(*), count(*) filter (where not exists (select 1
         from pg_trigger t where t.tgrelid = c.table_name::regclass
         and t.tgname = c.table_name || '_assign_id'))
     from information_schema.columns c
     where c.table_schema = 'public' and c.column_name = 'id'
         and not exists (select 1 from pg_constraint k
             where k.conrelid = c.table_name::regclass and k.contype = 'c'
             and pg_get_constraintdef(k.oid) like '%(id = 1)%')"
expect "SQLite's other triggers are there" \
    "activity_no_delete
activity_no_truncate
activity_no_update
comments_no_update" \
    "select tgname from pg_trigger
     where not tgisinternal and tgname not like '%_assign_id'
     order by tgname"

# --- ids as INTEGER PRIMARY KEY gives them --------------------------------

expect "id NULL is handed one" 1 \
    "insert into service_desks (id, portal_id, project_key, name)
     values (NULL, 1, 'A', 'Desk A') returning id"
expect "an explicit id is kept" 100 \
    "insert into service_desks (id, portal_id, project_key, name)
     values (100, 2, 'B', 'Desk B') returning id"
expect "id NULL after an explicit 100 is above it" 101 \
    "insert into service_desks (id, portal_id, project_key, name)
     values (NULL, 3, 'C', 'Desk C') returning id"
expect "an id left out is handed one too" 102 \
    "insert into service_desks (portal_id, project_key, name)
     values (4, 'D', 'Desk D') returning id"
expect "a lower explicit id does not move the sequence back" "50|t" \
    "insert into service_desks (id, portal_id, project_key, name)
     values (50, 5, 'E', 'Desk E');
     insert into service_desks (id, portal_id, project_key, name)
     values (NULL, 6, 'F', 'Desk F') returning (select 50), id > 102"
refuse "an explicit id taken already" 23505 \
    "insert into service_desks (id, portal_id, project_key, name)
     values (100, 7, 'G', 'Desk G')"
# The other configuration tables the store inserts with either.
q <<'EOF'
insert into request_type_groups (id, desk_id, name_de, name_en, position)
values (NULL, 1, 'g', 'g', 1), (20, 1, 'h', 'h', 2), (NULL, 1, 'i', 'i', 3),
	(NULL, 100, 'j', 'j', 1);
insert into request_types (id, desk_id, group_id, name_de, name_en, position)
values (NULL, 1, 1, 't', 't', 1), (30, 1, 1, 'u', 'u', 2),
	(NULL, 1, 1, 'v', 'v', 3), (NULL, 100, 22, 'w', 'w', 1);
insert into fields (id, type_id, field_key, kind, label_de, label_en, position)
values (NULL, 1, 'description', 'textarea', 'd', 'd', 1),
	(40, 1, 'choice', 'select', 'c', 'c', 2),
	(NULL, 1, 'when', 'datetime', 'w', 'w', 3),
	(NULL, 32, 'x', 'text', 'x', 'x', 1);
insert into field_options (id, field_id, value, label_de, label_en, position)
values (NULL, 40, 'a', 'a', 'a', 1), (60, 40, 'b', 'b', 'b', 2),
	(NULL, 40, 'c', 'c', 'c', 3), (NULL, 42, 'y', 'y', 'y', 1);
EOF
expect "groups, types, fields, options: NULL, explicit, NULL" \
    "1,20,21,22|1,30,31,32|1,40,41,42|1,60,61,62" \
    "select (select string_agg(id::text, ',' order by id)
         from request_type_groups) || '|' ||
     (select string_agg(id::text, ',' order by id) from request_types) || '|' ||
     (select string_agg(id::text, ',' order by id) from fields) || '|' ||
     (select string_agg(id::text, ',' order by id) from field_options)"

# --- fixtures -------------------------------------------------------------

q <<'EOF'
insert into organisations (name, created_at) values ('Org', 1), ('Other', 1);
insert into users (email, email_fold, name, name_fold, role, created_at)
values ('C@x', 'c@x', 'Carla', 'carla', 'customer', 1),
	('s@x', 's@x', 'Sam', 'sam', 'agent', 1),
	('p@x', 'p@x', 'Pat', 'pat', 'customer', 1);
insert into user_orgs values (1, 1), (3, 1), (3, 2);
insert into sessions values ('h3', 3, 'c', 1, 1, 2);
insert into api_tokens (user_id, name, token_hash, created_at, expires_at)
values (3, 'tok', 'th3', 1, 2);
insert into requests (desk_id, number, issue_key, type_id, reporter_id,
	creator_id, status, title, created_at, updated_at)
values (1, 1, 'A-1', 1, 1, 1, 'offen', 'one', 1, 1),
	(1, 2, 'A-2', 1, 1, 1, 'offen', 'two', 2, 2);
insert into activity (request_id, actor_id, kind, new_status, created_at)
values (1, 1, 'created', 'offen', 1);
insert into request_values values (2, 'description', 0, 'text');
insert into participants values (2, 3), (1, 3);
insert into participant_settings values (2, 3, 1), (1, 3, 0);
insert into comments (request_id, author_id, body, created_at)
values (1, 2, 'hello', 1), (2, 2, 'hi', 2);
insert into attachments (request_id, uploader_id, filename, mime, size, data,
	created_at, comment_id)
values (2, 1, 'a.bin', 'application/octet-stream', 2, '\x00ff', 2, 2);
EOF

# --- append-only activity and comments ------------------------------------

refuse "activity refuses UPDATE" "23000: activity is append-only" \
    "update activity set action = 'x'"
refuse "activity refuses DELETE" "23000: activity is append-only" \
    "delete from activity"
refuse "activity refuses TRUNCATE" "23000: activity is append-only" \
    "truncate activity"
refuse "activity refuses TRUNCATE requests CASCADE" \
    "23000: activity is append-only" "truncate requests cascade"
refuse "comments refuse UPDATE" "23000: comments are append-only" \
    "update comments set body = 'changed'"
expect "activity takes 'assigned'" 1 \
    "insert into activity (request_id, kind, subject_id, public, created_at)
     values (1, 'assigned', 2, 0, 3) returning 1"
refuse "activity refuses an unknown kind" 23514 \
    "insert into activity (request_id, kind, created_at)
     values (1, 'deleted', 3)"
refuse "comments take public 0 or 1 only" 23514 \
    "insert into comments (request_id, author_id, body, public, created_at)
     values (1, 2, 'x', 2, 3)"

# --- statuses (SQLite 0013) -----------------------------------------------

refuse "a request with an unknown status" \
    '23514: new row for relation "requests" violates check constraint "requests_status"' \
    "insert into requests (desk_id, number, issue_key, type_id, reporter_id,
         creator_id, status, title, created_at, updated_at)
     values (1, 3, 'A-3', 1, 1, 1, 'bogus', 't', 3, 3)"
refuse "a request with an unknown resolution" \
    '23514: new row for relation "requests" violates check constraint "requests_resolution"' \
    "insert into requests (desk_id, number, issue_key, type_id, reporter_id,
         creator_id, status, resolution, title, created_at, updated_at)
     values (1, 3, 'A-3', 1, 1, 1, 'geschlossen', 'nope', 't', 3, 3)"
refuse "an update to an unknown status" 23514 \
    "update requests set status = 'Offen' where id = 1"
expect "every known status and resolution" "" \
    "update requests set status = 'wartet_support' where id = 1;
     update requests set status = 'in_bearbeitung' where id = 1;
     update requests set status = 'wartet_kunde' where id = 1;
     update requests set status = 'geschlossen', resolution = 'geloest'
         where id = 1;
     update requests set resolution = 'zurueckgezogen' where id = 1;
     update requests set resolution = 'abgelehnt' where id = 1;
     update requests set resolution = '' where id = 1;
     update requests set resolution = 'duplikat' where id = 1"
expect "the updates stuck" "geschlossen|duplikat" \
    "select status, resolution from requests where id = 1"
refuse "activity with an unknown new_status" \
    '23514: new row for relation "activity" violates check constraint "activity_new_status"' \
    "insert into activity (request_id, kind, old_status, new_status,
         created_at) values (1, 'status_changed', 'offen', 'zu', 3)"
refuse "activity with an unknown old_status" 23514 \
    "insert into activity (request_id, kind, old_status, new_status,
         created_at) values (1, 'status_changed', 'x', 'offen', 3)"
refuse "activity with an unknown resolution" 23514 \
    "insert into activity (request_id, kind, new_status, resolution,
         created_at) values (1, 'status_changed', 'geschlossen', 'x', 3)"
expect "activity with a known status change" 1 \
    "insert into activity (request_id, kind, old_status, new_status,
         resolution, created_at) values (1, 'status_changed',
         'wartet_kunde', 'geschlossen', 'geloest', 3) returning 1"

# --- uniqueness, text order, bytes ----------------------------------------

refuse "users.email_fold is unique" 23505 \
    "insert into users (email, email_fold, name, name_fold, role, created_at)
     values ('c@X', 'c@x', 'Carla 2', 'carla 2', 'customer', 1)"
refuse "users.role is checked" 23514 \
    "insert into users (email, email_fold, name, name_fold, role, created_at)
     values ('r@x', 'r@x', 'R', 'r', 'root', 1)"
refuse "a field key once per type" 23505 \
    "insert into fields (type_id, field_key, kind, label_de, label_en,
         position) values (1, 'choice', 'text', 'l', 'l', 9)"
expect "temporary uploads (temp_token NULL) may be many" 2 \
    "insert into attachments (uploader_id, filename, mime, size, data,
         created_at) values (1, 'x', 'x', 1, '\\x01', 5), (1, 'y', 'y', 1,
         '\\x02', 5);
     select count(*) from attachments where temp_token is null
         and request_id is null"
expect "bytea keeps the bytes" 00ff \
    "select encode(data, 'hex') from attachments where filename = 'a.bin'"
# --- cascading deletes ----------------------------------------------------

refuse "a request with a history cannot be deleted" 23503 \
    "delete from requests where id = 1"
expect "deleting a request takes its values, people, comments, files" \
    "0|0|0|0|0|1|1" \
    "delete from requests where id = 2;
     select (select count(*) from request_values where request_id = 2),
         (select count(*) from participants where request_id = 2),
         (select count(*) from participant_settings where request_id = 2),
         (select count(*) from comments where request_id = 2),
         (select count(*) from attachments where request_id = 2),
         (select count(*) from participants where request_id = 1),
         (select count(*) from comments where request_id = 1)"
expect "deleting a user takes sessions, tokens, memberships, parts" \
    "0|0|0|0|0|1" \
    "delete from users where id = 3;
     select (select count(*) from sessions),
         (select count(*) from api_tokens),
         (select count(*) from user_orgs where user_id = 3),
         (select count(*) from participants),
         (select count(*) from participant_settings),
         (select count(*) from user_orgs)"
expect "deleting an organisation takes its memberships" "1
0" \
    "select count(*) from user_orgs where org_id = 1;
     delete from organisations where id = 1;
     select count(*) from user_orgs"
expect "deleting a desk takes its groups, types, fields, options" \
    "0|0|0|0|3" \
    "delete from service_desks where id = 100;
     select (select count(*) from request_type_groups where desk_id = 100),
         (select count(*) from request_types where desk_id = 100),
         (select count(*) from fields where id = 42),
         (select count(*) from field_options where id = 62),
         (select count(*) from fields)"
refuse "a desk with requests cannot be deleted" 23503 \
    "delete from service_desks where id = 1"

# --- text order whatever the database's locale ----------------------------

# A database whose own collation is not bytewise (ICU, German): the
# columns still sort and compare as SQLite's BINARY does.
db=$url
q -c "CREATE DATABASE t2 TEMPLATE template0 LOCALE_PROVIDER icu
    ICU_LOCALE 'de-DE' LOCALE 'C.UTF-8'"
db=${url%/postgres}/t2
q -c 'CREATE TABLE schema_migrations (version bigint PRIMARY KEY,
    name text, applied_at bigint)'
q -1 -f "$schema"
expect "t2 itself sorts a before B" t "select 'a' < 'B'"
expect "a text column sorts bytewise" "$(printf 'B Z a b \303\244')" \
    "insert into organisations (name, created_at)
     values ('b', 1), ('B', 1), ('a', 1), ('Z', 1), (U&'\\00E4', 1);
     select string_agg(name, ' ' order by name) from organisations"
expect "a text column compares bytewise" "B Z" \
    "select string_agg(name, ' ' order by name) from organisations
     where name < 'a'"
expect "a unique text column tells case apart" 2 \
    "select count(*) from organisations where lower(name) = 'b'"

# --- stop: the folder and the server are gone ------------------------------

pid=$(head -n 1 "$dir/data/postmaster.pid")
"$here/cluster" stop "$dir"
if [ -e "$dir" ]; then
	not_ok "cluster stop removes its folder" "$dir is still there"
else
	ok "cluster stop removes its folder"
fi
# An exited server that its parent has not reaped yet (a zombie) is gone.
if kill -0 "$pid" 2>/dev/null &&
    [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -c1)" != Z ]; then
	not_ok "cluster stop ends the server" "process $pid is still there"
else
	ok "cluster stop ends the server"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
