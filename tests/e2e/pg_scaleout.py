"""Scale-out (issue 14): three `zek serve` processes on one PostgreSQL
database behind Debian's nginx (an upstream block, round-robin) on
loopback, each with a mail worker sending to a real SMTP server
(tests/e2e/mailsink.py).

Customers and agents work through nginx and on each process directly: a
session, a form token and an API token issued by one process are accepted
by the others; concurrent creates from all three give unique keys,
ascending for each client; every mail reaches the SMTP server exactly once;
failed sign-ins on all three count together; and `kill -9` of one process
under write load loses no acknowledged request and no mail, while the
other two go on serving the same sessions.

nginx adds the header X-Zek-Upstream (the backend that answered), so the
tests see which process served what. Run by meson as e2e-scaleout (suite
pg): run.py with ZEK_E2E_BACKEND=pg, skipped without ZEK_TEST_PG. nginx
is Debian's (make deps-test installs it)."""

import atexit
import collections
import email
import email.policy
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import types
import uuid

import zektest
from zektest import LOGIN, PORTAL, ROOT, Client, Server, created_key, free_port, type_links
from test_mail import SANITIZER, Smtp

PG_ONLY = "several processes share one database only on PostgreSQL"

N = 3                       # zek serve processes
SMTP_TIMEOUT_MS = 1000      # a mail's claim lapses after 2 * this + 1 s (src/mail/outbox.c)
SD = "/rest/servicedeskapi"
PROFILE = "/servicedesk/customer/user/profile"
AGENT_REQ = "/servicedesk/agent/requests/"
FRAGE = PORTAL + "/create/4"    # Sonstige Frage
ANNA, BEN, CARLA = "anna@example.org", "ben@example.org", "carla@example.org"
AGENT = "support@example.org"
RUN = "scale%sz" % uuid.uuid4().hex[:8]     # in every title this run writes
NET_ERRORS = (OSError, http.client.HTTPException)
STATE = {}                  # "farm", and what one test leaves to the next

NGINX_CONF = """\
# One master, one worker: round-robin is then exact for one client.
worker_processes 1;
daemon off;
master_process on;
pid nginx.pid;
error_log error.log warn;

events {
	worker_connections 512;
}

http {
	access_log off;
	client_body_temp_path tmp/body;
	proxy_temp_path tmp/proxy;
	fastcgi_temp_path tmp/fastcgi;
	uwsgi_temp_path tmp/uwsgi;
	scgi_temp_path tmp/scgi;

	upstream zek {
@SERVERS@
		keepalive 16;
	}

	server {
		listen 127.0.0.1:@PORT@;
		client_max_body_size 30m;

		location / {
			proxy_pass http://zek;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			proxy_set_header Host $http_host;
			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
			proxy_set_header X-Forwarded-Proto $scheme;
			# nginx's default: the next server on a refused connection or a
			# timeout, a POST only when it never reached the failed one.
			proxy_next_upstream error timeout;
			proxy_connect_timeout 2s;
			proxy_read_timeout 60s;
			add_header X-Zek-Upstream $upstream_addr always;
		}
	}
}
"""


def nginx_binary():
    for p in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if p and os.access(p, os.X_OK):
            return p
    raise AssertionError("nginx is not installed (make deps-test installs Debian's nginx)")


