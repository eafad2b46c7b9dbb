"""End-to-end tests of accounts without a shell (issue 15): invitation by
mail, "Passwort vergessen?", deactivation. A real SMTP server (aiosmtpd,
tests/e2e/mailsink.py) receives the mails; every step is what a person does
in the HTML forms, with the links taken from the mails themselves."""

import re
import time
import urllib.parse

import zektest
from test_mail import BASE, PASSWORD, Smtp, Zek, html_of, text_of, wait
from zektest import PORTAL, Client, created_key

FORGOT = "/servicedesk/customer/user/forgot-password"
SIGNUP = "/servicedesk/customer/user/signup"
LOGIN = "/servicedesk/customer/user/login"
PROFILE = "/servicedesk/customer/user/profile"
GOOD = "Sommer-Regen am Deich"
SAM = ("support@example.org", "Sam Support", "de", "agent")
ANNA = ("anna@example.org", "Anna Schmidt", "de", "customer")
EVE = ("eve@example.org", "Eve English", "en", "customer")


def link_in(m, path):
    """The single-use link of a mail, as a path on the server under test."""
    found = re.search(re.escape(BASE + path) + r"[A-Za-z0-9_-]{43}", text_of(m))
    assert found, text_of(m)
    assert found.group(0) in html_of(m)
    return found.group(0)[len(BASE):]


def field_error(page, field_id):
    """The message shown next to a control, or None."""
    m = re.search(r'<p class="field__error" id="%s-error">(.*?)</p>' % re.escape(field_id),
                  page, re.S)
    return zektest.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else None


def set_password(c, path, password, name=None):
    fields = [("new_password", password), ("new_password2", password)]
    if name is not None:
        fields.insert(0, ("name", name))
    return c.post_form(path, fields)


def test_invitation_mail_link_password_signed_in_create(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [SAM])
    try:
        server = z.serve(smtp.url)
        r = z.run("user", "invite", "--email", "nora@kreis-neuland.example",
                  "--org", "Kreis Neuland – Bauamt", env=z.env(smtp.url))
        assert b"invited" in r.stdout, r.stdout
        m = smtp.wait_for(lambda m: m.rcpt == "nora@kreis-neuland.example")[0]
        assert m["Subject"] == "Einladung zum ZEK Service-Portal", m["Subject"]
        assert m["List-Unsubscribe"] is None and m["In-Reply-To"] is None
        text = text_of(m)
        for t in ("Guten Tag,", "Ihre Organisation: Kreis Neuland – Bauamt", "und nur einmal"):
            assert t in text, (t, text)
        path = link_in(m, "/servicedesk/customer/user/invitation/")
        # Once sent, the outbox keeps neither the link nor the message.
        wait(lambda: z.rows("event = 'invitation'")[0]["state"] == "sent", what="sent")
        row = z.rows("event = 'invitation'")[0]
        assert path.rsplit("/", 1)[1] not in (row["payload"] + (row["raw"] or "")), row

        b = Client(server)
        page = b.get(path)
        assert page.status == 200, page.status
        zektest.assert_html_ok(page.text, "invitation page")
        assert "Konto einrichten" in page.text and "nora@kreis-neuland.example" in page.text
        # A weak password: refused next to the field, the name kept.
        r = set_password(b, path, "Passwort2026!", name="Nora Neu")
        assert r.status == 422, r.status
        assert "zu leicht zu erraten" in field_error(r.text, "a-new"), r.text
        assert 'value="Nora Neu"' in r.text
        assert 'href="#a-new"' in r.text        # the error summary links the field
        r = set_password(b, path, "Nora sagt Hallo", name="Nora Neu")
        assert r.status == 422 and "Namen" in field_error(r.text, "a-new")
        r = set_password(b, path, GOOD, name="")
        assert r.status == 422 and field_error(r.text, "a-name"), r.text
        # The right one: signed in, welcomed, in her organisation.
        r = set_password(b, path, GOOD, name="Nora Neu")
        assert r.status == 303, (r.status, r.text[:300])
        to = r.header("Location")
        assert "notice=welcome" in to, to
        page = b.get(to)
        assert "Willkommen! Ihr Konto ist eingerichtet" in page.text
        assert "Nora Neu" in page.text
        key = created_key(b.post_multipart(PORTAL + "/create/4", [
            ("summary", "Erste Frage aus Neuland"), ("description", "Hallo ZEK."),
            ("share", "private")]))
        assert key.startswith("ZEK-")
        # The link works once.
        again = Client(server).get(path)
        assert again.status == 404 and "funktioniert nicht" in again.text
        # She signs in with the password she chose.
        Client(server).login("nora@kreis-neuland.example", GOOD)
    finally:
        z.close()
        smtp.stop()


