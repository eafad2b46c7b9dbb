"""End-to-end tests of e-mail (issue 5): Debian's python3-aiosmtpd as a real
SMTP server on a free loopback port (tests/e2e/mailsink.py stores what it
receives), our own `zek serve` on a fresh database with short poll and
back-off times, and the messages as they arrive."""

import email
import email.policy
import email.utils
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

import zektest
from zektest import Client, PORTAL, Server, created_key, free_port

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = "http://zek.test"
PASSWORD = "mail-test"
FRAGE = PORTAL + "/create/4"        # Sonstige Frage
SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")
# Databases and mail folders in memory where we can: no fsync waits.
TMP = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def smtp_python():
    """An interpreter that has aiosmtpd (Debian's lives in /usr/bin/python3)."""
    for py in (sys.executable, "/usr/bin/python3"):
        if subprocess.run([py, "-c", "import aiosmtpd"], capture_output=True).returncode == 0:
            return py
    raise AssertionError("python3-aiosmtpd is not installed (make deps installs it)")


def wait(cond, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


class Smtp:
    """aiosmtpd with the mailsink handler; messages land in self.maildir."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="zek-smtp-", dir=TMP)
        self.maildir = os.path.join(self.dir, "mail")
        os.mkdir(self.maildir)
        self.proc = None
        self.url = "smtp://127.0.0.1:%d" % self.port

    def start(self):
        self.log = open(os.path.join(self.dir, "smtp.log"), "wb")
        self.proc = subprocess.Popen(
            [smtp_python(), os.path.join(HERE, "mailsink.py"), "127.0.0.1:%d" % self.port,
             self.maildir], stdout=self.log, stderr=self.log)

        def up():
            assert self.proc.poll() is None, "aiosmtpd exited"
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.2):
                    return True
            except OSError:
                return False
        wait(up, what="aiosmtpd")
        return self

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_tail(self, n=3000):
        """The end of the SMTP server's own output, for assertion messages."""
        self.log.flush()
        with open(os.path.join(self.dir, "smtp.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")[-n:]

    def messages(self):
        out = []
        for path in sorted(glob.glob(os.path.join(self.maildir, "*.eml"))):
            with open(path, "rb") as f:
                raw = f.read()
            first, _, rest = raw.partition(b"\r\n")
            m = email.message_from_bytes(rest, policy=email.policy.default)
            m.rcpt = first.decode().split(": ", 1)[1]
            m.raw = rest
            m.arrived_ms = int(os.path.basename(path).split("-")[0]) // 1000000
            out.append(m)
        return out

    def wait_for(self, pred, n=1, timeout=20):
        return wait(lambda: (lambda ms: ms if len(ms) >= n else None)(
            [m for m in self.messages() if pred(m)]), timeout, "%d mail(s)" % n)


class Hang:
    """A TCP server that accepts and never says a word: an SMTP
    conversation with it hangs until the client's timeout."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.url = "smtp://127.0.0.1:%d" % self.port
        self.conns = []
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        try:
            while True:
                self.conns.append(self.sock.accept()[0])
        except OSError:
            pass

    def stop(self):
        for c in self.conns:
            c.close()
        self.sock.close()


class Zek:
    """A fresh database with the ZEK configuration and some users, served
    by as many `zek serve` processes (one after the other) as a test needs."""

    def __init__(self, binary, users, demo=False):
        self.binary = binary
        self.db = zektest.new_db(dir=TMP)
        self.servers = []
        try:
            self.run("init", *(["--demo"] if demo else []))
            for mail, name, lang, role in users:
                self.run("user", "add", "--email", mail, "--name", name, "--lang", lang,
                         "--role", role, "--password", PASSWORD)
        except BaseException:
            zektest.drop_db(self.db)
            raise

    def env(self, smtp_url, **extra):
        e = {"ZEK_SMTP_URL": smtp_url, "ZEK_SMTP_STARTTLS": "off", "ZEK_SMTP_FROM": "zek@zek.test",
             "ZEK_BASE_URL": BASE, "ZEK_MAIL_POLL_MS": "100", "ZEK_MAIL_RETRY_MS": "200",
             "ZEK_MAIL_RETRY_MAX_MS": "800", "ZEK_SMTP_TIMEOUT_MS": "2000"}
        e.update(extra)
        return e

    def run(self, *args, env=None, check=True):
        full = dict(os.environ)
        full.update(env or {})
        r = subprocess.run([self.binary] + list(args) + ["--db", self.db], env=full,
                           capture_output=True)
        if check:
            assert r.returncode == 0, (args, r.stdout, r.stderr)
        assert not any(s in r.stderr.decode("utf-8", "replace") for s in SANITIZER), r.stderr
        return r

    def serve(self, smtp_url, **extra):
        s = Server(self.binary, demo=False, db=self.db, extra_env=self.env(smtp_url, **extra))
        self.servers.append(s)
        return s

    def mail_list(self):
        """`zek mail list` of the whole outbox, for assertion messages."""
        return self.run("mail", "list", "--limit", "100000", check=False).stdout.decode(
            "utf-8", "replace")

    def rows(self, where="1 = 1", *args):
        return zektest.db_dicts(self.db, "SELECT * FROM outbox WHERE " + where + " ORDER BY id", args)

    def close(self, killed=()):
        try:
            stopped = [(s, s.stop()) for s in self.servers]
        finally:
            zektest.drop_db(self.db)
        for s, (rc, log) in stopped:
            if s not in killed:
                assert rc in (0, -15), "zek exit %s\n%s" % (rc, log[-3000:])
                assert not any(p in log for p in SANITIZER), log[-5000:]


def create(server, mail, title):
    c = Client(server)
    c.login(mail, PASSWORD)
    r = c.post_multipart(FRAGE, [("summary", title), ("description", "Bitte prüfen."),
                                 ("share", "private")])
    return created_key(r)


def text_of(m):
    return m.get_body(("plain",)).get_content()


def html_of(m):
    return m.get_body(("html",)).get_content()


def raw_header(m, name):
    head = m.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    found = re.search(r"^%s: (.*(?:\r\n[ \t].*)*)" % re.escape(name), head, re.M | re.I)
    return found.group(1) if found else None


ANNA = ("anna@example.org", "Anna Schmidt", "de", "customer")
EVE = ("eve@example.org", "Eve English", "en", "customer")
SAM = ("support@example.org", "Sam Support", "de", "agent")


# --- tests -----------------------------------------------------------------

def test_confirmation_in_the_readers_language_with_link_and_thread(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, EVE, SAM])
    try:
        server = z.serve(smtp.url)
        k1 = create(server, "anna@example.org", "Drucker im Bürgeramt – Störung")
        k2 = create(server, "eve@example.org", "Printer broken")
        url1 = BASE + "/servicedesk/customer/portal/17/" + k1

        anna = smtp.wait_for(lambda m: m.rcpt == "anna@example.org")[0]
        assert anna["Subject"] == "[%s] Drucker im Bürgeramt – Störung" % k1, anna["Subject"]
        assert "=?UTF-8?B?" in raw_header(anna, "Subject")           # RFC 2047
        assert str(anna["To"]) == "Anna Schmidt <anna@example.org>"
        assert str(anna["From"]) == "ZEK Servicedesk <zek@zek.test>"
        assert re.fullmatch(r"<zek\.%s\.\d+@zek\.test>" % k1, anna["Message-ID"]), anna["Message-ID"]
        assert anna["In-Reply-To"] is None                            # the thread's root
        assert anna["Auto-Submitted"] == "auto-generated"
        assert anna["List-Unsubscribe"] == "<%s#notify-state>" % url1
        assert abs(email.utils.parsedate_to_datetime(anna["Date"]).timestamp() - time.time()) < 300
        assert anna.get_content_type() == "multipart/alternative"
        text, html = text_of(anna), html_of(anna)
        for t in ("Guten Tag Anna Schmidt,", "unter der Nummer %s erfasst" % k1, url1,
                  "Drucker im Bürgeramt – Störung"):
            assert t in text, (t, text)
        assert 'href="%s"' % url1 in html and '<html lang="de">' in html

        # The agent's "new request" mail belongs to the same thread.
        agent = smtp.wait_for(lambda m: m.rcpt == "support@example.org" and k1 in m["Subject"])[0]
        assert agent["In-Reply-To"] == anna["Message-ID"], agent["In-Reply-To"]
        assert agent["References"] == anna["Message-ID"]
        assert agent["Message-ID"] != anna["Message-ID"]
        assert "Anna Schmidt hat die neue Anfrage %s gestellt." % k1 in text_of(agent)

        eve = smtp.wait_for(lambda m: m.rcpt == "eve@example.org")[0]
        assert eve["Subject"] == "[%s] Printer broken" % k2
        assert eve["Content-Language"] == "en"
        assert "Hello Eve English," in text_of(eve) and "Thank you for your request" in text_of(eve)
        assert "Guten Tag" not in text_of(eve)

        # Each mail once, and the outbox knows it went out.
        smtp.wait_for(lambda m: True, n=4)
        time.sleep(1.0)
        ids = [m["Message-ID"] for m in smtp.messages()]
        assert len(ids) == 4 and len(set(ids)) == 4, ids
        rows = z.rows()
        assert [r["state"] for r in rows] == ["sent"] * 4, rows
        assert all(r["attempts"] == 1 for r in rows)
        out = z.run("mail", "list").stdout.decode()
        assert out.count(" sent ") == 4 and k1 in out and "anna@example.org" in out, out
    finally:
        z.close()
        smtp.stop()


def test_server_down_at_first_then_up_delivers_once(c, binary):
    smtp = Smtp()                   # not listening yet
    z = Zek(binary, [ANNA, SAM])
    try:
        server = z.serve(smtp.url)
        key = create(server, "anna@example.org", "Erst später zugestellt")
        # Tried, failed, backed off, tried again: nothing lost, nothing sent.
        rows = wait(lambda: (lambda rs: rs if len(rs) == 2 and all(r["attempts"] >= 2 for r in rs)
                             else None)(z.rows()), what="retries")
        assert all(r["state"] == "pending" and r["last_error"] for r in rows), rows
        smtp.start()
        got = smtp.wait_for(lambda m: key in m["Subject"], n=2)
        time.sleep(1.5)
        got = [m for m in smtp.messages() if key in m["Subject"]]
        assert sorted(m.rcpt for m in got) == ["anna@example.org", "support@example.org"], \
            [m.rcpt for m in got]
        assert [r["state"] for r in z.rows()] == ["sent", "sent"]
    finally:
        z.close()
        smtp.stop()


def test_permanent_failure_is_recorded_and_not_retried(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [("reject@example.org", "Rita Reject", "de", "customer"),
                     ("greylist@example.org", "Greta Grey", "de", "customer"), SAM])
    try:
        server = z.serve(smtp.url)
        k1 = create(server, "reject@example.org", "Wird abgewiesen")
        k2 = create(server, "greylist@example.org", "Kommt beim zweiten Mal")
        row = wait(lambda: (lambda rs: rs[0] if rs and rs[0]["state"] == "failed" else None)(
            z.rows("to_addr = ?", "reject@example.org")), what="the 550")
        assert "550" in row["last_error"] and "mailbox unavailable" in row["last_error"], row
        # 4xx: retried after a back-off, then delivered once.
        smtp.wait_for(lambda m: m.rcpt == "greylist@example.org")
        time.sleep(1.5)                # several poll intervals and back-offs
        rows = z.rows("to_addr = ?", "reject@example.org")
        assert rows[0]["state"] == "failed" and rows[0]["attempts"] == 1, rows
        grey = z.rows("to_addr = ?", "greylist@example.org")
        assert grey[0]["state"] == "sent" and grey[0]["attempts"] == 2, grey
        assert len([m for m in smtp.messages() if m.rcpt == "greylist@example.org"]) == 1
        assert not [m for m in smtp.messages() if m.rcpt == "reject@example.org"]
        # Other recipients of the same request are not held up.
        smtp.wait_for(lambda m: m.rcpt == "support@example.org" and k1 in m["Subject"])
        smtp.wait_for(lambda m: m.rcpt == "support@example.org" and k2 in m["Subject"])
        out = z.run("mail", "list", "--state", "failed").stdout.decode()
        assert "reject@example.org" in out and "550" in out and "greylist" not in out, out
    finally:
        z.close()
        smtp.stop()


def test_kill_9_during_sending_sends_once_after_restart(c, binary):
    hang = Hang()
    smtp = Smtp().start()
    z = Zek(binary, [ANNA])
    killed = []
    try:
        # No retry soon after the first attempt: the claim is the only state.
        server = z.serve(hang.url, ZEK_MAIL_RETRY_MS="60000")
        key = create(server, "anna@example.org", "Mitten im Versand")
        # The worker has claimed the mail and waits for the server's greeting.
        row = wait(lambda: (lambda rs: rs[0] if rs and rs[0]["claimed_by"] else None)(z.rows()),
                   what="the claim")
        server.proc.kill()
        server.proc.wait()
        killed.append(server)
        row = z.rows()[0]
        assert row["state"] == "pending" and row["claimed_until"] > int(time.time() * 1000), row
        # A new process picks it up once the dead one's claim has lapsed.
        z.serve(smtp.url)
        got = smtp.wait_for(lambda m: key in m["Subject"], timeout=30)
        assert got[0].arrived_ms >= row["claimed_until"], (got[0].arrived_ms, row["claimed_until"])
        time.sleep(1.0)
        assert len([m for m in smtp.messages() if key in m["Subject"]]) == 1
        row = z.rows()[0]
        assert row["state"] == "sent" and row["attempts"] == 2, row
    finally:
        z.close(killed)
        smtp.stop()
        hang.stop()


def test_kill_9_before_the_first_attempt_loses_nothing(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ANNA])
    killed = []
    try:
        server = z.serve("")            # no SMTP: the mail waits in the outbox
        key = create(server, "anna@example.org", "Vor dem Versand abgestürzt")
        server.proc.kill()
        server.proc.wait()
        killed.append(server)
        assert [r["state"] for r in z.rows()] == ["pending"]
        assert z.rows()[0]["attempts"] == 0
        z.serve(smtp.url)
        smtp.wait_for(lambda m: key in m["Subject"])
        time.sleep(1.0)
        assert len(smtp.messages()) == 1
        assert [r["state"] for r in z.rows()] == ["sent"]
    finally:
        z.close(killed)
        smtp.stop()


def test_mail_commands_and_several_senders_send_each_mail_once(c, binary):
    # The demo data leaves its confirmations and agent mails in the outbox.
    z = Zek(binary, [], demo=True)
    smtp = Smtp().start()
    try:
        rows = z.rows()
        assert len(rows) >= 30 and all(r["state"] == "pending" for r in rows), len(rows)
        out = z.run("mail", "list", "--limit", "5").stdout.decode()
        assert out.count(" pending ") == 5, out
        shown = z.run("mail", "show", str(rows[0]["id"])).stdout
        m = email.message_from_bytes(shown, policy=email.policy.default)
        assert m["Message-ID"] == rows[0]["message_id"] and m["Subject"].startswith("[ZEK-")
        assert z.run("mail", "show", "999999", check=False).returncode != 0
        # Without an SMTP server `mail run` says so and sends nothing.
        r = z.run("mail", "run", check=False, env={"ZEK_SMTP_URL": ""})
        assert r.returncode != 0 and b"smtp_url" in r.stderr
        # Three senders at once on one database: every mail exactly once.
        full = dict(os.environ)
        full.update(z.env(smtp.url))
        procs = [subprocess.Popen([binary, "mail", "run", "--db", z.db], env=full,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
        said = []
        for p in procs:
            out, err = p.communicate(120)
            assert p.returncode == 0, err
            assert not any(s in err.decode() for s in SANITIZER), err
            said.append(out + err)
        try:
            got = smtp.wait_for(lambda m: True, n=len(rows))
        except AssertionError as e:
            # Show why: each mail's state, attempts and last error, and what
            # the senders and the SMTP server said.
            raise AssertionError("%s (%d arrived)\n%s\n--- senders:\n%s\n--- aiosmtpd:\n%s" % (
                e, len(smtp.messages()), z.mail_list(),
                b"".join(said).decode("utf-8", "replace")[-4000:], smtp.log_tail()))
        time.sleep(0.5)
        got = smtp.messages()
        ids = [g["Message-ID"] for g in got]
        assert len(ids) == len(rows) and len(set(ids)) == len(rows), (len(ids), len(set(ids)), len(rows))
        assert all(r["state"] == "sent" and r["attempts"] == 1 for r in z.rows())
        # `mail show` prints exactly the bytes that went out.
        first = [g for g in got if g["Message-ID"] == rows[0]["message_id"]][0]
        assert z.run("mail", "show", str(rows[0]["id"])).stdout == first.raw
    finally:
        z.close()
        smtp.stop()


BEN = ("ben@example.org", "Ben Weber", "en", "customer")


def test_events_reach_the_right_people_and_the_mute_switch_holds(c, binary):
    """Being added as participant, a customer's comment, a status change:
    each mail goes to the others involved, never to whoever caused it, in
    the reader's language; a muted request sends that reader nothing."""
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, BEN, SAM])
    try:
        server = z.serve(smtp.url)
        anna = Client(server)
        anna.login("anna@example.org", PASSWORD)
        ben = Client(server)
        ben.login("ben@example.org", PASSWORD)

        def share_with_ben(title):
            key = create(server, "anna@example.org", title)
            url = PORTAL + "/" + key
            r = anna.post_form(url + "/participants", [("who", "ben@example.org")])
            assert r.status == 303, r.status
            return key, url

        def withdraw(url):
            page = anna.get(url + "/withdraw")
            tok = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            assert anna.post_form(url + "/withdraw", [("csrf", tok)], csrf=False).status == 303

        def mails(key, rcpt):
            return [m for m in smtp.messages() if m.rcpt == rcpt and key in m["Subject"]]

        k1, url1 = share_with_ben("Formular lädt nicht")
        added = smtp.wait_for(lambda m: m.rcpt == "ben@example.org" and k1 in m["Subject"])[0]
        assert added["Content-Language"] == "en" and "Hello Ben Weber," in text_of(added)

        # Ben's comment goes to support, not to Anna (the same side).
        assert ben.post_multipart(url1 + "/comment", [("comment", "Bei mir **auch** kaputt.")]).status == 303
        reply = smtp.wait_for(lambda m: m.rcpt == "support@example.org" and "auch" in text_of(m))[0]
        assert k1 in reply["Subject"] and "<strong>auch</strong>" in html_of(reply)

        # Anna withdraws: Ben hears of it, Anna (who did it) does not.
        withdraw(url1)
        smtp.wait_for(lambda m: m.rcpt == "ben@example.org" and k1 in m["Subject"], n=2)

        # On a request Ben has muted he hears nothing.
        k2, url2 = share_with_ben("Zweites Formular lädt nicht")
        smtp.wait_for(lambda m: m.rcpt == "ben@example.org" and k2 in m["Subject"])
        assert ben.post_form(url2 + "/notifications", [("muted", "1")]).status == 303
        withdraw(url2)
        time.sleep(1.5)
        assert len(mails(k2, "ben@example.org")) == 1, [m["Subject"] for m in mails(k2, "ben@example.org")]
        assert len(mails(k1, "ben@example.org")) == 2
        assert [text_of(m) for m in mails(k1, "anna@example.org")] and \
            not [m for m in mails(k1, "anna@example.org") if "auch" in text_of(m)]
        assert len(mails(k1, "anna@example.org")) == 1          # only her confirmation
    finally:
        z.close()
        smtp.stop()


