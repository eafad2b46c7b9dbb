"""End-to-end tests of the queue's bulk form (issue 18): requests ticked on
a queue page are assigned and moved on together, each one checked and
logged as on its own page; what is refused stays as it was and the queue
says why, in German and English, on the same page of the queue. Every
request here is raised by the test itself, found by a word of its own."""

import re
import urllib.parse
import uuid

import zektest
from test_canned import db_one, show, signed_in, user_id
from zektest import assert_html_ok, assert_in, created_key, type_links, unescape

AGENT = "/servicedesk/agent/"
QUEUES = AGENT + "queues/"
REQ = AGENT + "requests/"


def db_rows(server, sql, *args):
    return zektest.db_rows(server.db, sql, args)


def raise_requests(server, word, n):
    anna = signed_in(server, "anna@example.org")
    url = type_links(anna)["Sonstige Frage"]
    keys = []
    for i in range(n):
        r = anna.post_multipart(url, [("summary", "%s Nummer %d" % (word, i)),
                                      ("description", "Sammelbearbeitung."), ("share", "private")])
        keys.append(created_key(r))
    return keys


def state(server, key):
    """(status, resolution, assignee id, activity entries) of a request."""
    row = db_rows(server, "SELECT status, resolution, assignee_id, id FROM requests "
                  "WHERE issue_key = ?", key)[0]
    n = db_one(server, "SELECT count(*) FROM activity WHERE request_id = ?", row[3])
    return (row[0], row[1] or "", row[2], n)


def bulk_form(page):
    """The bulk form's action and token."""
    m = re.search(r'<form class="bulk" id="bulk" method="post" action="([^"]+)">\s*'
                  r'<input type="hidden" name="csrf" value="([^"]+)">', page)
    assert m, "no bulk form"
    return unescape(m.group(1)), m.group(2)


def post_bulk(c, page, keys, assignee="", action="", status=303, csrf=True):
    url, token = bulk_form(page)
    fields = [("key", k) for k in keys] + [("assignee", assignee), ("action", action)]
    if csrf:
        fields.append(("csrf", token))
    r = c.post_form(url, fields, csrf=False)
    assert r.status == status, (r.status, r.text[:1500])
    return r


def summary(page):
    m = re.search(r'<section class="panel bulk-summary".*?</section>', page, re.S)
    assert m, "no summary"
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", m.group(0))))
    return text.replace(" :", ":")


def test_bulk_assigns_and_moves_on_what_it_may_and_says_why_not(c, server):
    word = "Sammel" + uuid.uuid4().hex[:8]
    k1, k2, k3, k4 = raise_requests(server, word, 4)
    sam_id = user_id(server, "support@example.org")
    sam = signed_in(server, "support@example.org")
    post_form = sam.post_form
    # k3 is worked on already: "In Bearbeitung" again is refused for it.
    tok = re.search(r'name="csrf" value="([^"]+)"', show(sam, REQ + k3, "k3")).group(1)
    assert post_form(REQ + k3 + "/status", [("action", "start"), ("csrf", tok)],
                     csrf=False).status == 303
    query = "?" + urllib.parse.urlencode({"sort": "newest", "q": word, "limit": "10"})
    page = show(sam, QUEUES + "open" + query, "queue with the bulk form")
    for k in (k1, k2, k3, k4):
        assert re.search(r'<input class="checkbox__input" type="checkbox" id="bulk-%s" name="key" '
                         r'value="%s"><label class="visually-hidden" for="bulk-%s">%s auswählen</label>'
                         % (k, k, k, k), page), k
    assert "close_duplikat" not in page.split('id="bulk"')[1].split("</fieldset>")[0]
    # Meanwhile another agent closes k4: the page's rule holds, under the lock.
    tok = re.search(r'name="csrf" value="([^"]+)"', show(sam, REQ + k4, "k4")).group(1)
    assert post_form(REQ + k4 + "/status", [("action", "close_geloest"), ("csrf", tok)],
                     csrf=False).status == 303
    before = {k: state(server, k) for k in (k3, k4)}
    r = post_bulk(sam, page, [k1, k2, k3, k4, "ZEK-999999", k1.lower()], assignee="me",
                  action="start")
    loc, fragment = r.header("Location").split("#")
    assert fragment == "bulk-summary", fragment
    # Back on the same page of the queue: order, search and size kept.
    assert loc.startswith(QUEUES + "open" + query + "&"), loc
    for k in (k1, k2):
        st = state(server, k)
        assert st[:3] == ("in_bearbeitung", "", sam_id), (k, st)
        kinds = [k_ for k_, in db_rows(server, "SELECT a.kind FROM activity a JOIN requests r ON "
                                       "r.id = a.request_id WHERE r.issue_key = ? ORDER BY a.id", k)]
        assert kinds == ["created", "assigned", "status_changed"], (k, kinds)
        actors = db_rows(server, "SELECT DISTINCT a.actor_id FROM activity a JOIN requests r ON "
                         "r.id = a.request_id WHERE r.issue_key = ? AND a.kind <> 'created'", k)
        assert actors == [(sam_id,)], actors
    # Refused ones are untouched: not even the assignment of k3 went through.
    for k in (k3, k4):
        assert state(server, k) == before[k], (k, before[k], state(server, k))
    assert before[k3][2] is None
    page = show(sam, loc, "queue with the outcome")
    text = summary(page)
    assert_in("Sammeländerung: 2 geändert, 3 nicht geändert", text)
    assert_in("Zuweisen an Sam Support", text)
    assert_in("Status ändern In Bearbeitung", text)
    assert_in("%s: Status „In Bearbeitung“ ist von „In Bearbeitung“ aus nicht möglich." % k3, text)
    assert_in("%s: Zuweisen ist im Status „Geschlossen“ nicht möglich." % k4, text)
    assert_in("ZEK-999999: Diese Anfrage gibt es nicht.", text)
    done = text.split("Geändert")[1]
    assert k1 in done and k2 in done and k3 not in done
    # The same outcome for an agent who reads English.
    admin = signed_in(server, "admin@example.org")
    prefs = "/servicedesk/customer/user/profile/preferences"
    assert admin.post_form(prefs, [("lang", "en"), ("tz", "Europe/Berlin")]).status == 303
    try:
        text = summary(show(admin, loc, "queue with the outcome, English"))
    finally:
        assert admin.post_form(prefs, [("lang", "de"), ("tz", "Europe/Berlin")]).status == 303
    assert_in("Bulk change: 2 changed, 3 not changed", text)
    assert_in("Assign to Sam Support", text)
    assert_in("%s: Status “In progress” is not possible from “In progress”." % k3, text)
    assert_in("%s: Cannot be assigned in status “Closed”." % k4, text)
    # Closing the rest: k1 and k2 close, k3 too; the closed k4 is refused.
    page = show(sam, QUEUES + "open" + query, "queue again")
    r = post_bulk(sam, page, [k1, k2, k3, k4], action="close_abgelehnt")
    text = summary(show(sam, r.header("Location").split("#")[0], "queue after closing"))
    assert_in("3 geändert, 1 nicht geändert", text)
    assert_in("%s: Status „Schließen: Abgelehnt“ ist von „Geschlossen“ aus nicht möglich." % k4,
              text)
    for k in (k1, k2, k3):
        assert state(server, k)[:2] == ("geschlossen", "abgelehnt"), k
    assert state(server, k4)[:2] == ("geschlossen", "geloest")