class Nginx:
    """Debian's nginx as our child process: its own prefix folder (pid,
    logs, temp files), in the foreground, on a loopback port."""

    def __init__(self, backends):
        binary = nginx_binary()
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="zek-scale-nginx-")
        # As root, nginx's worker runs as nobody: it must reach tmp/.
        os.chmod(self.dir, 0o755)
        os.mkdir(os.path.join(self.dir, "tmp"))
        servers = "\n".join("\t\tserver 127.0.0.1:%d max_fails=1 fail_timeout=10s;" % p
                            for p in backends)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(NGINX_CONF.replace("@SERVERS@", servers).replace("@PORT@", str(self.port)))
        self.log = open(os.path.join(self.dir, "stderr.log"), "wb")
        self.proc = subprocess.Popen([binary, "-p", self.dir + "/", "-c", self.conf,
                                      "-e", "error.log"],
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + 20
        while time.time() < deadline and self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.log.flush()
        why = self.errors()
        self.stop()
        raise AssertionError("nginx did not start:\n" + why)

    def errors(self):
        out = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.dir, name), "rb") as f:
                    out.append(f.read().decode("utf-8", "replace"))
            except OSError:
                pass
        return "\n".join(out)[-3000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()       # fast shutdown, workers too
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Farm:
    """One database, one SMTP sink, N zek serve processes, one nginx."""

    def __init__(self, binary):
        self.binary = binary
        self.db = None
        self.smtp = None
        self.servers = []
        self.nginx = None
        self.killed = {}        # index -> time of the kill
        self.closed = False
        atexit.register(self.close)     # whatever happens to the run
        try:
            self.start()
        except BaseException:
            self.close()
            raise

    def start(self):
        binary = self.binary
        nginx_binary()      # missing: fail before starting anything
        self.db = zektest.new_db()
        r = subprocess.run([binary, "init", "--demo", "--db", self.db, "--root", ROOT],
                           capture_output=True, timeout=120)
        assert r.returncode == 0, r.stderr.decode("utf-8", "replace")[-3000:]
        self.smtp = Smtp().start()
        env = {"ZEK_SMTP_URL": self.smtp.url, "ZEK_SMTP_FROM": "zek@zek.test",
               "ZEK_SMTP_STARTTLS": "off", "ZEK_BASE_URL": "http://zek.test",
               "ZEK_SMTP_TIMEOUT_MS": str(SMTP_TIMEOUT_MS), "ZEK_MAIL_POLL_MS": "50",
               "ZEK_MAIL_RETRY_MS": "200", "ZEK_MAIL_RETRY_MAX_MS": "800"}
        for _ in range(N):
            self.servers.append(Server(binary, demo=False, db=self.db, extra_env=env))
        self.nginx = Nginx([s.port for s in self.servers])
        self.ports = {s.port: i for i, s in enumerate(self.servers)}

    def backend(self, i):
        """A target for zektest.Client: process i directly."""
        return types.SimpleNamespace(port=self.servers[i].port)

    def front(self):
        return types.SimpleNamespace(port=self.nginx.port)

    def served_by(self, resp):
        """The index of the process that answered through nginx (the last
        one nginx tried), None when nginx answered itself."""
        v = resp.header("X-Zek-Upstream") or ""
        last = v.split(",")[-1].strip()
        if not last.startswith("127.0.0.1:"):
            return None
        return self.ports.get(int(last.rsplit(":", 1)[1]))

    def kill(self, i):
        self.killed[i] = time.time()
        self.servers[i].proc.kill()
        self.servers[i].proc.wait()

    def close(self):
        """Stops everything; the logs of the processes, for the checks."""
        if self.closed:
            return []
        self.closed = True
        results = []
        if self.nginx is not None:
            self.nginx.stop()
        for s in self.servers:
            results.append(s.stop())
        if self.smtp is not None:
            self.smtp.stop()
        if self.db is not None:
            zektest.drop_db(self.db)
        return results


def farm(binary):
    """The processes the tests share, started by the first test; when they
    could not start, every later test fails at once."""
    if "farm" not in STATE:
        STATE["farm"] = None
        STATE["farm"] = Farm(binary)
    assert STATE["farm"] is not None, "the processes did not start (see the first test)"
    return STATE["farm"]


# --- clients ------------------------------------------------------------------

def browser(target, cookies=None):
    c = Client(target)
    if cookies is not None:
        c.cookies = cookies     # shared: the same browser on another address
    return c


def csrf_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def in_parallel(fn, arg_tuples, seconds=60):
    """fn(*args) for each args at once, one thread each; returns when all ended."""
    threads = [threading.Thread(target=fn, args=args) for args in arg_tuples]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds)


def api_token(c):
    return zektest.api_token(c, "scale-out")


def api(target, token, method, path, body=None):
    c = Client(target)
    h = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    return c.request(method, SD + path, data, h)


def api_create(target, token, title):
    return api(target, token, "POST", "/request", {
        "serviceDeskId": "1", "requestTypeId": 4,
        "requestFieldValues": {"summary": title, "description": "Skalierungstest."}})


def key_number(key):
    return int(key.split("-")[1])


def request_keys(db, prefix):
    """title -> [keys] of the requests whose title starts with prefix."""
    out = collections.defaultdict(list)
    for title, key in zektest.db_rows(db, "SELECT title, issue_key FROM requests "
                                      "WHERE left(title, ?) = ?", (len(prefix), prefix)):
        out[title].append(key)
    return out


