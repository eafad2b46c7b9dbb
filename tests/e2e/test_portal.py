"""End-to-end tests of sign-in, the portal and the create forms (issue 2)."""

import os
import urllib.parse
import re
import subprocess
import time

from zektest import (Client, Server, assert_html_ok, assert_in, created_key, open_count,  # noqa: F401
                     option_value, png, type_links, unescape, PORTAL, LOGIN)

from run import MAX_FILE  # noqa: E402


# --- tests -----------------------------------------------------------------

def test_root_leads_to_help_center_and_login(c):
    r = c.get("/")
    assert r.status in (301, 302, 303) and r.header("Location") == "/servicedesk/customer/portals"
    r = c.get("/servicedesk/customer/portals")
    assert r.status == 303 and r.header("Location").startswith(LOGIN), r.header("Location")
    r = c.get(LOGIN)
    assert r.status == 200
    assert_in("Anmelden", r.text)
    assert_html_ok(r.text, "login page")


def test_login_wrong_password_reveals_nothing(c):
    r1 = c.post_form(LOGIN, [("email", "anna@example.org"), ("password", "falsch")])
    r2 = c.post_form(LOGIN, [("email", "niemand@example.org"), ("password", "falsch")])
    for r in (r1, r2):
        assert r.status == 200, r.status
        assert_in("E-Mail-Adresse oder Passwort ist falsch.", r.text)
    assert "zek_session" not in c.cookies
    assert_in('value="anna@example.org"', r1.text, "(e-mail kept)")


def test_login_leads_to_portal_with_groups_and_types(c):
    r = c.login("anna@example.org")
    assert r.header("Location") == PORTAL, r.header("Location")
    page = c.get(PORTAL)
    assert page.status == 200
    for text in ("Online-Dienste", "ODIS", "Störungsmeldung",
                 "Sie möchten eine Störung bei einem Online-Dienst melden?",
                 "Anforderung Online-Dienst", "Online-Dienst Inbetriebnahme",
                 "Sie möchten einen Online-Dienst in den Betrieb übergeben?",
                 "Sonstige Frage", "Hilfecenter", "Anfragen", "Anna Schmidt", "Abmelden",
                 "Zentraler Eingangskanal für digitalisierte Verwaltungsleistungen"):
        assert_in(text, page.text)
    assert_html_ok(page.text, "portal page")
    assert open_count(page.text) >= 1


def test_security_headers(c):
    c.login("anna@example.org")
    r = c.get(PORTAL)
    csp = r.header("Content-Security-Policy") or ""
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp, csp
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("Cache-Control") == "no-store"
    session = [v for k, v in r.headers if k.lower() == "set-cookie"]
    login = Client(c.server).post_form(LOGIN, [("email", "anna@example.org"), ("password", "demo")])
    cookie = [v for k, v in login.headers if k.lower() == "set-cookie" and v.startswith("zek_session=")]
    assert cookie and "HttpOnly" in cookie[0] and "SameSite=Lax" in cookie[0], cookie + session


FORM_TEXTS = {
    "Störungsmeldung": [
        "Diese Anfrage stellen für", "Titel", "Geben Sie hier den Betreff Ihrer Anfrage ein",
        "Zusammenfassung des Fehlers", "Fehlerbeschreibung",
        "In welchem Schritt des Workflows ist der Fehler aufgetreten?",
        "Anhang (optional)", "Screenshot, verwendete Dokumente", "Mandant (optional)",
        "Mandant, auf dem der Online-Dienst läuft.", "Online Dienste (optional)",
        "Betroffener Online-Dienst", "Bundesland (optional)",
        "Bundesland, wo der Dienst genutzt wird und der Fehler auftritt",
        "Zeitpunkt (optional)", "Bitte Datum und Uhrzeit des Fehlers angeben.",
        "URL der Fehlerseite (optional)",
        "Ist ein Fachverfahren betroffen? Wenn ja, welches? (optional)",
        "Wortlaut der Fehlermeldung (optional)", "Umgebung (optional)",
        "Betriebssystem (optional)", "Browser (optional)",
        "Anmeldung mit Servicekonto? Wenn ja, welcher Typ? (optional)",
        "Private Anfrage", "Mit meiner Organisation teilen: Stadt Musterstadt – Bürgeramt",
        "Erstellen", "Abbrechen", "BundID", "Mein Unternehmenskonto", "Nordrhein-Westfalen",
        "Abnahme", "Wohngeld"],
    "Anforderung Online-Dienst": [
        "Titel", "Zusammenfassung der Änderung", "Änderungsbeschreibung",
        "Beschreiben Sie bitte den Zielzustand.", "Anhang (optional)",
        "z.B. Screenshot mit Markierung des Änderungsbereichs", "Kosmetische Änderungen",
        "Änderungen auf Dienstleistungsseite", "In Stylesheets/Design", "Funktionale Änderungen",
        "Textänderung im Online Dienst", "Ja", "Private Anfrage", "Erstellen"],
    "Online-Dienst Inbetriebnahme": [
        "Änderungsbeschreibung", "Beschreiben Sie den Zielzustand.",
        "Sonstiger Online-Dienst (optional)", "Bundesland (optional)", "Umgebung (optional)"],
    "Sonstige Frage": [
        "Beschreibung", "Welche Information benötigen Sie? In welchem Zusammenhang?",
        "Anhänge (optional)", "Ergänzende Bilder oder Dokumente", "Mandant (optional)"],
}


