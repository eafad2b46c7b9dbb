"""End-to-end tests of the logs (issue 20): every answer names its request
id (X-Request-Id), and the access log line and the event lines written
while the request was handled carry the same id; a client's X-Request-Id
is believed from a trusted proxy only; log_format = json writes one JSON
object a line; under the journal each line starts with its syslog
priority, so that journalctl -p works."""

import json
import os
import re
import subprocess
import tempfile
import shutil
import urllib.parse

from zektest import LOGIN, ROOT, Client, Server, log_with

ID = re.compile(r"^[0-9a-f]{16}$")
TYPED = "geheim-im-falschen-feld"


def failed_sign_in(c, headers=None):
    """A sign-in with a wrong password (typed, by mistake, where the
    address belongs too): the answer."""
    body = urllib.parse.urlencode([("email", TYPED + "@example.org"), ("password", TYPED),
                                   ("csrf", c.csrf(LOGIN))]).encode()
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    h.update(headers or {})
    r = c.request("POST", LOGIN, body, h)
    assert r.status == 200 and "falsch" in r.text, r.status
    return r


def test_the_id_is_in_the_answer_the_access_line_and_the_event_line(c, server):
    r = failed_sign_in(c)
    rid = r.header("X-Request-Id")
    assert rid and ID.match(rid), rid
    access = "%s 127.0.0.1 POST %s 200 " % (rid, LOGIN)
    log = log_with(server, access)
    assert access in log, log[-2000:]
    # The event the handler logged carries the same id, and not what
    # was typed.
    assert "%s info web: sign-in failed client=127.0.0.1\n" % rid in log, log[-2000:]
    assert TYPED not in log
    # Every answer has an id of its own, errors included.
    other = c.get("/gibt/es/nicht")
    assert other.status == 404 and ID.match(other.header("X-Request-Id"))
    assert other.header("X-Request-Id") != rid


def test_a_sent_id_counts_only_from_a_trusted_proxy(c, server, binary):
    # Anybody else's is ignored: the id is for the operator's logs.
    r = c.get("/probe/request-id", headers={"X-Request-Id": "edge-4711"})
    assert ID.match(r.header("X-Request-Id")), r.header("X-Request-Id")
    proxied = Server(binary, demo=False, extra_env={"ZEK_TRUSTED_PROXIES": "127.0.0.1"})
    try:
        p = Client(proxied)
        r = failed_sign_in(p, {"X-Request-Id": "edge-4711.a:b_c"})
        assert r.header("X-Request-Id") == "edge-4711.a:b_c"
        log = log_with(proxied, "edge-4711.a:b_c info web: sign-in failed")
        assert "edge-4711.a:b_c info web: sign-in failed" in log, log[-2000:]
        assert "edge-4711.a:b_c 127.0.0.1 POST %s 200 " % LOGIN in log_with(
            proxied, "edge-4711.a:b_c 127.0.0.1 POST")
        # Apache's mod_unique_id writes [A-Za-z0-9@-]: taken as it is.
        r = p.get("/probe/unique-id", headers={"X-Request-Id": "VAYyin8AAAEAAAKa@DMAAAAB"})
        assert r.header("X-Request-Id") == "VAYyin8AAAEAAAKa@DMAAAAB"
        assert "VAYyin8AAAEAAAKa@DMAAAAB 127.0.0.1 GET /probe/unique-id 404 " in log_with(
            proxied, "VAYyin8AAAEAAAKa@DMAAAAB 127.0.0.1 GET")
        # One that could split or forge a line or a header, or too long:
        # replaced.
        for bad in ("a b", "a\"b", "a'b", "a\\b", "x" * 65, "ä"):
            r = p.get("/probe/bad-id", headers={"X-Request-Id": bad})
            assert ID.match(r.header("X-Request-Id")), (bad, r.header("X-Request-Id"))
    finally:
        rc, log = proxied.stop()
    assert rc in (0, -15), log[-2000:]


def test_json_lines(c, binary):
    server = Server(binary, demo=False, extra_env={"ZEK_LOG_FORMAT": "json"})
    try:
        p = Client(server)
        rid = failed_sign_in(p).header("X-Request-Id")
        # A path with a line break and a terminal escape in it.
        assert p.get("/log%0Aforged%1b%5b31m").status == 400
        log_with(server, '"path":"/log\\nforged')
    finally:
        rc, log = server.stop()
    assert rc in (0, -15), log[-2000:]
    lines = [json.loads(line) for line in log.splitlines()]    # each one JSON
    keys = {"time", "level", "component", "msg", "request_id", "fields"}
    assert all(keys <= set(j) for j in lines), lines[:3]
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", j["time"]) for j in lines)
    mine = [j for j in lines if j["request_id"] == rid]
    assert [(j["component"], j["msg"]) for j in mine] == [
        ("web", "sign-in failed"), ("access", "request")], mine
    access = mine[1]["fields"]
    assert access["method"] == "POST" and access["path"] == LOGIN and access["status"] == 200
    assert access["client"] == "127.0.0.1" and access["duration_us"] >= 0
    forged = [j for j in lines if j["msg"] == "request" and "forged" in j["fields"]["path"]]
    assert [j["fields"]["path"] for j in forged] == ["/log\nforged\x1b[31m"], forged
    assert "\x1b" not in log
    # Lines without a request: null; the start names where it listens.
    assert any(j["msg"] == "listening" and j["request_id"] is None and
               j["fields"]["url"].startswith("http://127.0.0.1:") for j in lines)


def test_priority_prefix_for_the_journal(c, binary):
    """systemd names the stream it connected to standard error in
    JOURNAL_STREAM (device:inode); zek then starts each line with the
    syslog priority (<3> error, <6> info), which the journal reads."""
    d = tempfile.mkdtemp(prefix="zek-journal-")
    try:
        def run(journal):
            path = os.path.join(d, "err-%s.log" % journal)
            with open(path, "wb") as err:
                st = os.fstat(err.fileno())
                env = dict(os.environ)
                env.pop("JOURNAL_STREAM", None)
                if journal:
                    env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
                r = subprocess.run([binary, "serve", "--listen", "kein-host", "--root", ROOT,
                                    "--db", os.path.join(d, "z-%s.db" % journal)],
                                   stdout=subprocess.DEVNULL, stderr=err, env=env, timeout=60)
            assert r.returncode != 0
            with open(path, encoding="utf-8") as f:
                return f.read()
        said = run(True)
        assert re.search(r"^<3>- error http: cannot use the listen address .*"
                         r"listen=kein-host$", said, re.M), said
        assert re.search(r"^<6>- info serve: links in e-mails point", said, re.M), said
        plain = run(False)
        assert re.search(r"^- error http: cannot use the listen address", plain, re.M), plain
        assert "<3>" not in plain and "<6>" not in plain
    finally:
        shutil.rmtree(d, ignore_errors=True)