# --- the tests ------------------------------------------------------------------

def test_nginx_spreads_requests_over_all_processes(c, binary):
    f = farm(binary)
    front = browser(f.front())
    seen = []
    for _ in range(2 * N):
        r = front.get(LOGIN)
        assert r.status == 200, r.status
        seen.append(f.served_by(r))
    assert None not in seen, seen
    assert sorted(seen) == sorted(list(range(N)) * 2), seen
    assert all(a != b for a, b in zip(seen, seen[1:])), seen


def test_sign_in_session_and_form_token_cross_processes(c, binary):
    f = farm(binary)
    # The login form's token from process 0, the sign-in on process 1.
    anna = browser(f.backend(0))
    tok = csrf_of(anna.get(LOGIN).text)
    anna.server = f.backend(1)
    r = anna.post_form(LOGIN, [("email", ANNA), ("password", "demo"), ("csrf", tok)], csrf=False)
    assert r.status == 303, (r.status, r.text[:500])
    # The session cookie works on every process.
    for i in range(N):
        r = browser(f.backend(i), anna.cookies).get(PORTAL)
        assert r.status == 200, (i, r.status)
    # A create form from process 1, sent to process 2.
    tok = csrf_of(browser(f.backend(1), anna.cookies).get(FRAGE).text)
    r = browser(f.backend(2), anna.cookies).post_multipart(
        FRAGE, [("summary", RUN + " Formular direkt"), ("description", "Von 1 nach 2."),
                ("share", "private"), ("csrf", tok)], csrf=False)
    key = created_key(r)
    # Through nginx: the page from one process, the form to the next.
    front = browser(f.front(), anna.cookies)
    url = type_links(front)["Sonstige Frage"]
    page = front.get(url)
    r = front.post_multipart(url, [("summary", RUN + " Formular nginx"),
                                   ("description", "Über nginx."), ("share", "private"),
                                   ("csrf", csrf_of(page.text))], csrf=False)
    assert f.served_by(page) != f.served_by(r), (f.served_by(page), f.served_by(r))
    key2 = created_key(r)
    # A comment through nginx, again page and form on different processes.
    page = front.get(PORTAL + "/" + key2)
    r = front.post_form(PORTAL + "/" + key2 + "/comment",
                        [("comment", RUN + " Kommentar"), ("csrf", csrf_of(page.text))], csrf=False)
    assert r.status == 303, (r.status, r.text[:1000])
    assert f.served_by(page) != f.served_by(r)
    assert zektest.db_one(f.db, "SELECT count(*) FROM comments c JOIN requests r ON "
                          "r.id = c.request_id WHERE r.issue_key = ? AND c.body = ?",
                          (key2, RUN + " Kommentar")) == 1
    # An agent signs in through nginx and starts work on the request.
    agent = browser(f.front())
    agent.login(AGENT)
    page = agent.get(AGENT_REQ + key2)
    assert page.status == 200, page.status
    r = agent.post_form(AGENT_REQ + key2 + "/status",
                        [("action", "start"), ("csrf", csrf_of(page.text))], csrf=False)
    assert r.status == 303, (r.status, r.text[:1000])
    assert f.served_by(page) != f.served_by(r)
    assert zektest.db_one(f.db, "SELECT status FROM requests WHERE issue_key = ?",
                          (key2,)) == "in_bearbeitung"
    # An API token made on one process works on every one.
    token = api_token(browser(f.backend(0), anna.cookies))
    for i, target in enumerate([f.backend(i) for i in range(N)] + [f.front()]):
        r = api_create(target, token, "%s API %d" % (RUN, i))
        assert r.status == 201, (i, r.status, r.text[:500])
        k = json.loads(r.text)["issueKey"]
        r = api(f.backend((i + 1) % N), token, "GET", "/request/" + k)
        assert r.status == 200 and json.loads(r.text)["issueKey"] == k, (r.status, r.text[:300])
    assert key_number(key2) > key_number(key)
    STATE.update(anna=dict(anna.cookies), agent=dict(agent.cookies), token=token)