def test_create_forms_show_every_field(c):
    c.login("anna@example.org")
    links = type_links(c)
    for name, texts in FORM_TEXTS.items():
        r = c.get(links[name])
        assert r.status == 200, (name, r.status)
        for t in texts:
            assert_in(t, r.text, "on the form " + name)
        assert_html_ok(r.text, "create form " + name)
        assert 'name="csrf"' in r.text
    # Bundesland is required for an Anforderung: no "(optional)" there.
    form = unescape(c.get(links["Anforderung Online-Dienst"]).text)
    assert "Bundesland (optional)" not in form and "Bundesland" in form
    assert "Zeitpunkt" not in form


def fill_common(page):
    return [
        ("mandant", option_value(page, "mandant", "Stadt Musterstadt")),
        ("online_dienste", option_value(page, "online_dienste", "Wohngeld")),
        ("online_dienste", option_value(page, "online_dienste", "Elterngeld")),
    ]


def test_create_each_type_with_every_field(c):
    c.login("anna@example.org")
    links = type_links(c)
    before = open_count(c.get(PORTAL).text)
    org = None

    # Störungsmeldung: every field.
    page = c.get(links["Störungsmeldung"]).text
    org = option_value_radio(page)
    fields = [("summary", "Wohngeld-Antrag bricht ab"),
              ("description", "Beim **Absenden** bricht es ab.\n\n- Schritt 1\n- Schritt 2\n\n<script>alert(1)</script>"),
              ("bundesland", option_value(page, "bundesland", "Bayern")),
              ("zeitpunkt", "2026-11-20T09:30"),
              ("fehler_url", "https://wohngeld.example.org/antrag?schritt=3"),
              ("fachverfahren", "Wohngeld-Fachverfahren"),
              ("fehlermeldung", "Interner Fehler 500\nBitte später erneut versuchen."),
              ("umgebung", option_value(page, "umgebung", "Produktion")),
              ("betriebssystem", option_value(page, "betriebssystem", "Linux")),
              ("browser", option_value(page, "browser", "Firefox")),
              ("servicekonto", option_value(page, "servicekonto", "BundID")),
              ("share", "private")] + fill_common(page)
    r = c.post_multipart(links["Störungsmeldung"], fields,
                         [("attachment", "fehler.png", png(), "image/png"),
                          ("attachment", "notiz.txt", "Schritte: 1, 2, 3\n".encode(), "text/plain")])
    key = created_key(r)
    req = c.get(r.header("Location"))
    assert req.status == 200
    assert 'lozenge--offen">Offen<' in req.text, "no status lozenge"
    for t in (key, "Wohngeld-Antrag bricht ab", "Bayern", "Produktion", "Linux",
              "Firefox", "BundID", "Wohngeld", "Elterngeld", "Stadt Musterstadt",
              "https://wohngeld.example.org/antrag?schritt=3", "Wohngeld-Fachverfahren",
              "Interner Fehler 500", "fehler.png", "notiz.txt", "Geteilt mit", "Anna Schmidt",
              "Ersteller", "20.11.2026", "09:30"):
        assert_in(t, req.text, "on the request page")
    assert "<strong>Absenden</strong>" in req.text
    assert "<script>alert" not in req.text
    assert_html_ok(req.text, "request page")
    img = re.search(r'<img[^>]+src="(/servicedesk/customer/attachments/\d+)\?inline=1"', req.text)
    assert img, "no thumbnail"
    blob = c.get(img.group(1) + "?inline=1")
    assert blob.status == 200 and blob.body == png() and blob.header("Content-Type") == "image/png"
    dl = c.get(img.group(1))
    assert dl.header("Content-Type") == "application/octet-stream"
    assert "attachment" in dl.header("Content-Disposition")

    # Anforderung Online-Dienst: checkboxes, required Bundesland, shared.
    page = c.get(links["Anforderung Online-Dienst"]).text
    r = c.post_multipart(links["Anforderung Online-Dienst"], [
        ("summary", "Neues Feld für Aktenzeichen"),
        ("description", "Bitte ein Feld *Aktenzeichen* ergänzen."),
        ("bundesland", option_value(page, "bundesland", "Hamburg")),
        ("fachverfahren", "OZG-Hub"), ("fehler_url", "https://example.org/form"),
        ("umgebung", option_value(page, "umgebung", "Test")),
        ("kosmetisch", "on"), ("funktional", "on"), ("text", "on"),
        ("share", org)] + fill_common(page), [("attachment", "markierung.png", png(4, 4), "image/png")])
    req = c.get(r.header("Location") if r.status == 303 else created_key(r))
    for t in ("Neues Feld für Aktenzeichen", "Hamburg", "Kosmetische Änderungen",
              "Funktionale Änderungen", "Textänderung im Online Dienst", "Stadt Musterstadt – Bürgeramt"):
        assert_in(t, req.text)
    assert "In Stylesheets/Design" not in unescape(req.text)

    # Online-Dienst Inbetriebnahme.
    page = c.get(links["Online-Dienst Inbetriebnahme"]).text
    r = c.post_multipart(links["Online-Dienst Inbetriebnahme"], [
        ("summary", "Inbetriebnahme Anwohnerparken"), ("description", "Go-live am 1. Dezember."),
        ("sonstiger_dienst", "Bewohnerparkausweis digital"),
        ("bundesland", option_value(page, "bundesland", "Bremen")),
        ("fachverfahren", "Parkraum-Verfahren"),
        ("umgebung", option_value(page, "umgebung", "Abnahme")), ("share", "private")] + fill_common(page))
    req = c.get(r.header("Location") if r.status == 303 else created_key(r))
    for t in ("Inbetriebnahme Anwohnerparken", "Bewohnerparkausweis digital", "Bremen", "Abnahme"):
        assert_in(t, req.text)

    # Sonstige Frage.
    page = c.get(links["Sonstige Frage"]).text
    r = c.post_multipart(links["Sonstige Frage"], [
        ("summary", "Frage zur Schnittstelle"), ("description", "Gibt es eine **Testumgebung**?"),
        ("share", "private")] + fill_common(page), [("attachment", "frage.txt", b"Details\n", "text/plain")])
    k4 = created_key(r)
    req = c.get(r.header("Location"))
    for t in ("Frage zur Schnittstelle", "frage.txt", "Wohngeld"):
        assert_in(t, req.text)
    assert open_count(req.text) == before + 4
    n = int(key.split("-")[1])
    assert int(k4.split("-")[1]) == n + 3, (key, k4)


