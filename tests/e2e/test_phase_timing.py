"""Where an answer's time went (issue 22): with phase_timing on, every
answer from a request's scope carries a Server-Timing header with the
wait for a writer thread (a request that may write), the write lock
wait, the statements, the commit, the wait for the disk (for a write on
SQLite) and the total; off (the default) no answer has one."""

import json
import re

from zektest import BACKEND, Client, Server, api_token

API = "/rest/servicedeskapi/request"
FIELDS = {"lock", "sql", "commit", "sync", "total"}


def timings(r):
    """The Server-Timing entries as {name: milliseconds}, or None."""
    v = r.header("Server-Timing")
    if v is None:
        return None
    out = {}
    for part in v.split(","):
        m = re.fullmatch(r"\s*([a-z]+);dur=([0-9]+\.[0-9]{3})\s*", part)
        assert m, v
        out[m.group(1)] = float(m.group(2))
    return out


def create(c, token, summary):
    body = json.dumps({"serviceDeskId": "1", "requestTypeId": "4",
                       "requestFieldValues": {"summary": summary,
                                              "description": "Zeitmessung"}}).encode()
    c.cookies = {}
    return c.request("POST", API, body, {"Authorization": "Bearer " + token,
                                         "Content-Type": "application/json",
                                         "Accept": "application/json"})


def test_no_server_timing_by_default(c, server):
    c.login("anna@example.org")
    token = api_token(c)
    r = create(Client(server), token, "Ohne Zeitmessung")
    assert r.status == 201, (r.status, r.text[:300])
    assert r.header("Server-Timing") is None
    assert c.get("/servicedesk/customer/portals").header("Server-Timing") is None


def test_phase_timing_says_where_the_time_went(c, binary):
    server = Server(binary, extra_env={"ZEK_PHASE_TIMING": "on"})
    try:
        c = Client(server)
        c.login("anna@example.org")
        token = api_token(c)
        r = create(Client(server), token, "Mit Zeitmessung")
        assert r.status == 201, (r.status, r.text[:300])
        t = timings(r)
        # A write waits for the disk on SQLite; on PostgreSQL its commit
        # is durable when it returns, so there is no separate wait.
        want = FIELDS | {"queue"} if BACKEND != "pg" else (FIELDS - {"sync"}) | {"queue"}
        assert set(t) == want, t
        assert t["sql"] > 0 and t["commit"] > 0, t
        assert t["total"] >= (t["queue"] + t["sql"] + t["lock"] + t["commit"]
                              + t.get("sync", 0) - 0.01), t
        # A page that only reads: its statements, no wait for the disk.
        p = c.get("/servicedesk/customer/portals")
        assert p.status == 200
        t = timings(p)
        assert set(t) == {"lock", "sql", "commit", "total"}, t
        assert t["lock"] == 0 and t["sql"] > 0, t
    finally:
        rc, log = server.stop()
    assert rc in (0, -15), log[-3000:]
