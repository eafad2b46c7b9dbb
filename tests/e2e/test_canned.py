"""End-to-end tests of three daily chores of the agent area (issue 18):
canned responses ("Textbausteine": managed on their page, inserted into a
half-typed reply without script), the queue as CSV (rows compared with the
database, formulas neutralised), and raising a request for a person found
by a part of the name, umlauts and case folded. Everything goes through
the HTML forms with their CSRF tokens, as a person would."""

import csv
import io
import json
import re

import zektest
from zektest import (Client, assert_html_ok, assert_in, created_key, type_links, unescape,
                     PORTAL)

AGENT = "/servicedesk/agent/"
SNIPPETS = AGENT + "snippets"
REQ = AGENT + "requests/"
OPEN4 = ("offen", "wartet_support", "in_bearbeitung", "wartet_kunde")


def signed_in(server, email):
    c = Client(server)
    c.login(email)
    return c


def db_rows(server, sql, *args):
    return zektest.db_rows(server.db, sql, args)


def db_one(server, sql, *args):
    return zektest.db_one(server.db, sql, args)


def user_id(server, email):
    return db_one(server, "SELECT id FROM users WHERE email = ?", email)


def show(c, path, what, status=200):
    r = c.get(path)
    assert r.status == status, (path, r.status, r.text[:800])
    assert_html_ok(r.text, what)
    return r.text


def snippet_id(page, title):
    m = re.search(r'<a href="/servicedesk/agent/snippets/(\d+)">%s</a>' % re.escape(title), page)
    assert m, "no snippet %r" % title
    return m.group(1)


def textarea(page, ident):
    m = re.search(r'<textarea[^>]*id="%s"[^>]*>\n?(.*?)</textarea>' % ident, page, re.S)
    assert m, "no textarea " + ident
    return unescape(m.group(1))


# --- canned responses ---------------------------------------------------------

def test_agents_manage_snippets_and_every_change_is_recorded(c, server):
    sam = signed_in(server, "support@example.org")
    page = show(sam, SNIPPETS, "snippets page")
    for title in ("Bitte Browser und Version nennen", "Lösung bereitgestellt",
                  "Weiterleitung an Fachverfahren"):
        assert_in(title, page)
    # Refused: no title; the text typed comes back with the error.
    r = sam.post_form(SNIPPETS, [("title", "  "), ("body", "Bleibt stehen")])
    assert r.status == 422, r.status
    assert_html_ok(r.text, "refused snippet")
    assert "error-summary" in r.text and 'aria-invalid="true"' in r.text
    assert textarea(r.text, "s-body") == "Bleibt stehen"
    r = sam.post_form(SNIPPETS, [("title", "Rückruf"), ("body", "x" * 5001)])
    assert r.status == 422 and "5000" in r.text
    # Added, then changed by another agent, then deleted: who and when stay.
    r = sam.post_form(SNIPPETS, [("title", "Rückruf vereinbart"),
                                 ("body", "Hallo {{Name}}, wir rufen Sie zu {{Referenz}} an.")])
    assert r.status == 303 and "notice=snippet_added" in r.header("Location")
    page = show(sam, SNIPPETS, "snippets page")
    sid = snippet_id(page, "Rückruf vereinbart")
    row = db_rows(server, "SELECT created_by, updated_by, deleted_at FROM snippets WHERE id = ?", sid)
    assert row == [(user_id(server, "support@example.org"),) * 2 + (0,)], row
    admin = signed_in(server, "admin@example.org")
    edit = show(admin, SNIPPETS + "/" + sid, "snippet page")
    assert textarea(edit, "s-body") == "Hallo {{Name}}, wir rufen Sie zu {{Referenz}} an."
    r = admin.post_form(SNIPPETS + "/" + sid, [("title", "Rückruf vereinbart"),
                                               ("body", "Guten Tag {{Name}}, Rückruf zu {{Referenz}}.")])
    assert r.status == 303, (r.status, r.text[:500])
    row = db_rows(server, "SELECT created_by, updated_by, body FROM snippets WHERE id = ?", sid)[0]
    assert row[0] == user_id(server, "support@example.org")
    assert row[1] == user_id(server, "admin@example.org")
    assert row[2] == "Guten Tag {{Name}}, Rückruf zu {{Referenz}}."
    assert_in("Admin", show(sam, SNIPPETS, "snippets page"))
    r = sam.post_form(SNIPPETS + "/" + sid + "/delete", [])
    assert r.status == 303
    assert "Rückruf vereinbart" not in unescape(show(sam, SNIPPETS, "snippets page"))
    assert sam.get(SNIPPETS + "/" + sid).status == 404
    row = db_rows(server, "SELECT deleted_by, deleted_at > 0 FROM snippets WHERE id = ?", sid)
    assert row == [(user_id(server, "support@example.org"), 1)], row


