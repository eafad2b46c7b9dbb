#!/usr/bin/env python3
"""Checks run.py itself: a test that forgets its server fails the run and the
server is stopped, and a server that never starts listening is stopped by
Server() before it raises. usage: check_runner.py PATH/TO/zek
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


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie of ours would still answer; run.py has ended, so it is gone
    return True


def run(binary, module, env):
    p = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), binary, module],
                       env=env, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


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
        env = dict(os.environ, PYTHONPATH=tmp, FAKE_ZEK=fake, FAKE_PIDFILE=pidfile)

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
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