def forgot(c, email):
    return c.post_form(FORGOT, [("email", email)])


def test_forgot_password_known_and_unknown_link_once_sessions_end(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, EVE])
    try:
        server = z.serve(smtp.url)
        other = Client(server)
        other.login("anna@example.org", PASSWORD)
        login = Client(server).get("/servicedesk/customer/user/login")
        assert 'href="%s"' % FORGOT in login.text and "Passwort vergessen?" in login.text

        b = Client(server)
        known = forgot(b, "anna@example.org")
        unknown = forgot(b, "niemand@example.org")
        assert known.status == unknown.status == 200
        said = "Wenn zu dieser Adresse ein Konto besteht"
        assert said in known.text and said in unknown.text
        strip = lambda t: re.sub(r'name="csrf" value="[^"]*"', "", t)
        assert strip(known.text) == strip(unknown.text)
        m = smtp.wait_for(lambda m: m.rcpt == "anna@example.org")[0]
        assert m["Subject"] == "Passwort für das ZEK Service-Portal zurücksetzen"
        assert "Guten Tag Anna Schmidt," in text_of(m)
        time.sleep(0.5)
        assert [x.rcpt for x in smtp.messages()] == ["anna@example.org"]

        path = link_in(m, "/servicedesk/customer/user/reset-password/")
        page = b.get(path)
        assert page.status == 200 and "Neues Passwort festlegen" in page.text
        zektest.assert_html_ok(page.text, "reset page")
        r = set_password(b, path, "zu kurz")
        assert r.status == 422 and "mindestens 12 Zeichen" in field_error(r.text, "a-new")
        r = b.post_form(path, [("new_password", GOOD), ("new_password2", GOOD + "!")])
        assert r.status == 422 and "stimmen nicht überein" in field_error(r.text, "a-new2")
        r = set_password(b, path, GOOD)
        assert r.status == 303 and "notice=password_set" in r.header("Location")
        assert "Ihr neues Passwort ist gespeichert" in b.get(r.header("Location")).text
        # The other browser's session ended; the old password is gone.
        assert other.get(PROFILE).status == 303
        r = Client(server).post_form("/servicedesk/customer/user/login",
                                     [("email", "anna@example.org"), ("password", PASSWORD)])
        assert r.status == 200 and "E-Mail-Adresse oder Passwort ist falsch." in r.text
        Client(server).login("anna@example.org", GOOD)
        # Used, wrong, expired: one page that says so.
        for p in (path, path[:-1] + ("A" if path[-1] != "A" else "B"),
                  "/servicedesk/customer/user/reset-password/kurz"):
            bad = Client(server).get(p)
            assert bad.status == 404 and "funktioniert nicht" in bad.text, p
            assert 'href="%s"' % FORGOT in bad.text
        forgot(Client(server), "eve@example.org")
        m = smtp.wait_for(lambda m: m.rcpt == "eve@example.org")[0]
        assert m["Subject"] == "Reset your password for the ZEK service portal"
        path = link_in(m, "/servicedesk/customer/user/reset-password/")
        zektest.db_exec(z.db, "UPDATE account_links SET expires_at = 1")
        assert Client(server).get(path).status == 404
        # No token in the server's log.
        pattern = "/servicedesk/customer/user/reset-password/{token}"
        log = zektest.log_with(server, pattern)
        assert path.rsplit("/", 1)[1] not in log
        assert pattern in log
    finally:
        z.close()
        smtp.stop()


