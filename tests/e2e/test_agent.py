"""End-to-end tests of the agent area (issue 4): who may enter, the queues
(counts, order, search, paging), the agent's request view and its forms.
They run against a server of their own, so the demo data is known; counts
are checked against the database itself."""

import atexit
import re
import time
import urllib.parse

import zektest
from zektest import (Client, Server, assert_html_ok, assert_in, created_key, png,
                     type_links, unescape, LOGIN, PORTAL)

AGENT = "/servicedesk/agent/"
QUEUES = AGENT + "queues/"
REQ = AGENT + "requests/"
QUEUE_CODES = ["unassigned", "mine", "waiting-support", "waiting-customer", "open", "breached",
               "closed"]
QUEUE_NAMES = ["Nicht zugewiesen", "Meine offenen", "Wartet auf Support", "Wartet auf Kunden",
               "Alle offenen", "SLA verletzt", "Kürzlich geschlossen"]
# "Alle offenen" and "SLA verletzt": next to breach (or longest overdue) first.
DUE = "sla_due_at ASC, id ASC"
DAY_MS = 86400 * 1000

_server = None


def own(binary):
    """A client of this module's own server (started on first use, once the
    auto-close job has had its first run: demo request ZEK-6 waited long)."""
    global _server
    if _server is None:
        _server = Server(binary)
        atexit.register(_stop)
        deadline = time.time() + 20
        while db_one("SELECT status FROM requests WHERE issue_key = 'ZEK-6'") != "geschlossen":
            assert time.time() < deadline, "the auto-close job did not run at start"
            time.sleep(0.1)
    return Client(_server)


def _stop():
    global _server
    if _server is None:
        return ""
    _, log = _server.stop()
    _server = None
    return log


def db_rows(sql, *args):
    return zektest.db_rows(_server.db, sql, args)


def db_one(sql, *args):
    return zektest.db_one(_server.db, sql, args)


def as_user(binary, email):
    c = own(binary)
    c.login(email)
    return c


def show(c, path, what="agent page", status=200):
    r = c.get(path)
    assert r.status == status, (path, r.status, r.text[:800])
    assert_html_ok(r.text, what)
    return r.text


def keys(page):
    """The request keys of a queue table, in order."""
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return re.findall(r'<td class="request-table__key"><a href="/servicedesk/agent/requests/(ZEK-\d+)">', body)


def nav_counts(page):
    """Queue name -> the count shown next to it."""
    found = re.findall(r'<span class="queues__name">([^<]+)</span> <span class="queues__count"[^>]*>(\d+)</span>',
                       page)
    return {unescape(n): int(k) for n, k in found}


def everything(c, queue, **params):
    """Every key of a queue, following "Weiter"; checks each page."""
    seen, pages = [], 0
    path = QUEUES + queue + ("?" + urllib.parse.urlencode(params) if params else "")
    while path:
        page = show(c, path, "queue %s page %d" % (queue, pages + 1))
        seen += keys(page)
        pages += 1
        m = re.search(r'<a class="pager__link" href="([^"]+)" rel="next">Weiter</a>', page)
        path = unescape(m.group(1)) if m else None
        assert pages < 100
    return seen


def expected(queue, me, order="created_at ASC, id ASC"):
    """The keys of a queue, straight from the database."""
    now = int(time.time() * 1000)
    where, args = {
        "unassigned": ("status <> 'geschlossen' AND assignee_id IS NULL", ()),
        "mine": ("status <> 'geschlossen' AND assignee_id = ?", (me,)),
        "waiting-support": ("status IN ('offen', 'wartet_support')", ()),
        "waiting-customer": ("status = 'wartet_kunde'", ()),
        "open": ("status <> 'geschlossen'", ()),
        "breached": ("status <> 'geschlossen' AND sla_breach_at <= ?", (now,)),
        "closed": ("status = 'geschlossen' AND updated_at >= ?", (now - 14 * DAY_MS,)),
    }[queue]
    return [r[0] for r in db_rows("SELECT issue_key FROM requests WHERE %s ORDER BY %s" % (where, order),
                                  *args)]


