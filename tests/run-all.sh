#!/bin/sh
# Runs the test suites of one or more build folders and ends with one line
# 'N passed, N failed, N skipped' counted over all of them.
#   ./tests/run-all.sh                       build-test, every suite
#   ./tests/run-all.sh build-test build-fuzz:fuzz
# DIR:SUITE[,SUITE...] runs only those suites of DIR.
set -u
[ $# -gt 0 ] || set -- build-test
rc=0
logs=
# The suites that run on PostgreSQL (suite pg, e2e-pg) get a throw-away
# cluster of their own, removed on every way out (tests/pg/cluster).
if [ -z "${ZEK_TEST_PG:-}" ]; then
	pgdir=$(mktemp -d /tmp/zek-pg-XXXXXX)
	chmod 755 "$pgdir"    # the cluster runs as user postgres when we are root
	trap '"$(dirname "$0")/pg/cluster" stop "$pgdir/c" >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
	trap 'exit 130' INT TERM
	if ZEK_TEST_PG=$("$(dirname "$0")/pg/cluster" start "$pgdir/c"); then
		export ZEK_TEST_PG
		echo "== PostgreSQL test cluster: $ZEK_TEST_PG"
	else
		echo "PostgreSQL test cluster did not start (make deps-test installs postgresql-15)"
		rc=1
	fi
fi
for arg in "$@"; do
	dir=${arg%%:*}
	set --
	if [ "$dir" != "$arg" ]; then
		for s in $(echo "${arg#*:}" | tr ',' ' '); do
			set -- "$@" --suite "$s"
		done
	fi
	echo "== $arg"
	rm -f "$dir/meson-logs/testlog.json"   # never count an old run
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || rc=1
	logs="$logs $dir/meson-logs/testlog.json"
done
# shellcheck disable=SC2086
python3 - $logs <<'PY'
import json, os, sys
passed = failed = skipped = 0
for path in sys.argv[1:]:
    if not os.path.exists(path):
        failed += 1
        print("no test log: " + path)
        continue
    build = os.path.dirname(os.path.dirname(path))
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["result"] in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r["result"] == "SKIP":
                skipped += 1
                why = (r.get("stdout") or "").strip().splitlines()
                print("skipped: %s: %s%s" % (build, r["name"], ": " + why[-1] if why else ""))
            else:
                failed += 1
                print("failed suite: %s: %s" % (build, r["name"]))
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
PY
exit $rc