def test_forgot_password_throttled_per_address(c, binary):
    z = Zek(binary, [ANNA])
    try:
        server = z.serve("")
        b = Client(server)
        for _ in range(3):
            assert forgot(b, "anna@example.org").status == 200
        r = forgot(b, "ANNA@example.org")
        assert r.status == 429 and "zu viele Links" in r.text, r.status
        assert len(z.rows("event = 'password_reset'")) == 3
        r = b.post_form(FORGOT, [("email", "")])
        assert r.status == 422 and "Bitte geben Sie Ihre E-Mail-Adresse ein." in r.text
    finally:
        z.close()


def test_signup_off_by_default_no_link_no_page(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [SAM])
    try:
        server = z.serve(smtp.url)
        b = Client(server)
        assert "Konto erstellen" not in b.get(LOGIN).text
        assert b.get(SIGNUP).status == 404
        assert b.post_form(SIGNUP, [("email", "neu@kreis-neuland.example")]).status == 404
        assert z.rows() == []
        # A sign-up by domains without domains, or a malformed domain, is
        # refused at start with a message.
        r = z.run("mail", "list", env={"ZEK_SIGNUP": "domains"}, check=False)
        assert r.returncode == 2 and b"signup = domains needs signup_domains" in r.stderr, r.stderr
        r = z.run("mail", "list", env={"ZEK_SIGNUP": "domains", "ZEK_SIGNUP_DOMAINS": "bund"},
                  check=False)
        assert r.returncode == 2 and b"signup_domains = bund" in r.stderr, r.stderr
        r = z.run("mail", "list", env={"ZEK_SIGNUP": "sometimes"}, check=False)
        assert r.returncode == 2 and b"signup = sometimes" in r.stderr, r.stderr
    finally:
        z.close()
        smtp.stop()


def test_signup_domains_mail_link_password_signed_in_create(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [SAM, ANNA])
    try:
        server = z.serve(smtp.url, ZEK_SIGNUP="domains",
                         ZEK_SIGNUP_DOMAINS="kreis-neuland.example, bund.de")
        b = Client(server)
        login = b.get(LOGIN).text
        assert 'href="%s"' % SIGNUP in login and "Noch kein Konto?" in login
        page = b.get(SIGNUP)
        assert page.status == 200
        zektest.assert_html_ok(page.text, "sign-up page")
        assert "kreis-neuland.example, bund.de" in page.text     # the page says who may
        # Refused, wrong and missing addresses: told next to the field, kept.
        r = b.post_form(SIGNUP, [("email", "nils@gmail.example")])
        assert r.status == 422, r.status
        assert "Einladung" in field_error(r.text, "signup-email"), r.text
        assert 'value="nils@gmail.example"' in r.text and 'href="#signup-email"' in r.text
        r = b.post_form(SIGNUP, [("email", "nils.bund.de")])
        assert r.status == 422 and "gültige" in field_error(r.text, "signup-email")
        r = b.post_form(SIGNUP, [("email", "")])
        assert r.status == 422 and field_error(r.text, "signup-email")
        assert z.rows() == []

        # A new address of a subdomain: a mail, a link, an account.
        r = b.post_form(SIGNUP, [("email", "nils@bauamt.kreis-neuland.example")])
        assert r.status == 200 and "Bestätigungslink" in r.text, r.text
        sent_new = zektest.unescape(re.sub(r"<[^>]+>", "", r.text))
        # No sign-in before the address is confirmed.
        assert Client(server).post_form(LOGIN, [("email", "nils@bauamt.kreis-neuland.example"),
                                                ("password", "")]).status != 303
        m = smtp.wait_for(lambda m: m.rcpt == "nils@bauamt.kreis-neuland.example")[0]
        assert m["Subject"] == "Ihr Konto im ZEK Service-Portal bestätigen", m["Subject"]
        assert "Eingeladen von" not in text_of(m)
        path = link_in(m, "/servicedesk/customer/user/invitation/")
        page = b.get(path)
        assert page.status == 200 and "Konto einrichten" in page.text
        r = set_password(b, path, GOOD, name="Nils Neu")
        assert r.status == 303 and "notice=welcome" in r.header("Location"), r.status
        key = created_key(b.post_multipart(PORTAL + "/create/4", [
            ("summary", "Frage nach der Registrierung"), ("description", "Hallo."),
            ("share", "private")]))
        assert key.startswith("ZEK-")
        Client(server).login("nils@bauamt.kreis-neuland.example", GOOD)

        # An address with an account gets the same page, and a mail that
        # says so with a reset link; nobody learns from the page whether
        # an account exists.
        anna = ANNA[0]
        z.run("user", "add", "--email", "anna@bund.de", "--name", "Anna Bund",
              "--password", PASSWORD)
        r = Client(server).post_form(SIGNUP, [("email", "anna@bund.de")])
        assert r.status == 200
        sent_existing = zektest.unescape(re.sub(r"<[^>]+>", "", r.text))
        assert sent_existing.replace("anna@bund.de", "X") == \
            sent_new.replace("nils@bauamt.kreis-neuland.example", "X")
        m = smtp.wait_for(lambda m: m.rcpt == "anna@bund.de")[0]
        assert m["Subject"] == "Ihr Konto im ZEK Service-Portal", m["Subject"]
        assert "bereits eines" in text_of(m)
        path = link_in(m, "/servicedesk/customer/user/reset-password/")
        assert set_password(Client(server), path, GOOD).status == 303
        Client(server).login("anna@bund.de", GOOD)
        assert anna != "anna@bund.de"

        # Who did it, for the admins.
        rows = zektest.db_dicts(z.db, "SELECT a.action, a.actor_id, a.user_id FROM account_audit a"
                                " JOIN users u ON u.id = a.user_id WHERE u.email = ?",
                                ("nils@bauamt.kreis-neuland.example",))
        assert [r["action"] for r in rows][:2] == ["signup", "invite_accepted"], rows
        assert rows[0]["actor_id"] == rows[0]["user_id"]
    finally:
        z.close()
        smtp.stop()