def user_id(email):
    return db_one("SELECT id FROM users WHERE email_fold = ?", email)


def token_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def post(c, key, action, fields=(), files=None, status=303):
    """A form of the agent's request view, with the page's token."""
    url = REQ + key
    fields = list(fields) + [("csrf", token_of(c.get(url).text))]
    if files is not None:
        r = c.post_multipart(url + "/" + action, fields, files, csrf=False)
    else:
        r = c.post_form(url + "/" + action, fields, csrf=False)
    assert r.status == status, (action, r.status, r.text[:1500])
    return r


def activity(page):
    m = re.search(r'<section class="panel activity".*?</section>', page, re.S)
    assert m, "no activity section"
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", m.group(0))))


def new_request(c, title, text="Bitte prüfen."):
    url = type_links(c)["Sonstige Frage"]
    r = c.post_multipart(url, [("summary", title), ("description", text), ("share", "private")])
    return created_key(r)


# --- who may enter ---------------------------------------------------------

def test_customers_get_404_on_every_agent_url(c, binary):
    anna = as_user(binary, "anna@example.org")
    portal = anna.get(PORTAL).text
    assert "/servicedesk/agent/" not in portal         # no link in the header
    tok = token_of(portal)
    gets = ["/servicedesk/agent", AGENT, QUEUES + "unassigned", QUEUES + "nonsense",
            REQ + "ZEK-1", REQ + "ZEK-28", REQ + "zek-28", REQ + "ZEK-999999"]
    gets += [QUEUES + q for q in QUEUE_CODES]
    for path in gets:
        r = anna.get(path)
        assert r.status == 404, (path, r.status)
        assert_html_ok(r.text, "404 for a customer")
        assert "ZEK-28" not in r.text and "Warteschlangen" not in r.text
    for action, fields in (("assign", [("assignee", "me")]), ("status", [("action", "start")]),
                           ("comment", [("visibility", "internal"), ("comment", "x")])):
        r = anna.post_form(REQ + "ZEK-28/" + action, fields + [("csrf", tok)], csrf=False)
        assert r.status == 404, (action, r.status)
    r = anna.post_multipart(REQ + "ZEK-28/comment", [("visibility", "internal"), ("comment", "x"),
                                                      ("csrf", tok)], csrf=False)
    assert r.status == 404
    # Nothing changed for all that.
    assert db_one("SELECT assignee_id FROM requests WHERE issue_key = 'ZEK-28'") is None
    assert db_one("SELECT status FROM requests WHERE issue_key = 'ZEK-28'") == "offen"
    assert db_one("SELECT count(*) FROM comments c JOIN requests r ON r.id = c.request_id "
                  "WHERE r.issue_key = 'ZEK-28'") == 0


def test_signed_out_visitors_are_sent_to_sign_in(c, binary):
    own(binary)
    for path in (AGENT, QUEUES + "open", REQ + "ZEK-1"):
        r = c.get(path)
        assert r.status == 303 and r.header("Location").startswith(LOGIN + "?next="), (path, r.status)
    r = c.post_form(REQ + "ZEK-1/assign", [("assignee", "me")])
    assert r.status == 303 and r.header("Location") == LOGIN