def test_customers_never_see_snippets(c, server):
    anna = signed_in(server, "anna@example.org")
    for path in (SNIPPETS, SNIPPETS + "/1"):
        assert anna.get(path).status == 404, path
    r = anna.post_form(SNIPPETS, [("title", "Von Anna"), ("body", "Text")])
    assert r.status == 404
    assert db_one(server, "SELECT count(*) FROM snippets WHERE title = 'Von Anna'") == 0
    assert "Textbausteine" not in unescape(show(anna, PORTAL, "portal"))


def test_a_snippet_goes_into_a_half_typed_reply_without_script(c, server):
    sam = signed_in(server, "support@example.org")
    key, title, reporter = db_rows(
        server, "SELECT r.issue_key, r.title, u.name FROM requests r JOIN users u "
        "ON u.id = r.reporter_id WHERE r.status = 'offen' ORDER BY r.id LIMIT 1")[0]
    r = sam.post_form(SNIPPETS, [("title", "Zz Rohes HTML"),
                                 ("body", "<b>fett</b> für {{Name}} zu {{Referenz}} ({{Titel}}) von {{Agent}} {{Nix}}")])
    assert r.status == 303
    sid = snippet_id(show(sam, SNIPPETS, "snippets"), "Zz Rohes HTML")
    page = show(sam, REQ + key, "agent request page")
    assert re.search(r'<select[^>]*id="f-snippet" name="snippet"', page)
    comments = db_one(server, "SELECT count(*) FROM comments")
    typed = "Schon getippt:\n\n* erster Punkt <i>"
    r = sam.post_multipart(REQ + key + "/comment",
                           [("visibility", "internal"), ("comment", typed), ("snippet", sid),
                            ("insert", "1")],
                           [("attachment", "protokoll.txt", b"Zeile\n", "text/plain")])
    assert r.status == 200, (r.status, r.text[:800])
    assert_html_ok(r.text, "reply with a snippet")
    filled = ("<b>fett</b> für %s zu %s (%s) von Sam Support {{Nix}}" % (reporter, key, title))
    assert textarea(r.text, "f-comment") == typed + "\n\n" + filled
    # Escaped in the page like any text; the choice, the file and the
    # kind of reply stay; nothing was sent.
    assert "<b>fett</b>" not in r.text and "&lt;b&gt;fett" in r.text
    assert re.search(r'<option value="%s"[^>]* selected>' % sid, r.text)
    assert "protokoll.txt" in r.text and 'name="keep_attachment"' in r.text
    assert re.search(r'id="f-vis-internal" name="visibility" value="internal" checked', r.text)
    assert db_one(server, "SELECT count(*) FROM comments") == comments
    # Sent: the text as it was inserted, rendered as any reply is.
    token = re.search(r'name="keep_attachment" value="([^"]+)"', r.text).group(1)
    r = sam.post_multipart(REQ + key + "/comment",
                           [("visibility", "public"), ("comment", textarea(r.text, "f-comment")),
                            ("keep_attachment", token)])
    assert r.status == 303, (r.status, r.text[:800])
    body = db_one(server, "SELECT body FROM comments ORDER BY id DESC LIMIT 1")
    assert body == typed + "\n\n" + filled
    page = show(sam, REQ + key, "request with the reply")
    assert "<b>fett</b>" not in page
    # A snippet deleted meanwhile: the text typed stays, said why.
    sam.post_form(SNIPPETS + "/" + sid + "/delete", [])
    r = sam.post_multipart(REQ + key + "/comment",
                           [("visibility", "public"), ("comment", "Nur das"), ("snippet", sid),
                            ("insert", "1")])
    assert r.status == 422 and textarea(r.text, "f-comment") == "Nur das"
    assert_in("Diesen Textbaustein gibt es nicht mehr", r.text)


# --- the queue as CSV ---------------------------------------------------------

def read_csv(r):
    assert r.status == 200, (r.status, r.text[:500])
    assert r.header("Content-Type") == "text/csv; charset=utf-8"
    assert r.header("Content-Disposition").startswith("attachment;")
    assert r.body.startswith(b"\xef\xbb\xbf"), r.body[:10]
    return list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline=""), delimiter=";"))


