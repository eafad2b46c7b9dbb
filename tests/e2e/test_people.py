"""End-to-end tests of the staff's pages of customers and organisations
(issue 15): an agent invites by the form, deactivates and reactivates,
sends a reset link, makes and fills organisations, all through the HTML
forms, with the mails caught by a real SMTP server (aiosmtpd)."""

import re

import zektest
from test_accounts import field_error, link_in, set_password
from test_mail import Smtp, Zek, text_of
from zektest import Client, assert_html_ok, unescape

CUSTOMERS = "/servicedesk/agent/customers"
ORGS = "/servicedesk/agent/organisations"
PROFILE = "/servicedesk/customer/user/profile"


def row_of(page, email):
    """The table row of the person with this address, as text."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        if email in row:
            return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row))).strip()
    return None


def action_of(page, email, what):
    """The form action of a row's button (deactivate, reactivate, reset)."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        if email in row:
            m = re.search(r'action="([^"]*/%s)"' % what, row)
            return m.group(1) if m else None
    return None


def test_agent_invites_by_the_form_and_the_invited_sign_in(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [], demo=True)
    try:
        server = z.serve(smtp.url)
        sam = Client(server)
        sam.login("support@example.org", "demo")
        page = sam.get(CUSTOMERS)
        assert page.status == 200
        assert_html_ok(page.text, "customers page")
        assert 'href="%s"' % CUSTOMERS in sam.get("/servicedesk/customer/portals").text  # header
        # A bad list is refused next to the field, the text kept.
        r = sam.post_form(CUSTOMERS + "/invite", [("emails", " ; "), ("org", "")])
        assert r.status == 422 and field_error(r.text, "i-emails"), r.text[:300]
        r = sam.post_form(CUSTOMERS + "/invite", [
            ("emails", "olga@amt.example, kaputt\nBen Weber <ben@example.org>"),
            ("org", "Amt für Tests")])
        assert r.status == 200, r.status
        result = unescape(re.sub(r"<[^>]+>", "", r.text))
        assert "olga@amt.example: eingeladen" in result, result
        assert "kaputt: keine gültige E-Mail-Adresse" in result
        assert "ben@example.org: hat schon ein Konto: zur Organisation hinzugefügt" in result
        m = smtp.wait_for(lambda m: m.rcpt == "olga@amt.example")[0]
        text = text_of(m)
        assert "Eingeladen von: Sam Support" in text and "Ihre Organisation: Amt für Tests" in text
        # Ben is in the new organisation now; Olga is listed as invited.
        page = sam.get(CUSTOMERS + "?q=amt.example").text
        assert "Noch nicht eingerichtet" in row_of(page, "olga@amt.example")
        assert "Amt für Tests" in row_of(sam.get(CUSTOMERS + "?q=ben").text, "ben@example.org")

        olga = Client(server)
        r = set_password(olga, link_in(m, "/servicedesk/customer/user/invitation/"),
                         "Kaffee am Morgen im Amt", name="Olga Ost")
        assert r.status == 303, r.status
        row = row_of(sam.get(CUSTOMERS + "?q=olga").text, "olga@amt.example")
        assert "Olga Ost" in row and "Aktiv" in row and "noch nie" not in row, row
    finally:
        z.close()
        smtp.stop()


def test_agent_deactivates_reactivates_and_sends_a_reset(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [], demo=True)
    try:
        server = z.serve(smtp.url)
        sam = Client(server)
        sam.login("support@example.org", "demo")
        ben = Client(server)
        ben.login("ben@example.org", "demo")
        page = sam.get(CUSTOMERS + "?q=ben").text
        r = sam.post_form(action_of(page, "ben@example.org", "deactivate"), [])
        assert r.status == 303 and "notice=deactivated" in r.header("Location")
        page = sam.get(r.header("Location")).text
        assert "Die Person ist deaktiviert" in unescape(page)
        assert "Deaktiviert" in row_of(page, "ben@example.org")
        assert ben.get(PROFILE).status == 303           # signed out at once
        r = sam.post_form(action_of(page, "ben@example.org", "reactivate"), [])
        assert r.status == 303 and "notice=reactivated" in r.header("Location")
        Client(server).login("ben@example.org", "demo")

        page = sam.get(CUSTOMERS + "?q=carla").text
        r = sam.post_form(action_of(page, "carla@example.org", "reset"), [])
        assert r.status == 303 and "notice=reset_sent" in r.header("Location")
        m = smtp.wait_for(lambda m: m.rcpt == "carla@example.org" and
                          "zurücksetzen" in m["Subject"])[0]
        assert "/servicedesk/customer/user/reset-password/" in text_of(m)
        # Staff accounts are the admins' to change.
        sam_id = zektest.db_one(z.db, "SELECT id FROM users WHERE email = ?",
                                ("admin@example.org",))
        r = sam.post_form("%s/%s/deactivate" % (CUSTOMERS, sam_id), [])
        assert r.status == 403, r.status
        # The audit holds who did what.
        actions = [a for (a,) in zektest.db_rows(z.db, "SELECT action FROM account_audit "
                                                       "ORDER BY id")]
        assert actions == ["deactivate", "reactivate", "reset_mail"], actions
    finally:
        z.close()
        smtp.stop()


