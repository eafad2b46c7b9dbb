"""Too many values for one field, and too many fields, at every form route
(issue 13): 200 `mandant=` values once overflowed a stack array of the
create form and crashed the server.

Generated from `zek routes`: every POST route with a body gets, for every
field name its form has (read from the pages that carry the form) and a
name no form has,
  - FORM_MAX_VALUES copies (read from src/http/form.h): not refused for
    their number (sent without a valid CSRF token, so nothing changes);
  - FORM_MAX_VALUES + 1 copies: 413, a page that names the field;
  - 10,000 fields, urlencoded and multipart: a clean 4xx;
and after each route a signed-in browser must still be served. The server's
log must stay free of sanitizer reports (run.py checks it). A new route,
form or field is covered without being listed here. The module runs on the
release build too (tests/e2e/release.py)."""

import html.parser
import os
import re
import subprocess
import uuid

from zektest import PORTAL, ROOT, Client, created_key, unescape

# run.py skips the module on PostgreSQL (ZEK_E2E_BACKEND=pg) and says why:
SQLITE_ONLY = "the form parser refuses the floods before any database is reached"

AGENT = "support@example.org"
ANNA = "anna@example.org"
FLOOD = 10000
FIELDS_MAX = 512        # fields in one body (docs/internals/limits.md)
STATE = {}


def form_max_values():
    with open(os.path.join(ROOT, "src/http/form.h")) as f:
        return int(re.search(r"#define FORM_MAX_VALUES (\d+)", f.read()).group(1))


MAX = form_max_values()


def zek_routes(binary):
    out = subprocess.run([binary, "routes"], check=True, capture_output=True, text=True,
                         timeout=60).stdout
    routes = [line.split("\t") for line in out.splitlines()]
    posts = [r for r in routes if r[0] == "POST" and "body" in r[2].split(",")]
    assert len(posts) > 15, posts
    return posts


class Forms(html.parser.HTMLParser):
    """action -> the names of the form's controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.action = {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.action = unescape(a.get("action", ""))
            self.forms.setdefault(self.action, set())
        elif tag in ("input", "select", "textarea", "button") and self.action and a.get("name"):
            self.forms[self.action].add(a["name"])
            if a.get("type") == "file":
                # The form sends keep_<name> with the uploads it kept after a failure.
                self.forms[self.action].add("keep_" + a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.action = None


def scrape(client, paths, optional=False):
    p = Forms()
    for path in paths:
        r = client.get(path)
        assert r.status == 200 or optional, (path, r.status)
        if r.status == 200:
            p.feed(r.text)
    return p.forms


def setup(server):
    if STATE:
        return
    anna, agent = Client(server), Client(server)
    anna.login(ANNA)
    agent.login(AGENT)
    portal = anna.get(PORTAL).text
    tids = sorted(set(re.findall(PORTAL + r"/create/(\d+)", portal)))
    assert tids, "no request types on the portal"
    # A request of Anna's of her own, so that no other module's is touched.
    r = anna.post_multipart("%s/create/%s" % (PORTAL, tids[-1]),
                            [("summary", "Flut " + uuid.uuid4().hex[:6]), ("description", "d"),
                             ("share", "private")])
    key = created_key(r)
    profile = "/servicedesk/customer/user/profile"
    page = anna.get(profile).text
    expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
    r = anna.post_form(profile + "/tokens", [("name", "flut"), ("expires", expires)])
    token = re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', r.text).group(1)
    tok_id = re.search(r'/tokens/(\d+)/revoke', r.text).group(1)
    # A working invitation link, so that its page and handler run for real.
    out = subprocess.run([server.binary, "user", "invite", "--email",
                          "flut-%s@example.org" % uuid.uuid4().hex[:6], "--print-link",
                          "--db", server.db], capture_output=True, check=True).stdout
    link = out.decode().strip().rsplit("/", 1)[1]
    forms = scrape(anna, [PORTAL, "%s/%s" % (PORTAL, key), profile] +
                   ["%s/create/%s" % (PORTAL, t) for t in tids])
    forms.update(scrape(agent, ["/servicedesk/agent/requests/%s" % key]))
    forms.update(scrape(Client(server), ["/servicedesk/customer/user/login"]))
    STATE.update(anna=anna, agent=agent, key=key, tids=tids, token=token, forms=forms,
                 params={"pid": PORTAL.rsplit("/", 1)[1], "key": key, "id": tok_id, "sd": "1",
                         "*": "gibt-es-nicht", "token": link, "queue": "open",
                         "day": "1224", "file": "weeks.csv"})
    # Forms on pages of their own (a confirmation at the POST route's address).
    for method, pattern, flags, name in zek_routes(server.binary):
        if "api" not in flags:
            for path in paths(pattern):
                for action, names in scrape(anna, [path], optional=True).items():
                    forms.setdefault(action, set()).update(names)


def paths(pattern):
    """The route's pattern with real values; every request type for {tid}."""
    out = [pattern]
    if "{tid}" in pattern:
        out = [pattern.replace("{tid}", t) for t in STATE["tids"]]

    def one(m):
        assert m.group(1) in STATE["params"], "teach solo_formflood about {%s}" % m.group(1)
        return STATE["params"][m.group(1)]
    return [re.sub(r"\{([^}]+)\}", one, p) for p in out]


