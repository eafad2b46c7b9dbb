"""End-to-end tests of the configuration's export and import (issue 16):
`zek config export|import` from one database into a fresh one gives the
same portal; the admin page's download, upload, preview and "Übernehmen"
through the HTML forms; a preview that someone else's change has made
stale answers 409 and applies nothing; problems are shown at the file
field. Runs on both backends (the databases are the run's backend)."""

import json
import os
import re
import subprocess

import zektest
from test_admin import signed_in, stop_clean
from zektest import ROOT, Client, Server, assert_html_ok, unescape

ADMIN = "/servicedesk/admin/"
CONFIG = ADMIN + "config"
PORTAL = "/servicedesk/customer/portal/17"


def zek(binary, *args, stdin=None):
    return subprocess.run([binary, *args], capture_output=True, text=True,
                          input=stdin, env=dict(os.environ, ZEK_ROOT=ROOT))


def customer(server, email, password):
    c = Client(server)
    c.login(email, password)
    return c


def portal_view(client):
    """What a customer sees of the portal: each request type's name with
    the labels of its create form, in order."""
    page = client.get(PORTAL).text
    view = []
    for href, inner in re.findall(r'<a[^>]+href="(%s/create/\d+)"[^>]*>(.*?)</a>' % PORTAL, page, re.S):
        name = unescape(re.sub(r"<[^>]+>", " ", inner)).split()
        form = client.get(href)
        assert form.status == 200, href
        labels = [unescape(re.sub(r"<[^>]+>", "", l)).strip()
                  for l in re.findall(r'<label[^>]*>(.*?)</label>', form.text, re.S)]
        view.append((" ".join(name), labels))
    assert view, "no request types on the portal"
    return view


def changed(doc):
    """The exported document with changes of every kind."""
    d = json.loads(doc)
    types = d["desks"][0]["groups"][0]["types"]
    types[0]["name_de"] = "Störung melden"
    fields = types[3]["fields"]
    fields.insert(2, {"key": "dringlichkeit", "kind": "select", "label_de": "Dringlichkeit",
                      "label_en": "Urgency", "required": False, "hidden": False,
                      "options": [{"value": "hoch", "label_de": "Hoch", "label_en": "High"},
                                  {"value": "niedrig", "label_de": "Niedrig", "label_en": "Low"}]})
    d["help_center"]["title_de"] = "Hilfe und Kontakt"
    d["objects"].append({"kind": "mandant", "name": "Neuer Mandant", "retired": False})
    return json.dumps(d, ensure_ascii=False, indent=1)


def test_cli_round_trip_gives_the_same_portal(c, binary):
    """Export from one database, import into a fresh one: the same portal,
    and exported again, the same bytes."""
    server = Server(binary)
    fresh_db = zektest.new_db()
    other = None
    try:
        out = zek(binary, "config", "export", "--db", server.db)
        assert out.returncode == 0, out.stderr
        doc = changed(out.stdout)
        # Dry run first: the plan, and nothing applied.
        dry = zek(binary, "config", "import", "--db", server.db, "--dry-run", "-", stdin=doc)
        assert dry.returncode == 0, dry.stderr
        assert 'change   type "ZEK › Störung melden" name_de: "Störungsmeldung" -> "Störung melden"' \
            in dry.stdout, dry.stdout
        assert 'add      field "ZEK › Sonstige Frage › dringlichkeit"' in dry.stdout, dry.stdout
        assert "dry run" in dry.stdout
        assert zek(binary, "config", "export", "--db", server.db).stdout == out.stdout
        applied = zek(binary, "config", "import", "--db", server.db, "-", stdin=doc)
        assert applied.returncode == 0, applied.stderr
        assert "applied 4 changes" in applied.stdout, applied.stdout
        exported = zek(binary, "config", "export", "--db", server.db).stdout

        # Into a database with nothing in it.
        r = zek(binary, "config", "import", "--db", fresh_db, "-", stdin=exported)
        assert r.returncode == 0, r.stderr
        assert zek(binary, "config", "export", "--db", fresh_db).stdout == exported
        again = zek(binary, "config", "import", "--db", fresh_db, "-", stdin=exported)
        assert again.stdout.strip() == "zek: no changes", again.stdout
        # The same customer (no organisation) on both.
        for db in (server.db, fresh_db):
            r = zek(binary, "user", "add", "--db", db, "--email", "eva@example.org",
                    "--name", "Eva Export", "--role", "customer", "--password", "geheim123")
            assert r.returncode == 0, r.stderr
        other = Server(binary, demo=False, db=fresh_db)
        eva_a = customer(server, "eva@example.org", "geheim123")
        eva = customer(other, "eva@example.org", "geheim123")
        mine, theirs = portal_view(eva_a), portal_view(eva)
        assert mine == theirs, (mine, theirs)
        assert mine[0][0].startswith("Störung melden"), mine
        assert any(label.startswith("Dringlichkeit") for label in dict(mine)["Sonstige Frage"])
        assert "Hilfe und Kontakt" in eva.get("/servicedesk/customer/portals").text
    finally:
        stop_clean(server)
        if other is not None:
            stop_clean(other)
        zektest.drop_db(fresh_db)


