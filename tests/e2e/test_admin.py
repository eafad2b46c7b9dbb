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


# --- request types: groups, types, fields and options (web/admin_types.c) ---

import html.parser

TYPES = ADMIN + "portals/17/types"


class FormParser(html.parser.HTMLParser):
    """The forms of a page with what a browser would send from each: text
    as filled in, checked boxes and radios, each select's chosen option."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.cur, self.select, self.area = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.cur = {"action": a.get("action"), "fields": []}
            self.forms.append(self.cur)
        elif self.cur is None or "disabled" in a:
            return
        elif tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                self.cur["fields"].append([a["name"], None, a.get("type"), a.get("value")])
            else:
                self.cur["fields"].append([a["name"], a.get("value", ""), a.get("type"), a.get("value")])
        elif tag == "textarea":
            self.area = [a["name"], "", "textarea", None]
            self.cur["fields"].append(self.area)
        elif tag == "select":
            self.select = [a["name"], None, "select", None]
            self.cur["fields"].append(self.select)
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in a:
                self.select[1] = a.get("value", "")

    def handle_data(self, data):
        if self.area is not None:
            self.area[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.cur = None
        elif tag == "textarea":
            self.area = None
        elif tag == "select":
            self.select = None


def forms_of(page, action):
    p = FormParser()
    p.feed(page)
    found = [f for f in p.forms if f["action"] == action]
    assert found, "no form to %s" % action
    return found


def submit(client, page, action, changes=(), which=0, **named):
    """Sends form `which` to action from page as a person would: its values
    as shown, with the controls in changes (name -> value; for a checkbox
    or radio: True/False or the value to check) changed."""
    changes = dict(changes, **named)
    fields = []
    # The forms with a version: not the buttons that move or retire a row.
    edits = [f for f in forms_of(page, action) if any(n == "version" for n, *_ in f["fields"])]
    for name, value, kind, own in edits[which]["fields"]:
        if name == "csrf":
            continue
        if name in changes:
            want = changes[name]
            if kind == "checkbox":
                value = own if want else None
            elif kind == "radio":
                value = own if want == own else None
            else:
                value = want
        if value is not None:
            fields.append((name, value))
    return client.post_form(action, fields)


def moved(client, page, action, direction, which=0):
    forms = [f for f in forms_of(page, action)
             if ["action", direction, "hidden", direction] in f["fields"]]
    assert forms, "no %s button for %s" % (direction, action)
    fields = [(n, v) for n, v, k, _ in forms[which]["fields"] if n != "csrf" and v is not None]
    return client.post_form(action, fields)


def headings(page, level):
    return [unescape(re.sub(r"<[^>]+>", "", h)).strip()
            for h in re.findall(r"<h%d[^>]*>(.*?)</h%d>" % (level, level), page, re.S)]


def history_text(client):
    page = client.get(HISTORY).text
    return [unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " | ", row)))
            for row in re.findall(r"<tr><td>(.*?)</tr>", page, re.S)]


def in_history(rows, *words):
    assert any(all(w in r for w in words) for r in rows), (words, rows[:12])


def follow(client, r, notice):
    assert r.status == 303, (r.status, re.sub(r"<[^>]+>", " ", r.text)[:2000])
    loc = r.header("Location")
    assert loc.endswith("notice=" + notice), loc
    page = client.get(loc)
    assert page.status == 200
    assert_html_ok(page.text, loc)
    return loc, page.text


def add_type(admin, name, group="1"):
    page = admin.get(TYPES).text
    r = submit(admin, page, TYPES, name_de=name, name_en="", group_id=group)
    loc, page = follow(admin, r, "type_added")
    return re.search(r"/types/(\d+)\?", loc).group(1), page


def test_types_groups_added_renamed_moved_through_the_forms(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        anna = signed_in(server, "anna@example.org")
        assert 'href="%s"' % TYPES in admin.get(ADMIN).text
        assert 'href="%s"' % TYPES in admin.get(PORTAL_FORM).text
        page = admin.get(TYPES)
        assert page.status == 200
        assert_html_ok(page.text, "types")
        assert headings(page.text, 1) == ["Anfragetypen"]
        assert "Störungsmeldung" in page.text and "Sonstige Frage" in page.text
        for path in (TYPES, ADMIN + "types/1", ADMIN + "fields/6"):
            assert anna.get(path).status == 404, path
        assert anna.post_form(ADMIN + "portals/17/groups", [("version", "0"), ("name_de", "Von Anna")]).status == 404
        assert anna.post_form(ADMIN + "groups/1", [("action", "down")]).status == 404

        # A group: added, its name taken again refused at the field.
        r = submit(admin, page.text, ADMIN + "portals/17/groups", name_de="Testgruppe", name_en="")
        _, page = follow(admin, r, "group_added")
        assert "Die Gruppe ist hinzugefügt." in page
        assert headings(page, 2)[:3] == ["Online-Dienste", "ODIS", "Testgruppe"]
        gid = re.search(r'<section class="admin-section" aria-labelledby="g(\d+)-title">\s*'
                        r'<h2 id="g\d+-title">Testgruppe</h2>', page).group(1)
        r = submit(admin, page, ADMIN + "portals/17/groups", name_de="TESTGRUPPE")
        assert r.status == 422
        assert_html_ok(r.text, "types with an error")
        assert "gibt es hier schon" in field_error(r.text, "ng-name_de")
        assert 'href="#ng-name_de"' in r.text and 'value="TESTGRUPPE"' in r.text
        r = submit(admin, page, ADMIN + "portals/17/groups", name_de="x" * 256)
        assert r.status == 422 and "höchstens 255 Zeichen" in field_error(r.text, "ng-name_de")

        # Renamed in its own form; the name of another group is refused there.
        group = ADMIN + "groups/" + gid
        r = submit(admin, page, group, name_de="odis")
        assert r.status == 422
        assert "gibt es hier schon" in field_error(r.text, "g%s-name_de" % gid)
        assert 'value="odis"' in r.text
        r = submit(admin, page, group, name_de="Gruppe für Tests", name_en="Test group")
        _, page = follow(admin, r, "saved")
        assert "Gruppe für Tests" in headings(page, 2)
        assert 'id="g%s-name_en" name="name_en" value="Test group"' % gid in page

        # Moved up twice: first; nothing above the first.
        r = moved(admin, page, group, "up")
        _, page = follow(admin, r, "moved")
        assert "Die Reihenfolge ist geändert." in page
        r = moved(admin, page, group, "up")
        _, page = follow(admin, r, "moved")
        assert headings(page, 2)[:3] == ["Gruppe für Tests", "Online-Dienste", "ODIS"]
        assert not [f for f in forms_of(page, group) if ["action", "up", "hidden", "up"] in f["fields"]]
        assert admin.post_form(group, [("action", "sideways")]).status == 400
        assert admin.post_form(ADMIN + "groups/999999", [("action", "up")]).status == 404

        # A type in it: its page, with the two fields every type has.
        tid, tpage = add_type(admin, "Testtyp", gid)
        assert headings(tpage, 1) == ["Testtyp"]
        assert "Der Anfragetyp ist angelegt" in tpage
        fields = re.findall(r'<th scope="row">([^<]*)</th>', tpage)
        assert fields[:2] == ["Titel", "Beschreibung"], fields
        page = admin.get(TYPES).text
        assert re.search(r'<h2 id="g%s-title">Gruppe für Tests</h2>.*?Testtyp' % gid, page, re.S)
        r = submit(admin, page, TYPES, name_de="sonstige frage", group_id="1")
        assert r.status == 422 and "gibt es hier schon" in field_error(r.text, "nt-name_de")

        # A type moves within its group ("Testtyp" is alone in its own).
        r = moved(admin, page, ADMIN + "types/1/move", "down")
        _, page = follow(admin, r, "moved")
        types = re.findall(r'<th scope="row">([^<]*)</th>', page)
        assert types.index("Anforderung Online-Dienst") < types.index("Störungsmeldung"), types
        assert admin.post_form(ADMIN + "types/1/move", [("action", "")]).status == 400

        rows = history_text(admin)
        in_history(rows, "Gruppe hinzugefügt", "Testgruppe")
        in_history(rows, "Name der Gruppe (Deutsch)", "Testgruppe", "Gruppe für Tests")
        in_history(rows, "Name der Gruppe (Englisch)", "Test group")
        in_history(rows, "Gruppe verschoben")
        in_history(rows, "Anfragetyp hinzugefügt", "Testtyp")
        in_history(rows, "Anfragetyp verschoben")
    finally:
        stop_clean(server)


def test_type_edited_with_errors_a_stale_form_and_hidden(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        anna = signed_in(server, "anna@example.org")
        tid, page = add_type(admin, "Testtyp")
        path = ADMIN + "types/" + tid
        assert 'id="a-icon-0" name="icon" value="" checked' in page
        assert '<img class="admin-radios__icon" src="/static/v1/icons/frage.svg" alt=""' in page
        assert "Testtyp" in anna.get("/servicedesk/customer/portal/17").text

        # Errors next to their fields, with what was typed.
        for name, field_text in (("", "Bitte füllen Sie dieses Feld aus."),
                                 ("STÖRUNGSMELDUNG", "gibt es hier schon"),
                                 ("y" * 256, "höchstens 255 Zeichen")):
            r = submit(admin, page, path, name_de=name, description_de="Bleibt stehen")
            assert r.status == 422, name
            assert_html_ok(r.text, "type with an error")
            assert field_text in field_error(r.text, "a-name_de"), name
            assert 'href="#a-name_de"' in r.text
            assert form_values(r.text)["name_de"] == name
            assert form_values(r.text)["description_de"] == "Bleibt stehen"

        # A stale form: someone saved meanwhile; what was typed stays.
        stale = page
        r = submit(admin, admin.get(path).text, path, description_de="Von jemand anderem")
        assert r.status == 303
        r = submit(admin, stale, path, name_de="Testtyp neu", description_de="Meine Beschreibung",
                   description_en="My description", icon="frage", hidden=True)
        assert r.status == 409
        assert_html_ok(r.text, "stale type form")
        assert "Die Einstellungen wurden inzwischen geändert" in r.text
        values = form_values(r.text)
        assert values["name_de"] == "Testtyp neu" and values["description_de"] == "Meine Beschreibung"
        assert 'name="icon" value="frage" checked' in r.text
        assert re.search(r'id="a-hidden" name="hidden" value="on" checked', r.text)
        assert "Testtyp neu" not in admin.get(TYPES).text

        # Sent again from that page: saved, hidden from customers, in another group.
        r = submit(admin, r.text, path, group_id="2")
        _, page = follow(admin, r, "saved")
        assert headings(page, 1) == ["Testtyp neu"]
        assert "Verborgen" in page
        assert 'value="2" selected' in page
        types = admin.get(TYPES).text
        assert re.search(r'<h2 id="g2-title">ODIS</h2>.*?Testtyp neu</th>\s*<td>Verborgen</td>', types, re.S)
        assert "Testtyp neu" not in anna.get("/servicedesk/customer/portal/17").text
        r = admin.post_form(path, [("version", version_of(page)), ("name_de", "Testtyp neu"),
                                   ("group_id", "2"), ("icon", "kein-symbol")])
        assert r.status == 422 and field_error(r.text, "a-icon")
        assert admin.post_form(path, [("version", version_of(page)), ("name_de", "X"),
                                      ("group_id", "1"), ("hidden", "ja")]).status == 400

        rows = history_text(admin)
        in_history(rows, "Testtyp", "Beschreibung des Anfragetyps (Deutsch)", "Von jemand anderem",
                   "Meine Beschreibung")
        in_history(rows, "Name des Anfragetyps (Deutsch)", "Testtyp", "Testtyp neu")
        in_history(rows, "Symbol des Anfragetyps", "frage")
        in_history(rows, "Anfragetyp für Kunden verborgen", "Nein", "Ja")
        in_history(rows, "Gruppe des Anfragetyps")
    finally:
        stop_clean(server)


def option_rows(page):
    """label_de -> (option id, state) of a select's page, in order."""
    return {unescape(label): (oid, state) for label, state, oid in re.findall(
        r'<th scope="row">([^<]*)</th>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>.*?'
        r'action="/servicedesk/admin/options/(\d+)"', page, re.S)}