def option_value_radio(page):
    m = re.search(r'<input[^>]*name="share"[^>]*value="(\d+)"', page)
    assert m, "no organisation share choice"
    return m.group(1)


def test_errors_keep_every_value_and_file(c):
    c.login("anna@example.org")
    links = type_links(c)
    url = links["Störungsmeldung"]
    page = c.get(url).text
    before = open_count(page)
    r = c.post_multipart(url, [
        ("summary", ""), ("description", "Meine ausführliche Beschreibung mit Umlauten äöü"),
        ("zeitpunkt", "2026-13-45T99:99"), ("fehler_url", "keine url"),
        ("bundesland", "Atlantis"), ("fachverfahren", "Behalten bitte"),
        ("mandant", "999999"), ("share", "private")],
        [("attachment", "beweis.png", png(), "image/png")])
    assert r.status == 422, r.status
    text = unescape(r.text)
    assert "Meine ausführliche Beschreibung mit Umlauten äöü" in text
    assert 'value="Behalten bitte"' in text
    assert "beweis.png" in text
    for field in ("summary", "zeitpunkt", "fehler_url", "bundesland", "mandant"):
        assert re.search(r'id="f-%s-error"|href="#f-%s"' % (field, field), r.text), "no error for " + field
    assert_html_ok(r.text, "form with errors")
    token = re.search(r'name="keep_attachment" value="([^"]+)"', r.text)
    assert token, "kept upload not offered again"
    assert open_count(r.text) == before
    # Second try: fix the errors, keep the file from the first try.
    r2 = c.post_multipart(url, [
        ("summary", "Jetzt mit Titel"), ("description", "Meine ausführliche Beschreibung"),
        ("keep_attachment", token.group(1)), ("share", "private")])
    req = c.get("/servicedesk/customer/portal/17/" + created_key(r2))
    assert_in("beweis.png", req.text)