def test_signup_open_in_english_throttled_per_client(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [SAM])
    try:
        server = z.serve(smtp.url, ZEK_SIGNUP="open")
        b = Client(server)
        b.accept_language = "en-GB,en;q=0.9"
        page = b.get(SIGNUP).text
        assert "Create an account" in page and "Send confirmation link" in page
        for i in range(20):
            r = b.post_form(SIGNUP, [("email", "p%d@anywhere.example" % i)])
            assert r.status == 200, (i, r.status)
        r = b.post_form(SIGNUP, [("email", "p99@anywhere.example")])
        assert r.status == 429, r.status
        assert "Too many" in field_error(r.text, "signup-email"), r.text
        assert 'value="p99@anywhere.example"' in r.text
        ms = smtp.wait_for(lambda m: m.rcpt.endswith("@anywhere.example"), n=20)
        assert {m["Subject"] for m in ms} == {"Confirm your account on the ZEK service portal"}
        assert not any(m.rcpt == "p99@anywhere.example" for m in smtp.messages())
    finally:
        z.close()
        smtp.stop()


def test_deactivated_person_cannot_sign_in_and_gets_no_mail(c, binary):
    z = Zek(binary, [ANNA, SAM])
    try:
        server = z.serve("")
        anna = Client(server)
        anna.login("anna@example.org", PASSWORD)
        token = zektest.api_token(anna)
        api = lambda: Client(server).get("/rest/servicedeskapi/request", headers={
            "Authorization": "Bearer " + token}).status
        assert api() == 200
        key = created_key(anna.post_multipart(PORTAL + "/create/4", [
            ("summary", "Vor der Sperre"), ("description", "Text."), ("share", "private")]))

        r = z.run("user", "deactivate", "--email", "anna@example.org")
        assert b"deactivate done" in r.stdout, r.stdout
        assert anna.get(PROFILE).status == 303          # the session ended at once
        assert api() == 401                              # and the token
        r = Client(server).post_form("/servicedesk/customer/user/login",
                                     [("email", "anna@example.org"), ("password", PASSWORD)])
        assert r.status == 200 and "login-error" in r.text
        # Her request and name stay; an agent's comment mails nobody.
        agent = Client(server)
        agent.login("support@example.org", PASSWORD)
        page = agent.get("/servicedesk/agent/requests/" + key)
        assert page.status == 200 and "Anna Schmidt" in page.text
        before = len(z.rows())
        r = agent.post_form("/servicedesk/agent/requests/%s/comment" % key,
                            [("visibility", "public"), ("comment", "Antwort an Anna")])
        assert r.status == 303, r.status
        assert len(z.rows()) == before, z.rows()
        # No reset link for a deactivated account, and the same page.
        r = Client(server).post_form(FORGOT, [("email", "anna@example.org")])
        assert r.status == 200 and len(z.rows("event = 'password_reset'")) == 0

        z.run("user", "reactivate", "--email", "anna@example.org")
        Client(server).login("anna@example.org", PASSWORD)
        assert api() == 200
    finally:
        z.close()


