"""Authorization matrix (issue 7): every route of `zek routes`, called as
each of seven roles against each of four objects, compared with the hand-
written table tests/e2e/authz_expected.tsv (docs/internals/authz.md).

Roles: anonymous, the reporter (Anna), a colleague in her organisation
(Ben), a customer of another organisation (Carla), a participant who is no
colleague (Dora, added for this test), an agent (support) and an admin.
Objects, all reported by Anna and set up through the app itself: a private
request, one shared with her organisation, a closed one (shared), and one
(shared) whose activity holds an agent's internal note with a file. Every
summary, description, comment, file name and file's bytes carries a marker
of its own; markers of the internal note form a class of their own.

Each call's outcome is its status and which marker classes of the object
show anywhere in the answer (body, headers, attachment bytes): `-`, `R`
(the request's), `N` (the internal note's) or `RN`. Mutating routes get a
body that passes the permission check but fails validation (an allowed
caller gets 400/422, a refused one 403/404/409), or a fresh copy of the
object (a fresh session, a fresh token) for that one call. Besides the
table, the test fails on every leak: a marker of an object anywhere in an
answer to a role that may not see it (PRODUCT.md "People"), internal-note
markers anywhere a customer looks, the header's open count moving for
someone else's request, and mails (the outbox) about an object to someone
who may not see it or with an internal note in a customer's mail."""

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import uuid

from zektest import PORTAL, ROOT, check_html, db_rows

# Runs on both backends (meson tests e2e-authz and e2e-authz-pg) against the
# same table: who may see what is decided partly in the store's SQL (the
# list, queues and search of each backend).

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "authz_expected.tsv")
SOURCE = "127.0.0.3"        # an address of its own: no other module's throttling
API = "/rest/servicedeskapi"
AGENT_REQ = "/servicedesk/agent/requests/"
PROFILE = "/servicedesk/customer/user/profile"
LOGIN = "/servicedesk/customer/user/login"
CREATE = PORTAL + "/create/4"   # Sonstige Frage
TYPE_ID = "4"

ROLES = ["anonymous", "reporter", "colleague", "other_org", "participant", "agent", "admin"]
OBJECTS = ["private", "shared", "closed", "note"]
EMAIL = {"reporter": "anna@example.org", "colleague": "ben@example.org",
         "other_org": "carla@example.org", "participant": "dora.authz@example.org",
         "agent": "support@example.org", "admin": "admin@example.org"}
DORA = ("Dora Teilnehmerin", "Kreis Prüfland – Ordnungsamt", "teilnehmen-ist-gut")

# Who may see what (PRODUCT.md "People"): the oracle for leaks, independent
# of the table. Customers never see internal notes.
ALLOWED = {
    "anonymous": {o: "" for o in OBJECTS},
    "reporter": {o: "R" for o in OBJECTS},
    "colleague": {"private": "", "shared": "R", "closed": "R", "note": "R"},
    "other_org": {o: "" for o in OBJECTS},
    "participant": {o: "R" for o in OBJECTS},
    "agent": {o: "RN" for o in OBJECTS},
    "admin": {o: "RN" for o in OBJECTS},
}


# --- HTTP with keep-alive ---------------------------------------------------

class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def everything(self):
        """What the caller gets to see: headers and body."""
        return "\n".join("%s: %s" % kv for kv in self.headers) + "\n" + \
            self.body.decode("latin-1")


class Role:
    """One role's browser (cookies, form token) and API token, over one
    keep-alive connection."""

    def __init__(self, server, name):
        self.server = server
        self.name = name
        self.email = EMAIL.get(name)
        self.cookies = {}
        self.csrf = None
        self.token = None
        self.user_id = None
        self.conn = None

    def raw(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.server.port, timeout=60, source_address=(SOURCE, 0))
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                r = self.conn.getresponse()
                data = r.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            if r.will_close:
                self.conn.close()
                self.conn = None
            return Answer(r.status, r.getheaders(), data)

    def web(self, method, path, body=None, ctype=None):
        h = {"Accept-Language": "de-DE,de;q=0.9"}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if ctype:
            h["Content-Type"] = ctype
        a = self.raw(method, path, body, h)
        for k, v in a.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = rest.split(";")[0]
        return a

    def get(self, path):
        return self.web("GET", path)

    def form(self, path, fields, method="POST"):
        fields = list(fields) + [("csrf", self.csrf or "")]
        return self.web(method, path, urllib.parse.urlencode(fields).encode(),
                        "application/x-www-form-urlencoded")

    def multipart(self, path, fields, files=()):
        body, ctype = multipart(list(fields) + [("csrf", self.csrf or "")], files)
        return self.web("POST", path, body, ctype)

    def api(self, method, path, body=None, ctype="application/json"):
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if body is not None:
            h["Content-Type"] = ctype
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
        return self.raw(method, path, body, h)

    def api_json(self, path):
        a = self.api("GET", path)
        assert a.status == 200, (path, a.status, a.text[:300])
        return json.loads(a.text)

    def sign_in(self, password="demo"):
        page = self.get(LOGIN)
        tok = form_token(page.text)
        a = self.web("POST", LOGIN, urllib.parse.urlencode(
            [("email", self.email), ("password", password), ("csrf", tok)]).encode(),
            "application/x-www-form-urlencoded")
        assert a.status == 303, (self.name, a.status, a.text[:300])
        self.csrf = form_token(self.get(PORTAL).text)

    def anonymous_token(self):
        self.csrf = form_token(self.get(LOGIN).text)

    def make_token(self):
        """A new personal access token; returns (token, id)."""
        page = self.get(PROFILE).text
        expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
        a = self.form(PROFILE + "/tokens", [("name", "authz " + uuid.uuid4().hex[:8]),
                                            ("expires", expires)])
        assert a.status == 200, (self.name, a.status)
        tok = re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', a.text).group(1)
        ids = re.findall(r'/servicedesk/customer/user/profile/tokens/(\d+)/revoke', a.text)
        return tok, max(int(i) for i in ids)


def form_token(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no form token"
    return m.group(1)


def multipart(fields, files):
    boundary = "----authz" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        if isinstance(value, str):
            value = value.encode()
        parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                     % (boundary.encode(), name.encode(), value))
    for name, filename, data, ctype in files:
        parts.append(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                     b"Content-Type: %s\r\n\r\n%s\r\n"
                     % (boundary.encode(), name.encode(), filename.encode(), ctype.encode(), data))
    return (b"".join(parts) + b"--%s--\r\n" % boundary.encode(),
            "multipart/form-data; boundary=" + boundary)