def test_queue_export_matches_the_database_and_defuses_formulas(c, server):
    anna = signed_in(server, "anna@example.org")
    url = type_links(anna)["Sonstige Frage"]
    evil = ['=HYPERLINK("http://böse.example";"Klick")', "-2+3 Grad; kalt", "@SUMME(A1)"]
    keys = []
    for title in evil:
        r = anna.post_multipart(url, [("summary", title), ("description", "CSV-Test"),
                                      ("share", "private")])
        keys.append(created_key(r))
    sam = signed_in(server, "support@example.org")
    page = show(sam, AGENT + "queues/unassigned?sort=oldest", "queue")
    href = unescape(re.search(r'<a href="([^"]+)" download>Als CSV herunterladen</a>', page).group(1))
    assert href == AGENT + "queues/unassigned/export.csv?sort=oldest"
    rows = read_csv(sam.get(href))
    assert rows[0] == ["Schlüssel", "Titel", "Anfragetyp", "Status", "Lösung", "Servicelevel",
                       "Melder", "Bearbeiter", "Erstellt", "Aktualisiert"]
    want = db_rows(server, "SELECT r.issue_key, r.title, u.name FROM requests r JOIN users u "
                   "ON u.id = r.reporter_id WHERE r.assignee_id IS NULL AND r.status IN "
                   "(?, ?, ?, ?) ORDER BY r.created_at, r.id", *OPEN4)
    assert [(x[0], x[6]) for x in rows[1:]] == [(k, n) for k, _, n in want]
    for x, (_, title, _) in zip(rows[1:], want):
        assert x[1] in (title, "'" + title), (x[1], title)
    defused = {x[0]: x[1] for x in rows[1:]}
    for key, title in zip(keys, evil):
        assert defused[key] == "'" + title, defused[key]
    for x in rows[1:]:
        assert len(x) == 10 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", x[8]), x
    # The search of the page, and the order asked for.
    rows = read_csv(sam.get(AGENT + "queues/unassigned/export.csv?sort=newest&q=CSV-Test"))
    assert [x[0] for x in rows[1:]] == list(reversed(keys))
    # Customers: as if it did not exist.
    assert anna.get(AGENT + "queues/unassigned/export.csv").status == 404
    assert sam.get(AGENT + "queues/nirgends/export.csv").status == 404


# --- raise on behalf with a person search -------------------------------------

def test_raise_for_a_person_found_by_part_of_the_name(c, server):
    sam = signed_in(server, "support@example.org")
    token = zektest.api_token(sam, "canned")
    r = sam.request("POST", "/rest/servicedeskapi/customer",
                    json.dumps({"email": "juergen.mueller@example.org",
                                "displayName": "Jürgen Müller-Lüdenscheidt"}).encode(),
                    {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    assert r.status == 201, (r.status, r.text[:500])
    jid = str(user_id(server, "juergen.mueller@example.org"))
    url = type_links(sam)["Sonstige Frage"]
    form = show(sam, url, "create form")
    assert "Für wen?" in unescape(form) and 'name="onbehalf_q"' in form
    # Without script: "Suchen" brings the form back with the people found,
    # what was typed kept; nothing is created.
    before = db_one(server, "SELECT count(*) FROM requests")
    r = sam.post_multipart(url, [("summary", "Telefonisch gemeldet"), ("description", "Drucker"),
                                 ("onbehalf_q", "LÜDEN"), ("find_person", "1"), ("share", "private")])
    assert r.status == 200, (r.status, r.text[:500])
    assert_html_ok(r.text, "create form with people found")
    assert re.search(r'id="f-onbehalf-%s" name="onbehalf" value="%s">\s*<label[^>]*>'
                     r'Jürgen Müller-Lüdenscheidt \(juergen.mueller@example.org\)' % (jid, jid),
                     unescape(r.text))
    assert 'value="Telefonisch gemeldet"' in r.text and textarea(r.text, "f-description") == "Drucker"
    assert 'value="LÜDEN"' in unescape(r.text)
    assert db_one(server, "SELECT count(*) FROM requests") == before
    # Spelled without umlauts, and nobody.
    r = sam.post_multipart(url, [("onbehalf_q", "muell"), ("find_person", "1")])
    assert 'value="%s"' % jid in r.text
    r = sam.post_multipart(url, [("onbehalf_q", "niemand-hier"), ("find_person", "1")])
    assert_in("Niemand gefunden", r.text)
    # The script's type-ahead: the same search as JSON, for agents only.
    r = sam.get(AGENT + "people/search?q=" + "j%C3%BCrgen%20m")
    assert r.status == 200 and r.header("Content-Type").startswith("application/json")
    assert [str(v["id"]) for v in json.loads(r.text)["values"]] == [jid]
    anna = signed_in(server, "anna@example.org")
    assert anna.get(AGENT + "people/search?q=ben").status == 404
    # Chosen and sent: the request is theirs.
    r = sam.post_multipart(url, [("summary", "Telefonisch gemeldet"), ("description", "Drucker"),
                                 ("onbehalf_q", "LÜDEN"), ("onbehalf", jid), ("share", "private")])
    key = created_key(r)
    assert db_rows(server, "SELECT reporter_id, creator_id FROM requests WHERE issue_key = ?", key) == \
        [(int(jid), user_id(server, "support@example.org"))]
