"""Helpers for end-to-end tests: a real `zek serve` on a free loopback port
with a fresh database, an HTTP client with cookies, multipart bodies, and
an HTML checker (well-formed, unique ids, every control labelled).

The database backend comes from the environment: SQLite files by default;
with ZEK_E2E_BACKEND=pg, a fresh PostgreSQL database per server on the
cluster ZEK_TEST_PG names (a libpq URL whose role may CREATE DATABASE).
Tests read and change the database through db_rows/db_one/db_exec, which
speak to either."""

import contextlib
import html
import html.parser
import itertools
import http.client
import os
import re
import shutil
import socket
import sqlite3
import struct
import subprocess
import tempfile
import time
import urllib.parse
import uuid
import zlib

PORTAL = "/servicedesk/customer/portal/17"
LOGIN = "/servicedesk/customer/user/login"
PROFILE = "/servicedesk/customer/user/profile"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def zek_run(binary, *args, timeout=120):
    """A zek command to its end: (exit status, stdout, stderr) as text."""
    p = subprocess.run([binary] + list(args), capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


@contextlib.contextmanager
def scratch(prefix):
    """A temporary folder for a test's files, removed however it ends."""
    folder = tempfile.mkdtemp(prefix=prefix)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the database: SQLite files or PostgreSQL databases ----------------------

BACKEND = os.environ.get("ZEK_E2E_BACKEND") or "sqlite"
if BACKEND not in ("sqlite", "pg"):
    raise SystemExit("ZEK_E2E_BACKEND=%s: sqlite (the default) or pg" % BACKEND)
PG_PREFIX = "zek_e2e_"      # every PostgreSQL database the tests make; run.py finds leftovers by it


class Skip(Exception):
    """A test that does not apply to this backend; run.py prints why."""


def sqlite_only(why):
    """Skips the calling test on PostgreSQL: it checks what only SQLite has."""
    if BACKEND == "pg":
        raise Skip("SQLite only: " + why)


def is_pg(db):
    return db.startswith(("postgresql://", "postgres://"))


def pg_admin():
    """The URL of the throw-away cluster, for creating and dropping databases."""
    url = os.environ.get("ZEK_TEST_PG")
    if not url:
        raise RuntimeError("ZEK_E2E_BACKEND=pg needs ZEK_TEST_PG, the libpq URL of a "
                           "throw-away cluster whose role may CREATE DATABASE")
    if not is_pg(url):
        raise RuntimeError("ZEK_TEST_PG must be a postgresql:// URL, not %r" % url)
    return url


def pg_name(url):
    """The database a URL names."""
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.lstrip("/"))


def pg_url(name):
    """The URL of database name on the cluster of ZEK_TEST_PG."""
    admin = urllib.parse.urlsplit(pg_admin())
    return urllib.parse.urlunsplit(admin._replace(path="/" + urllib.parse.quote(name)))


_db_numbers = itertools.count(1)
_db_folders = {}            # SQLite file from new_db -> the folder made for it


def new_db(dir=None):
    """A fresh, empty database: a file in a new folder (under dir) on
    SQLite, the URL of a new database on PostgreSQL. drop_db removes it."""
    if BACKEND == "pg":
        name = "%s%d_%d" % (PG_PREFIX, os.getpid(), next(_db_numbers))
        _psql(pg_admin(), "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8'" % name)
        return pg_url(name)
    folder = tempfile.mkdtemp(prefix="zek-e2e-db-", dir=dir)
    db = os.path.join(folder, "zek.db")
    _db_folders[db] = folder
    return db


def drop_db(db):
    """Removes a database new_db made (and only such a one)."""
    if is_pg(db):
        name = pg_name(db)
        if not re.fullmatch(re.escape(PG_PREFIX) + r"\d+_\d+", name):
            raise ValueError("not a database of the tests: " + db)
        # FORCE: a test that failed may have left a zek process connected.
        # An autovacuum worker in it belongs to the superuser, whom FORCE
        # may not stop: it ends within moments, so try again.
        for attempt in range(20):
            try:
                _psql(pg_admin(), "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
                break
            except RuntimeError:
                if attempt == 19:
                    raise
                time.sleep(0.5)
    else:
        shutil.rmtree(_db_folders.pop(db))


def e2e_databases():
    """The names of the tests' databases on the PostgreSQL cluster."""
    return [r[0] for r in db_rows(pg_admin(), "SELECT datname FROM pg_database "
                                  "WHERE left(datname, ?) = ? ORDER BY datname",
                                  (len(PG_PREFIX), PG_PREFIX))]


def db_rows(db, sql, params=()):
    """The rows of a query as a list of tuples, the same on both backends:
    integers as int, NULL as None, text as str. Each ? in sql is a
    parameter from params, never formatted into the SQL text."""
    if is_pg(db):
        return _pg_query(db, sql, params)[1]
    con = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(db), uri=True, timeout=10)
    try:
        return con.execute(sql, tuple(params)).fetchall()
    finally:
        con.close()


