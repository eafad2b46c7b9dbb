#!/usr/bin/env python3
"""Runs the end-to-end tests against a real `zek serve`.

usage: run.py PATH/TO/zek [MODULE ...]
Without MODULE, every tests/e2e/test_*.py module runs; the heavier solo_*.py
modules (crash safety, hostile input, ...) run only when named, each as a
meson test of its own so they run beside the other suites. A module's test_*
functions run in file order, each
with a fresh client (a browser without cookies); one server with a fresh
database lives for the whole run. A test may also ask for `server` and
`binary`. Prints 'N passed, N failed' last.

ZEK_E2E_BACKEND=pg runs them on PostgreSQL (zektest.py: ZEK_TEST_PG names
the cluster; without it the run skips with 77). A module with SQLITE_ONLY
(the reason) and a test that raises zektest.Skip are skipped there, a
module with PG_ONLY on SQLite, and the run says so; when nothing is left
to run, it skips (77) as a whole."""

import glob
import importlib
import inspect
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zektest  # noqa: E402
from zektest import Client, Server  # noqa: E402

MAX_FILE = 200 * 1024    # the server under test gets a small attachment limit


def collect(names):
    """The tests to run, and the modules skipped on this backend."""
    mods = names or sorted(os.path.basename(p)[:-3] for p in glob.glob(os.path.join(HERE, "test_*.py")))
    tests, skipped = [], []
    for m in mods:
        mod = importlib.import_module(m)
        why = getattr(mod, "SQLITE_ONLY", None)
        if why and zektest.BACKEND != "sqlite":
            skipped.append((m, "SQLite only: " + why))
            continue
        why = getattr(mod, "PG_ONLY", None)
        if why and zektest.BACKEND != "pg":
            skipped.append((m, "PostgreSQL only: " + why))
            continue
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if name.startswith("test_") and fn.__module__ == mod.__name__:
                tests.append((m + "." + name, fn, fn.__code__.co_firstlineno))
    return sorted(tests, key=lambda t: (t[0].split(".")[0], t[2])), skipped


def main():
    binary = sys.argv[1]
    if zektest.BACKEND == "pg" and not os.environ.get("ZEK_TEST_PG"):
        print("skip: ZEK_E2E_BACKEND=pg needs ZEK_TEST_PG, the libpq URL of a throw-away "
              "PostgreSQL cluster whose role may CREATE DATABASE (tests/run-all.sh exports one)")
        return 77
    tests, skipped_modules = collect(sys.argv[2:])
    for m, why in skipped_modules:
        print("skip %s (whole module) on %s: %s" % (m, zektest.BACKEND, why), flush=True)
    if not tests:
        print("0 passed, 0 failed (%d modules skipped on %s)" % (len(skipped_modules),
                                                                 zektest.BACKEND))
        return 77 if skipped_modules else 0
    # Sign-up on for addresses of example.org, so that the matrix and the
    # hostile tests meet its page and form.
    server = Server(binary, extra_env={"ZEK_MAX_FILE_BYTES": str(MAX_FILE),
                                       "ZEK_SIGNUP": "domains",
                                       "ZEK_SIGNUP_DOMAINS": "example.org"})
    passed = failed = skipped = 0
    try:
        for name, fn, _ in tests:
            params = inspect.signature(fn).parameters
            kwargs = {k: v for k, v in (("server", server), ("binary", binary)) if k in params}
            try:
                fn(Client(server), **kwargs)
                passed += 1
                print("ok   " + name, flush=True)
            except zektest.Skip as e:
                skipped += 1
                print("skip %s on %s: %s" % (name, zektest.BACKEND, e), flush=True)
            except Exception:
                failed += 1
                print("FAIL " + name, flush=True)
                traceback.print_exc()
    finally:
        rc, log = server.stop()
    problems = [line for line in log.splitlines() if "ERROR: AddressSanitizer" in line
                or "runtime error:" in line or "LeakSanitizer" in line]
    if rc not in (0, -15) or problems:
        failed += 1
        print("FAIL server exit %s\n%s" % (rc, log[-5000:]))
    if stop_leftovers():
        failed += 1
    if zektest.BACKEND == "pg" and drop_leftover_databases():
        failed += 1
    if skipped:
        print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    else:
        print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


def stop_leftovers():
    """Fails the run when a zek serve it started is still running (a test
    that forgot to stop its server), and stops those."""
    left = [p for p in zektest.STARTED if p.poll() is None]
    for p in left:
        print("FAIL zek serve (pid %d, %s) still running at the end" % (p.pid, " ".join(p.args[1:])))
        p.kill()
        p.wait()
    return len(left)


def drop_leftover_databases():
    """Fails the run when a database of this run is still on the cluster (a
    test that forgot to stop its server or to drop_db what new_db made) and
    drops those. Other runs' databases are named but left alone and do not
    fail this run: the PostgreSQL tests (solo modules, client tests) run
    beside each other on one cluster, and each checks its own."""
    ours = "%s%d_" % (zektest.PG_PREFIX, os.getpid())
    left = 0
    for name in zektest.e2e_databases():
        if not name.startswith(ours):
            print("note: database %s of another run is on the cluster" % name)
            continue
        left += 1
        print("FAIL database %s still on the cluster at the end" % name)
        zektest.drop_db(zektest.pg_url(name))
    return left

if __name__ == "__main__":
    sys.exit(main())
