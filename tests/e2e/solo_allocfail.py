"""Allocation failure sweep (issue 7): every kind of request is sent with
the test hook "X-Zek-Fail-After: n" (sanitizer builds only), which makes
the request's n-th allocation (arena, buffers, search strings) and all
after it fail, for n = 1, 2, ... until the request no longer reaches the
n-th allocation. At every step the answer must be complete: a clean
500/503 (an HTML error page, or a JSM JSON error under /rest/ and for the
JSON pages) or the normal answer; the server must serve a normal request
right after; and a mutating request must have changed nothing in the
database unless it answered success. After the sweep run.py stops the
server and fails on any sanitizer or leak report in its log; this module
also fails on statements or transactions a request left open. jansson's
allocations count with the others; a second sweep fails single jansson
allocations ("X-Zek-Json-Fail-At: n") while a page or API answer is
built: never a 200 with a part missing.

Each kind first runs once with a huge n to learn how many allocations it
makes (the X-Zek-Allocs answer header). Up to FULL allocations every n is
tried; above that a stride keeps each kind within STRIDE_STEPS more steps
(the output says which kinds were sampled). ZEK_ALLOCFAIL_FULL and
ZEK_ALLOCFAIL_STRIDE_STEPS override both; ZEK_ALLOCFAIL_ONLY=name,...
runs only those kinds (names as printed)."""

import json
import os
import re
import sqlite3
import time
import urllib.parse
import uuid

import zektest
from zektest import Client, LOGIN, PORTAL, assert_html_ok, created_key, png, type_links, unescape

# run.py skips the module on PostgreSQL (ZEK_E2E_BACKEND=pg) and says why:
SQLITE_ONLY = ("a snapshot of every table after each of thousands of steps (a psql run each on "
               "PostgreSQL: far too slow for make test); the allocations it fails are the same "
               "code on both backends but for the few row copies in pg.c")

HOOK = "X-Zek-Fail-After"
BIG = 1000000000
FULL = int(os.environ.get("ZEK_ALLOCFAIL_FULL", "300"))
STRIDE_STEPS = int(os.environ.get("ZEK_ALLOCFAIL_STRIDE_STEPS", "40"))
ONLY = [k for k in os.environ.get("ZEK_ALLOCFAIL_ONLY", "").split(",") if k]

LIST = "/servicedesk/customer/user/requests"
PROFILE = "/servicedesk/customer/user/profile"
AGENT_REQ = "/servicedesk/agent/requests/"
SD = "/rest/servicedeskapi"
ANNA, AGENT = "anna@example.org", "support@example.org"
ERROR_TITLES = ("Technischer Fehler", "Interner Fehler", "Dienst nicht verfügbar")

# Tables whose content a failed request must leave alone, with the columns
# that only requests change (the mail worker counts attempts, API calls
# note when a token was last used, page views extend sessions).
SNAPSHOT_COLUMNS = {
    "outbox": "id, event, request_id, recipient_id, to_addr, message_id",
    "api_tokens": "id, user_id, name, token_hash, expires_at",
    "attachments": "id, request_id, uploader_id, temp_token, filename, mime, size",
    "sessions": "token_hash, user_id",
}
SNAPSHOT_SKIP = {"login_failures"}


# --- helpers -----------------------------------------------------------------

