"""End-to-end tests of incoming e-mail (issue 17): a real `zek serve` with a
reply address and Debian's aiosmtpd (tests/e2e/mailsink.py) receiving its
mails; a reply is written to the mail that arrived, to its Reply-To
address, as a mail client would, and piped into `zek mail receive`, as
Postfix's pipe transport does. The request page shows what came of it."""

import email.message
import email.utils
import os
import re
import subprocess

import zektest
from zektest import Client, PORTAL, png, unescape
from test_mail import (ANNA, PASSWORD, SAM, SANITIZER, Smtp, Zek, create, raw_header,
                       text_of)

REPLY_ADDRESS = "zek@zek.test"
CARLA = ("carla@example.org", "Carla Yilmaz", "de", "customer")
AGENT_REQ = "/servicedesk/agent/requests/"


def full_env(env):
    full = dict(os.environ)
    full.update(env)
    return full


def receive(z, raw, env):
    """`zek mail receive` with the message on standard input: (exit status, stdout)."""
    r = subprocess.run([z.binary, "mail", "receive", "--db", z.db], input=raw,
                       env=full_env(env), capture_output=True)
    err = r.stderr.decode("utf-8", "replace")
    assert not any(s in err for s in SANITIZER), err
    return r.returncode, r.stdout.decode("utf-8", "replace") + err


def agent_post(c, key, action, fields):
    url = AGENT_REQ + key
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get(url).text).group(1)
    r = c.post_form(url + "/" + action, list(fields) + [("csrf", tok)], csrf=False)
    assert r.status == 303, (action, r.status, r.text[:1000])


def page_text(c, key):
    page = c.get(PORTAL + "/" + key)
    assert page.status == 200, page.status
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page.text))), page.text


def reply_to(m, body, sender=ANNA, files=(), to=None):
    """The answer a mail client writes: quoting the mail below a German
    attribution line, threaded by In-Reply-To and References."""
    r = email.message.EmailMessage()
    r["From"] = "%s <%s>" % (sender[1], sender[0])
    r["To"] = to or m["Reply-To"]
    r["Subject"] = "AW: " + m["Subject"]
    r["Date"] = email.utils.formatdate(localtime=True)
    r["Message-ID"] = email.utils.make_msgid(domain="example.org")
    r["In-Reply-To"] = m["Message-ID"]
    r["References"] = m["Message-ID"]
    quoted = "\n".join("> " + line for line in text_of(m).splitlines())
    r.set_content("%s\n\nAm 06.12.2026 um 10:15 schrieb ZEK Servicedesk <zek@zek.test>:\n%s\n"
                  % (body, quoted))
    for name, data, maintype, subtype in files:
        r.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return r.as_bytes()