def test_agents_land_in_the_agent_area_after_the_same_sign_in(c, binary):
    c = own(binary)
    r = c.login("support@example.org")
    assert r.header("Location") == AGENT
    r = c.get(AGENT)
    assert r.status == 303 and r.header("Location") == QUEUES + "unassigned"
    r = c.get("/servicedesk/agent")
    assert r.status == 303 and r.header("Location") == QUEUES + "unassigned"
    page = show(c, QUEUES + "unassigned", "first queue")
    # The header links to the agent area; the page lists the six queues.
    assert re.search(r'<a class="site-nav__link" href="/servicedesk/agent/">Support-Bereich</a>', page)
    assert list(nav_counts(page)) == QUEUE_NAMES
    assert '<a class="queues__link queues__link--current" href="%sunassigned" aria-current="page">' % QUEUES in page
    portal = c.get(PORTAL).text
    assert 'href="/servicedesk/agent/"' in portal
    # A sign-in that asked for a page keeps going there.
    other = Client(c.server)
    r = other.post_form(LOGIN, [("email", "admin@example.org"), ("password", "demo"),
                                ("next", REQ + "ZEK-3")])
    assert r.status == 303 and r.header("Location") == REQ + "ZEK-3"
    assert other.get(REQ + "ZEK-3").status == 200     # admins are support staff


# --- queues ----------------------------------------------------------------

def test_queue_counts_and_contents_match_the_database(c, binary):
    c = as_user(binary, "support@example.org")
    sam = user_id("support@example.org")
    # Something in "Meine offenen": two requests of the demo data.
    for key in ("ZEK-14", "ZEK-22"):
        post(c, key, "assign", [("assignee", "me")])
    page = show(c, QUEUES + "open")
    counts = nav_counts(page)
    for code, name in zip(QUEUE_CODES, QUEUE_NAMES):
        want = expected(code, sam)
        got = everything(c, code, sort="oldest", limit=4)
        assert got == want, (code, got, want)
        assert counts[name] == len(want), (name, counts[name], len(want))
        qpage = show(c, QUEUES + code)
        assert_in("%d Anfragen in dieser Warteschlange" % len(want), qpage)
    assert counts["Meine offenen"] == 2
    assert expected("mine", sam) == ["ZEK-14", "ZEK-22"]
    # The demo's proposed solution that waited 30 days closed itself.
    assert "ZEK-6" in expected("closed", sam) and "ZEK-6" not in expected("waiting-customer", sam)


def test_sorting_by_age_and_by_last_update(c, binary):
    c = as_user(binary, "support@example.org")
    sam = user_id("support@example.org")
    orders = {"oldest": "created_at ASC, id ASC", "newest": "created_at DESC, id DESC",
              "updated": "updated_at DESC, id DESC", "stale": "updated_at ASC, id ASC",
              "due": DUE}
    for sort, order in orders.items():
        for queue in ("open", "waiting-support", "closed"):
            assert everything(c, queue, sort=sort, limit=7) == expected(queue, sam, order), (queue, sort)
        page = show(c, QUEUES + "open?sort=" + sort)
        assert re.search(r'<option value="%s" selected>' % sort, page)
    # Default: next due first in "Alle offenen", oldest first in the other
    # open queues, latest change first when closed.
    assert keys(show(c, QUEUES + "open"))[:3] == expected("open", sam, DUE)[:3]
    assert keys(show(c, QUEUES + "unassigned"))[:3] == expected("unassigned", sam)[:3]
    assert keys(show(c, QUEUES + "closed")) == expected("closed", sam, orders["updated"])[:25]
    # An unknown order falls back to the default.
    assert keys(show(c, QUEUES + "open?sort=rubbish")) == keys(show(c, QUEUES + "open"))
    labels = re.findall(r"<option value=\"[a-z]+\"(?: selected)?>([^<]+)</option>",
                        show(c, QUEUES + "open"))
    assert labels[:5] == ["Älteste zuerst", "Neueste zuerst", "Zuletzt aktualisiert",
                          "Am längsten unverändert", "Nächste Fälligkeit zuerst"], labels