def test_error_messages_in_english(c, server, binary):
    env = dict(os.environ, ZEK_PASSWORD="secret-en")
    out = subprocess.run([binary, "user", "add", "--db", server.db, "--email", "eve@example.org",
                          "--name", "Eve English", "--lang", "en", "--org", "Stadt Musterstadt – Bürgeramt"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    c.login("eve@example.org", "secret-en")
    first = re.search(r'href="(/servicedesk/customer/portal/17/create/\d+)"', c.get(PORTAL).text).group(1)
    r = c.post_multipart(first, [("summary", ""), ("description", "x"), ("share", "private")])
    assert r.status == 422
    assert 'lang="en"' in r.text
    assert_in("Create", r.text)
    assert "Bitte" not in unescape(r.text)


def test_anonymous_language_follows_browser(c):
    c.accept_language = "en-GB,en;q=0.9"
    r = c.get(LOGIN)
    assert 'lang="en"' in r.text and "Passwort" not in r.text
    c.accept_language = "fr-FR,fr;q=0.9"
    assert 'lang="de"' in c.get(LOGIN).text


def test_other_organisation_cannot_see_private_request(c, server):
    anna = Client(server)
    anna.login("anna@example.org")
    links = type_links(anna)
    r = anna.post_multipart(links["Sonstige Frage"], [
        ("summary", "Vertraulich"), ("description", "Nur für Anna"), ("share", "private")],
        [("attachment", "geheim.png", png(), "image/png")])
    key = created_key(r)
    page = anna.get(r.header("Location")).text
    att = re.search(r'href="(/servicedesk/customer/attachments/\d+)"', page).group(1)
    c.login("carla@example.org")
    for path in (r.header("Location"), att, att + "?inline=1"):
        rr = c.get(path)
        assert rr.status == 404, (path, rr.status)
        assert "Vertraulich" not in rr.text and rr.body != png()
    ben = Client(server)
    ben.login("ben@example.org")   # same organisation, but private
    assert ben.get(r.header("Location")).status == 404
    agent = Client(server)
    agent.login("support@example.org")
    assert agent.get(r.header("Location")).status == 200
    assert key


def test_form_without_csrf_is_refused(c):
    c.login("anna@example.org")
    links = type_links(c)
    before = open_count(c.get(PORTAL).text)
    r = c.post_multipart(links["Sonstige Frage"], [("summary", "Ohne Token"), ("description", "x"),
                                                   ("share", "private")], csrf=False)
    assert r.status == 403, r.status
    r = c.post_multipart(links["Sonstige Frage"], [("summary", "Falsches Token"), ("description", "x"),
                                                   ("share", "private"), ("csrf", "A" * 43)], csrf=False)
    assert r.status == 403, r.status
    assert open_count(c.get(PORTAL).text) == before
    other = Client(c.server)
    r = other.post_form(LOGIN, [("email", "anna@example.org"), ("password", "demo")], csrf=False)
    assert r.status == 403 and "zek_session" not in other.cookies


def test_oversized_file_and_invalid_utf8_create_nothing(c):
    c.login("anna@example.org")
    links = type_links(c)
    url = links["Sonstige Frage"]
    before = open_count(c.get(PORTAL).text)
    big = b"x" * (MAX_FILE + 1)
    r = c.post_multipart(url, [("summary", "Zu groß"), ("description", "Text bleibt"), ("share", "private")],
                         [("attachment", "riesig.txt", big, "text/plain")])
    assert r.status == 422, r.status
    text = unescape(r.text)
    assert "riesig.txt" in text and "Text bleibt" in text and 'value="Zu groß"' in text
    assert re.search(r"zu groß|größer", text, re.I), "no size message"
    r = c.post_multipart(url, [("summary", b"Kaputt \xff\xfe"), ("description", "ok"), ("share", "private")])
    assert r.status == 422, r.status
    assert re.search(r"Zeichen, die nicht gelesen werden können", unescape(r.text)), "no encoding message"
    # A body over the total limit is cut off before it is read.
    r = c.post_multipart(url, [("summary", "Viel zu groß")],
                         [("attachment", "a%d.txt" % i, big, "text/plain") for i in range(20)])
    assert r.status == 413, r.status
    assert open_count(c.get(PORTAL).text) == before


def test_object_search_and_preview(c):
    c.login("anna@example.org")
    r = c.get("/servicedesk/customer/objects?kind=online_dienst&q=wohn")
    assert r.status == 200 and r.header("Content-Type").startswith("application/json")
    assert "Wohngeld" in r.text
    r = c.get("/servicedesk/customer/objects?kind=unsinn&q=x")
    assert r.status == 400
    url = "/servicedesk/customer/markdown-preview"
    token = c.csrf(PORTAL)
    import urllib.parse
    body = urllib.parse.urlencode([("text", "**fett** <b>roh</b>"), ("csrf", token)]).encode()
    r = c.request("POST", url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200 and "<strong>fett</strong>" in r.text and "<b>roh</b>" not in r.text


def test_logout_ends_session(c):
    c.login("anna@example.org")
    session = c.cookies["zek_session"]
    r = c.post_form("/servicedesk/customer/user/logout", [])
    assert r.status == 303
    c.cookies["zek_session"] = session     # an old cookie must not work again
    assert c.get(PORTAL).status == 303


def test_login_is_throttled(c):
    for _ in range(6):
        c.post_form(LOGIN, [("email", "ben@example.org"), ("password", "nein")])
    r = c.post_form(LOGIN, [("email", "ben@example.org"), ("password", "demo")])
    assert r.status == 429, r.status
    assert "zek_session" not in c.cookies


def test_unknown_pages_and_request_keys(c):
    c.login("anna@example.org")
    assert c.get("/servicedesk/customer/portal/17/ZEK-999999").status == 404
    assert c.get("/servicedesk/customer/portal/99").status == 404
    assert c.get("/nirgendwo").status == 404
    assert c.get("/servicedesk/customer/portal/17/create/9999").status == 404
    r = c.get("/static/v1/zek.css")
    assert r.status == 200 and r.header("Content-Type").startswith("text/css")


ACCESS_LINE = re.compile(r"^([0-9a-f]{16}) 127\.0\.0\.1 GET (\S+) (\d{3}) (\d+) (\d+)us$")


def access_lines(log, path):
    return [m for m in map(ACCESS_LINE.match, log.splitlines()) if m and m.group(2) == path]


def test_access_log_has_every_request_soon_and_at_stop(c, binary):
    """The access log is written in batches: a line shows within a second,
    none is lost or split when many requests fill the buffer, and every
    line is written when the server stops."""
    server = Server(binary, demo=False)
    try:
        one = Client(server)
        assert one.get("/healthz").status == 200
        deadline = time.time() + 2
        while not access_lines(server.read_log(), "/healthz") and time.time() < deadline:
            time.sleep(0.05)
        lines = access_lines(server.read_log(), "/healthz")
        assert len(lines) == 1 and lines[0].group(3) == "200", server.read_log()[-2000:]
        # More lines than the 16 KiB buffer holds, then stop at once.
        for _ in range(399):
            assert one.get("/healthz").status == 200
        assert one.get("/nicht-da").status == 404
        # A decoded path with a line break and a terminal escape stays on
        # its line, the bytes written as %XX.
        assert one.get("/log%0Aforged%20200%1b%5b31m").status == 400
    finally:
        _, log = server.stop()
    lines = access_lines(log, "/healthz")
    assert len(lines) == 400, (len(lines), log[-2000:])
    assert len({m.group(1) for m in lines}) == 400       # request ids differ
    assert [m.group(3) for m in access_lines(log, "/nicht-da")] == ["404"]
    stray = [line for line in log.splitlines() if " GET /" in line and not ACCESS_LINE.match(line)]
    assert not stray, stray[:3]
    assert [m.group(3) for m in access_lines(log, "/log%0Aforged%20200%1B[31m")] == ["400"], log[-500:]
    assert "\x1b" not in log and "\nforged" not in log


def test_start_says_where_links_in_mails_point(c, binary):
    """Issue 19, point 12: zek says at start where the links in its mails
    lead (base_url), and warns only when that is this machine while zek
    listens beyond it (not testable here: tests listen on loopback only;
    tests/unit/core/config.c covers the rule)."""
    s = Server(binary, demo=False, extra_env={"ZEK_BASE_URL": "https://service.example.org"})
    try:
        deadline = time.time() + 10
        while "links in e-mails" not in s.read_log() and time.time() < deadline:
            time.sleep(0.05)
        log = s.read_log()
        assert "links in e-mails point to base_url base_url=https://service.example.org" in log, log
        assert " warning " not in log, log
    finally:
        rc, log = s.stop()
    assert rc in (0, -15), log[-2000:]


def search_page(c, q):
    r = c.get("/servicedesk/customer/portals?q=" + urllib.parse.quote(q))
    assert r.status == 200, r.status
    assert_html_ok(r.text, "help center search")
    return r.text


def found_types(page):
    return [unescape(t) for t in re.findall(r'<a class="type-card__link" href="[^"]+">([^<]+)</a>', page)]


def found_requests(page):
    section = page.split('id="search-heading"', 1)[1] if 'id="search-heading"' in page else ""
    return re.findall(r'<a href="/servicedesk/customer/portal/\d+/(ZEK-\d+)">', section)


def test_help_center_search_finds_types_and_own_requests_without_js(c, server):
    """"Wie können wir helfen?" (issue 19, point 6): a plain GET form on the
    help center and each portal; request types by name and description
    words, in any case and without umlauts; the person's own requests by
    key or words, never someone else's."""
    c.login("anna@example.org")
    for path in ("/servicedesk/customer/portals", PORTAL):
        page = c.get(path).text
        assert re.search(r'<form class="help-search" method="get" action="/servicedesk/customer/portals" '
                         r'role="search"', page), path
        assert_in('<label class="field__label help-search__label" for="help-q">Wie können wir helfen?</label>', page)
    assert found_types(search_page(c, "Störung")) == ["Störungsmeldung"]
    assert found_types(search_page(c, "STORUNG")) == ["Störungsmeldung"]
    # Word starts of the description count too, all words must match.
    assert found_types(search_page(c, "betrieb übergeben")) == ["Online-Dienst Inbetriebnahme"]
    assert "Online-Dienst Inbetriebnahme" in found_types(search_page(c, "online"))
    page = search_page(c, "xylophon")
    assert found_types(page) == [] and "Kein Anfragetyp passt zu Ihrer Suche." in page
    assert 'value="xylophon"' in page, "the search is kept in the box"
    # Own requests by key and by word; Carla's private request not for Anna.
    links = type_links(c)
    mine = created_key(c.post_multipart(links["Sonstige Frage"], [
        ("summary", "Suchwort Zebrafink im Titel"), ("description", "x"), ("share", "private")]))
    carla = Client(server)
    carla.login("carla@example.org")
    hers = created_key(carla.post_multipart(type_links(carla)["Sonstige Frage"], [
        ("summary", "Zebrafink bei Carla"), ("description", "x"), ("share", "private")]))
    page = search_page(c, "zebrafink")
    assert found_requests(page) == [mine], found_requests(page)
    assert found_types(page) == []
    every = re.search(r'<a href="([^"]+)">Alle Treffer unter „Anfragen“ ansehen</a>', page)
    assert every, "a link to every hit"
    assert unescape(every.group(1)) == "/servicedesk/customer/user/requests?status=all&creator=any&q=zebrafink", \
        every.group(1)
    assert found_requests(search_page(c, mine.lower())) == [mine]
    assert found_requests(search_page(c, hers)) == []
    # Markup in the search is text.
    page = search_page(c, '<script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in page