def token_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def snapshot(db):
    """Everything requests may store, read through a read-only connection."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=30)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'request_search%' ORDER BY name")]
        out = {}
        for t in tables:
            if t in SNAPSHOT_SKIP:
                continue
            cols = SNAPSHOT_COLUMNS.get(t, "*")
            out[t] = con.execute("SELECT %s FROM %s ORDER BY 1" % (cols, t)).fetchall()
        return out
    finally:
        con.close()


def diff(a, b):
    """Tables that differ, with the counts: for messages."""
    return {t: (len(a.get(t, [])), len(b.get(t, []))) for t in set(a) | set(b)
            if a.get(t) != b.get(t)}


def multipart(fields, files=()):
    boundary = "----zekAllocFail" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        if isinstance(value, str):
            value = value.encode()
        parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" +
                     name.encode() + b"\"\r\n\r\n" + value + b"\r\n")
    for name, filename, data, ctype in files:
        parts.append(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" +
                     name.encode() + b"\"; filename=\"" + filename.encode() + b"\"\r\n" +
                     b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + data + b"\r\n")
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    return body, "multipart/form-data; boundary=" + boundary


def urlencoded(fields):
    return urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded"


class Kind:
    """One kind of request: how to send it and what its success looks like.
    body: None or (bytes, content type); ok: status of the normal answer;
    answer: 'html', 'fragment' (HTML without a page around it), 'json' (a
    JSON page of the portal), 'api' (JSM) or 'other'; mutating: a failure must leave the database as it was."""

    def __init__(self, name, client, method, path, body=None, ok=200, answer="html",
                 mutating=False, headers=None, check=None):
        self.name, self.client, self.method, self.path = name, client, method, path
        self.body, self.ok, self.answer, self.mutating = body, ok, answer, mutating
        self.headers, self.check = headers or {}, check

    def prepare(self):
        """Makes what the next send needs (before the snapshot); True when
        that changed the database."""
        return False

    def send(self, n):
        self.prepare()
        h = dict(self.headers)
        h[HOOK] = str(n)
        data = None
        if self.body is not None:
            data, ctype = self.body
            h["Content-Type"] = ctype
        client = self.client() if callable(self.client) else self.client
        return client.request(self.method, self.path, data, h)


def assert_clean_error(kind, n, r):
    what = "%s n=%d" % (kind.name, n)
    assert r.status in (500, 503), (what, r.status, r.text[:800])
    ctype = r.header("Content-Type") or ""
    assert r.header("Set-Cookie") is None, (what, "a failed request sets a cookie")
    if kind.answer in ("api", "json"):
        assert ctype.startswith("application/json"), (what, ctype, r.text[:300])
        body = json.loads(r.text)
        assert isinstance(body["errorMessage"], str) and body["errorMessage"], (what, body)
        if kind.answer == "api":
            assert body["errorMessages"] == [body["errorMessage"]], (what, body)
            assert set(body["i18nErrorMessage"]) == {"i18nKey", "parameters"}, (what, body)
        return
    assert ctype.startswith("text/html"), (what, ctype, r.text[:300])
    assert_html_ok(r.text, what)        # a fragment's errors are whole pages
    page = unescape(r.text)
    assert any(t in page for t in ERROR_TITLES), (what, page[:800])


def assert_normal(kind, n, r):
    what = "%s n=%d" % (kind.name, n)
    assert r.status == kind.ok, (what, r.status, r.text[:1500])
    ctype = r.header("Content-Type") or ""
    if kind.answer in ("html", "fragment") and kind.ok == 200:
        assert ctype.startswith("text/html"), (what, ctype)
    if kind.answer == "html" and kind.ok == 200:
        assert ctype.startswith("text/html"), (what, ctype)
        assert_html_ok(r.text, what)
    if kind.answer in ("api", "json") and kind.ok not in (204,):
        assert ctype.startswith("application/json"), (what, ctype)
        json.loads(r.text)
    if kind.check:
        kind.check(r)


def normalised(kind, r):
    text = r.body.decode("utf-8", "replace")
    if kind.answer == "html":
        text = re.sub(r'name="csrf" value="[^"]*"', 'name="csrf"', text)
        # The profile page shows the time now, to the minute: a run that
        # crosses a minute would differ from its probe.
        text = re.sub(r'<time id="s-now">[^<]*</time>', '<time id="s-now"></time>', text)
    return text


def assert_same(kind, n, probe, r):
    a, b = normalised(kind, probe), normalised(kind, r)
    if a == b:
        return
    i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    raise AssertionError("%s n=%d: a success that differs from the normal answer at %d:\n"
                         "normal: %r\ngot:    %r" % (kind.name, n, i, a[max(0, i - 150):i + 150],
                                                    b[max(0, i - 150):i + 150]))


def plan(total):
    """The n to try: every one up to FULL, then a stride to the total, and
    total + 1 (past the request's needs)."""
    if total <= FULL:
        return list(range(1, total + 2)), False
    steps = list(range(1, FULL + 1))
    stride = max(1, -(-(total - FULL) // STRIDE_STEPS))
    steps += list(range(FULL + stride, total + 1, stride))
    if steps[-1] != total:
        steps.append(total)
    return steps + [total + 1], True


STATS = []          # (name, allocations, steps, sampled, seconds)


def sweep(server, ping, kind):
    """Sends kind at every n of its plan; returns the last (normal) answer."""
    t0 = time.time()
    probe = kind.send(BIG)
    assert_normal(kind, BIG, probe)
    total = int(probe.header("X-Zek-Allocs"))
    assert probe.header("X-Zek-Fault") == "none", (kind.name, "the probe hit a failure")
    # The probe changed the data of a mutating kind: the caller gave a
    # kind that can run twice (a fresh target each time) or none at all.
    if os.environ.get("ZEK_ALLOCFAIL_MEASURE"):
        print("  %-28s %5d allocations" % (kind.name, total), flush=True)
        return probe
    steps, sampled = plan(total)
    last = None
    done = 0
    before = None
    hits = 0
    for n in steps_then_more(steps, total):
        done += 1
        # A failed step changes nothing, so one snapshot serves them all.
        if kind.prepare() or before is None:
            before = snapshot(server.db) if kind.mutating else {}
        r = kind.send(n)
        fault = r.header("X-Zek-Fault")
        if r.status in (500, 503):
            assert_clean_error(kind, n, r)
            if kind.mutating:
                after = snapshot(server.db)
                assert after == before, (kind.name, n, "stored although it failed", diff(before, after))
            p = ping()
            assert p.status == 200, ("the server stopped serving after", kind.name, n, p.status)
            continue
        assert_normal(kind, n, r)
        if fault == "hit":
            # The request lived with a failed allocation: only an answer
            # that is exactly the normal one will do.
            if kind.mutating:
                raise AssertionError((kind.name, n, "answered success although an allocation "
                                      "failed", r.status))
            assert_same(kind, n, probe, r)
            hits += 1
            continue
        assert fault == "none", (kind.name, n, fault)
        last = r
        break
    assert last is not None, (kind.name, "never succeeded")
    STATS.append((kind.name, total, done, sampled, time.time() - t0))
    print("  %-28s %5d allocations, %4d steps%s%s, %.1fs" % (
        kind.name, total, done, " (sampled above %d)" % FULL if sampled else "",
        ", %d survived a failure" % hits if hits else "", time.time() - t0), flush=True)
    return last


def steps_then_more(steps, total):
    """The planned steps, then one by one: a request may need a few more
    allocations than the probe did (the probe's own data shows on the
    page), up to twice as many."""
    yield from steps
    yield from range(steps[-1] + 1, 2 * total + 10)


def run_kinds(server, ping, kinds):
    for k in kinds:
        if ONLY and k.name not in ONLY:
            continue
        sweep(server, ping, k)


def signed_in(server, email):
    c = Client(server)
    c.login(email)
    return c


def new_request(c, title, files=()):
    url = type_links(c)["Sonstige Frage"]
    r = c.post_multipart(url, [("summary", title), ("description", "Bitte *prüfen*."),
                               ("share", "private")], files)
    return created_key(r)


def api_token(c):
    return zektest.api_token(c, "allocfail")


class Fresh(Kind):
    """A mutating kind that needs a new target for each success (the probe
    and the final step): target() makes one and returns the path."""

    def __init__(self, name, target, *args, **kw):
        super().__init__(name, None, None, None, *args, **kw)
        self.target = target
        self.current = None

    def prepare(self):
        if self.current is not None:
            return False
        self.client, self.method, self.path, self.body = self.target()
        self.current = self.path
        return True

    def send(self, n):
        r = Kind.send(self, n)
        if 200 <= r.status < 400:
            self.current = None     # used up: the next send needs a new one
        return r


# --- the sweep ---------------------------------------------------------------

def test_every_kind_of_request_under_allocation_failure(c, server):
    anna = signed_in(server, ANNA)
    agent = signed_in(server, AGENT)

    pings = [0]

    def ping():
        """A normal request after a failed one: mostly a cheap one that
        still looks the session up in the database, every 16th a page."""
        pings[0] += 1
        if pings[0] % 16 == 0:
            r = anna.get(PORTAL)
            assert_html_ok(r.text, "portal after a failure")
            return r
        return anna.get("/healthz")

    links = type_links(anna)
    create_pages = {t: anna.get(u).text for t, u in links.items()}
    mandant = re.search(r'<select[^>]*name="mandant".*?<option value="(\d+)"', create_pages["Störungsmeldung"], re.S)
    csrf = token_of(anna.get(PORTAL).text)
    agent_csrf = token_of(agent.get(AGENT_REQ + "ZEK-1").text)
    token = api_token(anna)
    api_h = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    # Targets made once, before any hook.
    with_file = new_request(anna, "Allocfail: mit Anhang", [("attachment", "a.png", png(), "image/png")])
    req_page = anna.get(PORTAL + "/" + with_file).text
    attachment = re.search(r'href="(/servicedesk/customer/attachments/\d+)"', req_page).group(1)
    share_key = new_request(anna, "Allocfail: teilen")

    def fresh_request():
        return new_request(anna, "Allocfail: Ziel " + uuid.uuid4().hex[:6])

    def agent_post(key, action, fields):
        r = agent.post_form(AGENT_REQ + key + "/" + action, list(fields) + [("csrf", agent_csrf)],
                            csrf=False)
        assert r.status == 303, (action, r.status, r.text[:500])

    def assigned_request():
        key = fresh_request()
        agent_post(key, "assign", [("assignee", "me")])
        return key

    def solved_request():
        key = assigned_request()
        agent_post(key, "status", [("action", "start")])
        agent_post(key, "status", [("action", "propose_solution"), ("status_comment", "Gelöst.")])
        return key

    def fresh_login():
        who = Client(server)
        assert who.get(LOGIN).status == 200
        return (who, "POST", LOGIN, urlencoded([("email", ANNA), ("password", "demo"),
                                                 ("csrf", who.cookies["zek_csrf"])]))

    def form(fields):
        return urlencoded(list(fields) + [("csrf", csrf)])

    def create_fields(t):
        f = [("summary", "Allocfail " + t), ("description", "Text mit **fett**."), ("share", "private")]
        if t == "Anforderung Online-Dienst":
            f.append(("bundesland", "DE-HH"))
        if t == "Störungsmeldung":
            f += [("bundesland", "DE-BY"), ("zeitpunkt", "2026-11-20T09:30"),
                  ("fehler_url", "https://example.org/x"), ("umgebung", "produktion")]
        if mandant:
            f.append(("mandant", mandant.group(1)))
        return f

    kinds = [
        Kind("login page", lambda: Client(server), "GET", LOGIN),
        Fresh("login", fresh_login, ok=303, mutating=True),
        Kind("portal list", anna, "GET", "/servicedesk/customer/portals"),
        Kind("portal", anna, "GET", PORTAL),
        Kind("create form", anna, "GET", links["Störungsmeldung"]),
    ]
    for t, url in links.items():
        kinds.append(Kind("create %s (form)" % t[:12], anna, "POST", url, ok=303, mutating=True,
                          body=form(create_fields(t))))
        kinds.append(Kind("create %s (file)" % t[:12], anna, "POST", url, ok=303, mutating=True,
                          body=multipart(create_fields(t) + [("csrf", csrf)],
                                         [("attachment", "f.png", png(), "image/png")])))
    kinds += [
        Kind("request page", anna, "GET", PORTAL + "/" + with_file),
        Fresh("comment (file)", lambda: (anna, "POST", PORTAL + "/" + fresh_request() + "/comment",
                                         multipart([("comment", "Mehr **Text**"), ("csrf", csrf)],
                                                   [("attachment", "c.txt", b"Notiz\n", "text/plain")])),
              ok=303, mutating=True),
        Fresh("share", lambda: (anna, "POST", PORTAL + "/" + fresh_request() + "/participants",
                                form([("who", "ben@example.org")])), ok=303, mutating=True),
        Kind("withdraw form", anna, "GET", PORTAL + "/" + share_key + "/withdraw"),
        Fresh("withdraw", lambda: (anna, "POST", PORTAL + "/" + fresh_request() + "/withdraw",
                                   form([])), ok=303, mutating=True),
        Fresh("accept solution", lambda: (anna, "POST", PORTAL + "/" + solved_request() +
                                          "/solution/accept", form([("comment", "Danke")])),
              ok=303, mutating=True),
        Kind("Anfragen", anna, "GET", LIST + "?" + urllib.parse.urlencode(
            [("status", "all"), ("creator", "any"), ("type", links["Störungsmeldung"].rsplit("/", 1)[1]),
             ("q", "Wohngeld")])),
        Kind("profile page", anna, "GET", PROFILE),
        Kind("profile save", anna, "POST", PROFILE, ok=303, mutating=True,
             body=form([("name", "Anna Schmidt-Neu")])),
        Kind("token create", anna, "POST", PROFILE + "/tokens", mutating=True,
             body=form([("name", "allocfail 2"), ("expires", re.search(
                 r'id="t-expires"[^>]*value="([^"]*)"', anna.get(PROFILE).text).group(1))])),
        Kind("attachment", anna, "GET", attachment, answer="other"),
        Kind("agent queue", agent, "GET", "/servicedesk/agent/queues/unassigned"),
        Kind("agent request", agent, "GET", AGENT_REQ + with_file),
        Fresh("agent assign", lambda: (agent, "POST", AGENT_REQ + fresh_request() + "/assign",
                                       urlencoded([("assignee", "me"), ("csrf", agent_csrf)])),
              ok=303, mutating=True),
        Fresh("agent status", lambda: (agent, "POST", AGENT_REQ + assigned_request() + "/status",
                                       urlencoded([("action", "start"), ("csrf", agent_csrf)])),
              ok=303, mutating=True),
        Fresh("agent comment (file)", lambda: (
            agent, "POST", AGENT_REQ + fresh_request() + "/comment",
            multipart([("visibility", "public"), ("comment", "Antwort *hier*"), ("csrf", agent_csrf)],
                      [("attachment", "d.txt", b"Datei\n", "text/plain")])), ok=303, mutating=True),
        Kind("markdown preview", anna, "POST", "/servicedesk/customer/markdown-preview",
             body=form([("text", "**fett** <b>roh</b>\n\n| a | b |\n|---|---|\n| 1 | 2 |")]),
             answer="fragment", check=lambda r: "<strong>fett</strong>" in r.text or
             (_ for _ in ()).throw(AssertionError(r.text[:300]))),
        Kind("object search", anna, "GET", "/servicedesk/customer/objects?kind=online_dienst&q=wohn",
             answer="json"),
        Kind("api list", anna, "GET", SD + "/request?requestStatus=ALL_REQUESTS", answer="api",
             headers=api_h),
        Kind("api get", anna, "GET", SD + "/request/" + with_file + "?expand=participant,status,comment",
             answer="api", headers=api_h),
        Kind("api create", anna, "POST", SD + "/request", ok=201, answer="api", mutating=True,
             headers=api_h, body=(json.dumps({"serviceDeskId": "1", "requestTypeId": "4",
                                              "requestFieldValues": {"summary": "API allocfail",
                                                                     "description": "Über die *API*."}}
                                             ).encode(), "application/json")),
        Kind("api comment", anna, "POST", SD + "/request/" + share_key + "/comment", ok=201,
             answer="api", mutating=True, headers=api_h,
             body=(json.dumps({"body": "API-Kommentar", "public": True}).encode(), "application/json")),
        Kind("api attach temporary", anna, "POST", SD + "/servicedesk/1/attachTemporaryFile", ok=201,
             answer="api", mutating=True, headers=dict(api_h, **{"X-Atlassian-Token": "no-check"}),
             body=multipart([], [("file", "t.txt", b"Temp\n", "text/plain")])),
        Fresh("api transition", lambda: (anna, "POST", SD + "/request/" + fresh_request() + "/transition",
                                         (json.dumps({"id": "11"}).encode(), "application/json")),
              ok=204, answer="api", mutating=True, headers=api_h),
    ]
    t0 = time.time()
    run_kinds(server, ping, kinds)
    print("  %d kinds, %d steps in %.0fs" % (len(STATS), sum(s[2] for s in STATS), time.time() - t0))


def test_one_failed_jansson_allocation_never_gives_a_partial_page(c, server):
    """Page contexts are built with many jansson calls whose results are
    not checked one by one. Under memory pressure a single allocation may
    fail and the next succeed: "X-Zek-Json-Fail-At: N" fails the N-th
    jansson allocation of the answer, that one only. Every N must give a
    clean 500/503, never a 200 with a section missing (issue 13, item 10).
    The sweep above counts jansson's allocations too (X-Zek-Json-Allocs)."""
    anna = signed_in(server, ANNA)
    agent = signed_in(server, AGENT)
    token = api_token(anna)
    api_h = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    key = new_request(anna, "Allocfail: jansson")
    links = type_links(anna)
    kinds = [
        Kind("portal", anna, "GET", PORTAL),
        Kind("create form", anna, "GET", links["Störungsmeldung"]),
        Kind("request page", anna, "GET", PORTAL + "/" + key),
        Kind("Anfragen", anna, "GET", LIST + "?status=all"),
        Kind("profile page", anna, "GET", PROFILE),
        Kind("agent queue", agent, "GET", "/servicedesk/agent/queues/unassigned"),
        Kind("agent request", agent, "GET", AGENT_REQ + key),
        Kind("object search", anna, "GET", "/servicedesk/customer/objects?kind=online_dienst&q=wohn",
             answer="json"),
        Kind("api get", anna, "GET", SD + "/request/" + key + "?expand=participant,status,comment",
             answer="api", headers=api_h),
        Kind("api list", anna, "GET", SD + "/request", answer="api", headers=api_h),
    ]
    for kind in kinds:
        if ONLY and kind.name not in ONLY:
            continue
        probe = kind.send(BIG)
        assert_normal(kind, BIG, probe)
        total = int(probe.header("X-Zek-Json-Allocs"))
        assert total > 0, (kind.name, "jansson's allocations are not counted")
        steps = list(range(1, total + 1)) if total <= FULL else \
            sorted(set(range(1, total + 1, -(-total // FULL))) | {total})
        for n in steps:
            kind.headers["X-Zek-Json-Fail-At"] = str(n)
            r = kind.send(BIG)
            del kind.headers["X-Zek-Json-Fail-At"]
            assert r.status in (500, 503), (kind.name, n, total, "answered although jansson "
                                            "failed", r.status, r.text[:300])
            assert_clean_error(kind, n, r)
        r = kind.send(BIG)
        assert r.status == kind.ok and normalised(kind, r) == normalised(kind, probe), kind.name
        print("  %-28s %5d jansson allocations, %4d steps" % (kind.name, total, len(steps)),
              flush=True)


def test_zz_no_statement_or_transaction_left_open(c, server):
    log = server.read_log()
    for bad in ("statement left running", "savepoints left open", "rollback failed"):
        assert bad not in log, [line for line in log.splitlines() if bad in line][:5]
