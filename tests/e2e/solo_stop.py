"""Stopping `zek serve` (SIGTERM) while clients keep asking: what a
rolling restart behind a proxy relies on (docs/operations.md, "Stop").

On SIGTERM the listening socket closes at once (a new connection is
refused, so a proxy tries the next process), requests under way are
answered completely, and the process exits with 0 and a clean log. A
stop under load once aborted the process inside libmicrohttpd (a race
between quiescing the daemon and its epoll threads); the rounds below
stop servers that are busy with new and keep-alive connections."""

import http.client
import os
import shutil
import signal
import socket
import tempfile
import threading
import time

from zektest import LOGIN, Server

SQLITE_ONLY = "stopping is the HTTP layer's, the same on either database"

ROUNDS = 8                  # servers stopped under load
CLIENTS = 6                 # threads asking meanwhile
STATE = {}


def shared_db():
    """One demo database for every round (made by the first server)."""
    if "db" not in STATE:
        STATE["dir"] = tempfile.mkdtemp(prefix="zek-stop-")
        STATE["db"] = os.path.join(STATE["dir"], "zek.db")
    return STATE["db"]


def sanitizer_lines(log):
    return [line for line in log.splitlines() if "AddressSanitizer" in line
            or "runtime error:" in line or "LeakSanitizer" in line or "Fatal error" in line]


def ask(port, keep_alive, outcomes, lock, stop):
    """GETs the sign-in page until `stop`; records each outcome: 'ok' (a
    complete 200), 'refused' (no connection), 'closed' (the connection
    ended before any byte of an answer: a client retries that; a
    connection still in the listening socket's queue is reset when the
    socket closes), or what went wrong otherwise."""
    conn = None
    while not stop.is_set():
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.connect()
            conn.request("GET", LOGIN)
        except ConnectionRefusedError:
            outcome, conn = "refused", None
            time.sleep(0.01)
        except (ConnectionError, BrokenPipeError):
            outcome, conn = "closed", None
        else:
            try:
                r = conn.getresponse()
            except ConnectionError:     # RemoteDisconnected too: nothing had come
                outcome = "closed"
            else:
                outcome = read_answer(r)
            if outcome != "ok" or not keep_alive:
                conn.close()
                conn = None
        with lock:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if conn is not None:
        conn.close()


def read_answer(r):
    try:
        body = r.read()
    except (http.client.IncompleteRead, ConnectionError) as e:
        return "cut short: %r" % e
    if r.status != 200 or len(body) != int(r.getheader("Content-Length")):
        return "bad answer %d, %d bytes" % (r.status, len(body))
    return "ok"


def connect_refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        return False
    except ConnectionRefusedError:
        return True


def test_stops_under_load_end_cleanly(c, binary):
    for rnd in range(ROUNDS):
        server = Server(binary, db=shared_db())
        outcomes, lock, stop = {}, threading.Lock(), threading.Event()
        threads = [threading.Thread(target=ask, args=(server.port, n % 2 == 0, outcomes,
                                                      lock, stop)) for n in range(CLIENTS)]
        for t in threads:
            t.start()
        time.sleep(0.3 + 0.1 * rnd)
        server.proc.send_signal(signal.SIGTERM)
        try:
            exited = server.proc.wait(30)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        rc, log = server.stop()
        assert exited == 0 and rc == 0, (rnd, rc, log[-3000:])
        assert not sanitizer_lines(log), (rnd, sanitizer_lines(log)[:5])
        assert "stopping" in log and "requests unfinished" not in log, (rnd, log[-2000:])
        wrong = {k: v for k, v in outcomes.items() if k not in ("ok", "refused", "closed")}
        assert not wrong, (rnd, outcomes)
        assert outcomes.get("ok", 0) > 0, (rnd, outcomes)
        assert connect_refused(server.port), rnd


def test_a_request_under_way_is_answered_while_new_ones_are_refused(c, binary):
    server = Server(binary, db=shared_db())
    body = b"email=anna%40example.org&password=falsch&csrf=x"
    s = socket.create_connection(("127.0.0.1", server.port), 5)
    try:
        # The request has begun (headers and half its body) when the stop comes.
        s.sendall(b"POST " + LOGIN.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
                  + body[:10])
        time.sleep(0.3)
        server.proc.send_signal(signal.SIGTERM)
        deadline = time.time() + 5
        while not connect_refused(server.port):
            assert time.time() < deadline, "still accepting connections after the stop"
            time.sleep(0.05)
        assert server.proc.poll() is None, "exited with a request under way"
        s.sendall(body[10:])
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        s.close()
    head, _, page = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 "), answer[:200]
    length = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
              if line.lower().startswith(b"content-length:")]
    assert length and len(page) == length[0], (head, len(page))
    assert b"</html>" in page, page[-200:]
    assert server.proc.wait(30) == 0
    rc, log = server.stop()
    assert rc == 0 and not sanitizer_lines(log), (rc, log[-3000:])
    assert "requests unfinished" not in log, log[-2000:]
    shutil.rmtree(STATE["dir"], ignore_errors=True)
