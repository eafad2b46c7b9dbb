"""End-to-end tests of zek under systemd's eyes (issue 20): READY=1 when it
listens, and with WatchdogSec= a WATCHDOG=1 every half period, sent only
after the server answered its own probe. systemd is played by a datagram
socket in NOTIFY_SOCKET, as sd_notify(3) describes."""

import os
import signal
import socket
import tempfile
import time

from zektest import Server


def notify_socket():
    path = os.path.join(tempfile.mkdtemp(prefix="zek-notify-"), "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.2)
    return s, path


def messages(s, seconds):
    """Every datagram received within `seconds`, with the time it came."""
    out, end = [], time.time() + seconds
    while time.time() < end:
        try:
            out.append((time.time(), s.recv(4096).decode()))
        except socket.timeout:
            pass
    return out


def test_watchdog_pings_while_the_server_answers(c, binary):
    s, path = notify_socket()
    server = Server(binary, extra_env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "1000000"})
    try:
        got = messages(s, 3.0)
        texts = [m for _, m in got]
        assert "READY=1" in texts, texts
        pings = [t for t, m in got if "WATCHDOG=1" in m]
        # Every half period (0.5 s), a little late under load; never early.
        assert len(pings) >= 3, texts
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        assert min(gaps) > 0.3, gaps
        assert "systemd watchdog on" in server.read_log()
        # A server that cannot answer gets no ping: stopped, it is silent,
        # and systemd would restart it.
        os.kill(server.proc.pid, signal.SIGSTOP)
        try:
            assert not [m for _, m in messages(s, 1.5) if "WATCHDOG=1" in m]
        finally:
            os.kill(server.proc.pid, signal.SIGCONT)
        assert [m for _, m in messages(s, 2.0) if "WATCHDOG=1" in m]
    finally:
        server.stop()
        s.close()


def test_no_pings_without_a_watchdog(c, binary):
    s, path = notify_socket()
    server = Server(binary, extra_env={"NOTIFY_SOCKET": path})
    try:
        texts = [m for _, m in messages(s, 1.5)]
        assert "READY=1" in texts, texts
        assert not [m for m in texts if "WATCHDOG" in m], texts
    finally:
        server.stop()
        s.close()
