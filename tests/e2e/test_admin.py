"""End-to-end tests of the admin area (issue 16), through the HTML forms as
an admin uses them: the help center's texts, the announcement and its
times, a portal's name, the history of changes, a stale form, errors next
to their fields, and a second `zek serve` on the same database that shows
each change at its next page view. Each test has a server of its own: the
announcement changes every customer page of the shared one."""

import datetime
import re
import zoneinfo

import zektest
from test_accounts import field_error
from zektest import Client, Server, assert_html_ok, created_key, unescape

ADMIN = "/servicedesk/admin/"
HELP = ADMIN + "help-center"
PORTAL_FORM = ADMIN + "portals/17"
HISTORY = ADMIN + "history"
HOME = "/servicedesk/customer/portals"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SANITIZER = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")


def stop_clean(server):
    rc, log = server.stop()
    assert rc in (0, -15) and not any(s in log for s in SANITIZER), log[-3000:]


def local(hours):
    """now + hours as <input type="datetime-local"> takes it, in Berlin."""
    t = datetime.datetime.now(BERLIN) + datetime.timedelta(hours=hours)
    return t.strftime("%Y-%m-%dT%H:%M")


def version_of(page):
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def form_values(page):
    """The text controls of a form page as they are filled in now."""
    values = dict(re.findall(r'<input class="input[^"]*" type="(?:text|datetime-local)" '
                             r'id="[^"]+" name="([^"]+)" value="([^"]*)"', page))
    values.update(re.findall(r'<textarea class="textarea" id="[^"]+" name="([^"]+)"[^>]*>'
                             r'(.*?)</textarea>', page, re.S))
    return {k: unescape(v) for k, v in values.items()}


def save(client, path, **changes):
    """Loads the form, changes some controls, sends it as a browser would."""
    page = client.get(path).text
    fields = form_values(page)
    fields.update(changes)
    return client.post_form(path, [("version", version_of(page))] + list(fields.items()))


def announcement(page):
    m = re.search(r'<aside class="announcement"[^>]*>(.*?)</aside>', page, re.S)
    return unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else None


def signed_in(server, email):
    c = Client(server)
    c.login(email)
    return c


