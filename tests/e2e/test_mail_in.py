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


ADA = ("ada@example.org", "Ada Admin", "de", "admin")
EVE = ("eve@example.org", "Eve Admin", "en", "admin")
MAIL_ADMIN = "/servicedesk/admin/mail"


def plain(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def stranger_mail(sender, subject, text=None, html=None):
    m = email.message.EmailMessage()
    m["From"] = sender
    m["To"] = REPLY_ADDRESS
    m["Subject"] = subject
    m["Message-ID"] = email.utils.make_msgid(domain="example.org")
    if text is not None:
        m.set_content(text)
    if html is not None:
        if text is None:
            m.set_content(html, subtype="html")
        else:
            m.add_alternative(html, subtype="html")
    return m.as_bytes()


def quarantined_id(z, raw, env):
    rc, out = receive(z, raw, env)
    assert rc == 0 and "quarantined (unknown_sender)" in out, out
    return re.search(r"mail (\d+)", out).group(1)


def admin_post(client, path):
    """A button of the message page, with the token its form carries."""
    page = client.get(path.rsplit("/", 1)[0])
    m = re.search(r'action="%s">\s*<input type="hidden" name="csrf" value="([^"]+)"'
                  % re.escape(path), page.text)
    assert m, "no form for %s on the page" % path
    return client.post_form(path, [("csrf", m.group(1))], csrf=False)


def test_quarantine_in_the_admin_area(c, binary):
    """/servicedesk/admin/mail (issue 17): admins see the quarantine with
    the reasons in words, read a message (its text, never its HTML),
    download it as it came, process it again once the cause is fixed, or
    discard it; nobody else finds the pages at all."""
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, SAM, ADA, EVE])
    env = z.env(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
    try:
        server = z.serve(smtp.url, ZEK_MAIL_REPLY_ADDRESS=REPLY_ADDRESS)
        dora_raw = stranger_mail("Dora Demo <dora@example.org>", "Frage von Dora",
                                 text="Wie beantrage ich einen Zugang?\nDanke, Dora")
        dora = quarantined_id(z, dora_raw, env)
        spam = quarantined_id(z, stranger_mail(
            "erik@example.org", "Angebot",
            html="<p>Kaufen <b>Sie</b> jetzt</p><script>alert('x')</script>"
                 "<img src=\"http://tracker.example/p.png\">"), env)
        one, spam_url = MAIL_ADMIN + "/" + dora, MAIL_ADMIN + "/" + spam

        # Agents and customers: no such pages, no such buttons.
        for who in (SAM, ANNA):
            other = Client(server)
            other.login(who[0], PASSWORD)
            for path in (MAIL_ADMIN, one, one + "/raw"):
                r = other.get(path)
                assert r.status == 404, (who[0], path, r.status)
            for path in (one + "/retry", one + "/discard"):
                r = other.post_form(path, [])
                assert r.status == 404, (who[0], path, r.status)

        admin = Client(server)
        admin.login(ADA[0], PASSWORD)
        home = admin.get("/servicedesk/admin/")
        assert 'href="%s"' % MAIL_ADMIN in home.text and "2 in Quarantäne" in home.text, \
            plain(home.text)[:2000]
        listing = admin.get(MAIL_ADMIN)
        assert listing.status == 200, listing.status
        zektest.assert_html_ok(listing.text, MAIL_ADMIN)
        text = plain(listing.text)
        assert "Frage von Dora" in text and "dora@example.org" in text, text[:3000]
        assert "Unbekannter Absender" in text and "unknown_sender" not in text, text[:3000]
        assert text.index("Angebot") < text.index("Frage von Dora"), "newest first"
        assert '<option value="quarantined" selected>' in listing.text

        # One message: facts, what to do, its text; the HTML one as text.
        page = admin.get(one)
        assert page.status == 200, page.status
        zektest.assert_html_ok(page.text, one)
        text = plain(page.text)
        assert "Wie beantrage ich einen Zugang?" in text and "In Quarantäne" in text, text[:3000]
        assert "Legen Sie ein Konto für den Absender an und verarbeiten Sie die Nachricht erneut" \
            in text, text[:3000]
        page = admin.get(spam_url)
        assert "Kaufen Sie jetzt" in plain(page.text), plain(page.text)[:3000]
        assert "<script>alert" not in page.text and "<b>Sie</b>" not in page.text
        assert "tracker.example" not in page.text
        english = Client(server)
        english.login(EVE[0], PASSWORD)
        assert "Unknown sender" in plain(english.get(MAIL_ADMIN).text)
        assert "Create an account for the sender" in plain(english.get(one).text)

        # The download is the message as it came.
        raw = admin.get(one + "/raw")
        assert raw.status == 200 and raw.body == dora_raw, raw.status
        assert raw.header("Content-Type").startswith("message/rfc822"), raw.header("Content-Type")
        assert "attachment" in raw.header("Content-Disposition") and \
            "mail-%s.eml" % dora in raw.header("Content-Disposition"), raw.header("Content-Disposition")
        assert raw.header("X-Content-Type-Options") == "nosniff"

        # Still unknown: processed again, still in quarantine, said so.
        r = admin_post(admin, one + "/retry")
        assert r.status == 303, (r.status, r.text[:500])
        again = plain(admin.get(r.header("Location")).text)
        assert "wieder in Quarantäne: Unbekannter Absender" in again, again[:3000]

        # Dora gets an account: the message becomes her request.
        z.run("user", "add", "--email", "dora@example.org", "--name", "Dora Demo",
              "--password", PASSWORD)
        r = admin_post(admin, one + "/retry")
        assert r.status == 303, (r.status, r.text[:500])
        done = admin.get(r.header("Location"))
        key = re.search(r"bei der Anfrage (ZEK-\d+)", plain(done.text)).group(1)
        assert 'href="/servicedesk/agent/requests/%s"' % key in done.text
        assert "Verarbeitet" in plain(done.text) and 'action="%s/retry"' % one not in done.text
        smtp.wait_for(lambda m: m.rcpt == "dora@example.org" and key in m["Subject"])

        # The other one is discarded: kept, with who and when, and final.
        r = admin_post(admin, spam_url + "/discard")
        assert r.status == 303, (r.status, r.text[:500])
        gone = plain(admin.get(r.header("Location")).text)
        assert "Die Nachricht wurde verworfen" in gone and "von Ada Admin am" in gone, gone[:3000]
        for action, words in (("discard", "können verworfen werden"),
                              ("retry", "kann nicht erneut verarbeitet werden")):
            r = admin.post_form(spam_url + "/" + action, [])
            assert r.status == 409 and words in plain(r.text), (action, r.status, plain(r.text)[:2000])
        assert "Angebot" not in plain(admin.get(MAIL_ADMIN).text)
        assert "Angebot" in plain(admin.get(MAIL_ADMIN + "?state=discarded").text)
        assert "Frage von Dora" in plain(admin.get(MAIL_ADMIN + "?state=done").text)
        assert "Keine Nachrichten in diesem Zustand." in plain(admin.get(MAIL_ADMIN).text)
        assert "0 in Quarantäne" in admin.get("/servicedesk/admin/").text

        # The record of changes names both, with who did it.
        history = plain(admin.get("/servicedesk/admin/history").text)
        assert "E-Mail %s: Verworfen" % spam in history, history[:3000]
        assert "E-Mail %s: Erneut verarbeitet" % dora in history
        assert "Verarbeitet (%s)" % key in history and "Ada Admin" in history
    finally:
        z.close()
        smtp.stop()
