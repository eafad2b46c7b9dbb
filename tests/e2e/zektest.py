"""Helpers for end-to-end tests: a real `zek serve` on a free loopback port
with a fresh database, an HTTP client with cookies, multipart bodies, and
an HTML checker (well-formed, unique ids, every control labelled)."""

import html
import html.parser
import http.client
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse
import uuid
import zlib

PORTAL = "/servicedesk/customer/portal/17"
LOGIN = "/servicedesk/customer/user/login"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Every zek serve process started through Server, so that run.py can check
# that none outlives the run.
STARTED = []


class Server:
    """A zek serve process with its own database in a temporary folder."""

    START_SECONDS = 60      # to listen after the start, else it is stopped

    def __init__(self, binary, demo=True, extra_env=None, db=None, port=None):
        """db: an existing database file to serve (it outlives stop());
        port: a fixed port (e.g. to restart on the same address)."""
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="zek-e2e-")
        self.db = db or os.path.join(self.dir, "zek.db")
        self.port = port or free_port()
        self.log_path = os.path.join(self.dir, "server.log")
        env = dict(os.environ)
        env.update(extra_env or {})
        args = [binary, "serve", "--listen", "127.0.0.1:%d" % self.port,
                "--db", self.db, "--root", ROOT, "--threads", "2"]
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