def test_paging_forward_and_back(c, binary):
    c = as_user(binary, "support@example.org")
    sam = user_id("support@example.org")
    want = expected("open", sam, DUE)
    assert len(want) > 9
    path, pages, seen = QUEUES + "open?limit=3", [], []
    while True:
        page = show(c, path)
        pages.append(keys(page))
        seen += keys(page)
        m = re.search(r'<a class="pager__link" href="([^"]+)" rel="next">Weiter</a>', page)
        if not m:
            assert '<span class="pager__link pager__link--off">Weiter</span>' in page
            break
        path = unescape(m.group(1))
    assert seen == want
    # "Zurück" from the last page walks the same pages backwards.
    back = []
    while True:
        m = re.search(r'<a class="pager__link" href="([^"]+)" rel="prev">Zurück</a>', page)
        if not m:
            break
        page = show(c, unescape(m.group(1)))
        back.append(keys(page))
    assert back[-1] == want[:3]
    assert '<span class="pager__link pager__link--off">Zurück</span>' in page
    for got in back[:-1]:
        assert got in pages, (got, pages)
    # A mangled cursor shows the first page; the limit is bounded.
    assert keys(show(c, QUEUES + "open?limit=3&after=garbage")) == want[:3]
    assert keys(show(c, QUEUES + "open?limit=1000")) == want[:25]


def test_search_within_a_queue(c, binary):
    c = as_user(binary, "support@example.org")
    anna = as_user(binary, "anna@example.org")
    key = new_request(anna, "Zahlungsabbruch beim Führungszeugnis", "Die Zahlung per giropay bricht ab.")
    got = everything(c, "open", q="führungszeugnis")
    assert got == [key], got
    assert everything(c, "unassigned", q="fuhrungszeug giropay") == [key]
    assert everything(c, "open", q=key.lower()) == [key]
    assert everything(c, "closed", q="giropay") == []        # ZEK-4 closed long ago
    assert everything(c, "closed", q="Zeitüberschreitung") == ["ZEK-6"]    # closed today
    assert everything(c, "waiting-customer", q="giropay") == []
    page = show(c, QUEUES + "open?" + urllib.parse.urlencode({"q": "Führungszeugnis"}))
    assert_in("1 Anfragen passen zu „Führungszeugnis“", page)
    assert re.search(r'<input class="input" type="search" id="f-q" name="q" value="Führungszeugnis"', page)
    # Hostile text is only text; nothing usable finds nothing.
    for q in ('" OR 1=1 --', "NEAR(a b)", "*", "{title}:x", "ZEK-1*", "'; DROP TABLE requests;"):
        show(c, QUEUES + "open?" + urllib.parse.urlencode({"q": q}))
    page = show(c, QUEUES + "open?q=%2A%2A%2A")
    assert keys(page) == [] and "Keine Anfrage in dieser Warteschlange passt zur Suche." in unescape(page)
    # Paging keeps the search.
    page = show(c, QUEUES + "open?limit=1&" + urllib.parse.urlencode({"q": "Online"}))
    m = re.search(r'href="([^"]+)" rel="next"', page)
    assert m and "q=Online" in unescape(m.group(1))
    assert c.get(QUEUES + "open?q=%FF").status == 400


# --- the agent's view of a request ------------------------------------------

