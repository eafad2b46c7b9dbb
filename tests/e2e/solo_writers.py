"""Requests that may write run in writer threads of their own
(src/http/writers.h): a write waiting for the database's write lock must
not hold up the reads that the same libmicrohttpd worker serves.

The lock is held from outside, by a second SQLite connection, as another
`zek` process (a CLI command, a backup) may hold it; the server runs with
one worker, so without writer threads every read would wait behind the
write."""

import contextlib
import json
import signal
import sqlite3
import threading
import time

from zektest import LOGIN, PORTAL, Client, Server, api_token, db_one

SQLITE_ONLY = "the write lock held from outside is SQLite's; the threads are the HTTP layer's"

API = "/rest/servicedeskapi/request"
HOLD_SECONDS = 2.0          # the lock held from outside
READ_LIMIT = 0.8            # a read must not wait for the write


def hold_write_lock(db):
    """A connection of our own that holds SQLite's write lock until its
    ROLLBACK; zek's writers wait for it in their busy handler."""
    conn = sqlite3.connect(db, isolation_level=None, timeout=10)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def create(server, token, summary, answers, lock):
    h = {"Authorization": "Bearer " + token, "Accept": "application/json",
         "Content-Type": "application/json"}
    body = json.dumps({"serviceDeskId": "1", "requestTypeId": 4, "requestFieldValues": {
        "summary": summary, "description": "Geschrieben, während die Sperre gehalten wird."}})
    r = Client(server).request("POST", API, body.encode(), h)
    with lock:
        answers.append((summary, r.status, r.text[:300]))


def start_creates(server, token, n, prefix):
    answers, lock = [], threading.Lock()
    threads = [threading.Thread(target=create, args=(server, token, "%s %d" % (prefix, i),
                                                     answers, lock)) for i in range(n)]
    for t in threads:
        t.start()
    return threads, answers


def signed_in(server):
    c = Client(server)
    c.login("anna@example.org")
    return c, api_token(c, "writers")


def count(db, prefix):
    return db_one(db, "SELECT count(*) FROM requests WHERE title LIKE ?", (prefix + " %",))


@contextlib.contextmanager
def creates_behind_the_lock(server, n, prefix):
    """Signs in, holds the write lock and sends n creates, which then wait
    for it; yields the signed-in client and the list the answers go to.
    The lock is let go when the block ends, and the creates waited for."""
    client, token = signed_in(server)
    holder = hold_write_lock(server.db)
    threads, answers = [], []
    try:
        threads, answers = start_creates(server, token, n, prefix)
        time.sleep(0.3)         # the creates now wait for the lock
        yield client, answers
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        for t in threads:
            t.join(30)


def clean(log):
    return "runtime error" not in log and "AddressSanitizer" not in log


def test_reads_are_answered_while_a_write_waits_for_the_lock(c, binary):
    server = Server(binary, threads=1)
    try:
        with creates_behind_the_lock(server, 2, "Wartend") as (anna, answers):
            waits = []
            while len(waits) < 6:
                for path, who in ((LOGIN, Client(server)), (PORTAL, anna)):
                    t0 = time.monotonic()
                    r = who.get(path)
                    waits.append(time.monotonic() - t0)
                    assert r.status == 200, (path, r.status)
            assert not answers, "a create was answered while the lock was held: %r" % answers
            assert max(waits) < READ_LIMIT, "reads waited behind the write: %r" % waits
            time.sleep(max(0, HOLD_SECONDS - sum(waits) - 0.3))
        assert sorted(a[1] for a in answers) == [201, 201], answers
        assert count(server.db, "Wartend") == 2
    finally:
        rc, log = server.stop()
    assert rc == 0 and clean(log), log[-2000:]


def test_a_stop_answers_the_writes_still_waiting(c, binary):
    server = Server(binary, threads=1)
    try:
        with creates_behind_the_lock(server, 4, "Beim Anhalten") as (_, answers):
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.5)
            assert server.proc.poll() is None, "exited with writes waiting"
            assert not answers, answers
        assert server.proc.wait(30) == 0
        assert sorted(a[1] for a in answers) == [201] * 4, answers
        assert count(server.db, "Beim Anhalten") == 4
    finally:
        rc, log = server.stop()
    assert rc == 0 and clean(log), log[-3000:]
    assert "requests unfinished" not in log, log[-2000:]