# --- the objects -------------------------------------------------------------

class Obj:
    """One object: markers (the same for its fresh copies) and, per copy,
    the key and the ids its placeholders need."""

    def __init__(self, kind, run):
        self.kind = kind
        tag = "az%s%s" % (kind[:2], run)
        self.r = {f: "%s%sq" % (tag, f) for f in
                  ("sum", "desc", "file", "fname", "com", "cfile", "cfname")}
        self.n = {f: "%s%sq" % (tag, f) for f in ("note", "nfile", "nfname")} \
            if kind == "note" else {}
        self.keys = []          # every copy's key (the first is the object)
        self.ids = {}           # request id -> True (for the outbox)

    def classes(self, text):
        """The marker classes that show in `text`."""
        out = ""
        if any(m in text for m in self.r.values()):
            out += "R"
        if any(m in text for m in self.n.values()):
            out += "N"
        return out or "-"


def create_copy(ctx, obj):
    """Sets up one copy of obj through the app; returns its facts."""
    anna, agent = ctx["roles"]["reporter"], ctx["roles"]["agent"]
    m = obj.r
    share = "private" if obj.kind == "private" else ctx["org_id"]
    a = anna.multipart(CREATE, [("summary", "Prüfobjekt %s %s" % (obj.kind, m["sum"])),
                                ("description", "Beschreibung *%s*" % m["desc"]),
                                ("share", share)],
                       [("attachment", m["fname"] + ".txt",
                         ("Anhang %s\n" % m["file"]).encode(), "text/plain")])
    assert a.status == 303, (a.status, a.text[:2000])
    key = a.header("Location").rsplit("/", 1)[1]
    url = PORTAL + "/" + key
    a = anna.multipart(url + "/comment", [("comment", "Kommentar %s" % m["com"])],
                       [("attachment", m["cfname"] + ".txt",
                         ("Kommentaranhang %s\n" % m["cfile"]).encode(), "text/plain")])
    assert a.status == 303, (a.status, a.text[:500])
    a = anna.form(url + "/participants", [("who", EMAIL["participant"])])
    assert a.status == 303, (a.status, a.text[:500])
    if obj.kind in ("private", "shared"):
        a = agent.form(AGENT_REQ + key + "/status", [("action", "propose_solution")])
    elif obj.kind == "closed":
        a = agent.form(AGENT_REQ + key + "/status", [("action", "close_geloest")])
    else:
        n = obj.n
        a = agent.multipart(AGENT_REQ + key + "/comment",
                            [("visibility", "internal"), ("comment", "Notiz %s" % n["note"])],
                            [("attachment", n["nfname"] + ".txt",
                              ("Notizanhang %s\n" % n["nfile"]).encode(), "text/plain")])
    assert a.status == 303, (obj.kind, a.status, a.text[:500])
    # The ids, read as the agent (who sees everything).
    req = agent.api_json(API + "/request/" + key)
    comments = agent.api_json(API + "/request/%s/comment?limit=100" % key)["values"]
    files = agent.api_json(API + "/request/%s/attachment?limit=100" % key)["values"]
    marker = obj.n.get("note") or m["com"]
    fname = obj.n.get("nfname") or m["fname"]
    copy = {
        "key": key,
        "id": req["issueId"],
        "comment": next(c["id"] for c in comments if marker in c["body"]),
        "attachment": next(f["id"] for f in files if f["filename"].startswith(fname)),
    }
    obj.keys.append(key)
    obj.ids[int(req["issueId"])] = True
    return copy


# --- the routes and how each is called ---------------------------------------