def test_request_view_shows_everything_and_internal_notes_distinctly(c, binary):
    agent = as_user(binary, "support@example.org")
    anna = as_user(binary, "anna@example.org")
    url = type_links(anna)["Sonstige Frage"]
    r = anna.post_multipart(url, [("summary", "Alles sichtbar"), ("description", "Mit **Anhang**."),
                                  ("share", "private")],
                            [("attachment", "bild.png", png(3, 3), "image/png")])
    key = created_key(r)
    r = anna.post_form(PORTAL + "/" + key + "/participants", [("who", "carla@example.org")])
    assert r.status == 303
    post(agent, key, "comment", [("visibility", "internal"), ("comment", "Nur **intern**: Log prüfen.")],
         [("attachment", "log.txt", b"interne Datei\n", "text/plain")])
    post(agent, key, "comment", [("visibility", "public"), ("comment", "Wir sehen es uns an.")], [])
    page = show(agent, REQ + key, "agent request view")
    assert "Mit <strong>Anhang</strong>." in page
    for text in ("Alles sichtbar", "Sonstige Frage", "Anna Schmidt", "anna@example.org",
                 "Stadt Musterstadt – Bürgeramt", "Carla Yilmaz", "bild.png", "log.txt",
                 "Log prüfen.", "Wir sehen es uns an.", "Offen", "Zugewiesen an",
                 "Niemand", "Mir zuweisen", "Status ändern", "Kundenansicht", "Geteilt mit"):
        assert_in(text, page)
    # The note is marked for eyes and for screen readers, the reply is not.
    note = re.search(r'<li class="entry entry--comment entry--agent entry--internal">.*?</li>', page, re.S)
    assert note and "Interne Notiz" in note.group(0) and "Log prüfen" in unescape(note.group(0))
    reply = re.search(r'<li class="entry entry--comment entry--agent">.*?</li>', page, re.S)
    assert reply and "Interne Notiz" not in reply.group(0)
    assert 'href="mailto:anna@example.org"' in page
    assert 'href="%s/%s"' % (PORTAL, key) in page
    # Both visibilities are offered, the reply first and chosen.
    assert re.search(r'<input class="radio__input" type="radio" id="f-vis-public" name="visibility" '
                     r'value="public" checked>', page)
    assert 'value="internal"' in page
    # A key in any case leads to the canonical page.
    r = agent.get(REQ + key.lower())
    assert r.status == 301 and r.header("Location") == REQ + key
    assert agent.get(REQ + "ZEK-999999").status == 404


def test_status_form_offers_only_allowed_transitions(c, binary):
    agent = as_user(binary, "support@example.org")

    def offered(key):
        page = show(agent, REQ + key)
        m = re.search(r'<select class="select" id="f-action" name="action"[^>]*>(.*?)</select>', page, re.S)
        return re.findall(r'<option value="([a-z_]+)"', m.group(1)) if m else []

    closes = ["close_geloest", "close_duplikat", "close_abgelehnt"]
    assert offered("ZEK-14") == ["start", "to_support", "ask_customer", "propose_solution"] + closes
    assert offered("ZEK-22") == ["to_support", "ask_customer", "propose_solution"] + closes
    assert offered("ZEK-8") == ["start", "ask_customer", "propose_solution"] + closes
    assert offered("ZEK-9") == ["start", "to_support", "propose_solution"] + closes     # a question
    assert offered("ZEK-19") == ["start", "to_support"] + closes                        # a solution
    page = show(agent, REQ + "ZEK-1")                                                    # closed
    assert offered("ZEK-1") == [] and 'name="action"' not in page and "/comment" not in page
    assert "Mir zuweisen" not in page
    assert_in("Diese Anfrage ist geschlossen.", page)
    # What is not offered is refused, whoever asks; nothing changes.
    r = post(agent, "ZEK-19", "status", [("action", "propose_solution")], status=409)
    assert_in("Das ist bei diesem Status der Anfrage nicht möglich.", r.text)
    assert_html_ok(r.text, "refused status change")
    r = post(agent, "ZEK-1", "status", [("action", "start")], status=409)
    r = post(agent, "ZEK-1", "assign", [("assignee", "me")], status=409)
    r = post(agent, "ZEK-1", "comment", [("visibility", "public"), ("comment", "x")], [], status=409)
    post(agent, "ZEK-14", "status", [("action", "reopen")], status=400)
    post(agent, "ZEK-14", "status", [("action", "withdraw")], status=400)
    post(agent, "ZEK-14", "comment", [("visibility", "everyone"), ("comment", "x")], [], status=400)
    assert db_one("SELECT status FROM requests WHERE issue_key = 'ZEK-19'") == "wartet_kunde"
    assert db_one("SELECT status FROM requests WHERE issue_key = 'ZEK-1'") == "geschlossen"
    # Without the form token nothing happens either.
    r = agent.post_form(REQ + "ZEK-14/status", [("action", "start"), ("csrf", "x" * 43)], csrf=False)
    assert r.status == 403
    assert db_one("SELECT status FROM requests WHERE issue_key = 'ZEK-14'") == "offen"