def db_dicts(db, sql, params=()):
    """db_rows, each row as a dict by column name."""
    if is_pg(db):
        names, rows = _pg_query(db, sql, params)
    else:
        con = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(db), uri=True, timeout=10)
        try:
            cur = con.execute(sql, tuple(params))
            names, rows = [d[0] for d in cur.description], cur.fetchall()
        finally:
            con.close()
    return [dict(zip(names, r)) for r in rows]


def db_one(db, sql, params=()):
    """The first column of the first row, None when there is no row."""
    rows = db_rows(db, sql, params)
    return rows[0][0] if rows else None


def db_exec(db, sql, params=()):
    """Runs one statement that changes the database, committed at once."""
    if is_pg(db):
        text, values = _pg_sql(sql, params)
        _psql(db, text + "\n\\g\n", values)
        return
    con = sqlite3.connect(db, timeout=10)
    try:
        with con:
            con.execute(sql, tuple(params))
    finally:
        con.close()


# psql's unaligned output with separators no value of ours holds.
PG_UNIT, PG_RECORD, PG_NULL = "\x1f", "\x1e", "\x1dNULL\x1d"
PG_INT = {"smallint", "integer", "bigint", "oid"}
PG_FLOAT = {"real", "double precision"}
# ? outside quotes is a parameter; quoted text and names pass unchanged.
PG_TOKENS = re.compile(r"""('(?:[^']|'')*'|"(?:[^"]|"")*"|\?)""")


def _pg_sql(sql, params):
    """sql with each ? as psql's :'pN' (psql quotes the value as a literal),
    and the values of those variables."""
    params = list(params)
    parts, values = [], []
    for part in PG_TOKENS.split(sql.strip().rstrip(";")):
        if part != "?":
            parts.append(part)
            continue
        if len(values) == len(params):
            raise ValueError("more ? than parameters in: " + sql)
        v = params[len(values)]
        if v is None:
            parts.append("NULL")
        elif isinstance(v, (bool, int, float, str)):
            parts.append(":'p%d'" % (len(values) + 1))
        else:
            raise TypeError("parameter %r: int, float, str or None" % (v,))
        values.append(v)
    if len(values) != len(params):
        raise ValueError("more parameters than ? in: " + sql)
    return "".join(parts), values