def zek_routes(binary):
    out = subprocess.run([binary, "routes"], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    routes = []
    for line in out.splitlines():
        method, pattern, flags, name = line.split("\t")
        routes.append((method, pattern, flags, name))
    assert len(routes) > 50, routes
    return routes


def bad_comment():
    return "Kontrollzeichen \x01 ist kein Text"


# How a route is called when the generic rule (fill the placeholders, GET
# or an empty body) is not enough. Keys: "METHOD pattern". Values:
#   form: web form fields (a CSRF token is added), or a function(ctx, copy, role)
#   json: API body, or a function(ctx, copy, role)
#   query: a function(ctx, copy, obj) -> query string (without "?")
#   fresh: "copy" (a fresh copy of the object), "session", "token"
#   indep: the answer does not depend on the object: one call per role
#   after: a function(ctx, role, copy) run after the call (not recorded)
S = "/servicedesk/customer/portal/{pid}/{key}"
SPECS = {
    "GET /": {"indep": True},
    "GET /healthz": {"indep": True},
    "GET /metrics": {"indep": True},
    "GET /static/{v}/{*}": {"indep": True},
    "GET /servicedesk/customer/user/login": {"indep": True},
    # A wrong password for the role's own address (one failure each: far
    # from the throttle).
    "POST /servicedesk/customer/user/login": {"indep": True, "form": lambda ctx, c, role: [
        ("email", role.email or "niemand@example.org"), ("password", "falsch")]},
    "POST /servicedesk/customer/user/logout": {"indep": True, "fresh": "session", "form": []},
    # An address of each role's own that names nobody: no mail, no
    # throttle shared between roles.
    "GET /servicedesk/customer/user/forgot-password": {"indep": True},
    "POST /servicedesk/customer/user/forgot-password": {"indep": True, "form": lambda ctx, c, role: [
        ("email", "authz-%s@nobody.example.org" % role.name)]},
    "GET /servicedesk/customer/user/signup": {"indep": True},
    "POST /servicedesk/customer/user/signup": {"indep": True, "form": lambda ctx, c, role: [
        ("email", "authz-%s@elsewhere.example" % role.name)]},
    "GET /servicedesk/customer/user/reset-password/{token}": {"indep": True},
    "POST /servicedesk/customer/user/reset-password/{token}": {"indep": True, "form": [
        ("new_password", "Sommer-Regen am Deich"), ("new_password2", "Sommer-Regen am Deich")]},
    "GET /servicedesk/customer/user/invitation/{token}": {"indep": True},
    "POST /servicedesk/customer/user/invitation/{token}": {"indep": True, "form": [
        ("name", "Niemand"), ("new_password", "Sommer-Regen am Deich"),
        ("new_password2", "Sommer-Regen am Deich")]},
    "GET /servicedesk/customer/portals": {"indep": True},
    "GET /servicedesk/customer/portal/{pid}": {"indep": True},
    "GET /servicedesk/customer/portal/{pid}/create/{tid}": {"indep": True},
    "POST /servicedesk/customer/portal/{pid}/create/{tid}": {
        "indep": True, "form": [("summary", ""), ("description", ""), ("share", "private")]},
    "GET " + S: {},
    "GET /servicedesk/customer/attachments/{id}": {},
    "POST " + S + "/comment": {"form": [("comment", "")]},
    "POST " + S + "/notifications": {"form": [("muted", "0")]},
    "POST " + S + "/participants": {"form": [("who", "")]},
    "POST " + S + "/participants/remove": {
        "fresh": "copy", "form": lambda ctx, c, role: [("user", ctx["roles"]["participant"].user_id)]},
    "POST " + S + "/organisation": {"form": [("org", "999999")]},
    "GET " + S + "/withdraw": {},
    "POST " + S + "/withdraw": {"fresh": "copy", "form": []},
    "GET " + S + "/solution/accept": {},
    "POST " + S + "/solution/accept": {"form": [("comment", bad_comment())]},
    "GET " + S + "/solution/reject": {},
    "POST " + S + "/solution/reject": {"form": [("comment", bad_comment())]},
    # A score out of range: refused after the permission check (422).
    "POST " + S + "/rating": {"form": [("score", "9")]},
    "GET /servicedesk/customer/rating/{token}": {"indep": True},
    "POST /servicedesk/customer/rating/{token}": {"indep": True, "form": [("score", "4")]},
    "GET /servicedesk/customer/objects": {"indep": True, "query": lambda ctx, c, o: "kind=mandant&q=a"},
    "POST /servicedesk/customer/markdown-preview": {"indep": True, "form": [("text", "*Vorschau*")]},
    "GET /servicedesk/customer/user/requests": {
        "query": lambda ctx, c, o: "status=all&creator=any&limit=100&q=" + o.r["desc"], "search": True},
    "GET /servicedesk/customer/user/profile": {"indep": True},
    "POST /servicedesk/customer/user/profile": {"indep": True, "form": [("name", "")]},
    "POST /servicedesk/customer/user/profile/preferences": {
        "indep": True, "form": [("lang", "xx"), ("tz", "Europe/Berlin")]},
    "POST /servicedesk/customer/user/profile/tokens": {
        "indep": True, "form": [("name", ""), ("expires", "")]},
    "POST /servicedesk/customer/user/profile/tokens/{id}/revoke": {
        "indep": True, "fresh": "token", "form": []},
    "GET /servicedesk/agent": {"indep": True},
    "GET /servicedesk/agent/": {"indep": True},
    "GET /servicedesk/agent/queues/{queue}": {
        "query": lambda ctx, c, o: "limit=100&q=" + o.r["desc"], "search": True},
    "GET /servicedesk/agent/queues/{queue}/export.csv": {
        "query": lambda ctx, c, o: "q=" + o.r["desc"], "search": True},
    "POST /servicedesk/agent/queues/{queue}/bulk": {
        "form": lambda ctx, c, role: [("key", c["key"]), ("assignee", ""),
                                      ("action", "close_duplikat")]},
    "GET /servicedesk/agent/requests/{key}": {},
    "POST /servicedesk/agent/requests/{key}/assign": {
        "form": lambda ctx, c, role: [("assignee", ctx["roles"]["reporter"].user_id)]},
    "POST /servicedesk/agent/requests/{key}/status": {
        "form": [("action", "start"), ("status_comment", bad_comment())]},
    "POST /servicedesk/agent/requests/{key}/comment": {
        "form": [("visibility", "internal"), ("comment", "")]},
    "GET /servicedesk/agent/requests/{key}/edit": {},
    "POST /servicedesk/agent/requests/{key}/edit": {
        "form": [("type", "x"), ("version", "0"), ("summary", "")]},
    "POST /servicedesk/agent/requests/{key}/links": {
        "form": [("kind", "relates"), ("link_key", "")]},
    "POST /servicedesk/agent/requests/{key}/links/remove": {"form": [("other", "")]},
    "POST /servicedesk/agent/requests/{key}/participants": {"form": [("who", "")]},
    "POST /servicedesk/agent/requests/{key}/participants/remove": {
        "fresh": "copy", "form": lambda ctx, c, role: [("user", ctx["roles"]["participant"].user_id)]},
    "POST /servicedesk/agent/requests/{key}/organisation": {"form": [("org", "999999")]},
    "GET /servicedesk/agent/customers": {"indep": True},
    "POST /servicedesk/agent/customers/invite": {"indep": True, "form": [("emails", "")]},
    "POST /servicedesk/agent/customers/{id}/deactivate": {"indep": True, "form": []},
    "POST /servicedesk/agent/customers/{id}/reactivate": {"indep": True, "form": []},
    "POST /servicedesk/agent/customers/{id}/reset": {"indep": True, "form": []},
    "GET /servicedesk/agent/organisations": {"indep": True},
    "POST /servicedesk/agent/organisations": {"indep": True, "form": [("name", "")]},
    "GET /servicedesk/agent/organisations/{id}": {"indep": True},
    "POST /servicedesk/agent/organisations/{id}/rename": {"indep": True, "form": [("name", "")]},
    "POST /servicedesk/agent/organisations/{id}/members": {"indep": True, "form": [("email", "")]},
    "POST /servicedesk/agent/organisations/{id}/members/remove": {
        "indep": True, "form": [("user", "999999")]},
    "GET /servicedesk/agent/people/search": {"indep": True, "query": lambda ctx, c, o: "q=a"},
    "GET /servicedesk/agent/reports": {"indep": True},
    "GET /servicedesk/agent/reports/{file}": {"indep": True},
    "GET /servicedesk/agent/snippets": {"indep": True},
    "POST /servicedesk/agent/snippets": {"indep": True, "form": [("title", ""), ("body", "")]},
    "GET /servicedesk/agent/snippets/{id}": {"indep": True},
    "POST /servicedesk/agent/snippets/{id}": {"indep": True, "form": [("title", ""), ("body", "")]},
    "POST /servicedesk/agent/snippets/{id}/delete": {"indep": True, "form": []},
    "GET /servicedesk/agent/team": {"indep": True},
    "POST /servicedesk/agent/team": {"indep": True, "form": [("email", ""), ("role", "agent")]},
    "GET /servicedesk/agent/audit": {"indep": True},
    "GET /servicedesk/admin": {"indep": True},
    "GET /servicedesk/admin/": {"indep": True},
    "GET /servicedesk/admin/help-center": {"indep": True},
    "POST /servicedesk/admin/help-center": {"indep": True, "form": [("version", "0"), ("until", "kaputt")]},
    "GET /servicedesk/admin/portals/{pid}": {"indep": True},
    "POST /servicedesk/admin/portals/{pid}": {"indep": True, "form": [("version", "0"), ("name", "")]},
    "GET /servicedesk/admin/history": {"indep": True},
    "GET /servicedesk/admin/catalogue": {"indep": True},
    "POST /servicedesk/admin/catalogue": {"indep": True, "form": [("kind", "mandant"), ("name", "")]},
    "POST /servicedesk/admin/catalogue/import": {"indep": True, "form": [("kind", "mandant")]},
    "POST /servicedesk/admin/catalogue/{id}": {"indep": True, "form": [("kind", "mandant"), ("name", "")]},
    "GET /servicedesk/admin/config": {"indep": True},
    "GET /servicedesk/admin/config/export": {"indep": True},
    "POST /servicedesk/admin/config/import": {"indep": True, "form": []},
    "POST /servicedesk/admin/config/apply": {"indep": True, "form": [("version", "0")]},
    "GET /servicedesk/admin/calendar": {"indep": True},
    "POST /servicedesk/admin/calendar": {"indep": True, "form": [("version", "0"), ("start", "kaputt")]},
    "POST /servicedesk/admin/calendar/closed": {"indep": True, "form": [("date", "kaputt")]},
    "POST /servicedesk/admin/calendar/closed/{day}/delete": {"indep": True, "form": []},
    "GET /servicedesk/admin/mail": {"indep": True},
    "GET /servicedesk/admin/mail/{id}": {"indep": True},
    "GET /servicedesk/admin/mail/{id}/raw": {"indep": True},
    "POST /servicedesk/admin/mail/{id}/retry": {"indep": True, "form": []},
    "POST /servicedesk/admin/mail/{id}/discard": {"indep": True, "form": []},
    "GET /servicedesk/admin/portals/{pid}/types": {"indep": True},
    "POST /servicedesk/admin/portals/{pid}/types": {
        "indep": True, "form": [("version", "0"), ("name_de", ""), ("group_id", "1")]},
    "POST /servicedesk/admin/portals/{pid}/groups": {"indep": True, "form": [("version", "0"), ("name_de", "")]},
    "POST /servicedesk/admin/groups/{id}": {"indep": True, "form": [("version", "0"), ("name_de", "")]},
    "GET /servicedesk/admin/types/{id}": {"indep": True},
    "POST /servicedesk/admin/types/{id}": {
        "indep": True, "form": [("version", "0"), ("name_de", ""), ("group_id", "1")]},
    "POST /servicedesk/admin/types/{id}/move": {"indep": True, "form": [("action", "sideways")]},
    "POST /servicedesk/admin/types/{id}/fields": {
        "indep": True, "form": [("version", "0"), ("kind", "text"), ("label_de", "")]},
    "GET /servicedesk/admin/fields/{id}": {"indep": True},
    "POST /servicedesk/admin/fields/{id}": {"indep": True, "form": [("version", "0"), ("label_de", "")]},
    "POST /servicedesk/admin/fields/{id}/move": {"indep": True, "form": [("action", "sideways")]},
    "POST /servicedesk/admin/fields/{id}/options": {"indep": True, "form": [("version", "0"), ("label_de", "")]},
    "POST /servicedesk/admin/options/{id}": {
        "indep": True, "form": lambda ctx, c, role: [("field", str(ctx["select_id"])), ("action", "sideways")]},
    "POST /rest/servicedeskapi/customer": {"indep": True, "json": {"email": "", "displayName": ""}},
    "GET /rest/servicedeskapi/servicedesk/{sd}/customer": {"indep": True},
    "POST /rest/servicedeskapi/servicedesk/{sd}/customer": {"indep": True, "json": {"accountIds": []}},
    "DELETE /rest/servicedeskapi/servicedesk/{sd}/customer": {"indep": True, "json": {"accountIds": []}},
    "GET /rest/servicedeskapi/servicedesk/{sd}/organization": {"indep": True},
    "POST /rest/servicedeskapi/servicedesk/{sd}/organization": {
        "indep": True, "json": {"organizationId": "kein"}},
    "DELETE /rest/servicedeskapi/servicedesk/{sd}/organization": {
        "indep": True, "json": {"organizationId": "1"}},
    "GET /rest/servicedeskapi/organization": {"indep": True},
    "POST /rest/servicedeskapi/organization": {"indep": True, "json": {"name": ""}},
    "GET /rest/servicedeskapi/organization/{id}": {"indep": True},
    "DELETE /rest/servicedeskapi/organization/{id}": {"indep": True, "json": None},
    "GET /rest/servicedeskapi/organization/{id}/user": {"indep": True},
    "POST /rest/servicedeskapi/organization/{id}/user": {"indep": True, "json": {"accountIds": []}},
    "DELETE /rest/servicedeskapi/organization/{id}/user": {"indep": True, "json": {"accountIds": []}},
    "GET /rest/servicedeskapi/info": {"indep": True},
    "GET /rest/servicedeskapi/servicedesk": {"indep": True},
    "GET /rest/servicedeskapi/servicedesk/{sd}": {"indep": True},
    "GET /rest/servicedeskapi/servicedesk/{sd}/requesttypegroup": {"indep": True},
    "GET /rest/servicedeskapi/servicedesk/{sd}/requesttype": {"indep": True},
    "GET /rest/servicedeskapi/servicedesk/{sd}/requesttype/{rt}": {"indep": True},
    "GET /rest/servicedeskapi/servicedesk/{sd}/requesttype/{rt}/field": {"indep": True},
    "POST /rest/servicedeskapi/servicedesk/{sd}/attachTemporaryFile": {"indep": True, "upload": True},
    "POST /rest/servicedeskapi/request": {
        "indep": True, "json": {"serviceDeskId": "1", "requestTypeId": TYPE_ID,
                                "requestFieldValues": {"summary": "", "description": ""}}},
    "GET /rest/servicedeskapi/request": {
        "query": lambda ctx, c, o: "requestStatus=ALL_REQUESTS&expand=participant,attachment,"
                                    "comment,comment.attachment&searchTerm=" + o.r["desc"],
        "search": True},
    "GET /rest/servicedeskapi/request/{key}": {
        "query": lambda ctx, c, o: "expand=participant,status,requestType,serviceDesk,attachment,"
                                    "action,comment,comment.renderedBody,comment.attachment"},
    "GET /rest/servicedeskapi/request/{key}/comment": {
        "query": lambda ctx, c, o: "expand=attachment,renderedBody&limit=100"},
    "POST /rest/servicedeskapi/request/{key}/comment": {"json": {"body": "", "public": True}},
    "GET /rest/servicedeskapi/request/{key}/comment/{id}": {
        "query": lambda ctx, c, o: "expand=attachment,renderedBody"},
    "POST /rest/servicedeskapi/request/{key}/participant": {
        "json": {"usernames": [EMAIL["reporter"]]}},
    "DELETE /rest/servicedeskapi/request/{key}/participant": {
        "json": lambda ctx, c, role: {"accountIds": [ctx["roles"]["participant"].user_id, "999999"]}},
    "POST /rest/servicedeskapi/request/{key}/transition": {
        "json": {"id": "21", "additionalComment": {"body": bad_comment()}}},
    "PUT /rest/servicedeskapi/request/{key}/notification": {"json": None},
    "DELETE /rest/servicedeskapi/request/{key}/notification": {
        "json": None, "after": lambda ctx, role, c: role.api(
            "PUT", API + "/request/%s/notification" % c["key"])},
    "POST /rest/servicedeskapi/request/{key}/attachment": {
        "json": {"temporaryAttachmentIds": ["zek-authz-no-such-upload"], "public": True}},
    "GET /rest/{*}": {"indep": True},
    "POST /rest/{*}": {"indep": True, "json": {}},
    "PUT /rest/{*}": {"indep": True, "json": {}},
    "DELETE /rest/{*}": {"indep": True, "json": {}},
}


def fill(ctx, pattern, copy, obj, fresh_token=None):
    """The path for pattern with the object's placeholders filled in."""
    def one(m):
        name = m.group(1)
        if name == "pid":
            return "17"
        if name in ("tid", "rt"):
            return TYPE_ID
        if name == "sd":
            return "1"
        if name == "key":
            return copy["key"]
        if name == "queue":
            return "closed" if obj.kind == "closed" else "open"
        if name == "v":
            return "v1"
        if name == "file":
            return "weeks.csv"
        if name == "token":
            return "A" * 43       # well-formed, and no link's
        if name == "*":
            return "zek.css" if pattern.startswith("/static/") else "servicedeskapi/nothing/here"
        if name == "id" and pattern.startswith("/servicedesk/agent/customers/"):
            return str(ctx["target_id"])
        if name == "id" and (pattern.startswith("/servicedesk/agent/organisations/") or
                             pattern.startswith("/rest/servicedeskapi/organization/")):
            return str(ctx["org_id"])
        # A demo snippet; deleting gets one that does not exist, so that
        # every role meets the same snippets.
        if name == "id" and pattern.startswith("/servicedesk/agent/snippets/"):
            return "999999" if pattern.endswith("/delete") else "1"
        if name == "id" and pattern.startswith("/servicedesk/admin/catalogue/"):
            return str(ctx["object_id"])
        # A portal's types: its first group, "Sonstige Frage", a select
        # of it and the select's first option (demo/config.json).
        if name == "id" and pattern.startswith("/servicedesk/admin/groups/"):
            return str(ctx["group_id"])
        if name == "id" and pattern.startswith("/servicedesk/admin/types/"):
            return TYPE_ID
        if name == "id" and pattern.startswith("/servicedesk/admin/fields/"):
            return str(ctx["select_id"])
        if name == "id" and pattern.startswith("/servicedesk/admin/options/"):
            return str(ctx["option_id"])
        # The demo's yearly Heiligabend: the admin's call deletes it.
        if name == "day":
            return "1224"
        if name == "id" and pattern.startswith("/servicedesk/admin/mail/"):
            return str(ctx["mail_id"])
        if name == "id":
            if fresh_token is not None:
                return str(fresh_token)
            if "/comment/" in pattern:
                return copy["comment"]
            return copy["attachment"]
        raise AssertionError("no rule for placeholder {%s} in %s" % (name, pattern))
    return re.sub(r"\{([^}]+)\}", one, pattern)


def cross_kind(role, kind):
    """Another object the role may see (any other if none)."""
    for other in ("shared", "note", "closed", "private"):
        if other != kind and "R" in ALLOWED[role][other]:
            return other
    return "shared" if kind != "shared" else "private"


def call(ctx, route, role, obj, variant=None):
    """Calls route as role against obj; returns the answers (the second
    one, if any, is the search for the internal note's words). variant:
    "id" names the request by its numeric id instead of its key (the API
    takes both); "cross" names another request the role may see, with
    this object's {id}s."""
    method, pattern, flags, _ = route
    spec = SPECS.get(method + " " + pattern, {})
    copy = ctx["objs"][obj.kind]
    fresh_token = None
    who = role
    if spec.get("fresh") == "copy":
        copy = create_copy(ctx, obj)
    if variant == "id":
        copy = dict(copy, key=copy["id"])
    elif variant == "cross":
        copy = dict(copy, key=ctx["objs"][cross_kind(role.name, obj.kind)]["key"])
    elif spec.get("fresh") == "session":
        who = Role(ctx["server"], role.name)
        if role.email:
            who.sign_in(ctx["passwords"].get(role.name, "demo"))
        else:
            who.anonymous_token()
    elif spec.get("fresh") == "token":
        _, fresh_token = ctx["roles"]["reporter"].make_token()
    path = fill(ctx, pattern, copy, obj, fresh_token)
    query = spec.get("query")
    if query:
        path += "?" + query(ctx, copy, obj)
    answers = [send(ctx, who, method, path, flags, spec, copy)]
    if spec.get("search"):
        # The page repeats the search words: what counts is what it found.
        term = obj.r["desc"]
        answers = [without(answers[0], term)]
        answers[0].count_problem = count_problem(answers[0])
        if obj.n:
            # The internal note's words must find nothing for those who may
            # not read it: a hit shows as the note's class.
            probe = without(send(ctx, who, method, path.replace(term, obj.n["note"]), flags,
                                 spec, copy), obj.n["note"])
            hit = obj.classes(probe.everything()) != "-"
            answers.append(Answer(probe.status, [], (obj.n["note"] if hit else "").encode()))
    if spec.get("after"):
        spec["after"](ctx, who, copy)
    return answers


def count_problem(a):
    """A list page's count must be the rows it shows (all on one page): a
    count of more would tell of requests the caller may not see."""
    if not (a.header("Content-Type") or "").startswith("text/html"):
        return None
    text = a.text
    body = re.search(r"<tbody>(.*?)</tbody>", text, re.S)
    rows = len(re.findall(r"<tr\b", body.group(1))) if body else 0
    summary = re.search(r'id="list-summary"[^>]*>(.*?)</p>', text, re.S)
    if summary is None:
        return None if rows == 0 else "rows without a count"
    numbers = re.findall(r"\d+", summary.group(1).replace(".", ""))
    if not numbers or int(numbers[-1]) != rows:
        return "the count says %r, the page shows %d rows" % (summary.group(1).strip(), rows)
    return None


def without(a, term):
    """The answer with every copy of term taken out."""
    return Answer(a.status, [(k, v.replace(term, "")) for k, v in a.headers],
                  a.body.replace(term.encode(), b""))


def send(ctx, who, method, path, flags, spec, copy):
    if "api" in flags.split(","):
        if spec.get("upload"):
            body, ctype = multipart([], [("file", "authz.txt", b"authz\n", "text/plain")])
            return who.api(method, path, body, ctype)
        body = spec.get("json")
        if callable(body):
            body = body(ctx, copy, who)
        if body is None and method in ("POST", "PUT", "DELETE") and "json" not in spec:
            body = {}
        return who.api(method, path, body)
    if method == "GET":
        return who.get(path)
    fields = spec.get("form", [])
    if callable(fields):
        fields = fields(ctx, copy, who)
    return who.form(path, [(k, str(v)) for k, v in fields], method)


# --- the expected table --------------------------------------------------------

def load_table():
    """rows: (method, pattern, role, object, status, vis). `*` and comma lists
    in role and object; the most specific row decides (role before object)."""
    rows = []
    with open(TABLE, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            assert len(parts) == 6, "%s:%d: want 6 tab-separated columns: %r" % (TABLE, n, line)
            method, pattern, roles, objs, status, vis = parts
            for r in roles.split(","):
                assert r == "*" or r in ROLES, "%s:%d: unknown role %r" % (TABLE, n, r)
            for o in objs.split(","):
                assert o == "*" or o in OBJECTS, "%s:%d: unknown object %r" % (TABLE, n, o)
            assert vis in ("-", "R", "N", "RN"), "%s:%d: visibility %r" % (TABLE, n, vis)
            rows.append((method, pattern, roles, objs, status, vis, n))
    return rows


def expected_for(rows, method, pattern):
    """(role, object) -> (status, vis) for one route; raises on ambiguity."""
    mine = [r for r in rows if r[0] == method and r[1] == pattern]
    if not mine:
        return None
    out = {}
    for role in ROLES:
        for obj in OBJECTS:
            best, found = -1, []
            for r in mine:
                if not (r[2] == "*" or role in r[2].split(",")):
                    continue
                if not (r[3] == "*" or obj in r[3].split(",")):
                    continue
                spec = (2 if r[2] != "*" else 0) + (1 if r[3] != "*" else 0)
                if spec > best:
                    best, found = spec, [r]
                elif spec == best:
                    found.append(r)
            assert found, "%s %s: no row for %s/%s" % (method, pattern, role, obj)
            assert len(found) == 1, "%s %s: rows %s all match %s/%s" % (
                method, pattern, [r[6] for r in found], role, obj)
            out[(role, obj)] = (found[0][4], found[0][5])
    return out


# --- the test ------------------------------------------------------------------

def setup(server, binary):
    run = uuid.uuid4().hex[:6]
    ctx = {"server": server, "roles": {}, "objs": {}, "passwords": {"participant": DORA[2]}}
    subprocess.run([binary, "user", "add", "--db", server.db, "--email", EMAIL["participant"],
                    "--name", DORA[0], "--org", DORA[1], "--password", DORA[2]],
                   check=True, capture_output=True, timeout=60)
    for name in ROLES:
        role = Role(server, name)
        if name == "anonymous":
            role.anonymous_token()
        else:
            role.sign_in(ctx["passwords"].get(name, "demo"))
            role.token, _ = role.make_token()
            role.user_id = role.api_json("/rest/api/2/myself")["accountId"]
        ctx["roles"][name] = role
    anna = ctx["roles"]["reporter"]
    m = re.search(r'id="f-share-org-(\d+)"', anna.get(CREATE).text)
    ctx["org_id"] = m.group(1)
    # The staff's account actions work on an invited customer of its own.
    target = "authz-target-%s@example.org" % run
    subprocess.run([binary, "user", "invite", "--db", server.db, "--email", target,
                    "--print-link"], check=True, capture_output=True, timeout=60)
    ctx["target_id"] = db_rows(server.db, "SELECT id FROM users WHERE email = ?", (target,))[0][0]
    ctx["object_id"] = db_rows(server.db, "SELECT min(id) FROM objects")[0][0]
    ctx["group_id"] = db_rows(server.db, "SELECT min(id) FROM request_type_groups")[0][0]
    ctx["select_id"] = db_rows(server.db, "SELECT min(id) FROM fields WHERE kind = 'select'")[0][0]
    ctx["option_id"] = db_rows(server.db, "SELECT min(id) FROM field_options WHERE field_id = ?",
                               (ctx["select_id"],))[0][0]
    ctx["mail_id"] = discarded_mail(ctx, binary, run)
    counts = {}
    objs = {}
    before = open_counts(ctx)
    for kind in OBJECTS:
        obj = Obj(kind, run)
        objs[kind] = obj
        ctx["objs"][kind] = create_copy(ctx, obj)
        after = open_counts(ctx)
        for role in ROLES:
            counts[(role, kind)] = after[role] - before[role]
        before = after
    ctx["objects"] = objs
    ctx["counts"] = counts
    return ctx


def discarded_mail(ctx, binary, run):
    """A message from a stranger, received and discarded by the admin: the
    id the admin's mail pages are called with."""
    raw = ("From: authz-%s@stranger.example\r\nTo: zek@zek.test\r\n"
           "Subject: Fremd %s\r\nMessage-ID: <authz-%s@stranger.example>\r\n\r\n"
           "Hallo\r\n" % (run, run, run)).encode()
    out = subprocess.run([binary, "mail", "receive", "--db", ctx["server"].db], input=raw,
                         check=True, capture_output=True, timeout=60).stdout.decode()
    mail_id = re.search(r"mail (\d+) quarantined", out).group(1)
    a = ctx["roles"]["admin"].form("/servicedesk/admin/mail/%s/discard" % mail_id, [])
    assert a.status == 303, (a.status, a.text[:500])
    return mail_id


def open_counts(ctx):
    """The header's "Anfragen" badge per role (0 for anonymous: no header)."""
    out = {}
    for name, role in ctx["roles"].items():
        if name == "anonymous":
            out[name] = 0
            continue
        m = re.search(r'data-open-count="(\d+)"', role.get(PORTAL).text)
        assert m, "no open count for " + name
        out[name] = int(m.group(1))
    return out


def mail_outcomes(ctx):
    """(role, object) -> marker classes of the mails that role got about
    the object or its copies ("R" for any mail at all: it names it)."""
    ids = {r.user_id: name for name, r in ctx["roles"].items() if r.user_id}
    db = ctx["server"].db
    rows = db_rows(db, "SELECT request_id, recipient_id, payload, raw FROM outbox")
    staff = {str(i) for (i,) in db_rows(
        db, "SELECT id FROM users WHERE role IN ('agent', 'admin')")}
    out = {}
    for req_id, rcpt, payload, raw in rows:
        # Other support staff than ours count as the agent.
        role = ids.get(str(rcpt)) or ("agent" if str(rcpt) in staff else None)
        for obj in ctx["objects"].values():
            if req_id not in obj.ids:
                continue
            text = json.dumps(json.loads(payload), ensure_ascii=False) + (raw or "")
            got = "R" + ("N" if "N" in obj.classes(text) else "")
            key = (role or "rcpt %s" % rcpt, obj.kind)
            out[key] = "".join(sorted(set(out.get(key, "") + got), key="RN".index))
    return out


def check_leaks(leaks, objs, role, answers, what, kind):
    """Markers of any object the role may not see, whatever was called."""
    for other in objs.values():
        for a in answers:
            seen = other.classes(a.everything())
            extra = set(seen.replace("-", "")) - set(ALLOWED[role][other.kind])
            if extra:
                leaks.append("%s as %s on %s: %s of %s shows" % (
                    what, role, kind, "".join(sorted(extra)), other.kind))


def check_addresses(leaks, role, answers, what, kind):
    """Customers never see other people's e-mail addresses about a request
    (participants appear by name; docs/internals/core.md "Sharing")."""
    if role in ("anonymous", "agent", "admin"):
        return
    for other, address in EMAIL.items():
        if other != role and any(address in a.everything() for a in answers):
            leaks.append("%s as %s on %s: the e-mail address of %s shows" % (
                what, role, kind, other))


CONTEXT = {}


def context(server, binary):
    """The roles and objects, made once per run."""
    if "ctx" not in CONTEXT:
        CONTEXT["ctx"] = setup(server, binary)
    return CONTEXT["ctx"]


def test_authorization_matrix(c, server, binary):
    t0 = time.time()
    routes = zek_routes(binary)
    rows = load_table()
    ctx = context(server, binary)
    objs = ctx["objects"]
    diffs, leaks, missing, html_errors = [], [], [], []
    cells = 0
    for route in routes:
        method, pattern, flags, _ = route
        want = expected_for(rows, method, pattern)
        if want is None:
            missing.append("%s %s" % (method, pattern))
        spec = SPECS.get(method + " " + pattern, {})
        for role_name in ROLES:
            role = ctx["roles"][role_name]
            shared_answers = None
            for kind in OBJECTS:
                obj = objs[kind]
                if spec.get("indep") and shared_answers is not None:
                    answers = shared_answers
                else:
                    answers = call(ctx, route, role, obj)
                    shared_answers = answers
                cells += 1
                status = str(answers[0].status)
                vis = "".join(sorted(set("".join(
                    obj.classes(a.everything()) for a in answers).replace("-", "")),
                    key="RN".index)) or "-"
                check_leaks(leaks, objs, role_name, answers, method + " " + pattern, kind)
                if getattr(answers[0], "count_problem", None):
                    leaks.append("%s as %s on %s: %s" % (method + " " + pattern, role_name, kind,
                                                        answers[0].count_problem))
                if not spec.get("indep"):
                    check_addresses(leaks, role_name, answers, method + " " + pattern, kind)
                ctype = answers[0].header("Content-Type") or ""
                if ctype.startswith("text/html") and answers[0].status < 500 and \
                        role_name == "reporter" and not spec.get("indep"):
                    errs = check_html(answers[0].text)
                    if errs:
                        html_errors.append("%s %s on %s: %s" % (method, pattern, kind, errs[:3]))
                if want is not None and want[(role_name, kind)] != (status, vis):
                    diffs.append((method + " " + pattern, role_name, kind,
                                  "%s %s" % want[(role_name, kind)], "%s %s" % (status, vis)))
                # The API takes numeric ids for keys: the same answer. And
                # an {id} of this object under another request's key is
                # nobody's: 404.
                if "api" not in flags.split(",") or "{key}" not in pattern:
                    continue
                variants = [("id", "by id", (status, vis))]
                if "{id}" in pattern:
                    variants.append(("cross", "{id} under another key",
                                     ("401" if role_name == "anonymous" else "404", "-")))
                for variant, label, expect in variants:
                    cells += 1
                    a = call(ctx, route, role, obj, variant)[0]
                    got = (str(a.status), obj.classes(a.everything()))
                    check_leaks(leaks, objs, role_name, [a], "%s %s (%s)" % (method, pattern, label),
                                kind)
                    if got != expect:
                        diffs.append(("%s %s (%s)" % (method, pattern, label), role_name, kind,
                                      "%s %s" % expect, "%s %s" % got))
    # The header's open count, measured while the objects were made.
    want = expected_for(rows, "COUNT", "header-open")
    for role in ROLES:
        for kind in OBJECTS:
            got = ctx["counts"][(role, kind)]
            cells += 1
            if got and ALLOWED[role][kind] == "":
                leaks.append("header open count of %s moved by %s" % (role, kind))
            if want is not None and want[(role, kind)][0] != "%+d" % got:
                diffs.append(("COUNT header-open", role, kind, want[(role, kind)][0], "%+d" % got))
    # The outbox, after everything.
    mails = mail_outcomes(ctx)
    want = expected_for(rows, "MAIL", "outbox")
    for (who, kind), classes in sorted(mails.items()):
        allowed = ALLOWED.get(who, {}).get(kind, "")
        customer = who not in ("agent", "admin")
        if "R" not in allowed or ("N" in classes and customer):
            leaks.append("mail about %s to %s with %s" % (kind, who, classes))
    for role in ROLES:
        for kind in OBJECTS:
            cells += 1
            got = mails.get((role, kind), "-")
            if want is not None and want[(role, kind)][1] != got:
                diffs.append(("MAIL outbox", role, kind, "- " + want[(role, kind)][1], "- " + got))
    print("authz: %d routes x %d roles x %d objects (+ counts and mails): %d cells, %.1f s" % (
        len(routes), len(ROLES), len(OBJECTS), cells, time.time() - t0), flush=True)
    report = []
    if missing:
        report.append("routes missing from %s (decide for each role and object):\n  %s" % (
            os.path.relpath(TABLE, ROOT), "\n  ".join(missing)))
    if diffs:
        w = max(len(d[0]) for d in diffs)
        report.append("%d differences from the table:\n  %-*s  %-11s %-8s %-9s %s\n%s" % (
            len(diffs), w, "route", "role", "object", "expected", "got",
            "\n".join("  %-*s  %-11s %-8s %-9s %s" % (w, d[0], d[1], d[2], d[3], d[4])
                      for d in diffs)))
    if leaks:
        report.append("%d leaks:\n  %s" % (len(leaks), "\n  ".join(sorted(set(leaks)))))
    if html_errors:
        report.append("HTML problems:\n  " + "\n  ".join(html_errors))
    if report:
        print("\n\n".join(report), file=sys.stderr, flush=True)
        raise AssertionError("authorization matrix: %d differences, %d leaks, %d routes "
                             "missing (see above)" % (len(diffs), len(set(leaks)), len(missing)))


def test_uploads_sessions_and_tokens_stay_with_their_owner(c, server, binary):
    """What the matrix cannot name by a route: Anna's temporary uploads
    (API and kept form uploads) are hers alone, nobody raises requests for
    a customer outside their organisation, and a session or token that
    ended opens nothing."""
    ctx = context(server, binary)
    roles = ctx["roles"]
    anna = roles["reporter"]
    marker = "aztmp%sq" % uuid.uuid4().hex[:6]
    seen = []
    # Anna's upload through the API, and one kept by a failed comment form.
    a = anna.api("POST", API + "/servicedesk/1/attachTemporaryFile",
                 *multipart([], [("file", "vorlaeufig.txt", ("Vorläufig %s\n" % marker).encode(),
                                  "text/plain")]))
    assert a.status == 201, (a.status, a.text[:300])
    tmp = json.loads(a.text)["temporaryAttachments"][0]["temporaryAttachmentId"]
    url = PORTAL + "/" + ctx["objs"]["shared"]["key"]
    a = anna.multipart(url + "/comment", [("comment", "")],
                       [("attachment", "behalten.txt", ("Behalten %s\n" % marker).encode(),
                         "text/plain")])
    assert a.status == 422, a.status
    kept = re.search(r'name="keep_attachment" value="([^"]+)"', a.text).group(1)
    shared_key = ctx["objs"]["shared"]["key"]
    for name in ("colleague", "other_org", "participant", "agent", "admin"):
        x = roles[name]
        body = {"serviceDeskId": "1", "requestTypeId": TYPE_ID,
                "requestFieldValues": {"summary": "Fremde Datei", "description": "Versuch",
                                       "attachment": [tmp, kept]}}
        a = x.api("POST", API + "/request", body)
        seen.append(a)
        assert a.status == 400 and "err_upload_expired" in a.text, (name, a.status, a.text[:300])
        if "R" in ALLOWED[name]["shared"]:
            a = x.api("POST", API + "/request/%s/attachment" % shared_key,
                      {"temporaryAttachmentIds": [tmp], "public": True})
            seen.append(a)
            assert a.status == 400 and "err_upload_expired" in a.text, (name, a.status)
            a = x.multipart(url + "/comment", [("comment", "Mit fremder Datei"),
                                               ("keep_attachment", kept),
                                               ("keep_attachment", tmp)])
            seen.append(a)
            # Someone else's uploads are dropped: the comment goes in without them.
            assert a.status == 303, (name, a.status)
            seen.append(x.get(url))
        a = x.multipart(CREATE, [("summary", "Fremde Datei"), ("description", "Versuch"),
                                 ("share", "private"), ("keep_attachment", kept),
                                 ("keep_attachment", tmp)])
        seen.append(a)
        if a.status == 303:
            seen.append(x.get(a.header("Location")))
        for answer in seen:
            assert marker not in answer.everything(), (name, answer.status)
        seen.clear()
    # The uploads were good: Anna can still use them.
    a = anna.api("POST", API + "/request", {
        "serviceDeskId": "1", "requestTypeId": TYPE_ID,
        "requestFieldValues": {"summary": "Eigene Datei", "description": "Meine",
                               "attachment": [tmp, kept]}})
    assert a.status == 201, (a.status, a.text[:300])
    files = anna.api_json(API + "/request/%s/attachment" % json.loads(a.text)["issueKey"])
    assert len(files["values"]) == 2, files
    # Raising on behalf: only for someone sharing an organisation.
    for name in ("other_org", "participant"):
        a = roles[name].api("POST", API + "/request", {
            "serviceDeskId": "1", "requestTypeId": TYPE_ID, "raiseOnBehalfOf": EMAIL["reporter"],
            "requestFieldValues": {"summary": "Für Anna", "description": "Versuch"}})
        assert a.status == 400 and "err_onbehalf_invalid" in a.text, (name, a.status, a.text[:300])
        a = roles[name].multipart(CREATE, [("summary", "Für Anna"), ("description", "Versuch"),
                                           ("share", "private"), ("onbehalf", anna.user_id)])
        assert a.status == 422, (name, a.status)
    # A session that logged out and a revoked token open nothing.
    ben = Role(server, "colleague")
    ben.sign_in()
    old = dict(ben.cookies)
    assert ben.form("/servicedesk/customer/user/logout", []).status == 303
    ben.cookies = old
    a = ben.get(PORTAL + "/" + shared_key)
    assert a.status == 303 and a.header("Location").startswith(LOGIN), a.status
    token, token_id = anna.make_token()
    assert anna.form(PROFILE + "/tokens/%d/revoke" % token_id, []).status == 303
    gone = Role(server, "reporter")
    gone.token = token
    assert gone.api("GET", API + "/request/" + shared_key).status == 401