def test_organisations_made_renamed_and_filled_through_the_forms(c, binary):
    z = Zek(binary, [], demo=True)
    try:
        server = z.serve("")
        sam = Client(server)
        sam.login("support@example.org", "demo")
        page = sam.get(ORGS)
        assert page.status == 200 and "Stadt Musterstadt – Bürgeramt" in unescape(page.text)
        assert_html_ok(page.text, "organisations page")
        r = sam.post_form(ORGS, [("name", "Stadt Musterstadt – Bürgeramt")])
        assert r.status == 422
        assert field_error(r.text, "o-name") == "Fehler: Eine Organisation mit diesem Namen gibt es schon."
        r = sam.post_form(ORGS, [("name", "Amt für Proben")])
        assert r.status == 303, r.status
        org = r.header("Location").split("?")[0]
        page = sam.get(r.header("Location"))
        assert "Die Organisation ist angelegt." in unescape(page.text)
        assert_html_ok(page.text, "organisation page")
        r = sam.post_form(org + "/members", [("email", "niemand@example.org")])
        assert r.status == 422 and "kein Konto" in field_error(r.text, "a-email")
        r = sam.post_form(org + "/members", [("email", "Carla@Example.org")])
        assert r.status == 303
        page = sam.get(org).text
        assert row_of(page, "carla@example.org") is not None
        r = sam.post_form(org + "/rename", [("name", "Amt für Prüfungen")])
        assert r.status == 303
        assert "<h1>Amt für Prüfungen</h1>" in sam.get(org).text
        # Carla sees her new organisation where she shares requests.
        carla = Client(server)
        carla.login("carla@example.org", "demo")
        assert "Amt für Prüfungen" in unescape(carla.get(
            "/servicedesk/customer/portal/17/create/4").text)
        user = re.search(r'name="user" value="(\d+)"', sam.get(org).text).group(1)
        r = sam.post_form(org + "/members/remove", [("user", user)])
        assert r.status == 303 and "notice=member_removed" in r.header("Location")
        assert row_of(sam.get(org).text, "carla@example.org") is None
        # Customers do not get in.
        assert carla.get(ORGS).status == 404 and carla.get(CUSTOMERS).status == 404
    finally:
        z.close()


def test_admin_gives_and_takes_roles_and_reads_the_change_log(c, binary):
    z = Zek(binary, [], demo=True)
    try:
        server = z.serve("")
        admin = Client(server)
        admin.login("admin@example.org", "demo")
        sam = Client(server)
        sam.login("support@example.org", "demo")
        # Agents do not see the admins' pages; admins do, linked in the header.
        assert sam.get("/servicedesk/agent/team").status == 404
        assert 'href="/servicedesk/agent/team"' not in sam.get("/servicedesk/customer/portals").text
        page = admin.get("/servicedesk/agent/team")
        assert page.status == 200 and row_of(page.text, "support@example.org") is not None
        assert_html_ok(page.text, "team page")
        # Ben becomes an agent: the agent area opens for him.
        r = admin.post_form("/servicedesk/agent/team", [("email", "ben@example.org"), ("role", "agent")])
        assert r.status == 303 and "notice=role_changed" in r.header("Location")
        ben = Client(server)
        ben.login("ben@example.org", "demo")
        assert ben.get(CUSTOMERS).status == 200
        assert "Support (Agent)" in row_of(admin.get("/servicedesk/agent/team").text, "ben@example.org")
        r = admin.post_form("/servicedesk/agent/team", [("email", "ben@example.org"), ("role", "customer")])
        assert r.status == 303
        assert ben.get(CUSTOMERS).status == 404                  # at once, same session
        # Refused: oneself, nobody, an unknown role.
        r = admin.post_form("/servicedesk/agent/team", [("email", "admin@example.org"), ("role", "agent")])
        assert r.status == 422 and "eigene Rolle" in field_error(r.text, "t-email")
        r = admin.post_form("/servicedesk/agent/team", [("email", "niemand@example.org"), ("role", "agent")])
        assert r.status == 422 and "kein Konto" in field_error(r.text, "t-email")
        r = admin.post_form("/servicedesk/agent/team", [("email", "ben@example.org"), ("role", "root")])
        assert r.status == 422
        # The change log: newest first, by whom, what.
        page = admin.get("/servicedesk/agent/audit")
        assert page.status == 200
        assert_html_ok(page.text, "change log")
        rows = [unescape(re.sub(r"<[^>]+>", " ", r)) for r in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)]
        assert "Rolle geändert" in rows[1] and "agent -> customer" in rows[1], rows[:3]
        assert "Admin" in rows[1] and "ben@example.org" in rows[1]
        assert sam.get("/servicedesk/agent/audit").status == 404
    finally:
        z.close()
