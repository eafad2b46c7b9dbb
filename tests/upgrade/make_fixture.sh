#!/bin/sh
# Makes tests/upgrade/vNN.sql.gz: the demo database as the zek of an older
# commit creates it, dumped as SQL text.
# usage: tests/upgrade/make_fixture.sh COMMIT   (from the source tree)
# Builds COMMIT's zek in a temporary worktree (a plain build, a few minutes
# on two cores), runs `zek init --demo`, keeps three mails of the outbox
# and leaves out FTS5's index pages (request_search_data but its averages
# and structure records 1 and 10, and _idx): they are most of the size and
# say nothing about the schema; the test rebuilds the index from the rows
# FTS5 keeps (request_search_content).
set -eu
commit=$1
top=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$top" worktree remove --force "$tmp/src" 2>/dev/null; rm -rf "$tmp"' EXIT
git -C "$top" worktree add --detach "$tmp/src" "$commit" >/dev/null
(cd "$tmp/src" && CC=gcc meson setup build --buildtype=plain -Dwerror=false >/dev/null &&
	ninja -j2 -C build zek >/dev/null)
(cd "$tmp/src" && ./build/zek init --demo --db "$tmp/zek.db" >/dev/null)
sqlite3 "$tmp/zek.db" "DELETE FROM outbox WHERE id NOT IN
	(SELECT id FROM outbox ORDER BY id LIMIT 3);"
version=$(sqlite3 "$tmp/zek.db" "SELECT max(version) FROM schema_migrations")
out="$top/tests/upgrade/v$(printf %02d "$version").sql.gz"
{
	echo "-- zek demo database, schema $version, made by commit $(git -C "$top" rev-parse --short "$commit")"
	sqlite3 "$tmp/zek.db" .dump | awk '!/^INSERT INTO request_search_idx / &&
		!(/^INSERT INTO request_search_data / && !/ VALUES\((1|10),/)'
} | gzip -9n > "$out"
echo "$out"