def _psql(url, script, values=()):
    """Runs a psql script on url; psql's output as text. values become the
    psql variables p1, p2, ... (None ones are not needed: NULL is SQL)."""
    args = ["psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-F", PG_UNIT,
            "-R", PG_RECORD, "-P", "null=" + PG_NULL]
    for i, v in enumerate(values, 1):
        if v is not None:
            v = str(int(v)) if isinstance(v, bool) else str(v)
            if "\0" in v:
                raise ValueError("psql variables hold no NUL character")
            args += ["-v", "p%d=%s" % (i, v)]
    args += ["-d", url, "-f", "-"]
    env = dict(os.environ, PGCLIENTENCODING="UTF8", PGCONNECT_TIMEOUT="10")
    r = subprocess.run(args, input=script.encode(), capture_output=True, env=env, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("psql failed (%d): %s\n%s" % (r.returncode,
                           r.stderr.decode("utf-8", "replace").strip(), script))
    return r.stdout.decode("utf-8")


def _pg_query(url, sql, params):
    """Column names and rows of a query. \\gdesc first names each column's
    type, so that the text psql prints converts back as SQLite's would."""
    text, values = _pg_sql(sql, params)
    out = _psql(url, text + "\n\\gdesc\n\\g\n", values)
    desc, _, data = out.partition("\n")
    columns = [c.split(PG_UNIT) for c in desc.split(PG_RECORD)]
    if any(len(c) != 2 for c in columns):
        raise RuntimeError("psql: no columns from %r: %r" % (sql, desc))
    if not data:
        return [c[0] for c in columns], []
    if not data.endswith("\n"):
        raise RuntimeError("psql: cut output for %r" % sql)
    rows = []
    for record in data[:-1].split(PG_RECORD):
        fields = record.split(PG_UNIT)
        if len(fields) != len(columns):
            raise RuntimeError("psql: %d columns where %d were described (a value holds "
                               "a separator?): %r" % (len(fields), len(columns), record))
        rows.append(tuple(_pg_value(f, t) for f, (_, t) in zip(fields, columns)))
    return [c[0] for c in columns], rows


def _pg_value(text, pg_type):
    if text == PG_NULL:
        return None
    if pg_type in PG_INT:
        return int(text)
    if pg_type == "boolean":        # SQLite's comparisons give 1 and 0
        return 1 if text == "t" else 0
    if pg_type == "numeric":        # sum() of integers is numeric on PostgreSQL
        return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
    if pg_type in PG_FLOAT:
        return float(text)
    if pg_type == "bytea":
        return bytes.fromhex(text[2:])
    return text


# Every zek serve process started through Server, so that run.py can check
# that none outlives the run.
STARTED = []


class Server:
    """A zek serve process with its own database: a file in its temporary
    folder on SQLite, a database of its own on PostgreSQL."""

    START_SECONDS = 60      # to listen after the start, else it is stopped

    def __init__(self, binary, demo=True, extra_env=None, db=None, port=None, threads=2):
        """db: an existing database (file or URL) to serve; it outlives stop().
        port: a fixed port (e.g. to restart on the same address).
        threads: libmicrohttpd's workers (and as many writer threads)."""
        self.binary = binary
        self.own_db = db is None and BACKEND == "pg"
        self.dir = tempfile.mkdtemp(prefix="zek-e2e-")
        if self.own_db:
            self.db = new_db()
        else:
            self.db = db or os.path.join(self.dir, "zek.db")
        self.port = port or free_port()
        self.log_path = os.path.join(self.dir, "server.log")
        env = dict(os.environ)
        env.update(extra_env or {})
        args = [binary, "serve", "--listen", "127.0.0.1:%d" % self.port,
                "--db", self.db, "--root", ROOT, "--threads", str(threads)]
        if demo:
            args.append("--demo")
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=self.log, env=env)
        STARTED.append(self.proc)
        deadline = time.time() + self.START_SECONDS
        while time.time() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.1)
        # A server that did not come up is stopped as well: none is left behind.
        why = "zek exited: " if self.proc.poll() is not None else "zek did not start: "
        raise RuntimeError(why + self.stop()[1])

    def read_log(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        log = self.read_log()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.own_db:
            drop_db(self.db)
        return self.proc.returncode, log


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


class Client:
    """One browser: keeps cookies, finds CSRF tokens in pages."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}
        self.accept_language = "de-DE,de;q=0.9"

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        h = {"Accept-Language": self.accept_language}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read())
        conn.close()
        for k, v in resp.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";")[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post_form(self, path, fields, csrf=True):
        fields = list(fields)
        if csrf:
            fields.append(("csrf", self.csrf(path)))
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body,
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path, fields, files=(), csrf=True, raw_values=False):
        """fields: (name, str|bytes); files: (name, filename, bytes, type)."""
        fields = list(fields)
        if csrf:
            fields.append(("csrf", self.csrf(path)))
        boundary = "----zekTestBoundary" + uuid.uuid4().hex
        parts = []
        for name, value in fields:
            if isinstance(value, str):
                value = value.encode()
            parts.append(b"--" + boundary.encode() + b"\r\n" +
                         b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' +
                         value + b"\r\n")
        for name, filename, data, ctype in files:
            parts.append(b"--" + boundary.encode() + b"\r\n" +
                         b'Content-Disposition: form-data; name="' + name.encode() +
                         b'"; filename="' + filename.encode() + b'"\r\n' +
                         b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + data + b"\r\n")
        body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
        return self.request("POST", path, body,
                            {"Content-Type": "multipart/form-data; boundary=" + boundary})

    def csrf(self, path):
        """The form token of this browser: from the page at path, else from
        any page that carries one (the portal when signed in, the login
        page when not)."""
        for p in (path, PORTAL, LOGIN):
            page = self.get(p)
            m = re.search(r'name="csrf" value="([^"]+)"', page.text) if page.status == 200 else None
            if m:
                return m.group(1)
        raise AssertionError("no CSRF token on " + path)

    def login(self, email, password="demo"):
        r = self.post_form("/servicedesk/customer/user/login",
                           [("email", email), ("password", password)])
        assert r.status == 303, (r.status, r.text[:500])
        return r




def logged(server, method, path, seconds=3):
    """(client address, status) of the server's access log lines for
    method and path; waits up to `seconds` for the log's flush."""
    pat = re.compile(r"^[0-9a-f]{16} (\S+) %s %s (\d+) \d+ \d+us$"
                     % (re.escape(method), re.escape(path)))
    deadline = time.time() + seconds
    while True:
        found = [m.groups() for m in map(pat.match, server.read_log().splitlines()) if m]
        if found or time.time() > deadline:
            return found
        time.sleep(0.05)

def log_with(server, text, seconds=3):
    """The server's log once it holds `text` (the access log is flushed
    a moment after each request), or as it is after `seconds`."""
    deadline = time.time() + seconds
    while True:
        log = server.read_log()
        if text in log or time.time() > deadline:
            return log
        time.sleep(0.05)


def api_token(c, name="e2e"):
    """A personal API token of the signed-in browser c, made on the profile
    page as a person would (the expiry the form proposes)."""
    page = c.get(PROFILE).text
    expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
    r = c.post_form(PROFILE + "/tokens", [("name", name), ("expires", expires)])
    assert r.status == 200, (r.status, r.text[:500])
    return re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', r.text).group(1)

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
        "meta", "source", "track", "wbr"}