def test_raised_for_a_colleague_both_are_told_and_both_take_part(c, binary):
    """Anna raises a request for Ben (a colleague): Ben's confirmation says
    Anna raised it for him, Anna gets one of her own, the request page
    names both, and both can comment."""
    smtp = Smtp().start()
    z = Zek(binary, [SAM])
    try:
        for mail, name, lang in (ANNA[:3], BEN[:3]):
            z.run("user", "add", "--email", mail, "--name", name, "--lang", lang,
                  "--role", "customer", "--org", "Bürgeramt Teststadt", "--password", PASSWORD)
        server = z.serve(smtp.url)
        anna = Client(server)
        anna.login("anna@example.org", PASSWORD)
        form = anna.get(FRAGE).text
        ben_id = re.search(r'<option value="(\d+)"[^>]*>Ben Weber', form).group(1)
        r = anna.post_multipart(FRAGE, [("summary", "Zugang für Ben"), ("description", "Bitte freischalten."),
                                        ("onbehalf", ben_id), ("share", "private")])
        key = created_key(r)
        url = PORTAL + "/" + key

        ben_mail = smtp.wait_for(lambda m: m.rcpt == "ben@example.org" and key in m["Subject"])[0]
        assert "Anna Schmidt raised this request for you. We have recorded it as %s" % key \
            in text_of(ben_mail), text_of(ben_mail)
        anna_mail = smtp.wait_for(lambda m: m.rcpt == "anna@example.org" and key in m["Subject"])[0]
        assert "Sie haben die Anfrage %s für Ben Weber gestellt." % key in text_of(anna_mail), \
            text_of(anna_mail)
        assert "für Sie gestellt" not in text_of(anna_mail)
        # Ben's is the thread's root; Anna's answers it.
        assert ben_mail["In-Reply-To"] is None
        assert anna_mail["In-Reply-To"] == ben_mail["Message-ID"], anna_mail["In-Reply-To"]

        page = anna.get(url).text
        assert re.search(r"<dt>Erstellt von</dt>\s*<dd>Anna Schmidt für Ben Weber</dd>", page), page
        ben = Client(server)
        ben.login("ben@example.org", PASSWORD)
        page = ben.get(url).text
        assert re.search(r"<dt>Raised by</dt>\s*<dd>Anna Schmidt for Ben Weber</dd>", page)
        assert ben.post_multipart(url + "/comment", [("comment", "Danke, Anna.")]).status == 303
        assert anna.post_multipart(url + "/comment", [("comment", "Gern, Ben.")]).status == 303
        assert "Danke, Anna." in anna.get(url).text and "Gern, Ben." in ben.get(url).text
        # Both find it under "Erstellt von mir" (the default filter).
        for who in (anna, ben):
            assert key in who.get("/servicedesk/customer/user/requests?creator=me").text

        # Her own request has no such line.
        own = create(server, "anna@example.org", "Eigene Frage")
        assert "Erstellt von" not in anna.get(PORTAL + "/" + own).text
        own_mail = smtp.wait_for(lambda m: m.rcpt == "anna@example.org" and own in m["Subject"])[0]
        assert "vielen Dank für Ihre Anfrage" in text_of(own_mail)
    finally:
        z.close()
        smtp.stop()


