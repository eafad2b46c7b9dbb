"""End-to-end tests of "Anfragen", the request list (issue 3): filters,
search, paging, visibility. They run against a server of their own whose
demo data no other module has changed (see demo/data.json for who reported,
shares and takes part in what)."""

import atexit
import re
import urllib.parse

from zektest import (Client, Server, assert_html_ok, assert_in, created_key,
                     db_rows, option_value, type_links, unescape, LOGIN, PORTAL)

LIST = "/servicedesk/customer/user/requests"

# The demo data: who may see which request, by number (ZEK-n).
ANNA_REPORTED = [1, 4, 7, 9, 13, 16, 19, 22, 23, 28, 30]
# "Erstellt von mir": reported by her, or raised by her for Ben (26, open).
ANNA_MINE = sorted(ANNA_REPORTED + [26], reverse=True)
ANNA_OPEN = [30, 28, 26, 23, 22, 19, 13, 9]
ANNA_CLOSED = [16, 7, 4, 1]
# + raised for Ben (26), takes part in 8, shared with her office by Ben (5, 20, 27)
ANNA_ANY = sorted(ANNA_REPORTED + [26, 8, 5, 20, 27], reverse=True)
BEN_ANY = sorted([2, 5, 8, 14, 15, 20, 21, 26, 27, 13, 22, 9], reverse=True)
CARLA_ANY = sorted([3, 6, 10, 11, 12, 17, 18, 24, 25, 29], reverse=True)
ALL = list(range(30, 0, -1))

_server = None


def own(binary):
    """A client of this module's own server (started on first use)."""
    global _server
    if _server is None:
        _server = Server(binary)
        atexit.register(_stop)
    return Client(_server)


def _stop():
    global _server
    if _server is None:
        return ""
    _, log = _server.stop()
    _server = None
    return log


def as_user(binary, email):
    c = own(binary)
    c.login(email)
    return c


def url(**params):
    return LIST + ("?" + urllib.parse.urlencode(params) if params else "")


def keys(page):
    """The request numbers in the table, in order."""
    body = page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""
    return [int(k) for k in re.findall(r'<td class="request-table__key"><a href="[^"]+">ZEK-(\d+)</a>', body)]


def summary(page):
    m = re.search(r'<p class="list-summary"[^>]*>([^<]*)</p>', page)
    return unescape(m.group(1)) if m else None


def show(c, path, what="list"):
    r = c.get(path)
    assert r.status == 200, (path, r.status, r.text[:500])
    assert_html_ok(r.text, what)
    return r.text


def everything(c, **params):
    """Every row of the list, following "Weiter"; checks each page."""
    seen = []
    path = url(**params)
    pages = 0
    while path:
        page = show(c, path, "list page %d" % (pages + 1))
        seen += keys(page)
        pages += 1
        m = re.search(r'<a class="pager__link" href="([^"]+)" rel="next">Weiter</a>', page)
        path = unescape(m.group(1)) if m else None
        assert pages < 50
    return seen


# --- tests -----------------------------------------------------------------

def test_list_needs_login(c):
    r = c.get(LIST)
    assert r.status == 303 and r.header("Location").startswith(LOGIN), r.header("Location")


