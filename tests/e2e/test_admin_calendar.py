"""End-to-end tests of the business calendar of the service levels
(issue 18, /servicedesk/admin/calendar), through the forms as an admin uses
them: working days, hours, Bundesland and zone; extra closed days; the
public holidays the page lists; errors next to their fields with what was
typed kept; and an open request's SLA due time moving when its due day is
closed (REST, the agent view, and the queues' copy once the "sla" job ran).
Each test has a server of its own: the calendar changes every request's
service levels."""

import datetime
import json
import re
import zoneinfo

import zektest
from test_accounts import field_error
from test_admin import signed_in, stop_clean, version_of
from zektest import Server, api_token, assert_html_ok, db_exec, db_one, unescape, zek_run

CAL = "/servicedesk/admin/calendar"
CLOSED = CAL + "/closed"
HISTORY = "/servicedesk/admin/history"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def text_of(html):
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def holidays(page):
    """{caption: [(date, name)]} of the page's holiday tables."""
    out = {}
    for cap, body in re.findall(r'<table class="[^"]*admin-holidays">\s*<caption>(.*?)</caption>'
                                r'(.*?)</table>', page, re.S):
        out[unescape(cap)] = [(unescape(d), unescape(n)) for d, n in re.findall(
            r'<tr><td><time datetime="[^"]+">([^<]+)</time></td><td>([^<]+)</td></tr>', body)]
    return out


def closed_days(page):
    """[(date, name)] of the closed days' table."""
    return [(unescape(d), unescape(n)) for d, n in re.findall(
        r'<th scope="row"><time datetime="[^"]+">([^<]+)</time></th>\s*<td>([^<]*)</td>', page)]


def checked_days(page):
    return [d for d in DAYS if re.search(r'id="a-%s" name="%s" value="on"[^>]* checked' % (d, d), page)]


def value_of(page, id_):
    m = re.search(r'id="%s" name="[^"]+" value="([^"]*)"' % re.escape(id_), page)
    return unescape(m.group(1)) if m else None


def selected(page, name):
    m = re.search(r'<select class="select" id="[^"]+" name="%s".*?</select>' % name, page, re.S)
    s = re.search(r'<option value="([^"]*)" selected>', m.group(0))
    return s.group(1) if s else None


def save(admin, days=("mon", "tue", "wed", "thu", "fri"), start="08:00", end="17:00",
         state="", tz="Europe/Berlin", version=None):
    if version is None:
        version = version_of(admin.get(CAL).text)
    fields = [("version", version)] + [(d, "on") for d in days]
    fields += [("start", start), ("end", end), ("state", state), ("tz", tz)]
    return admin.post_form(CAL, fields)


def add_closed(admin, date, name="", yearly=False):
    fields = [("date", date), ("name", name)] + ([("yearly", "on")] if yearly else [])
    return admin.post_form(CLOSED, fields)


def history_rows(admin):
    page = admin.get(HISTORY).text
    return [text_of(r) for r in re.findall(r"<tr><td>(.*?)</tr>", page, re.S)]