def test_only_admins_reach_the_area(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        home = admin.get(ADMIN)
        assert home.status == 200
        assert_html_ok(home.text, "admin home")
        for href in (HELP, PORTAL_FORM, HISTORY):
            assert 'href="%s"' % href in home.text, href
        # The header leads admins there, and nobody else.
        assert 'href="%s"' % ADMIN in admin.get(HOME).text
        for email in ("support@example.org", "anna@example.org"):
            other = signed_in(server, email)
            assert 'href="%s"' % ADMIN not in other.get(HOME).text
            for path in (ADMIN, HELP, PORTAL_FORM, HISTORY):
                assert other.get(path).status == 404, (email, path)
            r = other.post_form(HELP, [("version", "0"), ("title_de", "Übernommen")])
            assert r.status == 404
        assert "Übernommen" not in Client(server).get("/servicedesk/customer/user/login").text
        # Signed out: the login page, then back here.
        r = Client(server).get(HELP)
        assert r.status == 303 and "next=" in r.header("Location")
    finally:
        stop_clean(server)


def test_announcement_texts_and_history(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        anna = signed_in(server, "anna@example.org")
        page = admin.get(HELP)
        assert page.status == 200 and "Zurzeit gibt es keine Ankündigung." in page.text
        assert_html_ok(page.text, "help center form")
        assert announcement(anna.get(HOME).text) is None
        r = save(admin, HELP, title_de="Willkommen beim ZEK",
                 intro_de="Hier melden Sie **Störungen** und stellen Fragen.",
                 announcement_de="Wartungsfenster am Samstag, 8–12 Uhr",
                 announcement_en="Maintenance window on Saturday, 8–12",
                 until=local(2))
        assert r.status == 303 and r.header("Location") == HELP + "?notice=saved"
        page = admin.get(r.header("Location")).text
        assert "Die Änderungen sind gespeichert." in page
        assert "Die Ankündigung wird gerade gezeigt, bis" in page
        # Every customer page shows it, signed in or not; the staff areas do not.
        for path in (HOME, "/servicedesk/customer/portal/17", "/servicedesk/customer/user/requests"):
            assert announcement(anna.get(path).text) == "Wartungsfenster am Samstag, 8–12 Uhr", path
        assert announcement(Client(server).get("/servicedesk/customer/user/login").text) is not None
        assert announcement(admin.get("/servicedesk/agent/").text) is None
        assert announcement(admin.get(HELP).text) is None
        english = Client(server)
        english.accept_language = "en"
        assert announcement(english.get("/servicedesk/customer/user/login").text) == \
            "Maintenance window on Saturday, 8–12"
        home = anna.get(HOME).text
        assert_html_ok(home, "help center with announcement")
        assert "<h1>Willkommen beim ZEK</h1>" in home
        assert "<strong>Störungen</strong>" in home
        # Moved into the future: gone until then.
        r = save(admin, HELP, **{"from": local(1), "until": local(3)})
        assert r.status == 303
        assert "Die Ankündigung wird ab" in admin.get(HELP).text
        assert announcement(anna.get(HOME).text) is None
        # Removed.
        r = save(admin, HELP, announcement_de="", announcement_en="", until="", **{"from": ""})
        assert r.status == 303
        assert announcement(anna.get(HOME).text) is None
        # The history names who changed what, before and after.
        hist = admin.get(HISTORY)
        assert hist.status == 200
        assert_html_ok(hist.text, "history")
        rows = [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", row)))
                for row in re.findall(r"<tr><td>(.*?)</tr>", hist.text, re.S)]
        assert any("Admin" in r and "Hilfecenter: Überschrift (Deutsch)" in r and "(leer)" in r
                   and "Willkommen beim ZEK" in r for r in rows), rows
        assert any("Ankündigung (Deutsch)" in r and "Wartungsfenster am Samstag" in r
                   and "(leer)" in r for r in rows), rows
        assert any("Ankündigung: zeigen ab" in r and "offen" in r for r in rows), rows
    finally:
        stop_clean(server)


def test_errors_stay_at_their_fields_and_keep_the_text(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        r = save(admin, HELP, title_de="x" * 256, announcement_en="Only English",
                 **{"from": local(3), "until": local(1)})
        assert r.status == 422
        assert_html_ok(r.text, "help center with errors")
        assert field_error(r.text, "a-title_de") == "Fehler: Bitte geben Sie höchstens 255 Zeichen ein."
        assert "deutschen Text der Ankündigung" in field_error(r.text, "a-announcement_de")
        assert field_error(r.text, "a-until") == "Fehler: Das Ende muss nach dem Beginn liegen."
        # The summary links to each field; what was typed is still there.
        for field in ("a-title_de", "a-announcement_de", "a-until"):
            assert 'href="#%s"' % field in r.text
        assert form_values(r.text)["announcement_en"] == "Only English"
        assert form_values(r.text)["title_de"] == "x" * 256
        assert announcement(Client(server).get("/servicedesk/customer/user/login").text) is None
        r = save(admin, PORTAL_FORM, name="  ")
        assert r.status == 422
        assert field_error(r.text, "a-name") == "Fehler: Bitte füllen Sie dieses Feld aus."
        assert "Noch keine Änderung" not in admin.get(HISTORY).text
        assert "Bisher wurde nichts geändert." in admin.get(HISTORY).text
    finally:
        stop_clean(server)


def test_a_second_process_shows_changes_and_stale_forms_do_not_overwrite(c, binary):
    first = Server(binary)
    second = None
    try:
        second = Server(binary, demo=False, db=first.db)
        admin = signed_in(first, "admin@example.org")
        other_admin = signed_in(second, "admin@example.org")
        anna = signed_in(second, "anna@example.org")
        # Both open the portal's form at the same version.
        mine = admin.get(PORTAL_FORM).text
        theirs = other_admin.get(PORTAL_FORM).text
        assert version_of(mine) == version_of(theirs)
        r = admin.post_form(PORTAL_FORM, [("version", version_of(mine)),
                                          ("name", "ZEK Service-Portal"),
                                          ("description", "Alles an einem Ort.")])
        assert r.status == 303
        # The other process shows it at the next page view.
        home = anna.get(HOME).text
        assert "ZEK Service-Portal" in home and "Alles an einem Ort." in home
        assert "ZEK Service-Portal" in anna.get("/servicedesk/customer/portal/17").text
        # The other admin's older form does not overwrite it, and keeps their text.
        r = other_admin.post_form(PORTAL_FORM, [("version", version_of(theirs)),
                                                ("name", "Ein anderer Name"),
                                                ("description", "")])
        assert r.status == 409
        assert_html_ok(r.text, "stale form")
        assert "Die Einstellungen wurden inzwischen geändert" in r.text
        assert form_values(r.text)["name"] == "Ein anderer Name"
        assert "ZEK Service-Portal" in anna.get(HOME).text
        # Sent again from that page (the current version), it goes through.
        r = other_admin.post_form(PORTAL_FORM, [("version", version_of(r.text)),
                                                ("name", "Ein anderer Name"),
                                                ("description", "")])
        assert r.status == 303
        assert "Ein anderer Name" in anna.get(HOME).text
        rows = admin.get(HISTORY).text
        assert "ZEK: Name des Portals" in unescape(rows)
    finally:
        if second is not None:
            stop_clean(second)
        stop_clean(first)


CATALOGUE = ADMIN + "catalogue"
QUESTION = "/servicedesk/customer/portal/17/create/4"


def catalogue_rows(page):
    """name -> (object id, state text) of the entries a catalogue page lists."""
    rows = {}
    for name, state, oid in re.findall(
            r'<th scope="row">([^<]*)</th>\s*<td>([^<]*)</td>.*?'
            r'action="/servicedesk/admin/catalogue/(\d+)"', page, re.S):
        rows[unescape(name)] = (oid, state)
    return rows


def offered_mandanten(client):
    page = client.get(QUESTION).text
    m = re.search(r'<select[^>]*name="mandant"[^>]*>(.*?)</select>', page, re.S)
    assert m, "no Mandant select on the question form"
    return {unescape(t).strip(): v for v, t in
            re.findall(r'<option[^>]*value="(\d+)"[^>]*>(.*?)</option>', m.group(1), re.S)}


def ask(client, mandant):
    r = client.post_multipart(QUESTION, [("summary", "Frage zum Mandanten"),
                                         ("description", "Gilt das für uns?"),
                                         ("mandant", mandant), ("share", "private")])
    return r


def test_catalogue_add_rename_retire_restore_through_the_forms(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        anna = signed_in(server, "anna@example.org")
        assert 'href="%s"' % CATALOGUE in admin.get(ADMIN).text
        page = admin.get(CATALOGUE)
        assert page.status == 200
        assert_html_ok(page.text, "catalogue")
        assert re.search(r'href="[^"]*kind=mandant"[^>]*aria-current="page">Mandanten<', page.text)
        assert "Stadt Musterstadt" in catalogue_rows(page.text)
        for path in (CATALOGUE, CATALOGUE + "?kind=online_dienst"):
            assert Client(server).get(path).status == 303
            assert anna.get(path).status == 404
        assert anna.post_form(CATALOGUE, [("kind", "mandant"), ("name", "Von Anna")]).status == 404

        # Added: offered at once on the create form.
        r = admin.post_form(CATALOGUE, [("kind", "mandant"), ("name", "  Gemeinde Testdorf ")])
        assert r.status == 303 and r.header("Location") == CATALOGUE + "?kind=mandant&notice=object_added"
        page = admin.get(r.header("Location")).text
        assert "Der Eintrag ist hinzugefügt." in page
        oid, state = catalogue_rows(page)["Gemeinde Testdorf"]
        assert state == "Wird angeboten"
        assert offered_mandanten(anna)["Gemeinde Testdorf"] == oid
        # The same name in another case: an error at the field, the text kept.
        r = admin.post_form(CATALOGUE, [("kind", "mandant"), ("name", "GEMEINDE testdorf")])
        assert r.status == 422
        assert_html_ok(r.text, "catalogue with an error")
        assert "gibt es in dieser Liste schon" in field_error(r.text, "o-new")
        assert 'value="GEMEINDE testdorf"' in r.text
        r = admin.post_form(CATALOGUE, [("kind", "mandant"), ("name", "x" * 256)])
        assert r.status == 422 and "höchstens 255 Zeichen" in field_error(r.text, "o-new")

        key = created_key(ask(anna, oid))
        request = "/servicedesk/customer/portal/17/" + key
        assert "Gemeinde Testdorf" in anna.get(request).text

        # Renamed: the old request shows the new name.
        row = CATALOGUE + "/" + oid
        r = admin.post_form(row, [("kind", "mandant"), ("name", "Gemeinde Testdorf-Nord")])
        assert r.status == 303 and r.header("Location").endswith("notice=object_renamed")
        assert "Gemeinde Testdorf-Nord" in anna.get(request).text
        r = admin.post_form(row, [("kind", "mandant"), ("name", "stadt musterstadt")])
        assert r.status == 422
        assert "gibt es in dieser Liste schon" in field_error(r.text, "o-" + oid)
        assert 'value="stadt musterstadt"' in r.text

        # Retired: no longer offered, refused when sent anyway, kept on the request.
        r = admin.post_form(row, [("kind", "mandant"), ("action", "retire")])
        assert r.status == 303
        page = admin.get(r.header("Location")).text
        assert "wird nicht mehr angeboten" in page
        assert catalogue_rows(page)["Gemeinde Testdorf-Nord"] == (oid, "Stillgelegt")
        assert "Gemeinde Testdorf-Nord" not in offered_mandanten(anna)
        found = anna.get("/servicedesk/customer/objects?kind=mandant&q=testdorf").text
        assert "Testdorf" not in found
        r = ask(anna, oid)
        assert r.status == 422
        assert "nicht vorhanden" in unescape(r.text)
        assert "Gemeinde Testdorf-Nord" in anna.get(request).text
        assert "Gemeinde Testdorf-Nord" in admin.get("/servicedesk/agent/ZEK/" + key).text \
            or "Gemeinde Testdorf-Nord" in admin.get(request).text
        # Restored.
        r = admin.post_form(row, [("kind", "mandant"), ("action", "restore")])
        assert r.status == 303
        assert offered_mandanten(anna)["Gemeinde Testdorf-Nord"] == oid

        # The history names each step, and the kind in words.
        hist = unescape(admin.get(HISTORY).text)
        for what in ("Mandanten: Eintrag hinzugefügt", "Mandanten: Eintrag umbenannt",
                     "Mandanten: Eintrag stillgelegt", "Mandanten: Eintrag wieder angeboten"):
            assert what in hist, what
    finally:
        stop_clean(server)


def test_catalogue_import_search_and_pages(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        importer = CATALOGUE + "/import"
        r = admin.post_multipart(importer, [("kind", "online_dienst")])
        assert r.status == 422
        assert field_error(r.text, "o-file") == "Fehler: Wählen Sie eine CSV-Datei aus."
        bad = "kind,name\nOnline-Dienst,Taubenschlag-Anmeldung\nPlanet,Mars\n".encode()
        r = admin.post_multipart(importer, [("kind", "online_dienst")],
                                 [("file", "dienste.csv", bad, "text/csv")])
        assert r.status == 422
        assert_html_ok(r.text, "catalogue import error")
        assert "Zeile 3" in field_error(r.text, "o-file")
        assert "Taubenschlag-Anmeldung" not in r.text
        lines = ["kind,name", "Online-Dienst,Taubenschlag-Anmeldung", 'Online-Dienst,"Anwohnerparken, digital"',
                 "Online-Dienst,wohngeld"] + ["Mandant,Amt %03d" % i for i in range(60)]
        r = admin.post_multipart(importer, [("kind", "online_dienst")],
                                 [("file", "dienste.csv", ("\ufeff" + "\r\n".join(lines)).encode(),
                                   "text/csv")])
        assert r.status == 200
        assert "Eingelesen: 62 neue Einträge." in r.text
        rows = catalogue_rows(r.text)
        assert "Taubenschlag-Anmeldung" in rows and "Anwohnerparken, digital" in rows
        assert "wohngeld" not in rows   # "Wohngeld" was there already
        # Search, and pages of 50.
        page = admin.get(CATALOGUE + "?kind=online_dienst&q=TAUBEN").text
        assert list(catalogue_rows(page)) == ["Taubenschlag-Anmeldung"]
        page = admin.get(CATALOGUE + "?kind=mandant&q=Amt+0").text
        assert len(catalogue_rows(page)) == 50
        nxt = re.search(r'href="([^"]+)" rel="next"', page)
        assert nxt, "no next page"
        page2 = admin.get(unescape(nxt.group(1))).text
        assert len(catalogue_rows(page2)) == 10 and "Amt 059" in catalogue_rows(page2)
        assert 'rel="prev"' in page2 and 'rel="next"' not in page2
        assert "Einträge aus CSV eingelesen" in unescape(admin.get(HISTORY).text)
    finally:
        stop_clean(server)