def test_default_is_my_open_requests_newest_first(c, binary):
    c = as_user(binary, "anna@example.org")
    page = show(c, LIST)
    assert keys(page) == ANNA_OPEN, keys(page)
    assert summary(page) == "1–8 von 8"
    # The header link leads here; the filters show what is chosen.
    assert 'href="%s"' % LIST in page
    assert re.search(r'<option value="open" selected>Offene Anfragen</option>', page)
    assert re.search(r'<option value="me" selected>Erstellt von mir</option>', page)
    for label in ("Geschlossene Anfragen", "Alle Anfragen", "Ich bin Teilnehmer",
                  "Beliebiger Ersteller", "Wartet auf Support", "Alle Anfragetypen",
                  "Störungsmeldung", "Filtern"):
        assert_in(label, page)
    # A table with caption and column headers, and the form works without JS.
    assert re.search(r'<form class="list-filters" method="get" action="%s"' % LIST, page)
    assert re.search(r"<caption[^>]*>[^<]+</caption>", page)
    heads = re.findall(r'<th scope="col">([^<]+)</th>', page)
    # One service project: its column would say the same in every row.
    assert heads == ["Typ", "Referenz", "Zusammenfassung", "Status", "Anfragender"], heads
    for label in ("Status", "Ersteller", "Anfragetyp", "Suchen"):
        assert re.search(r'<label class="field__label" for="f-[a-z]+">%s</label>' % label, page), label
    # One row in full: type with icon, links, lozenge, project, reporter.
    row = re.search(r"<tr>\s*<td class=\"request-table__type\">.*?ZEK-19</a>.*?</tr>", page, re.S).group(0)
    assert 'src="/static/v1/icons/stoerung.svg"' in row and "Störungsmeldung" in row
    assert row.count('href="%s/ZEK-19"' % PORTAL) == 2
    assert "Briefwahl: Antrag auf Wahlschein zeigt leere Seite in Safari" in row
    assert '<span class="lozenge lozenge--wartet_kunde">Wartet auf Kunden</span>' in row
    assert "Zentraler Eingangskanal für digitalisierte Verwaltungsleistungen" not in row
    assert "Anna Schmidt" in row
    # The same request as a phone's card: key, title, status, type, date.
    card = re.search(r'<li class="request-card">.*?ZEK-19</span>.*?</li>', page, re.S).group(0)
    for part in ("Briefwahl: Antrag auf Wahlschein", "lozenge--wartet_kunde", "Störungsmeldung", "erstellt am"):
        assert part in card, (part, card)
    assert re.search(r"erstellt am \d\d\.\d\d\.\d{4}, \d\d:\d\d", card), card
    # The lozenge is the request page's.
    req = c.get(PORTAL + "/ZEK-19").text
    assert "lozenge lozenge--wartet_kunde" in req


def test_closed_all_and_one_status(c, binary):
    c = as_user(binary, "anna@example.org")
    assert keys(show(c, url(status="closed"))) == ANNA_CLOSED
    page = show(c, url(status="all"))
    assert keys(page) == ANNA_MINE
    assert re.search(r'<option value="all" selected>Alle Anfragen</option>', page)
    page = show(c, url(status="wartet_kunde"))
    assert keys(page) == [19, 9]
    assert re.search(r'<option value="wartet_kunde" selected>Wartet auf Kunden</option>', page)
    assert keys(show(c, url(status="in_bearbeitung"))) == [22, 13]
    assert keys(show(c, url(status="geschlossen"))) == ANNA_CLOSED
    # Unknown values fall back to the defaults.
    assert keys(show(c, url(status="nonsense", creator="x", type="abc"))) == ANNA_OPEN


def test_creator_filters_follow_who_may_see(c, binary):
    anna = as_user(binary, "anna@example.org")
    # "Ich bin Teilnehmer": Ben shared ZEK-8 with Anna.
    assert keys(show(anna, url(status="all", creator="participant"))) == [8]
    # "Beliebiger Ersteller": also what she raised for Ben (26) and what
    # Ben shared with their office (5, 20, 27).
    assert everything(anna, status="all", creator="any") == ANNA_ANY
    page = show(anna, url(status="all", creator="any"))
    assert summary(page) == "1–16 von 16"
    row = re.search(r"<tr>(?:(?!</tr>).)*ZEK-26</a>.*?</tr>", page, re.S).group(0)
    assert "Ben Weber" in row        # the reporter, though Anna raised it
    # ZEK-26 is Ben's, raised by Anna: "Erstellt von mir" for both.
    assert 26 in keys(show(anna, url(status="all", creator="me")))
    ben = as_user(binary, "ben@example.org")
    assert keys(show(ben, url(status="all", creator="participant"))) == [22, 13]
    assert everything(ben, status="all", creator="any") == BEN_ANY
    assert 26 in keys(show(ben, url(status="all", creator="me")))
    carla = as_user(binary, "carla@example.org")
    assert everything(carla, status="all", creator="any") == CARLA_ANY
    assert keys(show(carla, url(status="all", creator="participant"))) == []
    agent = as_user(binary, "support@example.org")
    assert everything(agent, status="all", creator="any", limit=100) == ALL