def test_only_admins_reach_the_calendar(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        assert 'href="%s"' % CAL in admin.get("/servicedesk/admin/").text
        for email in ("support@example.org", "anna@example.org"):
            other = signed_in(server, email)
            assert other.get(CAL).status == 404, email
            r = other.post_form(CAL, [("version", "0"), ("mon", "on"), ("start", "00:00"),
                                      ("end", "24:00"), ("state", ""), ("tz", "UTC")])
            assert r.status == 404, email
            assert other.post_form(CLOSED, [("date", "2026-12-24")]).status == 404
        assert db_one(server.db, "SELECT count(*) FROM business_calendar") == 0
        assert db_one(server.db, "SELECT count(*) FROM calendar_closed_days") == 2   # the demo's
    finally:
        stop_clean(server)


def test_days_hours_and_state_are_saved_and_recorded(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        page = admin.get(CAL)
        assert page.status == 200
        assert_html_ok(page.text, "calendar page")
        # Not saved yet: the built-in calendar with the file's sla_state (none).
        assert "Noch nicht gespeichert" in page.text
        assert checked_days(page.text) == ["mon", "tue", "wed", "thu", "fri"]
        assert value_of(page.text, "a-start") == "08:00" and value_of(page.text, "a-end") == "17:00"
        assert selected(page.text, "state") == "" and selected(page.text, "tz") == "Europe/Berlin"
        year = datetime.datetime.now(BERLIN).year
        lists = holidays(page.text)
        assert list(lists) == ["Feiertage %d: nur bundesweite" % year,
                               "Feiertage %d: nur bundesweite" % (year + 1)], lists
        names = [n for _, n in lists["Feiertage %d: nur bundesweite" % year]]
        assert "Karfreitag" in names and "Fronleichnam" not in names

        r = save(admin, days=DAYS[:6], start="07:30", end="18:00", state="DE-BY")
        assert r.status == 303 and r.header("Location") == CAL + "?notice=saved"
        page = admin.get(r.header("Location")).text
        assert "Die Änderungen sind gespeichert." in page and "Noch nicht gespeichert" not in page
        assert checked_days(page) == list(DAYS[:6])
        assert value_of(page, "a-start") == "07:30" and value_of(page, "a-end") == "18:00"
        assert selected(page, "state") == "DE-BY"
        bavaria = holidays(page)["Feiertage %d: Bayern" % year]
        assert "Fronleichnam" in [n for _, n in bavaria]
        assert ("01.11.%d" % year, "Allerheiligen") in bavaria
        assert db_one(server.db, "SELECT state FROM business_calendar") == "DE-BY"

        # Berlin keeps neither Fronleichnam nor Allerheiligen; Saxony has
        # Reformationstag and Buß- und Bettag.
        assert save(admin, state="DE-BE").status == 303
        names = [n for _, n in holidays(admin.get(CAL).text)["Feiertage %d: Berlin" % year]]
        assert "Fronleichnam" not in names and "Internationaler Frauentag" in names
        assert save(admin, state="DE-SN", tz="UTC", end="24:00").status == 303
        page = admin.get(CAL).text
        assert selected(page, "tz") == "UTC" and value_of(page, "a-end") == "24:00"
        names = [n for _, n in holidays(page)["Feiertage %d: Sachsen" % (year + 1)]]
        assert "Reformationstag" in names and "Buß- und Bettag" in names
        assert "Fronleichnam" not in names

        rows = history_rows(admin)
        assert any("Geschäftszeiten: Arbeitstage" in r and "Mo, Di, Mi, Do, Fr" in r
                   and "Mo, Di, Mi, Do, Fr, Sa" in r for r in rows), rows
        assert any("Geschäftszeiten: Arbeitszeit" in r and "08:00-17:00" in r
                   and "07:30-18:00" in r for r in rows), rows
        assert any("Geschäftszeiten: Bundesland" in r and "Nur bundesweite Feiertage" in r
                   and "Bayern" in r for r in rows), rows
        assert any("Geschäftszeiten: Zeitzone" in r and "UTC" in r for r in rows), rows
    finally:
        stop_clean(server)


def test_errors_stay_at_their_fields_and_keep_what_was_typed(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        r = save(admin, days=("sat",), start="17:00", end="08:00", state="DE-XX", tz="Mars/Base")
        assert r.status == 422
        assert_html_ok(r.text, "calendar with errors")
        assert field_error(r.text, "a-end") == "Fehler: Das Ende muss nach dem Beginn liegen."
        assert field_error(r.text, "a-state") == "Fehler: Bitte wählen Sie einen Eintrag aus der Liste."
        assert field_error(r.text, "a-tz") == "Fehler: Bitte wählen Sie eine Zeitzone aus der Liste."
        for field in ("a-end", "a-state", "a-tz"):
            assert 'href="#%s"' % field in r.text
        # What was typed is still there.
        assert checked_days(r.text) == ["sat"]
        assert value_of(r.text, "a-start") == "17:00" and value_of(r.text, "a-end") == "08:00"
        r = save(admin, days=(), start="8 Uhr", end="25:00")
        assert r.status == 422
        assert field_error(r.text, "a-mon") == "Fehler: Bitte wählen Sie mindestens einen Arbeitstag."
        assert "SS:MM" in field_error(r.text, "a-start") and "SS:MM" in field_error(r.text, "a-end")
        assert value_of(r.text, "a-start") == "8 Uhr" and checked_days(r.text) == []
        # A stale form does not overwrite another admin's change.
        old = version_of(admin.get(CAL).text)
        assert save(admin, state="DE-HH").status == 303
        r = save(admin, state="DE-NW", version=old)
        assert r.status == 409 and selected(r.text, "state") == "DE-NW"
        assert db_one(server.db, "SELECT state FROM business_calendar") == "DE-HH"

        # Closed days: a date that does not exist, a name too long.
        r = add_closed(admin, "31.02.2026", "Kein Tag")
        assert r.status == 422
        assert "TT.MM.JJJJ" in field_error(r.text, "c-date")
        assert value_of(r.text, "c-date") == "31.02.2026" and value_of(r.text, "c-name") == "Kein Tag"
        # The other form shows what is stored, not what this one sent.
        assert selected(r.text, "state") == "DE-HH"
        r = add_closed(admin, "2026-12-23", "x" * 101)
        assert r.status == 422
        assert field_error(r.text, "c-name") == "Fehler: Bitte geben Sie höchstens 100 Zeichen ein."
        for bad in ("1999-12-31", "2026-13-01", "24.12.", "heute"):
            assert add_closed(admin, bad).status == 422, bad
        # The same day twice.
        assert add_closed(admin, "2027-05-07", "Brückentag").status == 303
        r = add_closed(admin, "07.05.2027")
        assert r.status == 422
        assert field_error(r.text, "c-date") == "Fehler: Dieser Tag ist schon ein Schließtag."
        # At most 366.
        db_exec(server.db, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
                "WHERE i < 361) INSERT INTO calendar_closed_days (day, name) "
                "SELECT (2100 + i) * 10000 + 101, '' FROM n")
        assert db_one(server.db, "SELECT count(*) FROM calendar_closed_days") == 365
        assert add_closed(admin, "2027-05-10").status == 303
        r = add_closed(admin, "2027-05-11", "Einer zu viel")
        assert r.status == 422
        assert field_error(r.text, "c-date") == \
            "Fehler: Es sind schon 366 Schließtage eingetragen: Bitte löschen Sie zuerst vergangene."
        assert value_of(r.text, "c-name") == "Einer zu viel"
    finally:
        stop_clean(server)


def test_closed_days_are_added_listed_and_deleted(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        page = admin.get(CAL).text
        # The demo closes Heiligabend and Silvester in every year.
        assert closed_days(page) == [("24.12. (jedes Jahr)", "Heiligabend"),
                                     ("31.12. (jedes Jahr)", "Silvester")]
        r = add_closed(admin, "2026-06-19", " Betriebsausflug ")
        assert r.status == 303 and r.header("Location") == CAL + "?notice=closed_day_added"
        page = admin.get(r.header("Location")).text
        assert "Der Schließtag ist hinzugefügt." in page
        assert add_closed(admin, "15.08.2026", yearly=True).status == 303
        page = admin.get(CAL).text
        assert closed_days(page) == [("15.08. (jedes Jahr)", ""), ("24.12. (jedes Jahr)", "Heiligabend"),
                                     ("31.12. (jedes Jahr)", "Silvester"),
                                     ("19.06.2026", "Betriebsausflug")]
        assert_html_ok(page, "calendar with closed days")
        r = admin.post_form(CLOSED + "/20260619/delete", [])
        assert r.status == 303 and r.header("Location") == CAL + "?notice=closed_day_deleted"
        assert ("19.06.2026", "Betriebsausflug") not in closed_days(admin.get(CAL).text)
        assert admin.post_form(CLOSED + "/20260619/delete", []).status == 404
        rows = history_rows(admin)
        assert any("Schließtag hinzugefügt" in r and "2026-06-19 Betriebsausflug" in r for r in rows), rows
        assert any("Schließtag gelöscht" in r and "2026-06-19 Betriebsausflug" in r for r in rows), rows
        assert any("Schließtag hinzugefügt" in r and "--08-15" in r for r in rows), rows
    finally:
        stop_clean(server)


def rest(client, token, method, path, body=None):
    h = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    r = client.request(method, "/rest/servicedeskapi" + path, data, h)
    assert r.status in (200, 201), (path, r.status, r.text[:500])
    return json.loads(r.text)


def breach_of(client, token, key):
    first = rest(client, token, "GET", "/request/%s/sla" % key)["values"][0]
    assert first["name"] == "Time to first response", first
    return first["ongoingCycle"]["breachTime"]["epochMillis"]


def test_closing_the_due_day_moves_an_open_requests_due_time(c, binary):
    server = Server(binary)
    try:
        admin = signed_in(server, "admin@example.org")
        anna = signed_in(server, "anna@example.org")
        sam = signed_in(server, "support@example.org")
        anna_token, sam_token = api_token(anna), api_token(sam)
        r = rest(anna, anna_token, "POST", "/request", {
            "serviceDeskId": "1", "requestTypeId": 1,
            "requestFieldValues": {"summary": "Kalender", "description": "Wann ist es fällig?"}})
        key = r["issueKey"]
        before = breach_of(sam, sam_token, key)
        assert db_one(server.db, "SELECT sla_due_at FROM requests WHERE issue_key = ?", (key,)) == before
        due_day = datetime.datetime.fromtimestamp(before / 1000, BERLIN).date()
        # Its due day closed: 8 working hours end a working day later.
        assert add_closed(admin, due_day.isoformat(), "Betriebsversammlung").status == 303
        after = breach_of(sam, sam_token, key)
        assert after > before
        moved = datetime.datetime.fromtimestamp(after / 1000, BERLIN)
        assert moved.date() > due_day and 8 <= moved.hour <= 17, moved
        # The agent view says when, in the agent's zone (Europe/Berlin).
        view = text_of(sam.get("/servicedesk/agent/requests/" + key).text)
        assert moved.strftime("%d.%m.%Y, %H:%M") in view, view[:3000]
        # The queues' copy is stale until the "sla" job works it out again.
        assert db_one(server.db, "SELECT sla_stale FROM requests WHERE issue_key = ?", (key,)) == 1
        code, out, err = zek_run(binary, "jobs", "run", "--db", server.db)
        assert code == 0, err
        assert db_one(server.db, "SELECT sla_due_at FROM requests WHERE issue_key = ?", (key,)) == after
        assert db_one(server.db, "SELECT count(*) FROM requests WHERE sla_stale = 1") == 0
        # Open again: the due time is back where it was.
        assert admin.post_form(CLOSED + "/%s/delete" % due_day.strftime("%Y%m%d"), []).status == 303
        assert breach_of(sam, sam_token, key) == before
        zek_run(binary, "jobs", "run", "--db", server.db)
        assert db_one(server.db, "SELECT sla_due_at FROM requests WHERE issue_key = ?", (key,)) == before
        # Saving the working hours that counted already marks nothing stale.
        assert save(admin).status == 303
        assert db_one(server.db, "SELECT count(*) FROM requests WHERE sla_stale = 1") == 0
    finally:
        stop_clean(server)