def test_assign_close_and_every_change_in_the_log(c, binary):
    agent = as_user(binary, "support@example.org")
    anna = as_user(binary, "anna@example.org")
    key = new_request(anna, "Zuweisen und schließen")
    r = post(agent, key, "assign", [("assignee", "me")])
    assert r.header("Location") == REQ + key + "#work"
    page = show(agent, REQ + key)
    assert "Mir zuweisen" not in page
    assert re.search(r'<option value="%d" selected>Sam Support</option>' % user_id("support@example.org"), page)
    assert_in("Die Anfrage wurde Sam Support zugewiesen.", activity(page))
    admin = user_id("admin@example.org")
    post(agent, key, "assign", [("assignee", str(admin))])
    post(agent, key, "assign", [("assignee", "")])
    post(agent, key, "assign", [("assignee", str(user_id("anna@example.org")))], status=400)
    post(agent, key, "assign", [("assignee", "abc")], status=400)
    post(agent, key, "status", [("action", "close_duplikat"), ("original", "ZEK-4"),
                                ("status_comment", "Doppelt, siehe ZEK-4.")])
    page = show(agent, REQ + key)
    act = activity(page)
    for text in ("Die Anfrage wurde Admin zugewiesen.", "Die Zuweisung der Anfrage wurde aufgehoben.",
                 "Der Anfragestatus wurde zu Geschlossen mit Lösung Duplikat geändert.",
                 "Doppelt, siehe ZEK-4."):
        assert_in(text, act)
    assert act.count("Sam Support") >= 4      # who did it, each time
    # Assignments are the support team's business: the customer's page
    # shows the closing and its comment, not who worked on it.
    cust = show(anna, PORTAL + "/" + key, "customer page after closing")
    cact = activity(cust)
    assert "zugewiesen" not in cact and "Zuweisung" not in cact
    assert_in("Der Anfragestatus wurde zu Geschlossen mit Lösung Duplikat geändert.", cact)
    assert_in("Doppelt, siehe ZEK-4.", cact)
    # Each log row has who and when.
    rows = db_rows("SELECT kind, actor_id, a.created_at FROM activity a JOIN requests r "
                   "ON r.id = a.request_id WHERE r.issue_key = ? ORDER BY a.id", key)
    assert [k for k, _, _ in rows] == ["created", "assigned", "assigned", "assigned", "linked",
                                       "comment", "status_changed"], rows
    assert all(actor and at > 0 for _, actor, at in rows)


def test_failed_reply_keeps_text_and_files(c, binary):
    agent = as_user(binary, "support@example.org")
    r = post(agent, "ZEK-14", "comment", [("visibility", "internal"), ("comment", "   ")],
             [("attachment", "notiz.txt", b"Inhalt\n", "text/plain")], status=422)
    assert_html_ok(r.text, "failed reply")
    assert "error-summary" in r.text
    # The choice of internal note and the uploaded file stay.
    assert re.search(r'id="f-vis-internal" name="visibility" value="internal" checked', r.text)
    assert "notiz.txt" in r.text and 'name="keep_attachment"' in r.text
    r = post(agent, "ZEK-14", "status", [("action", "ask_customer"), ("status_comment", "x" * 32001)],
             status=422)
    assert_html_ok(r.text, "failed status change")
    assert 'id="f-status-comment"' in r.text and "field--error" in r.text
    assert db_one("SELECT status FROM requests WHERE issue_key = 'ZEK-14'") == "offen"