def field_rows(page):
    """label -> (field id, required, state) of a type's page, in order."""
    return {unescape(label): (fid, req, state) for label, req, state, fid in re.findall(
        r'<th scope="row">([^<]*)</th>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>\s*<td>([^<]*)</td>\s*'
        r'<td><a href="/servicedesk/admin/fields/(\d+)"', page)}


def test_fields_and_options_through_the_forms(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        anna = signed_in(server, "anna@example.org")
        tid, page = add_type(admin, "Testtyp")
        tpath = ADMIN + "types/" + tid
        add = tpath + "/fields"

        # A select with three options, required: its page lists them.
        r = submit(admin, page, add, kind="select", label_de="Priorität", label_en="Priority",
                   required=True, options="Hoch | High\nMittel | Medium\r\nNiedrig | Low\n")
        loc, fpage = follow(admin, r, "field_added")
        fpath = loc.split("?")[0]
        fid = fpath.rsplit("/", 1)[1]
        assert headings(fpage, 1) == ["Priorität"]
        assert "<dd>Auswahlliste</dd>" in fpage
        opts = option_rows(fpage)
        assert list(opts) == ["Hoch", "Mittel", "Niedrig"], opts
        assert all(s == "Wird angeboten" for _, s in opts.values())
        assert "High" in fpage and "Medium" in fpage
        create = anna.get("/servicedesk/customer/portal/17/create/" + tid).text
        assert "Priorität" in create and ">Mittel<" in create

        # A select without options, a label taken: errors at their fields.
        page = admin.get(tpath).text
        r = submit(admin, page, add, kind="select", label_de="Leer", options="  \n")
        assert r.status == 422
        assert_html_ok(r.text, "add field with an error")
        assert "mindestens eine angebotene" in field_error(r.text, "n-options")
        assert form_values(r.text)["label_de"] == "Leer"
        r = submit(admin, page, add, kind="text", label_de="PRIORITÄT")
        assert r.status == 422 and "hat diese Beschriftung schon" in field_error(r.text, "n-label_de")

        # An object field for several Mandanten, a checkbox, a date.
        r = submit(admin, page, add, kind="object", label_de="Betroffene Mandanten",
                   object_kind="mandant", multiple=True)
        _, opage = follow(admin, r, "field_added")
        assert "<dd>Mandanten (mehrere)</dd>" in opage
        r = submit(admin, admin.get(tpath).text, add, kind="checkbox", label_de="Dringend")
        _, cpage = follow(admin, r, "field_added")
        assert "Text neben dem Kästchen (Deutsch)" in cpage
        r = submit(admin, admin.get(tpath).text, add, kind="datetime", label_de="Seit wann")
        follow(admin, r, "field_added")
        page = admin.get(tpath).text
        assert admin.post_form(add, [("version", version_of(page)), ("kind", "text"),
                                     ("label_de", "X"), ("required", "ja")]).status == 400

        # Edited: labels, help, optional, hidden; the form of customers drops it.
        fpage = admin.get(fpath).text
        r = submit(admin, fpage, fpath, label_de="Dringlichkeit", label_en="Urgency",
                   help_de="Wie eilig ist es?", required=False, hidden=True)
        _, fpage = follow(admin, r, "saved")
        assert headings(fpage, 1) == ["Dringlichkeit"]
        rows = field_rows(admin.get(tpath).text)
        assert rows["Dringlichkeit"] == (fid, "Optional", "Verborgen"), rows
        assert list(rows)[:2] == ["Titel", "Beschreibung"]
        assert "Dringlichkeit" not in anna.get("/servicedesk/customer/portal/17/create/" + tid).text
        r = submit(admin, fpage, fpath, label_de="Seit wann")
        assert r.status == 422 and "hat diese Beschriftung schon" in field_error(r.text, "a-label_de")
        r = submit(admin, fpage, fpath, hidden=False)
        assert r.status == 303

        # The title cannot be hidden: the box is off, and a hidden=on is refused there.
        summary = rows["Titel"][0]
        spage = admin.get(ADMIN + "fields/" + summary).text
        assert re.search(r'id="a-hidden" name="hidden" value="on" disabled', spage)
        fields = [(n, v) for n, v, k, _ in forms_of(spage, ADMIN + "fields/" + summary)[0]["fields"]
                  if n != "csrf" and v is not None] + [("hidden", "on")]
        r = admin.post_form(ADMIN + "fields/" + summary, fields)
        assert r.status == 422
        assert "nicht verborgen werden" in field_error(r.text, "a-hidden")
        assert_html_ok(r.text, "title field with an error")

        # Fields move within the type.
        tpage = admin.get(tpath).text
        r = moved(admin, tpage, ADMIN + "fields/%s/move" % fid, "up")
        follow(admin, r, "moved")
        order = list(field_rows(admin.get(tpath).text))
        assert order.index("Dringlichkeit") == 1, order

        # Options: renamed, a taken label refused at its row, moved, retired, restored, added.
        fpage = admin.get(fpath).text
        hoch, _ = option_rows(fpage)["Hoch"]
        opt = ADMIN + "options/" + hoch
        r = submit(admin, fpage, opt, label_de="Sehr hoch", label_en="Very high")
        _, fpage = follow(admin, r, "option_renamed")
        assert list(option_rows(fpage)) == ["Sehr hoch", "Mittel", "Niedrig"]
        r = submit(admin, fpage, opt, label_de="mittel")
        assert r.status == 422
        assert_html_ok(r.text, "option with an error")
        assert "Auswahlmöglichkeit gibt es schon" in field_error(r.text, "o%s-label_de" % hoch)
        assert 'value="mittel"' in r.text
        niedrig, _ = option_rows(fpage)["Niedrig"]
        r = moved(admin, fpage, ADMIN + "options/" + niedrig, "up")
        _, fpage = follow(admin, r, "moved")
        assert list(option_rows(fpage)) == ["Sehr hoch", "Niedrig", "Mittel"]
        mittel, _ = option_rows(fpage)["Mittel"]
        retire = lambda page, oid: admin.post_form(ADMIN + "options/" + oid, [
            (n, v) for n, v, k, _ in forms_of(page, ADMIN + "options/" + oid)[-1]["fields"]
            if n != "csrf" and v is not None])
        r = retire(fpage, mittel)
        _, fpage = follow(admin, r, "option_retired")
        assert option_rows(fpage)["Mittel"] == (mittel, "Stillgelegt")
        r = retire(fpage, mittel)
        _, fpage = follow(admin, r, "option_restored")
        assert option_rows(fpage)["Mittel"] == (mittel, "Wird angeboten")
        r = submit(admin, fpage, fpath + "/options", label_de="Kritisch", label_en="Critical")
        _, fpage = follow(admin, r, "option_added")
        assert list(option_rows(fpage)) == ["Sehr hoch", "Niedrig", "Mittel", "Kritisch"]
        r = submit(admin, fpage, fpath + "/options", label_de="KRITISCH")
        assert r.status == 422 and "Auswahlmöglichkeit gibt es schon" in field_error(r.text, "o-label_de")
        # Retiring the last one on offer is refused.
        for label in ("Sehr hoch", "Niedrig", "Mittel"):
            r = retire(fpage, option_rows(fpage)[label][0])
            _, fpage = follow(admin, r, "option_retired")
        r = retire(fpage, option_rows(fpage)["Kritisch"][0])
        assert r.status == 422
        assert_html_ok(r.text, "options with an error")
        assert "mindestens eine angebotene Auswahlmöglichkeit" in unescape(r.text)
        assert option_rows(r.text)["Kritisch"][1] == "Wird angeboten"
        # What no form sends.
        assert admin.post_form(opt, [("field", fid), ("action", "delete")]).status == 400
        assert admin.post_form(opt, [("action", "up")]).status == 400
        assert admin.post_form(opt, [("field", summary), ("action", "up")]).status == 404

        rows = history_text(admin)
        in_history(rows, "Testtyp", "Feld hinzugefügt", "Priorität")
        in_history(rows, "Beschriftung (Deutsch)", "Priorität", "Dringlichkeit")
        in_history(rows, "Feld im Formular verborgen", "Nein", "Ja")
        in_history(rows, "Pflichtfeld", "Ja", "Nein")
        in_history(rows, "Feld verschoben")
        in_history(rows, "Auswahlmöglichkeit: Beschriftung (Deutsch)", "Hoch", "Sehr hoch")
        in_history(rows, "Auswahlmöglichkeit verschoben")
        in_history(rows, "Auswahlmöglichkeit stillgelegt")
        in_history(rows, "Auswahlmöglichkeit wieder angeboten")
        in_history(rows, "Auswahlmöglichkeit hinzugefügt", "Kritisch")
    finally:
        stop_clean(server)