# Elements whose end tag HTML lets us leave out; we never do, but a checker
# must not report a well-formed page when it really closes them.
LABELLED = {"input", "select", "textarea"}


class HtmlChecker(html.parser.HTMLParser):
    """Finds unclosed or stray tags, duplicate ids and unlabelled controls."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.errors = []
        self.ids = {}
        self.label_for = set()
        self.controls = []
        self.label_depth = 0
        self.has_doctype = False
        self.inline_script = False

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.has_doctype = True

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append("duplicate id %r" % a["id"])
            self.ids[a["id"]] = tag
        if tag == "label":
            self.label_depth += 1
            if "for" in a:
                self.label_for.add(a["for"])
        if tag in LABELLED and a.get("type") not in ("hidden", "submit", "button", "reset"):
            self.controls.append((tag, a, self.label_depth > 0))
        if any(k.startswith("on") for k in a) or "style" in a:
            self.errors.append("inline handler or style on <%s>" % tag)
        if tag == "script" and "src" not in a and a.get("type") != "application/json":
            self.inline_script = True
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("unexpected </%s> (open: %s)" % (tag, "/".join(self.stack[-4:])))
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def finish(self):
        self.close()
        if self.stack:
            self.errors.append("unclosed: " + "/".join(self.stack))
        if not self.has_doctype:
            self.errors.append("no <!doctype html>")
        if self.inline_script:
            self.errors.append("inline script")
        for tag, a, wrapped in self.controls:
            if not (wrapped or a.get("id") in self.label_for or "aria-label" in a
                    or "aria-labelledby" in a):
                self.errors.append("<%s name=%r> has no label" % (tag, a.get("name")))
        return self.errors


def check_html(text):
    c = HtmlChecker()
    c.feed(text)
    return c.finish()


# --- assertions and page readers shared by the test modules ---

def png(w=2, h=2):
    """A real PNG file, so the server's type sniffing sees an image."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def unescape(s):
    return html.unescape(s)


def assert_in(needle, text, what=""):
    if needle not in unescape(text):
        raise AssertionError("%r not found %s" % (needle, what))


def assert_html_ok(text, what):
    errors = check_html(text)
    assert not errors, "%s: %s" % (what, errors[:5])


def type_links(client):
    """Request type name -> create URL, read from the portal page."""
    page = client.get(PORTAL).text
    links = {}
    for href, inner in re.findall(r'<a[^>]+href="(/servicedesk/customer/portal/17/create/\d+)"[^>]*>(.*?)</a>', page, re.S):
        name = unescape(re.sub(r"<[^>]+>", " ", inner)).split("\n")[0]
        for t in ("Störungsmeldung", "Anforderung Online-Dienst", "Online-Dienst Inbetriebnahme", "Sonstige Frage"):
            if t in unescape(inner):
                links[t] = href
    assert len(links) == 4, links
    return links


def option_value(page, select_name, label):
    """The value of the option with `label` in the select named select_name."""
    m = re.search(r'<select[^>]*name="%s"[^>]*>(.*?)</select>' % re.escape(select_name), page, re.S)
    assert m, "no select " + select_name
    for value, text in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>(.*?)</option>', m.group(1), re.S):
        if unescape(text).strip() == label:
            return value
    raise AssertionError("no option %r in %s" % (label, select_name))


def open_count(page):
    m = re.search(r'data-open-count="(\d+)"', page)
    assert m, "no open count in header"
    return int(m.group(1))


def created_key(resp):
    assert resp.status == 303, (resp.status, resp.text[:3000])
    loc = resp.header("Location")
    m = re.fullmatch(r"/servicedesk/customer/portal/17/(ZEK-\d+)", loc)
    assert m, loc
    return m.group(1)