def test_concurrent_creates_give_unique_ascending_keys(c, binary):
    """Three clients each on one process, two through nginx, all at once."""
    f = farm(binary)
    token = STATE["token"]
    targets = [f.backend(i) for i in range(N)] + [f.front(), f.front()]
    per_client = 40
    results = [[] for _ in targets]
    errors = []
    go = threading.Event()

    def client(n):
        go.wait()
        try:
            for k in range(per_client):
                title = "%s parallel %d-%03d" % (RUN, n, k)
                r = api_create(targets[n], token, title)
                if r.status != 201:
                    errors.append((n, k, r.status, r.text[:300]))
                    return
                results[n].append((title, json.loads(r.text)["issueKey"]))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((n, repr(e)))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(len(targets))]
    for t in threads:
        t.start()
    started = time.time()
    go.set()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "clients still running"
    assert not errors, errors[:5]
    keys = [k for res in results for _, k in res]
    assert len(keys) == len(targets) * per_client
    assert len(set(keys)) == len(keys), collections.Counter(keys).most_common(3)
    for n, res in enumerate(results):
        nums = [key_number(k) for _, k in res]
        assert all(a < b for a, b in zip(nums, nums[1:])), (n, nums)
    stored = request_keys(f.db, RUN + " parallel ")
    assert len(stored) == len(keys), (len(stored), len(keys))
    for res in results:
        for title, key in res:
            assert stored.get(title) == [key], (title, key, stored.get(title))
    dup = zektest.db_rows(f.db, "SELECT issue_key FROM requests GROUP BY issue_key "
                          "HAVING count(*) > 1")
    assert not dup, dup
    print("  %d creates from %d clients in %.1f s, keys ZEK-%d..ZEK-%d" % (
        len(keys), len(targets), time.time() - started,
        min(map(key_number, keys)), max(map(key_number, keys))), flush=True)


def test_one_request_changed_on_all_processes_at_once(c, binary):
    """Comments on one request from all processes at once all land; two
    agents starting work on the same request at once on two processes: one
    does it, the other is told it is too late, and it happens once."""
    f = farm(binary)
    token = STATE["token"]
    r = api_create(f.front(), token, RUN + " zugleich")
    assert r.status == 201, r.status
    key = json.loads(r.text)["issueKey"]
    statuses = []

    def comment(i):
        for n in range(10):
            r = api(f.backend(i), token, "POST", "/request/%s/comment" % key,
                    {"body": "%s Kommentar %d-%d" % (RUN, i, n), "public": True})
            statuses.append(r.status)

    in_parallel(comment, [(i,) for i in range(N)])
    assert statuses == [201] * 10 * N, statuses
    rows = zektest.db_rows(f.db, "SELECT kind, count(*) FROM activity a JOIN requests r ON "
                           "r.id = a.request_id WHERE r.issue_key = ? GROUP BY kind "
                           "ORDER BY kind", (key,))
    assert rows == [("comment", 10 * N), ("created", 1)], rows

    keys = []
    for n in range(8):
        r = api_create(f.backend(n % N), token, "%s Start %d" % (RUN, n))
        assert r.status == 201, r.status
        keys.append(json.loads(r.text)["issueKey"])
    results = collections.defaultdict(list)
    for k in keys:
        pages = [(i, browser(f.backend(i), dict(STATE["agent"])).get(AGENT_REQ + k))
                 for i in (0, 1)]
        go = threading.Barrier(2)

        def start(i, page, k=k, go=go):
            b = browser(f.backend(i), dict(STATE["agent"]))
            fields = [("action", "start"), ("csrf", csrf_of(page.text))]
            go.wait()
            results[k].append(b.post_form(AGENT_REQ + k + "/status", fields, csrf=False).status)

        in_parallel(start, pages)
    assert all(sorted(v) == [303, 409] for v in results.values()), dict(results)
    changed = zektest.db_rows(f.db, "SELECT r.issue_key, count(*) FROM activity a JOIN requests r "
                              "ON r.id = a.request_id WHERE a.kind = 'status_changed' AND "
                              "left(r.title, ?) = ? GROUP BY r.issue_key",
                              (len(RUN + " Start"), RUN + " Start"))
    assert sorted(changed) == sorted((k, 1) for k in keys), changed


def wait_outbox_done(db, timeout):
    deadline = time.time() + timeout
    while True:
        left = zektest.db_one(db, "SELECT count(*) FROM outbox WHERE state = 'pending'")
        if left == 0:
            return
        if time.time() > deadline:
            raise AssertionError("%d mails still pending after %d s" % (left, timeout))
        time.sleep(0.2)