def test_remote_images_in_mail_are_links(c, binary):
    """An image in a customer's Markdown that zek does not serve reaches the
    agent's (and any reader's) HTML mail as a link, never as an image that
    the mail program loads (a read-tracking pixel: issue 13); zek's own
    images stay images."""
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, SAM])
    try:
        server = z.serve(smtp.url)
        key = create(server, "anna@example.org", "Bild im Kommentar")
        anna = Client(server)
        anna.login("anna@example.org", PASSWORD)
        body = ("Siehe ![Pixel](http://tracker.example/p.png?u=anna) und "
                "![](https://tracker.example/leer.gif) und ![Zweites][r] und "
                "![Logo](%s/static/v1/logo.png).\n\n[r]: //tracker.example/ref.png" % BASE)
        r = anna.post_multipart(PORTAL + "/" + key + "/comment", [("comment", body)])
        assert r.status == 303, r.status
        m = smtp.wait_for(lambda m: m.rcpt == "support@example.org" and "Pixel" in text_of(m))[0]
        html = html_of(m)
        srcs = re.findall(r'<img[^>]*\bsrc="([^"]*)"', html)
        assert srcs == [BASE + "/static/v1/logo.png"], srcs
        assert '<a href="http://tracker.example/p.png?u=anna">Pixel</a>' in html, html
        assert '<a href="https://tracker.example/leer.gif">https://tracker.example/leer.gif</a>' in html
        assert '<a href="//tracker.example/ref.png">Zweites</a>' in html
        assert "tracker.example" not in "".join(re.findall(r"<img[^>]*>", html))
    finally:
        z.close()
        smtp.stop()