def test_command_line_prints_links_and_refuses_unknown_addresses(c, binary):
    z = Zek(binary, [ANNA])
    try:
        r = z.run("user", "reset-password", "--email", "anna@example.org", "--print-link")
        link = r.stdout.decode().strip()
        assert re.fullmatch(r"https?://[^/]+/servicedesk/customer/user/reset-password/"
                            r"[A-Za-z0-9_-]{43}", link), link
        assert z.rows("event = 'password_reset'") == []  # printed, not mailed
        r = z.run("user", "reset-password", "--email", "niemand@example.org", check=False)
        assert r.returncode == 1 and b"no account" in r.stderr
        r = z.run("user", "invite", "--email", "anna@example.org", "--org", "Neue Org")
        assert b"already has an account" in r.stdout, r.stdout
        orgs = zektest.db_rows(z.db, "SELECT o.name FROM organisations o JOIN user_orgs uo "
                                     "ON uo.org_id = o.id JOIN users u ON u.id = uo.user_id "
                                     "WHERE u.email = ?", ("anna@example.org",))
        assert ("Neue Org",) in [tuple(x) for x in orgs], orgs
        # Organisations from the command line.
        assert b"added organisation" in z.run("org", "add", "Amt ohne Shell").stdout
        r = z.run("org", "add", "Amt ohne Shell", check=False)
        assert r.returncode == 1 and b"exists" in r.stderr
        lines = z.run("org", "list").stdout.decode().splitlines()
        assert any(ln.split("\t")[1:] == ["Neue Org", "1"] for ln in lines), lines
        members = z.run("org", "members", "Neue Org").stdout.decode()
        assert members == "anna@example.org\tAnna Schmidt\tactive\n", members
        r = z.run("user", "invite", "--email", "kaputt", check=False)
        assert r.returncode == 1 and b"invalid" in r.stderr
        audit = zektest.db_rows(z.db, "SELECT action FROM account_audit ORDER BY id")
        assert [a[0] for a in audit] == ["reset_link", "org_join", "org_create"], audit
    finally:
        z.close()


def test_export_and_erase_from_the_command_line(c, binary):
    import json
    z = Zek(binary, [ANNA, SAM])
    try:
        server = z.serve("")
        anna = Client(server)
        anna.login("anna@example.org", PASSWORD)
        key = created_key(anna.post_multipart(PORTAL + "/create/4", [
            ("summary", "Meine Daten"), ("description", "Text von Anna."), ("share", "private")]))
        doc = json.loads(z.run("user", "export", "--email", "anna@example.org").stdout)
        assert doc["person"]["email"] == "anna@example.org"
        assert [r["key"] for r in doc["requests_reported"]] == [key]
        assert doc["sessions"] and "token" not in json.dumps(doc["sessions"])
        r = z.run("user", "erase", "--email", "anna@example.org")
        assert b"erased" in r.stdout
        assert anna.get(PROFILE).status == 303                  # signed out
        sam = Client(server)
        sam.login("support@example.org", PASSWORD)
        page = sam.get("/servicedesk/agent/requests/" + key).text
        assert "Gelöschte Person" in zektest.unescape(page) and "Anna Schmidt" not in page
        assert "Text von Anna." in page                         # the request stays
        r = z.run("user", "export", "--email", "anna@example.org", check=False)
        assert r.returncode == 1 and b"no account" in r.stderr
        actions = [a for (a,) in zektest.db_rows(z.db, "SELECT action FROM account_audit ORDER BY id")]
        assert actions == ["export", "erase"], actions
    finally:
        z.close()