def test_a_refused_form_keeps_what_was_ticked_and_chosen(c, server):
    word = "Auswahl" + uuid.uuid4().hex[:8]
    k1, k2 = raise_requests(server, word, 2)
    sam = signed_in(server, "support@example.org")
    page = show(sam, QUEUES + "unassigned?q=" + word, "queue")
    # Nothing to change: the queue again, the rows still ticked.
    r = post_bulk(sam, page, [k1], status=422)
    assert_html_ok(r.text, "refused bulk form")
    assert_in("Wählen Sie, an wen zugewiesen oder welcher Status gesetzt werden soll.", r.text)
    assert 'id="bulk-%s" name="key" value="%s" checked>' % (k1, k1) in r.text
    assert 'id="bulk-%s" name="key" value="%s">' % (k2, k2) in r.text
    # Nothing ticked: the choices stay.
    r = post_bulk(sam, page, [], assignee="me", action="ask_customer", status=422)
    assert_in("Wählen Sie mindestens eine Anfrage aus.", r.text)
    assert '<option value="me" selected>' in r.text
    assert '<option value="ask_customer" selected>' in r.text
    # "Alle auf dieser Seite auswählen" works without script.
    m = re.search(r'<a href="([^"]+)" data-bulk-select="all">Alle auf dieser Seite auswählen</a>',
                  page)
    all_page = show(sam, unescape(m.group(1)).split("#")[0], "all ticked")
    for k in (k1, k2):
        assert 'id="bulk-%s" name="key" value="%s" checked>' % (k, k) in all_page
    # Values no form sends; a duplicate needs an original each.
    for fields in ((["ZEK-1"], "x", ""), (["ZEK-1"], "", "close_duplikat"),
                   (["ZEK-1"], "", "withdraw"), (["ZEK 1"], "me", ""), (["ZEK-1"], "-3", "")):
        post_bulk(sam, page, fields[0], assignee=fields[1], action=fields[2], status=400)
    # More than a page holds: refused as a whole, naming the limit.
    r = post_bulk(sam, page, ["ZEK-%d" % i for i in range(1, 102)], assignee="me", status=413)
    assert_in("100", r.text)
    # Without the form token: refused.
    post_bulk(sam, page, [k1], assignee="me", status=403, csrf=False)
    for k in (k1, k2):
        assert state(server, k)[:3] == ("offen", "", None), k
    # A closed queue takes no bulk changes: no form there.
    assert 'id="bulk"' not in show(sam, QUEUES + "closed", "closed queue")


def test_only_support_may_change_in_bulk(c, server):
    word = "Kunde" + uuid.uuid4().hex[:8]
    (k1,) = raise_requests(server, word, 1)
    path = QUEUES + "open/bulk"
    anna = signed_in(server, "anna@example.org")
    tok = re.search(r'name="csrf" value="([^"]+)"', anna.get("/servicedesk/customer/portals").text)
    r = anna.post_form(path, [("key", k1), ("assignee", "me"), ("action", "start"),
                              ("csrf", tok.group(1))], csrf=False)
    assert r.status == 404, r.status
    r = c.post_form(path, [("key", k1), ("assignee", "me"), ("action", "start")])
    assert r.status == 303 and "/login" in r.header("Location"), r.status
    assert state(server, k1)[:3] == ("offen", "", None)