def test_assignment_mail_to_the_assignee_only(c, binary):
    """Assigning a request in the agent view mails the agent it is
    assigned to (issue 18), not the one who takes it themselves."""
    ada = ("admin@example.org", "Ada Admin", "de", "admin")
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, SAM, ada])
    try:
        server = z.serve(smtp.url)
        key = create(server, ANNA[0], "Bitte zuweisen")
        admin = Client(server)
        admin.login(ada[0], PASSWORD)
        page = admin.get("/servicedesk/agent/requests/" + key).text
        action = re.search(r'<form class="agent-form" method="post" action="([^"]+/assign)"', page).group(1)
        sam_id = re.search(r'<option value="(\d+)"[^>]*>Sam Support', page).group(1)
        r = admin.post_form(action, [("assignee", sam_id)])
        assert r.status == 303, r.status
        mail = smtp.wait_for(lambda m: m.rcpt == SAM[0] and "zugewiesen" in text_of(m))[0]
        assert key in mail["Subject"], mail["Subject"]
        assert "Ada Admin hat Ihnen die Anfrage %s zugewiesen." % key in text_of(mail), text_of(mail)
        # Taking it oneself tells nobody.
        assert admin.post_form(action, [("assignee", "me")]).status == 303
        time.sleep(1)
        assert len([m for m in smtp.messages() if "zugewiesen" in text_of(m)]) == 1
    finally:
        z.close()
        smtp.stop()