def test_cli_refuses_a_bad_file(c, binary):
    server = Server(binary)
    try:
        doc = json.loads(zek(binary, "config", "export", "--db", server.db).stdout)
        field = doc["desks"][0]["groups"][0]["types"][0]["fields"][5]
        assert field["key"] == "bundesland"
        field["kind"] = "text"
        del field["options"]
        r = zek(binary, "config", "import", "--db", server.db, "-", stdin=json.dumps(doc))
        assert r.returncode == 1
        assert "desks[0].groups[0].types[0].fields[5].kind: The kind of an existing field " \
            "cannot change (bundesland: select → text)" in r.stderr, r.stderr
        assert "nothing was changed" in r.stderr
        r = zek(binary, "config", "import", "--db", server.db, "-", stdin="{nope")
        assert r.returncode == 1 and "not valid JSON" in r.stderr, r.stderr
        r = zek(binary, "config", "import", "--db", server.db)
        assert r.returncode == 1 and "usage: zek config" in r.stderr
    finally:
        stop_clean(server)


def upload(admin, doc, name="zek-config.json"):
    return admin.post_multipart(CONFIG + "/import", [],
                                files=[("file", name, doc.encode(), "application/json")])


def apply_form(page):
    """The confirm form's fields as the preview offers them."""
    m = re.search(r'<form method="post" action="%s/apply">(.*?)</form>' % CONFIG, page, re.S)
    assert m, "no apply form"
    return [(n, unescape(v)) for n, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(1))]


def test_upload_preview_apply(c, binary):
    """The admin page: download, upload, the plan, "Übernehmen"; the same
    file again has nothing to apply."""
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        home = admin.get(ADMIN).text
        assert 'href="%s"' % CONFIG in home
        page = admin.get(CONFIG)
        assert page.status == 200
        assert_html_ok(page.text, "config page")
        assert "Konfiguration exportieren und einlesen" in unescape(page.text)
        r = admin.get(CONFIG + "/export")
        assert r.status == 200
        assert r.header("Content-Type").startswith("application/json")
        assert r.header("Content-Disposition") == 'attachment; filename="zek-config-0.json"'
        assert r.text == zek(binary, "config", "export", "--db", server.db).stdout
        doc = changed(r.text)

        r = upload(admin, doc)
        assert r.status == 200, r.text[:2000]
        assert_html_ok(r.text, "preview")
        text = unescape(r.text)
        assert "<caption>Geplante Änderungen (4)</caption>" in text
        assert "ZEK › Sonstige Frage › dringlichkeit" in text
        assert "Störung melden" in text
        # Nothing is applied by the preview.
        assert "Störung melden" not in unescape(admin.get(PORTAL).text)
        fields = apply_form(r.text)
        assert ("version", "0") in fields
        r = admin.post_form(CONFIG + "/apply", [f for f in fields if f[0] != "csrf"])
        assert r.status == 303, r.text[:2000]
        assert r.header("Location") == CONFIG + "?notice=config_imported"
        page = admin.get(r.header("Location")).text
        assert "Die Konfiguration ist eingelesen." in page
        assert "Störung melden" in unescape(admin.get(PORTAL).text)
        history = unescape(admin.get(ADMIN + "history").text)
        assert "Eingelesen: neu" in history and "ZEK › Sonstige Frage › dringlichkeit" in history

        # The same file again: nothing to apply, no form to do it.
        r = upload(admin, doc)
        assert r.status == 200
        assert "es gibt nichts zu übernehmen" in unescape(r.text)
        assert "/apply" not in r.text
    finally:
        stop_clean(server)


