"""What the package tests check of an installed zek, written once:
tests/package/check.py runs it on a `meson install --destdir` tree (or a
.deb unpacked), tests/package/maintainer.py on the .deb installed by dpkg
in a throw-away root, as the user zek.

- init(): `zek init` (the unit's ExecStartPre) twice: the database holds
  the ZEK configuration's service desks, the people expected, no requests,
  and the second run changes nothing;
- serve(): `zek serve` on a free loopback port: sd_notify READY=1, GET /
  redirects to the portals, the login page renders from the installed
  templates (a marker put into them), /healthz, a static file; a SIGHUP
  that re-reads an edited template (RELOADING=1, READY=1), and a SIGTERM
  that ends with STOPPING=1 and exit status 0.

A zek command is a list: the program and its options before the command
("init", "serve"), e.g. [".../bin/zek", "--config", conf, "--db", db] or
["chroot", root, "setpriv", ..., "/usr/bin/zek", "--config", conf]."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.request


class Failed(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failed(what)
    print("ok: " + what, flush=True)


def run(args, **kw):
    kw.setdefault("capture_output", True)
    return subprocess.run(args, text=True, timeout=kw.pop("timeout", 120), **kw)


def said(r):
    """A failed command's output, for the message."""
    return ": " + (r.stdout + r.stderr).strip()[-2000:] if r.returncode else ""


def deb_control(deb):
    """The .deb's conffiles and its dependencies (shlibs for the libraries,
    adduser for postinst)."""
    info = run(["dpkg-deb", "-I", deb, "conffiles"]).stdout.split()
    check(info == ["/etc/zek/zek.conf"], "the conffile is /etc/zek/zek.conf alone")
    deps = run(["dpkg-deb", "-f", deb, "Depends"]).stdout
    check("libsystemd0" in deps and "libmicrohttpd12" in deps and "adduser" in deps,
          "Depends from the shared libraries (shlibs) and for postinst")


class Notify:
    """systemd's side of sd_notify: a datagram socket zek writes to. `path`
    is where the test binds it, `seen_as` where zek finds it (another
    path inside a chroot); a socket others than its owner may write to."""

    def __init__(self, path, seen_as=None):
        self.path = path
        self.seen_as = seen_as or path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o666)

    def wait(self, want, seconds=30):
        self.sock.settimeout(seconds)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            if want in msg.split("\n"):
                return True
        return False

    def close(self):
        self.sock.close()


def get(url, follow=True):
    """(status, headers, body) without raising on 3xx/4xx."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):
            return None
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=30) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def mark(templates, old, new):
    """Puts a marker into the installed login page, to see which copy zek serves."""
    path = os.path.join(templates, "login.mustache")
    text = open(path).read()
    text = text.replace(old + "{{/content}}", new + "{{/content}}") if old else \
        text.replace("{{/content}}", new + "{{/content}}")
    open(path, "w").write(text)


def counts(db):
    """(service desks, people, requests), read without writing: no -wal or
    -shm file of the test's own (zek's user could not open one of root's)."""
    with sqlite3.connect("file:%s?mode=ro&immutable=1" % db, uri=True) as c:
        return tuple(c.execute("select count(*) from " + t).fetchone()[0]
                     for t in ("service_desks", "users", "requests"))


def init(zek, db, people=0, **kw):
    """zek init, as the unit's ExecStartPre runs it on every start."""
    r = run(zek + ["init"], **kw)
    check(r.returncode == 0, "zek init" + said(r))
    first = counts(db)
    check(first[0] > 0 and first[1:] == (people, 0),
          "service desks: %d, people: %d (expected %d), requests: %d"
          % (first[0], first[1], people, first[2]))
    r = run(zek + ["init"], **kw)
    check(r.returncode == 0 and counts(db) == first, "init again changes nothing" + said(r))


def listening(proc, log):
    """The port zek's log names once it listens, None if it ended first."""
    for _ in range(300):
        log.seek(0)
        m = re.search(r"listening url=http://127\.0\.0\.1:(\d+)/", log.read())
        if m or proc.poll() is not None:
            return m and m.group(1)
        time.sleep(0.1)
    return None


def pages(url, templates):
    """What a visitor of an empty portal sees, from the installed files."""
    status, headers, _ = get(url + "/", follow=False)
    check(status == 302 and headers["Location"].endswith("/servicedesk/customer/portals"),
          "GET / redirects to the portals")
    status, _, body = get(url + "/servicedesk/customer/portals")
    check(status == 200 and "<title>Anmelden" in body, "the login page renders")
    check("package-check-1" in body, "from the installed templates (%s)" % templates)
    status, _, body = get(url + "/healthz")
    check(status == 200 and body.strip() == "ok", "/healthz says ok")
    status, _, body = get(url + "/static/v1/zek.css")
    check(status == 200 and len(body) > 1000, "a static file")


def reload_and_stop(proc, url, templates, notify):
    mark(templates, "<!-- package-check-1 -->", "<!-- package-check-2 -->")
    proc.send_signal(signal.SIGHUP)
    if notify:
        check(notify.wait("RELOADING=1") and notify.wait("READY=1"),
              "sd_notify RELOADING=1, then READY=1")
    body = ""
    for _ in range(100):
        body = get(url + "/servicedesk/customer/portals")[2]
        if "package-check-2" in body:
            break
        time.sleep(0.1)
    check("package-check-2" in body, "reload (SIGHUP) re-reads the templates")
    proc.send_signal(signal.SIGTERM)
    if notify:
        check(notify.wait("STOPPING=1"), "sd_notify STOPPING=1")
    rc = proc.wait(timeout=30)
    check(rc == 0, "SIGTERM stops zek with exit status 0 (it was %d)" % rc)


def serve(zek, templates, logfile, notify=None, **popen):
    """zek serve on a free port until SIGTERM; `templates` is the installed
    templates folder as the test reaches it, `notify` a Notify or None
    (a zek without libsystemd)."""
    env = dict(popen.pop("env", os.environ))
    if notify:
        env["NOTIFY_SOCKET"] = notify.seen_as
    mark(templates, None, "<!-- package-check-1 -->")
    log = open(logfile, "w+")
    proc = subprocess.Popen(zek + ["serve", "--listen", "127.0.0.1:0", "--threads", "2"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, **popen)
    try:
        port = listening(proc, log)
        check(port is not None, "zek serve listens")
        if notify:
            check(notify.wait("READY=1"), "sd_notify READY=1")
        else:
            print("note: zek is built without libsystemd: no sd_notify checks")
        url = "http://127.0.0.1:%s" % port
        pages(url, templates)
        reload_and_stop(proc, url, templates, notify)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.seek(0)
        out = log.read()
        log.close()
        if "reload: templates" not in out or "stopping signal=15" not in out:
            print("zek's log:\n" + out)