def healthy(what):
    r = STATE["anna"].get(PORTAL)
    assert r.status == 200 and "Anna Schmidt" in unescape(r.text), (what, r.status)


def send(client, path, pairs, api=False, multipart=False):
    h = {}
    if api:
        h = {"Authorization": "Bearer " + STATE["token"], "Accept": "application/json"}
        saved, client.cookies = client.cookies, {}
    try:
        if multipart:
            boundary = "flood" + uuid.uuid4().hex
            body = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (
                boundary.encode(), n.encode(), v.encode()) for n, v in pairs)
            body += b"--%s--\r\n" % boundary.encode()
            h["Content-Type"] = "multipart/form-data; boundary=" + boundary
        else:
            body = "&".join("%s=%s" % (n, v) for n, v in pairs).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        return client.request("POST", path, body, h)
    finally:
        if api:
            client.cookies = saved


def clean(r, what, statuses):
    assert r.status in statuses, "%s: want %s, got %d: %s" % (what, statuses, r.status, r.text[:300])
    ctype = r.header("Content-Type") or ""
    assert ctype.startswith(("text/html", "application/json")), (what, ctype)


def test_too_many_values_of_one_field_at_every_form_route(c, server):
    setup(server)
    checked = 0
    for method, pattern, flags, name in zek_routes(server.binary):
        flags = flags.split(",")
        api = "api" in flags
        client = STATE["agent"] if "agent" in flags else STATE["anna"]
        for path in paths(pattern):
            names = sorted(STATE["forms"].get(path, set()) | {"flut_feld"})
            for field in names:
                csrf = [] if field == "csrf" or api else [("csrf", client.csrf(PORTAL))]
                # One too many, and as many as the attack that crashed the
                # server (a release build need not die of one value too many).
                for count in (MAX + 1, FIELDS_MAX - 10):
                    what = "%s %s x%d" % (path, field, count)
                    r = send(client, path, csrf + [(field, "1")] * count, api=api)
                    if api:
                        clean(r, what, range(400, 500))
                        continue
                    clean(r, what, (413,))
                    text = unescape(r.text)
                    assert "„%s“" % field in text and "mehr als %d-mal" % MAX in text, (what, text[:2000])
                # As many as allowed: not refused for their number (and, with a
                # wrong CSRF token, nothing done).
                r = send(client, path, [("csrf", "falsch")] * (field != "csrf") +
                         [(field, "1")] * MAX, api=api)
                clean(r, "%s %s x%d" % (path, field, MAX), range(200, 500))
                assert "mehr als %d-mal" % MAX not in unescape(r.text), (path, field, MAX)
                checked += 1
            healthy(path)
    assert checked > 40, checked


def test_ten_thousand_fields_at_every_form_route(c, server):
    setup(server)
    for method, pattern, flags, name in zek_routes(server.binary):
        flags = flags.split(",")
        api = "api" in flags
        client = STATE["agent"] if "agent" in flags else STATE["anna"]
        for path in paths(pattern):
            for multipart in (False, True):
                for same in (True, False):
                    pairs = [("mandant" if same else "f%d" % i, "1") for i in range(FLOOD)]
                    r = send(client, path, pairs, api=api, multipart=multipart)
                    clean(r, "%s: %d fields (multipart %s, one name %s)" % (path, FLOOD, multipart, same),
                          range(400, 500))
            healthy(path)