def test_raise_a_request_for_any_customer(c, binary):
    agent = as_user(binary, "support@example.org")
    page = show(agent, QUEUES + "unassigned")
    m = re.search(r'<a class="button button--secondary button--small" href="([^"]+)">'
                  r'Anfrage für einen Kunden erstellen</a>', page)
    assert m and m.group(1) == PORTAL
    url = type_links(agent)["Sonstige Frage"]
    form = show(agent, url, "create form of an agent")
    # "Für wen?" is a search: before it, only the agent is offered.
    assert not re.search(r'<select[^>]*name="onbehalf"', form)
    assert re.findall(r'name="onbehalf" value="(\d+)"', form) == [str(db_one(
        "SELECT id FROM users WHERE email = 'support@example.org'"))]
    r = agent.post_multipart(url, [("summary", "Für Carla erstellt"), ("onbehalf_q", "yilm"),
                                   ("find_person", "1"), ("share", "private")])
    assert r.status == 200, (r.status, r.text[:500])
    names = [unescape(n) for n in re.findall(r'<label class="radio__label" for="f-onbehalf[^"]*">([^<]+)</label>', r.text)]
    assert names == ["Sam Support (ich)", "Carla Yilmaz (carla@example.org)"], names
    carla_id = re.search(r'name="onbehalf" value="(\d+)">\s*<label[^>]*>Carla Yilmaz', r.text).group(1)
    r = agent.post_multipart(url, [("summary", "Für Carla erstellt"), ("description", "Telefonisch gemeldet."),
                                   ("onbehalf", carla_id), ("share", "private")])
    key = created_key(r)
    carla = as_user(binary, "carla@example.org")
    page = show(carla, PORTAL + "/" + key, "Carla's request raised by an agent")
    assert_in("Für Carla erstellt", page)
    page = show(agent, REQ + key)
    assert_in("Carla Yilmaz", page)
    assert_in("Erstellt von", page)
    assert key in everything(agent, "unassigned")


def test_sharing_managed_on_the_agent_page(c, binary):
    agent = as_user(binary, "support@example.org")
    anna = as_user(binary, "anna@example.org")
    key = new_request(anna, "Teilen durch den Support")
    page = show(agent, REQ + key)
    assert 'action="%s%s/participants"' % (REQ, key) in page
    # Someone without an account: the reason beside the field, the text kept.
    r = post(agent, key, "participants", [("who", "niemand@example.net")], status=422)
    assert 'id="f-who-error"' in r.text and 'value="niemand@example.net"' in r.text
    # Ben by his address: on both pages, and in the log.
    post(agent, key, "participants", [("who", "ben@example.org")])
    page = show(agent, REQ + key)
    sharing = re.search(r'<section class="panel sharing".*?</section>', page, re.S).group(0)
    assert "Ben Weber" in sharing, sharing
    customer = anna.get(zektest.PORTAL + "/" + key).text
    assert "Ben Weber" in customer
    ben = user_id("ben@example.org")
    post(agent, key, "participants/remove", [("user", str(ben))])
    sharing = re.search(r'<section class="panel sharing".*?</section>',
                        show(agent, REQ + key), re.S).group(0)
    assert "Ben Weber" not in sharing
    # With Anna's organisation, offered because it is hers.
    org = db_one("SELECT o.id FROM organisations o JOIN user_orgs m ON m.org_id = o.id "
                 "WHERE m.user_id = ?", user_id("anna@example.org"))
    post(agent, key, "organisation", [("org", str(org))])
    assert db_one("SELECT shared_org_id FROM requests WHERE issue_key = ?", key) == org
    assert "Stadt Musterstadt" in show(agent, REQ + key)


def test_every_agent_page_is_valid_html(c, binary):
    agent = as_user(binary, "support@example.org")
    for code in QUEUE_CODES:
        for sort in ("oldest", "newest", "updated", "stale"):
            show(agent, QUEUES + code + "?sort=" + sort, "queue %s %s" % (code, sort))
    for key in ("ZEK-1", "ZEK-3", "ZEK-6", "ZEK-9", "ZEK-19", "ZEK-26", "ZEK-30"):
        show(agent, REQ + key, "agent view of " + key)
    assert agent.get(QUEUES + "nonsense").status == 404


def test_zz_own_server_was_clean(c, binary):
    own(binary)
    log = _stop()
    problems = [line for line in log.splitlines() if "AddressSanitizer" in line
                or "runtime error:" in line or "LeakSanitizer" in line]
    assert not problems, log[-5000:]
