#!/bin/sh
# Runs every test suite of the sanitizer build and ends with one line
# 'N passed, N failed' counted over all suites.
set -u
dir=${1:-build-test}
meson test -C "$dir" --print-errorlogs --num-processes 2
rc=$?
python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r["result"] == "SKIP":
            skipped += 1
        else:
            failed += 1
            print("failed suite: " + r["name"])
print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
PY
exit $rc