def test_type_filter_and_combinations(c, binary):
    c = as_user(binary, "anna@example.org")
    links = type_links(c)
    stoerung = links["Störungsmeldung"].rsplit("/", 1)[1]
    frage = links["Sonstige Frage"].rsplit("/", 1)[1]
    page = show(c, url(status="all", type=stoerung))
    assert keys(page) == [28, 26, 22, 19, 13, 4, 1]
    assert option_value(page, "type", "Störungsmeldung") == stoerung
    assert re.search(r'<option value="%s" selected>Störungsmeldung</option>' % stoerung, page)
    assert keys(show(c, url(status="open", type=frage))) == [30]
    assert keys(show(c, url(status="closed", type=frage))) == [16]
    # status + creator + type + search at once
    assert keys(show(c, url(status="closed", creator="me", type=stoerung, q="Wohngeld"))) == [1]
    assert keys(show(c, url(status="open", creator="any", type=stoerung, q="Kennzeichen"))) == [22]
    assert keys(show(c, url(status="all", creator="participant", q="PDF"))) == [8]


def test_search_by_key_title_and_description(c, binary):
    c = as_user(binary, "anna@example.org")
    q = dict(status="all", creator="any")
    assert keys(show(c, url(q="ZEK-13", **q))) == [13]
    assert keys(show(c, url(q="zek-13", **q))) == [13]
    assert 13 in keys(show(c, url(q="13", **q)))
    assert keys(show(c, url(q="ZEK-1", **q))) == [1]
    # a word of the title, a word only in the description
    assert keys(show(c, url(q="Wahlschein", **q))) == [19]
    assert keys(show(c, url(q="Einkommensnachweise", **q))) == [1]
    assert keys(show(c, url(q="einkommensnachweis", **q))) == [1]  # a prefix, any case
    # every word must match
    assert keys(show(c, url(q="Wohngeld Rechner", **q))) == [28]
    assert keys(show(c, url(q="Wohngeld Wahlschein", **q))) == []
    # the term stays in the box
    page = show(c, url(q="Wohngeld Rechner", **q))
    assert 'value="Wohngeld Rechner"' in page


def test_hostile_search_text_is_just_text(c, binary):
    c = as_user(binary, "anna@example.org")
    for term in ('"', "*", "AND", "(", ")", "-", "NEAR", "NEAR(a b)", '"Wohngeld',
                 'Wohngeld"', "Wohngeld*", "a OR b", "title:x", "{title}: x", "^x",
                 "' OR 1=1 --", "\\", '*"(AND -NEAR', "%", "_", ";", "+", "<b>x</b>"):
        r = c.get(url(status="all", creator="any", q=term))
        assert r.status == 200, (term, r.status)
        assert_html_ok(r.text, "list for %r" % term)
        assert "Fehlercode" not in r.text, term
    # Quotes and operators around a word still find the word.
    for term in ('"Wahlschein"', "(Wahlschein)", "Wahlschein*", "-Wahlschein", "Wahlschein -", 'Wahlschein "'):
        assert 19 in keys(show(c, url(status="all", q=term))), term
    # Nothing found: a helpful message, the term escaped.
    page = show(c, url(status="all", q="<b>xyzzy</b>"))
    assert keys(page) == []
    assert_in("Keine Anfragen passen zu „<b>xyzzy</b>“.", page)
    assert "<b>xyzzy</b>" not in page
    assert_in("Wählen Sie einen anderen Status oder Ersteller", page)
    assert re.search(r'<div class="list-empty" role="status">', page)
    page = show(c, url(status="geschlossen", creator="participant"))
    assert_in("Keine Anfragen gefunden.", page)
    # Not UTF-8: a clean error page.
    r = c.get(LIST + "?q=%FF%FE")
    assert r.status == 400