def sink_copies(smtp):
    """Message-ID -> arrival times (ns) of its copies at the sink."""
    got = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(smtp.maildir, "*.eml"))):
        with open(path, "rb") as fh:
            raw = fh.read()
        m = email.message_from_bytes(raw.partition(b"\r\n")[2], policy=email.policy.default)
        got[str(m["Message-ID"]).strip().strip("<>")].append(
            int(os.path.basename(path).split("-")[0]))
    return got


def check_mail(f, may_double=()):
    """Every outbox row sent, each at the sink once, except that one of
    may_double (a killed process's claims) may arrive twice: the killed
    sender may have delivered it without recording so. The number of
    mails, and of those that arrived twice."""
    wait_outbox_done(f.db, 60)
    rows = zektest.db_rows(f.db, "SELECT message_id, state, coalesce(last_error, '') "
                           "FROM outbox ORDER BY id")
    bad = [r for r in rows if r[1] != "sent"]
    assert not bad, bad[:5]
    outbox = {r[0].strip("<>") for r in rows}
    assert len(outbox) == len(rows), "Message-IDs repeat in the outbox"
    # The last mails' 250 may reach us a moment after they are recorded.
    deadline = time.time() + 10
    while True:
        got = sink_copies(f.smtp)
        if outbox <= set(got) or time.time() > deadline:
            break
        time.sleep(0.1)
    missing = outbox - set(got)
    assert not missing, "%d mails never arrived: %s" % (len(missing), sorted(missing)[:5])
    stray = set(got) - outbox
    assert not stray, "mails in no outbox row: %s" % sorted(stray)[:5]
    doubled = {m: len(t) for m, t in got.items() if len(t) > 1}
    # One sending thread per process: at most one mail in that window.
    allowed = len(doubled) <= 1 and all(m in may_double and n == 2 for m, n in doubled.items())
    assert allowed, "arrived more than once: %s" % sorted(doubled.items())[:10]
    return len(rows), len(doubled)


def sent_by_process(f):
    """Per process: how many "sent" lines its log has."""
    return [len(re.findall(r"^\S+ info mail: mail sent mail_id=\d+ ", s.read_log(), re.M))
            for s in f.servers]


def test_each_mail_reaches_the_smtp_server_once(c, binary):
    f = farm(binary)
    total, _ = check_mail(f)
    per_process = sent_by_process(f)
    # Each mail was sent by exactly one process, and every worker worked.
    assert sum(per_process) == total, (per_process, total)
    assert sum(1 for n in per_process if n) >= 2, per_process
    print("  %d mails, each once at the SMTP server; sent per process: %s"
          % (total, per_process), flush=True)


def test_auto_close_closes_each_request_once(c, binary):
    """Every process runs the auto-close job at its start: the demo's
    overdue solution is closed once, by one of them."""
    f = farm(binary)
    closed = sum(int(n) for s in f.servers for n in re.findall(
        r"^\S+ info jobs: requests closed automatically requests=(\d+)$", s.read_log(),
        re.M))
    rows = zektest.db_rows(f.db, "SELECT request_id, count(*) FROM activity "
                           "WHERE action = 'auto_close' GROUP BY request_id")
    assert rows and all(n == 1 for _, n in rows), rows
    assert closed == len(rows), (closed, rows)


def test_sign_in_throttle_counts_on_all_processes_together(c, binary):
    f = farm(binary)
    limit = 5               # cfg->login_max_failures (src/core/config.c)
    for n in range(limit):
        b = browser(f.backend(n % N))
        r = b.post_form(LOGIN, [("email", BEN), ("password", "falsch-%d" % n)])
        assert r.status == 200, (n, r.status)
    assert zektest.db_one(f.db, "SELECT sum(count) FROM login_failures WHERE left(throttle_key, 5) "
                          "= 'user|'") == limit
    # The next try is refused on every process and through nginx, even
    # with the right password.
    for target in [f.backend(i) for i in range(N)] + [f.front()]:
        r = browser(target).post_form(LOGIN, [("email", BEN), ("password", "demo")])
        assert r.status == 429, (target.port, r.status)
    # All at once on all processes: every failure answered as such is
    # counted, none lost between processes. A few more than the limit get
    # through while others are still checking their password (the check
    # comes before the slow hash, the count after it), never many more.
    statuses = []

    def guess(i):
        for n in range(4):
            r = browser(f.backend(i)).post_form(
                LOGIN, [("email", CARLA), ("password", "falsch-%d-%d" % (i, n))])
            statuses.append(r.status)

    in_parallel(guess, [(i,) for i in range(N)])
    assert set(statuses) <= {200, 429} and len(statuses) == 4 * N, statuses
    failed = statuses.count(200)
    counted = zektest.db_one(f.db, "SELECT l.count FROM login_failures l JOIN users u ON "
                             "l.throttle_key = 'user|' || u.id || '|127.0.0.1' "
                             "WHERE u.email = ?", (CARLA,))
    assert counted == failed, (counted, statuses)
    assert limit <= failed <= limit + N - 1, statuses