def test_reply_by_mail_comment_status_files_once_and_spoofing(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, CARLA, SAM])
    env = z.env(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
    try:
        server = z.serve(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
        key = create(server, ANNA[0], "Anmeldung schlägt fehl")
        agent = Client(server)
        agent.login(SAM[0], PASSWORD)
        agent_post(agent, key, "status", [("action", "ask_customer"),
                                          ("status_comment", "Welchen Browser nutzen Sie?")])

        # The question arrives with a reply address and the cut line.
        m = smtp.wait_for(lambda m: m.rcpt == ANNA[0] and "Welchen Browser" in text_of(m))[0]
        assert re.fullmatch(r"zek\+[a-z2-7]{20,48}@zek\.test", m["Reply-To"]), m["Reply-To"]
        text = text_of(m).replace("\r\n", "\n")
        assert text.startswith("Antworten Sie auf diese E-Mail, um einen Kommentar hinzuzufügen.\n"
                               "-- Bitte oberhalb dieser Zeile antworten --"), text[:300]
        assert "Bitte antworten Sie nicht" not in text

        anna = Client(server)
        anna.login(ANNA[0], PASSWORD)
        before, _ = page_text(anna, key)
        assert "Wartet auf Kunden" in before

        # Anna answers from her mail client, with a screenshot.
        raw = reply_to(m, "Ich nutze Firefox 128 unter Windows 11.",
                       files=[("fehler.png", png(8, 8), "image", "png")])
        rc, out = receive(z, raw, env)
        assert rc == 0 and "done" in out and key in out, out
        after, html = page_text(anna, key)
        assert "Ich nutze Firefox 128 unter Windows 11." in after, after[-2000:]
        assert "schrieb ZEK Servicedesk" not in after and "Bitte oberhalb" not in after
        assert "fehler.png" in html
        assert "Wartet auf Support" in after, after[:1500]
        # The agents hear of it as of any customer comment.
        smtp.wait_for(lambda m: m.rcpt == SAM[0] and "Firefox 128" in text_of(m))

        # The same message again (the MTA delivered it twice): nothing new.
        rc, out = receive(z, raw, env)
        assert rc == 0 and "received before" in out, out
        again, _ = page_text(anna, key)
        assert again.count("Ich nutze Firefox 128") == 1

        # A bare [ZEK-n] subject from another address is no reply.
        spoof = email.message.EmailMessage()
        spoof["From"] = "Carla Yilmaz <%s>" % CARLA[0]
        spoof["To"] = REPLY_ADDRESS
        spoof["Subject"] = "Re: [%s] Anmeldung schlägt fehl" % key
        spoof["Message-ID"] = email.utils.make_msgid(domain="example.org")
        spoof.set_content("Bitte schließen Sie diese Anfrage.")
        rc, out = receive(z, spoof.as_bytes(), env)
        assert rc == 0 and "quarantined (spoofing)" in out, out
        assert "Bitte schließen Sie" not in page_text(anna, key)[0]

        # The same for Anna's reply address used by Carla.
        rc, out = receive(z, reply_to(m, "Ich bin nicht Anna.", sender=CARLA), env)
        assert rc == 0 and "quarantined (sender_mismatch)" in out, out

        # Four deliveries of one answer at the same moment: one comment.
        raw2 = reply_to(m, "Nachtrag: auch mit Edge.")
        procs = [subprocess.Popen([z.binary, "mail", "receive", "--db", z.db], env=full_env(env),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(4)]
        outs = [p.communicate(raw2) for p in procs]
        assert all(p.returncode == 0 for p in procs), outs
        done = [o for o, _ in outs if b"received before" not in o]
        assert len(done) == 1, outs
        assert page_text(anna, key)[0].count("Nachtrag: auch mit Edge.") == 1

        listing = z.run("mail", "received").stdout.decode()
        assert re.search(r"\bdone\b", listing) and "spoofing" in listing, listing
    finally:
        z.close()
        smtp.stop()


def test_new_request_by_mail_and_the_limits(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, SAM])
    env = z.env(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS, ZEK_MAIL_MAX_BYTES="65536")
    try:
        server = z.serve(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
        new = email.message.EmailMessage()
        new["From"] = "Anna Schmidt <%s>" % ANNA[0]
        new["To"] = "ZEK Servicedesk <%s>" % REPLY_ADDRESS
        new["Subject"] = "Neues Anliegen per E-Mail – Wohngeld"
        new["Message-ID"] = email.utils.make_msgid(domain="example.org")
        new.set_content("Der Online-Dienst Wohngeld zeigt \"Fehler 500\".\n\nGrüße\nAnna")
        rc, out = receive(z, new.as_bytes(), env)
        assert rc == 0 and "done" in out, out
        key = re.search(r"request (ZEK-\d+)", out).group(1)

        # The usual confirmation, with the reply address.
        conf = smtp.wait_for(lambda m: m.rcpt == ANNA[0] and key in m["Subject"])[0]
        assert conf["Subject"] == "[%s] Neues Anliegen per E-Mail – Wohngeld" % key
        assert conf["Reply-To"].startswith("zek+")
        anna = Client(server)
        anna.login(ANNA[0], PASSWORD)
        text, _ = page_text(anna, key)
        assert "Fehler 500" in text and "Sonstige Frage" in text, text[:2000]

        # From an address without an account: kept aside; once the person
        # has one, `zek mail retry` makes the request; the message as it
        # came is there to read.
        dora = email.message.EmailMessage()
        dora["From"] = "Dora Demo <dora@example.org>"
        dora["To"] = REPLY_ADDRESS
        dora["Subject"] = "Frage von Dora"
        dora["Message-ID"] = email.utils.make_msgid(domain="example.org")
        dora.set_content("Wie beantrage ich einen Zugang?")
        rc, out = receive(z, dora.as_bytes(), env)
        assert rc == 0 and "quarantined (unknown_sender)" in out, out
        mail_id = re.search(r"mail (\d+)", out).group(1)
        shown = z.run("mail", "received", mail_id).stdout
        assert shown == dora.as_bytes(), shown[:300]
        z.run("user", "add", "--email", "dora@example.org", "--name", "Dora Demo",
              "--password", PASSWORD)
        r = z.run("mail", "retry", mail_id, env=env)
        assert b"done" in r.stdout and b"request ZEK-" in r.stdout, r.stdout

        # Too big: kept (its head) and quarantined, not bounced, not lost.
        big = email.message.EmailMessage()
        big["From"] = ANNA[0]
        big["To"] = REPLY_ADDRESS
        big["Subject"] = "Riesig"
        big["Message-ID"] = email.utils.make_msgid(domain="example.org")
        big.set_content("x" * 100000)
        rc, out = receive(z, big.as_bytes(), env)
        assert rc == 0 and "quarantined (too_big)" in out, out

        # An auto-reply is never answered nor turned into a request.
        ooo = email.message.EmailMessage()
        ooo["From"] = ANNA[0]
        ooo["To"] = REPLY_ADDRESS
        ooo["Subject"] = "Abwesenheitsnotiz"
        ooo["Auto-Submitted"] = "auto-replied"
        ooo["Message-ID"] = email.utils.make_msgid(domain="example.org")
        ooo.set_content("Bin im Urlaub.")
        rc, out = receive(z, ooo.as_bytes(), env)
        assert rc == 0 and "ignored (auto_reply)" in out, out

        # Nothing on standard input: a data error; no database: retry later.
        rc, out = receive(z, b"", env)
        assert rc == 65, (rc, out)
        r = subprocess.run([z.binary, "mail", "receive", "--db",
                            "postgresql://nobody@127.0.0.1:1/none"], input=new.as_bytes(),
                           capture_output=True)
        assert r.returncode == 75, (r.returncode, r.stderr)
    finally:
        z.close()
        smtp.stop()