def test_paging_forward_and_back(c, binary):
    c = as_user(binary, "anna@example.org")
    q = dict(status="all", creator="any", limit=5)
    page = show(c, url(**q))
    assert keys(page) == ANNA_ANY[:5]
    assert summary(page) == "1–5 von 16"
    assert re.search(r'<span class="pager__current" aria-current="page">Seite 1 von 4</span>', page)
    assert 'rel="prev"' not in page and "Zurück" in page
    pages = [keys(page)]
    while True:
        m = re.search(r'href="([^"]+)" rel="next"', page)
        if not m:
            break
        link = unescape(m.group(1))
        # the filters stay in the link
        for part in ("status=all", "creator=any", "limit=5"):
            assert part in link, link
        page = show(c, link, "page %d" % (len(pages) + 1))
        pages.append(keys(page))
        assert_in("Seite %d von 4" % len(pages), page)
    assert [k for p in pages for k in p] == ANNA_ANY
    assert [len(p) for p in pages] == [5, 5, 5, 1]
    assert summary(page) == "16–16 von 16"
    # and back again
    back = [keys(page)]
    while True:
        m = re.search(r'href="([^"]+)" rel="prev"', page)
        if not m:
            break
        page = show(c, unescape(m.group(1)), "page back")
        back.append(keys(page))
    assert back == pages[::-1]
    assert_in("Seite 1 von 4", page)
    # The page size is capped at 100; nonsense means the default of 20.
    agent = as_user(binary, "support@example.org")
    page = show(agent, url(status="all", creator="any", limit=1000))
    assert len(keys(page)) == 30 and "pager" not in page.split("</table>")[1]
    assert 'name="limit" value="100"' in page
    page = show(agent, url(status="all", creator="any", limit="abc"))
    assert len(keys(page)) == 20 and summary(page) == "1–20 von 30"
    page = show(agent, url(status="all", creator="any", limit=2))
    assert keys(page) == [30, 29] and "Seite 1 von 15" in page
    # A mangled cursor shows the first page.
    assert keys(show(c, url(after="abc", **q))) == ANNA_ANY[:5]


def test_carla_never_sees_annas_requests(c, binary):
    carla = as_user(binary, "carla@example.org")
    annas = set(ANNA_REPORTED)
    terms = ["", "Wohngeld", "ZEK-1", "ZEK-28", "Anna", "Schmidt", "zek", "Musterstadt",
             "Wahlschein", "a", "e"]
    for status in ("open", "closed", "all", "offen", "geschlossen"):
        for creator in ("me", "participant", "any"):
            for term in terms:
                page = show(carla, url(status=status, creator=creator, q=term, limit=100))
                ks = keys(page)
                assert not annas & set(ks), (status, creator, term, ks)
                assert set(ks) <= set(CARLA_ANY)
                s = summary(page)
                if s:
                    total = int(s.split(" von ")[1].replace(".", ""))
                    assert total == len(ks), (status, creator, term, s)
    # The request page agrees.
    for n in ANNA_REPORTED:
        assert carla.get(PORTAL + "/ZEK-%d" % n).status == 404


def test_search_with_umlauts_and_prefixes(c, binary):
    c = as_user(binary, "anna@example.org")
    q = dict(status="all", creator="me")
    for term in ("Führungszeugnis", "führ", "FÜHR", "fuhr", "Fuhrungszeugnis"):
        assert keys(show(c, url(q=term, **q))) == [16], term
    # A new Störungsmeldung is found at once, by "stör", "Stör" and "stor".
    links = type_links(c)
    r = c.post_multipart(links["Störungsmeldung"], [
        ("summary", "Störungsmeldung Straßenverkehrsamt: Wunschkennzeichen"),
        ("description", "Die Übermittlung schlägt fehl."), ("share", "private")])
    n = int(created_key(r).split("-")[1])
    for term in ("stör", "Stör", "stor", "STÖRUNGSMELDUNG", "Störung", "wunschkennz",
                 "übermittlung", "Ubermittlung", "straßenverkehrsamt"):
        assert keys(show(c, url(q=term, **q))) == [n], term
    assert keys(show(c, url(q="Störungsmeldung"))) == [n]    # open, mine


def _comment(c, key, text, internal=False):
    """A comment on the portal's request page, or an internal note on the
    agent's request view."""
    path = ("/servicedesk/agent/requests/" if internal else PORTAL + "/") + key
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)
    fields = [("comment", text), ("csrf", tok)]
    if internal:
        fields.insert(0, ("visibility", "internal"))
    r = c.post_form(path + "/comment", fields, csrf=False)
    assert r.status in (200, 303), (key, r.status, r.text[:300])