def test_stale_preview_is_a_conflict(c, binary):
    """A preview someone else's change has overtaken: 409, nothing applied."""
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        doc = changed(admin.get(CONFIG + "/export").text)
        r = upload(admin, doc)
        fields = [f for f in apply_form(r.text) if f[0] != "csrf"]
        # Meanwhile another admin adds a catalogue entry.
        other = signed_in(server, "admin@example.org")
        r = other.post_form(ADMIN + "catalogue", [("kind", "mandant"), ("name", "Dazwischen")])
        assert r.status == 303
        r = admin.post_form(CONFIG + "/apply", fields)
        assert r.status == 409, r.status
        assert_html_ok(r.text, "conflict")
        assert "Die Einstellungen wurden inzwischen geändert" in unescape(r.text)
        assert "Störung melden" not in unescape(admin.get(PORTAL).text)
    finally:
        stop_clean(server)


def test_upload_errors_at_the_file_field(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        r = admin.post_multipart(CONFIG + "/import", [])
        assert r.status == 422
        assert "Wählen Sie eine JSON-Datei aus." in unescape(r.text)
        r = upload(admin, "das ist kein JSON")
        assert r.status == 422
        assert_html_ok(r.text, "not JSON")
        assert 'aria-invalid="true"' in r.text
        assert "Die Datei ist kein gültiges JSON" in unescape(r.text)
        doc = json.loads(admin.get(CONFIG + "/export").text)
        doc["desks"][0]["groups"][0]["types"][3]["fields"][2]["kind"] = "hologramm"
        r = upload(admin, json.dumps(doc))
        assert r.status == 422
        assert "desks[0].groups[0].types[3].fields[2].kind: Unbekannte Feldart „hologramm“." \
            in unescape(r.text), unescape(r.text)
        r = upload(admin, "{}" + " " * (5 << 20))
        assert r.status == 422
        assert "Die Datei ist zu groß" in unescape(r.text)
        # Customers and agents do not find the page.
        for email in ("anna@example.org", "support@example.org"):
            other = signed_in(server, email)
            assert other.get(CONFIG).status == 404
            assert other.get(CONFIG + "/export").status == 404
    finally:
        stop_clean(server)


CAL = ADMIN + "calendar"


def plan_lines(page):
    """The preview's rows: (op, thing, where, attr, old, new)."""
    return [tuple(unescape(x) for x in row) for row in re.findall(
        r'<tr><td>([^<]*)</td><td>([^<]*)</td><th scope="row">([^<]*)</th>'
        r'<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>', page)]


def apply_upload(admin, doc):
    r = upload(admin, doc)
    assert r.status == 200, r.text[:2000]
    lines = plan_lines(r.text)
    r = admin.post_form(CONFIG + "/apply", [f for f in apply_form(r.text) if f[0] != "csrf"])
    assert r.status == 303, r.text[:2000]
    return lines


def test_the_business_calendar_travels_with_the_document(c, binary):
    """The calendar's section: exported, unchanged a plan without lines;
    changed hours and closed days planned, applied as the calendar page
    applies them (its page, its history rows, the service levels marked);
    refused values named at their place with nothing applied; a document
    without the section leaves the calendar alone."""
    from test_admin_calendar import closed_days, history_rows, value_of
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        exported = admin.get(CONFIG + "/export").text
        cal = json.loads(exported)["calendar"]
        assert cal == {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00",
                       "end": "17:00", "tz": "Europe/Berlin", "state": "",
                       "closed": [{"yearly": "12-24", "name": "Heiligabend"},
                                  {"yearly": "12-31", "name": "Silvester"}]}, cal
        # The export again: nothing to apply.
        r = upload(admin, exported)
        assert r.status == 200 and "es gibt nichts zu übernehmen" in unescape(r.text)

        # Later hours, Silvester no more closed, a bridge day closed.
        code, out, err = zektest.zek_run(binary, "jobs", "run", "--db", server.db)
        assert code == 0, err
        assert zektest.db_one(server.db, "SELECT count(*) FROM requests WHERE sla_stale = 1") == 0
        d = json.loads(exported)
        d["calendar"]["start"] = "09:00"
        d["calendar"]["closed"] = [{"yearly": "12-24", "name": "Heiligabend"},
                                   {"date": "2027-05-07", "name": "Brückentag"}]
        lines = apply_upload(admin, json.dumps(d, ensure_ascii=False))
        assert sorted(lines) == sorted([
            ("Geändert", "Geschäftszeiten", "", "start", "08:00", "09:00"),
            ("Neu", "Schließtag", "2027-05-07", "", "", "Brückentag"),
            ("Gelöscht", "Schließtag", "--12-31", "", "Silvester", "")]), lines
        page = admin.get(CAL).text
        assert value_of(page, "a-start") == "09:00" and value_of(page, "a-end") == "17:00"
        assert closed_days(page) == [("24.12. (jedes Jahr)", "Heiligabend"),
                                     ("07.05.2027", "Brückentag")]
        rows = history_rows(admin)
        assert any("Geschäftszeiten: Arbeitszeit" in r and "08:00-17:00" in r
                   and "09:00-17:00" in r for r in rows), rows
        assert any("Schließtag hinzugefügt" in r and "2027-05-07 Brückentag" in r for r in rows), rows
        assert any("Schließtag gelöscht" in r and "--12-31 Silvester" in r for r in rows), rows
        assert not any("Eingelesen" in r for r in rows), rows
        assert zektest.db_one(server.db, "SELECT count(*) FROM requests WHERE sla_stale = 1") > 0
        assert zektest.db_one(server.db, "SELECT start_minute FROM business_calendar") == 540
        # Exported again and imported: nothing to apply.
        again = admin.get(CONFIG + "/export").text
        assert json.loads(again)["calendar"]["start"] == "09:00"
        r = upload(admin, again)
        assert "es gibt nichts zu übernehmen" in unescape(r.text)

        # Values the calendar page refuses: named, nothing applied.
        d = json.loads(again)
        d["help_center"]["title_de"] = "Nicht übernommen"
        d["calendar"]["end"] = "25:00"
        d["calendar"]["weekdays"] = ["mon", "fri", "Samstag"]
        d["calendar"]["closed"].append({"date": "2026-02-30", "name": "Kein Tag"})
        r = upload(admin, json.dumps(d, ensure_ascii=False))
        assert r.status == 422
        assert_html_ok(r.text, "calendar problems")
        text = unescape(r.text)
        assert "calendar.weekdays[2]: Unbekannter Wochentag „Samstag“" in text, text
        assert "calendar.closed[2].date: „2026-02-30“ ist kein Datum als JJJJ-MM-TT" in text, text
        d["calendar"]["weekdays"] = ["mon"]
        r = upload(admin, json.dumps(d, ensure_ascii=False))
        assert r.status == 422
        text = unescape(r.text)
        assert "calendar.end: Bitte geben Sie eine Uhrzeit als SS:MM an, z. B. 08:00." in text, text
        assert "calendar.closed[2].date: „2026-02-30“ ist kein Datum" in text, text
        assert admin.get(CONFIG + "/export").text == again

        # An older export, without the section: the calendar stays.
        d = json.loads(again)
        del d["calendar"]
        d["help_center"]["title_de"] = "Hilfe ohne Kalender"
        lines = apply_upload(admin, json.dumps(d, ensure_ascii=False))
        assert [l[1] for l in lines] == ["Hilfecenter"], lines
        assert json.loads(admin.get(CONFIG + "/export").text)["calendar"] == \
            json.loads(again)["calendar"]
    finally:
        stop_clean(server)
