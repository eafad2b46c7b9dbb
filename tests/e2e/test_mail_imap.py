"""End-to-end tests of fetching mail over IMAP (issue 17): a real Dovecot
(tests/e2e/imapserver.py) holds the desk's mailbox, zek fetches from it
with `zek mail fetch` and with the worker of `zek serve`, and a `kill -9`
in the middle of a batch loses nothing and doubles nothing."""

import email.message
import email.utils
import os
import signal
import time

import imapserver
import zektest
from zektest import Client, PORTAL
from test_mail import ANNA, PASSWORD, SAM, SANITIZER, Smtp, Zek, create, text_of
from test_mail_in import REPLY_ADDRESS, agent_post, page_text, reply_to

DONE = "Verarbeitet"


def need_dovecot():
    if not imapserver.available():
        raise zektest.Skip("dovecot-imapd is not installed (make deps-test)")


def imap_env(imap, **extra):
    e = {"ZEK_IMAP_URL": imap.url, "ZEK_IMAP_USER": imapserver.USER,
         "ZEK_IMAP_PASSWORD": imapserver.PASSWORD, "ZEK_IMAP_POLL_MS": "150",
         "ZEK_MAIL_REPLY_ADDRESS": REPLY_ADDRESS}
    e.update(extra)
    return e


def new_mail(sender, subject, body, **headers):
    m = email.message.EmailMessage()
    m["From"] = "%s <%s>" % (sender[1], sender[0])
    m["To"] = REPLY_ADDRESS
    m["Subject"] = subject
    m["Date"] = email.utils.formatdate(localtime=True)
    m["Message-ID"] = email.utils.make_msgid(domain="example.org")
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m.as_bytes()


def fetch(z, env, check=True):
    r = z.run("mail", "fetch", env=env, check=check)
    return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace")


def question_mail(smtp, server, key):
    """Sam asks Anna a question; the mail that reaches her."""
    agent = Client(server)
    agent.login(SAM[0], PASSWORD)
    agent_post(agent, key, "status", [("action", "ask_customer"),
                                      ("status_comment", "Welche Version nutzen Sie?")])
    return smtp.wait_for(lambda m: m.rcpt == ANNA[0] and "Welche Version" in text_of(m))[0]


def wait(pred, seconds=30, what="condition"):
    deadline = time.time() + seconds
    while time.time() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def test_fetch_turns_mail_into_comments_and_requests_and_marks_it(c, binary):
    need_dovecot()
    smtp = Smtp().start()
    imap = imapserver.Dovecot().start()
    z = Zek(binary, [ANNA, SAM])
    try:
        env = z.env(smtp.url, **imap_env(imap, ZEK_IMAP_DONE_FOLDER=DONE))
        server = z.serve(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
        key = create(server, ANNA[0], "Formular lädt nicht")
        m = question_mail(smtp, server, key)

        imap.deliver([
            reply_to(m, "Version 2.4.1, Firefox."),
            new_mail(ANNA, "Zugang für neue Kollegin", "Bitte legen Sie ein Konto an."),
            new_mail(ANNA, "Abwesenheitsnotiz", "Ich bin bis Montag nicht im Haus.",
                     Auto_Submitted="auto-replied"),
            new_mail(("fremd@example.net", "Fremd"), "Hallo", "Wer bin ich?"),
        ])
        rc, out = fetch(z, env)
        assert rc == 0, out
        assert "4 fetched: 1 comments, 1 requests, 1 quarantined, 1 ignored" in out, out
        assert imapserver.PASSWORD not in out

        # Everything left INBOX for the done folder, marked.
        assert imap.count("INBOX") == 0
        flags = imap.flags(DONE)
        assert len(flags) == 4 and all({"\\Seen", "ZekReceived"} <= f for f in flags.values()), flags

        anna = Client(server)
        anna.login(ANNA[0], PASSWORD)
        text, _ = page_text(anna, key)
        assert "Version 2.4.1, Firefox." in text and "Wartet auf Support" in text, text[-1500:]
        requests = anna.get("/servicedesk/customer/user/requests").text
        assert "Zugang für neue Kollegin" in requests
        states = sorted(r["state"] for r in zektest.db_dicts(z.db, "SELECT state FROM inbound_mail"))
        assert states == ["done", "done", "ignored", "quarantined"], states

        # A second fetch finds nothing new; mail delivered again is
        # recognised by its Message-ID and only marked.
        rc, out = fetch(z, env)
        assert rc == 0 and "0 fetched" in out, out
        imap.deliver([reply_to(m, "Version 2.4.1, Firefox.")])
        dup = reply_to(m, "Noch einmal dieselbe Antwort.")
        imap.deliver([dup, dup])
        rc, out = fetch(z, env)
        assert rc == 0 and "3 fetched" in out and "1 stored before" in out, out
        text, _ = page_text(anna, key)
        assert text.count("Version 2.4.1, Firefox.") == 2, text[-2000:]
        assert text.count("Noch einmal dieselbe Antwort.") == 1

        # A wrong password: a clear failure, the password not in it, and
        # the mail stays for the next try.
        imap.deliver([new_mail(ANNA, "Nach dem Fehler", "Bitte trotzdem ankommen.")])
        rc, out = fetch(z, dict(env, ZEK_IMAP_PASSWORD="falsch-geheim"), check=False)
        assert rc != 0 and "imap" in out and "falsch-geheim" not in out, out
        assert imap.count("INBOX") == 1
        rc, out = fetch(z, env)
        assert rc == 0 and "1 requests" in out, out
    finally:
        imap.stop()
        smtp.stop()
        z.close()


def test_kill_9_in_the_middle_of_a_batch_loses_and_doubles_nothing(c, binary):
    need_dovecot()
    count = 120
    smtp = Smtp().start()
    imap = imapserver.Dovecot().start()
    z = Zek(binary, [ANNA, SAM])
    killed = []
    try:
        server = z.serve(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
        key = create(server, ANNA[0], "Viele Antworten")
        m = question_mail(smtp, server, key)
        imap.deliver([reply_to(m, "Antwort Nummer %03d." % i) for i in range(count)])

        # The worker of a second server fetches; it is killed once some,
        # not all, messages are stored.
        worker = z.serve(smtp.url, **imap_env(imap))
        stored = wait(lambda: (lambda n: n if n >= 3 else 0)(
            zektest.db_one(z.db, "SELECT count(*) FROM inbound_mail")),
            what="the first stored messages")
        os.kill(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait()
        killed.append(worker)
        at_kill = zektest.db_one(z.db, "SELECT count(*) FROM inbound_mail")
        assert stored <= at_kill < count, (stored, at_kill)

        z.serve(smtp.url, **imap_env(imap))
        wait(lambda: zektest.db_one(
            z.db, "SELECT count(*) FROM inbound_mail WHERE state = 'done'") == count,
            seconds=120, what="every message processed")
        wait(lambda: all("ZekReceived" in f for f in imap.flags().values()),
             what="every message marked")
        bodies = [r["body"] for r in zektest.db_dicts(
            z.db, "SELECT body FROM comments WHERE body LIKE 'Antwort Nummer%'")]
        assert sorted(bodies) == ["Antwort Nummer %03d." % i for i in range(count)], (
            len(bodies), at_kill)
    finally:
        imap.stop()
        smtp.stop()
        z.close(killed=killed)
