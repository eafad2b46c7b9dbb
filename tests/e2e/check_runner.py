#!/usr/bin/env python3
"""Checks run.py itself: a test that forgets its server fails the run and the
server is stopped, and a server that never starts listening is stopped by
Server() before it raises. With ZEK_TEST_PG (a PostgreSQL cluster, see
zektest.py) also: on pg, a test database left behind fails the run and is
dropped, a SQLite-only test is skipped and says so, and the servers get
databases of their own. usage: check_runner.py PATH/TO/zek
Prints 'N passed, N failed' last."""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# Test modules for run.py: one forgets a server, one starts a "zek" that
# never listens (it writes its pid and sleeps).
FORGETS = '''
from zektest import Server


def test_forgets_its_server(c, binary):
    Server(binary)
'''
NEVER_LISTENS = '''
import os
import zektest


def test_a_server_that_never_listens_is_stopped(c):
    zektest.Server.START_SECONDS = 1
    try:
        zektest.Server(os.environ["FAKE_ZEK"])
    except RuntimeError as e:
        assert "did not start" in str(e), e
    else:
        raise AssertionError("Server() returned for a server that never listens")
'''
FAKE_ZEK = '''#!/bin/sh
echo $$ > "$FAKE_PIDFILE"
exec sleep 600
'''
# On pg: this zek may not speak PostgreSQL, so a stand-in listens instead.
PG_PROBE = '''
import zektest


def test_the_server_has_a_database_of_its_own(c, server):
    assert zektest.pg_name(server.db) in zektest.e2e_databases(), server.db


def test_sqlite_only(c):
    zektest.sqlite_only("a probe")


def test_forgets_a_database(c):
    zektest.new_db()
'''
LISTENING_ZEK = '''#!/usr/bin/env python3
import signal, socket, sys
host, port = sys.argv[sys.argv.index("--listen") + 1].rsplit(":", 1)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, int(port)))
s.listen()
while True:
    s.accept()[0].close()
'''


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie of ours would still answer; run.py has ended, so it is gone
    return True


def run(binary, module, env, pid=None):
    """run.py's exit code and output; pid (a list) gets its process id."""
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "run.py"), binary, module],
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if pid is not None:
        pid.append(p.pid)
    try:
        out, _ = p.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return p.returncode, out


def check_pg(tmp, env):
    """A database left behind fails the run and is dropped; a SQLite-only
    test is skipped with its reason."""
    with open(os.path.join(tmp, "probe_pg.py"), "w") as f:
        f.write(PG_PROBE)
    zek = os.path.join(tmp, "listening-zek")
    with open(zek, "w") as f:
        f.write(LISTENING_ZEK)
    os.chmod(zek, 0o755)
    sys.path.insert(0, HERE)
    import zektest
    pid = []
    rc, out = run(zek, "probe_pg", dict(env, ZEK_E2E_BACKEND="pg"), pid)
    # Only the probe's databases: other PostgreSQL tests may be running
    # beside this one, with databases of their own.
    probe = "%s%d_" % (zektest.PG_PREFIX, pid[0])
    left = {n for n in zektest.e2e_databases() if n.startswith(probe)}
    own = [ln for ln in out.splitlines() if "still on the cluster at the end" in ln]
    if (rc == 1 and "2 passed, 1 failed, 1 skipped" in out and not left and len(own) == 1
            and "skip probe_pg.test_sqlite_only on pg: SQLite only: a probe" in out):
        print("ok   on pg, a database left behind fails the run and is dropped")
        return True
    for name in left:
        zektest.drop_db(zektest.pg_url(name))
    print("FAIL on pg, a database left behind fails the run and is dropped (rc %d, left %s)\n%s"
          % (rc, sorted(left), out))
    return False


def main():
    binary = sys.argv[1]
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="zek-e2e-check-") as tmp:
        for name, text in (("probe_forgets", FORGETS), ("probe_never_listens", NEVER_LISTENS)):
            with open(os.path.join(tmp, name + ".py"), "w") as f:
                f.write(text)
        fake, pidfile = os.path.join(tmp, "fake-zek"), os.path.join(tmp, "fake.pid")
        with open(fake, "w") as f:
            f.write(FAKE_ZEK)
        os.chmod(fake, 0o755)
        env = dict(os.environ, PYTHONPATH=tmp, FAKE_ZEK=fake, FAKE_PIDFILE=pidfile,
                   ZEK_E2E_BACKEND="sqlite")

        rc, out = run(binary, "probe_forgets", env)
        lines = [ln for ln in out.splitlines() if "still running at the end" in ln]
        pids = [int(ln.split("pid ")[1].split(",")[0]) for ln in lines]
        if rc == 1 and len(pids) == 1 and "1 passed, 1 failed" in out and not alive(pids[0]):
            passed += 1
            print("ok   a forgotten server fails the run and is stopped")
        else:
            failed += 1
            print("FAIL a forgotten server fails the run and is stopped (rc %d)\n%s" % (rc, out))

        rc, out = run(binary, "probe_never_listens", env)
        pid = int(open(pidfile).read()) if os.path.exists(pidfile) else None
        if rc == 0 and pid is not None and not alive(pid) and "1 passed, 0 failed" in out:
            passed += 1
            print("ok   a server that never listens is stopped")
        else:
            failed += 1
            if pid is not None and alive(pid):
                os.kill(pid, 9)
            print("FAIL a server that never listens is stopped (rc %d, pid %s)\n%s" % (rc, pid, out))

        if os.environ.get("ZEK_TEST_PG"):
            ok = check_pg(tmp, env)
            passed += ok
            failed += not ok
        else:
            print("skip the PostgreSQL checks: ZEK_TEST_PG is not set")
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