def test_kill_9_of_one_process_under_write_load(c, binary):
    f = farm(binary)
    token, victim = STATE["token"], 1
    front = f.front()
    stop = threading.Event()
    lock = threading.Lock()
    log = []                # (title, outcome, key, process)
    problems = []

    def record(title, outcome, key=None, proc=None):
        with lock:
            log.append((title, outcome, key, proc))

    def api_writer(n):
        k = 0
        while not stop.is_set():
            title = "%s kill api %d-%04d" % (RUN, n, k)
            k += 1
            try:
                r = api_create(front, token, title)
            except NET_ERRORS:
                record(title, "lost")
                continue
            if r.status == 201:
                record(title, "ack", json.loads(r.text)["issueKey"], f.served_by(r))
            elif r.status in (502, 504):
                record(title, "lost")
            else:
                problems.append((title, r.status, r.text[:300]))

    def form_writer():
        b = browser(front, dict(STATE["anna"]))
        k = 0
        while not stop.is_set():
            title = "%s kill form %04d" % (RUN, k)
            k += 1
            try:
                page = b.get(FRAGE)
                if page.status != 200:
                    problems.append((title, "form page", page.status))
                    continue
                r = b.post_multipart(FRAGE, [("summary", title), ("description", "Unter Last."),
                                             ("share", "private"), ("csrf", csrf_of(page.text))],
                                     csrf=False)
            except NET_ERRORS:
                record(title, "lost")
                continue
            if r.status == 303:
                record(title, "ack", created_key(r), f.served_by(r))
            elif r.status in (502, 504):
                record(title, "lost")
            else:
                problems.append((title, r.status, r.text[:300]))

    threads = [threading.Thread(target=api_writer, args=(n,)) for n in range(3)]
    threads.append(threading.Thread(target=form_writer))
    for t in threads:
        t.start()
    try:
        time.sleep(3)
        claimed = kill_while_sending(f, victim)
        time.sleep(4)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not problems, problems[:5]
    acked = [x for x in log if x[1] == "ack"]
    lost = [x for x in log if x[1] == "lost"]
    assert acked and any(x[3] == victim for x in acked), "the victim served nothing"
    late = [x for x in acked if x[3] is not None and x[3] != victim]
    assert late, "nothing was created by the survivors"
    # Every acknowledged create is there, under its key, once; one that was
    # not acknowledged is there at most once.
    stored = request_keys(f.db, RUN + " kill ")
    for title, _, key, _ in acked:
        assert stored.get(title) == [key], (title, key, stored.get(title))
    for title, _, _, _ in lost:
        assert len(stored.get(title, [])) <= 1, (title, stored.get(title))
    dup = zektest.db_rows(f.db, "SELECT issue_key FROM requests GROUP BY issue_key "
                          "HAVING count(*) > 1")
    assert not dup, dup
    # The survivors serve the same sessions, directly and through nginx.
    for i in range(N):
        if i == victim:
            continue
        for who in ("anna", "agent"):
            r = browser(f.backend(i), dict(STATE[who])).get(
                PORTAL if who == "anna" else AGENT_REQ + acked[0][2])
            assert r.status == 200, (i, who, r.status)
    served = set()
    for _ in range(4):
        r = browser(front, dict(STATE["anna"])).get(PORTAL)
        assert r.status == 200, r.status
        served.add(f.served_by(r))
    assert served == set(range(N)) - {victim}, served
    # No mail lost: the victim's claim lapses and a survivor sends it; only
    # the one the victim was sending may arrive twice.
    total, doubled = check_mail(f, may_double={m.strip("<>") for m in claimed.values()})
    retaken = zektest.db_one(f.db, "SELECT count(*) FROM outbox WHERE attempts > 1 "
                             "AND id IN (%s)" % ", ".join("?" * len(claimed)), list(claimed))
    assert retaken == len(claimed), (retaken, claimed)
    print("  %d creates acknowledged (%d by the killed process), %d not; %d mails "
          "each at the SMTP server, %d claimed by the killed process sent by another, "
          "%d twice (in the at-least-once window)"
          % (len(acked), sum(1 for x in acked if x[3] == victim), len(lost), total,
             len(claimed), doubled), flush=True)