def _walk(c, path):
    """Every page from `path` on, then back again: the numbers of each."""
    pages, page = [], show(c, path)
    while True:
        pages.append(keys(page))
        m = re.search(r'href="([^"]+)" rel="next"', page)
        if not m:
            break
        link = unescape(m.group(1))
        assert "sort=updated" in link, link
        page = show(c, link, "next page")
    back = [keys(page)]
    while True:
        m = re.search(r'href="([^"]+)" rel="prev"', page)
        if not m:
            break
        link = unescape(m.group(1))
        assert "sort=updated" in link, link
        page = show(c, link, "page back")
        back.append(keys(page))
    assert back == pages[::-1], (pages, back)
    return [k for p in pages for k in p]


def test_sort_by_last_update(c, binary):
    """"Zuletzt aktualisiert" (issue 19): the list by last change, newest
    first, paged both ways; customers by the changes they may see, so an
    internal note moves a request for staff only."""
    server = Server(binary)
    try:
        anna, agent = Client(server), Client(server)
        anna.login("anna@example.org")
        agent.login("support@example.org")

        def by_db(column, where):
            rows = db_rows(server.db, "SELECT number FROM requests WHERE %s "
                           "ORDER BY %s DESC, id DESC" % (where, column))
            return [r[0] for r in rows]
        anna_id = db_rows(server.db, "SELECT id FROM users WHERE email = ?",
                          ("anna@example.org",))[0][0]
        mine = "(reporter_id = %d OR creator_id = %d)" % (anna_id, anna_id)
        # Anna answers on her open request changed longest ago; support
        # writes an internal note on another one.
        oldest = by_db("customer_updated_at", mine + " AND status <> 'geschlossen'")[-1]
        _comment(anna, "ZEK-%d" % oldest, "Gibt es schon etwas Neues?")
        noted = [n for n in by_db("customer_updated_at", mine + " AND status <> 'geschlossen'")
                 if n != oldest][-1]
        _comment(agent, "ZEK-%d" % noted, "Intern: Protokolle prüfen", internal=True)

        page = show(anna, url(status="all", sort="updated"))
        assert re.search(r'<option value="updated" selected>Zuletzt aktualisiert</option>', page)
        assert re.search(r'<th scope="col" aria-sort="descending">Aktualisiert</th>', page)
        want = by_db("customer_updated_at", mine)
        assert keys(page) == want[:20], (keys(page), want)
        assert want[0] == oldest and keys(page)[0] == oldest
        # The internal note moved nothing for her, but it did for staff.
        assert want.index(noted) > 0
        assert _walk(anna, url(status="all", sort="updated", limit=3)) == want
        staff = by_db("updated_at", "TRUE")
        assert staff[0] == noted, staff
        assert _walk(agent, url(status="all", creator="any", sort="updated", limit=7)) == staff
        # By status alone (walks an index), and with a search (a set of
        # hits, sorted): the hits are those of the list by creation.
        open_staff = by_db("updated_at", "status <> 'geschlossen'")
        assert _walk(agent, url(creator="any", sort="updated", limit=4)) == open_staff
        hits = set(everything(agent, status="all", creator="any", q="antrag"))
        assert len(hits) > 3, hits
        assert _walk(agent, url(status="all", creator="any", q="antrag", sort="updated",
                                limit=3)) == [n for n in staff if n in hits]
        # The phone's cards say when, and the default order is unchanged.
        assert re.search(r"aktualisiert am \d\d\.\d\d\.\d{4}", page)
        page = show(anna, url(status="all"))
        assert keys(page) == sorted(want, reverse=True)[:20]
        assert "aria-sort" not in page and "aktualisiert am" not in page
        assert re.search(r'<option value="created" selected>Neueste zuerst</option>', page)
    finally:
        server.stop()


def test_zz_own_server_was_clean(c, binary):
    if _server is None:
        return
    log = _stop()
    problems = [line for line in log.splitlines() if "ERROR: AddressSanitizer" in line
                or "runtime error:" in line or "LeakSanitizer" in line]
    assert not problems, problems