def kill_while_sending(f, victim):
    """kill -9 of process victim while it holds a mail's claim: the SMTP
    server is frozen (SIGSTOP) so that every worker hangs in a conversation;
    once the victim's claim is in the outbox, the kill. The outbox ids and
    Message-IDs it had claimed."""
    pid = f.servers[victim].proc.pid
    f.smtp.proc.send_signal(signal.SIGSTOP)
    try:
        deadline = time.time() + 5
        while True:
            claimed = dict(zektest.db_rows(
                f.db, "SELECT id, message_id FROM outbox WHERE state = 'pending' "
                "AND left(claimed_by, ?) = ?", (len(str(pid)) + 1, "%d-" % pid)))
            if claimed or time.time() > deadline:
                break
            time.sleep(0.02)
        f.kill(victim)
    finally:
        f.smtp.proc.send_signal(signal.SIGCONT)
    assert claimed, "the killed process held no mail's claim"
    return claimed


def test_kept_counts_and_facets_match_the_rows(c, binary):
    """After all the concurrent writes above (and the kill -9), what the
    triggers keep (0005, 0006) equals what the rows say."""
    f = farm(binary)

    def differ(a, b):
        return zektest.db_one(f.db, "SELECT (SELECT count(*) FROM (%s EXCEPT %s) x) + "
                              "(SELECT count(*) FROM (%s EXCEPT %s) y)" % (a, b, b, a))
    assert differ("SELECT status, type_id, sum(n) FROM request_tallies GROUP BY 1, 2 "
                  "HAVING sum(n) <> 0",
                  "SELECT status, type_id, count(*) FROM requests GROUP BY 1, 2") == 0
    assert differ("SELECT assignee_id, status, sum(n) FROM request_assignee_tallies "
                  "GROUP BY 1, 2 HAVING sum(n) <> 0",
                  "SELECT coalesce(assignee_id, 0), status, count(*) FROM requests "
                  "GROUP BY 1, 2") == 0
    # Not vacuous: the writes above spread over several shards.
    assert zektest.db_one(f.db, "SELECT count(DISTINCT shard) FROM request_tallies") > 1
    assert zektest.db_one(f.db, "SELECT count(*) FROM request_search s "
                          "WHERE s.facets <> zek_search_facets(s.id)") == 0
    assert zektest.db_one(f.db, "SELECT count(*) FROM request_search") == \
        zektest.db_one(f.db, "SELECT count(*) FROM requests")


def test_zz_everything_stops_cleanly(c, binary):
    f = farm(binary)
    servers = list(f.servers)
    results = f.close()
    problems = []
    for i, (s, (rc, log)) in enumerate(zip(servers, results)):
        if any(x in log for x in SANITIZER):
            problems.append("process %d: sanitizer report\n%s" % (i, log[-4000:]))
        if i in f.killed:
            continue
        if rc not in (0, -15):
            problems.append("process %d: exit %s\n%s" % (i, rc, log[-3000:]))
    assert not problems, "\n".join(problems)
    # What the processes said besides the access log and sent mails, for
    # whoever reads the test's output.
    for i, (_, log) in enumerate(results):
        said = [line for line in log.splitlines()
                if re.match(r"\S+ (error|warning|info|debug) \w+: ", line)
                and not re.match(r"\S+ info mail: mail sent ", line)]
        print("  process %d: %d other log lines%s" % (i, len(said), "".join(
            "\n    " + line[:200] for line in said[:5])), flush=True)
    assert all(s.proc.poll() is not None for s in servers)
    assert f.nginx.proc.poll() is not None and not os.path.exists(f.nginx.dir)
