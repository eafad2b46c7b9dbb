"""End-to-end tests of the living request page (issue 3): activity, comments
with attachments, notifications, sharing, withdrawing, print."""

import functools
import http.client
import os
import re
import subprocess

from zektest import (Client, assert_html_ok, assert_in, created_key, db_exec, open_count,  # noqa: F401
                     png, type_links, unescape, PORTAL)

from run import MAX_FILE  # noqa: E402

CLOSED_NOTE = "Diese Anfrage ist geschlossen und kann nicht wieder geöffnet werden."
CLOSED_REFUSAL = "Diese Anfrage ist geschlossen und kann nicht mehr geändert werden."
NO_ACCOUNT = "Es gibt kein Konto mit dieser E-Mail-Adresse oder diesem Namen."


# --- helpers ---------------------------------------------------------------

class Elsewhere(Client):
    """A browser on another computer (another loopback address). Sign-in
    throttling counts per e-mail and address, and test_portal tries wrong
    passwords for Ben from 127.0.0.1."""

    address = "127.0.0.2"

    def request(self, method, path, body=None, headers=None):
        real = http.client.HTTPConnection
        http.client.HTTPConnection = functools.partial(real, source_address=(self.address, 0))
        try:
            return super().request(method, path, body, headers)
        finally:
            http.client.HTTPConnection = real


def signed_in(c, email):
    """Another browser, signed in as `email`."""
    other = Elsewhere(c.server)
    other.login(email)
    return other


def new_request(c, title, who="anna@example.org"):
    """Signs in as `who` (unless signed in) and raises a private Sonstige
    Frage; returns its URL."""
    if "zek_session" not in c.cookies:
        c.login(who)
    url = type_links(c)["Sonstige Frage"]
    r = c.post_multipart(url, [("summary", title), ("description", "Bitte um *Auskunft*."),
                               ("share", "private")])
    return PORTAL + "/" + created_key(r)


def token_of(page):
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def post(c, url, action, fields=(), files=None):
    """Posts a request page form (`action` is the URL tail, e.g. "comment")
    with the CSRF token of the page, as a browser would."""
    tok = token_of(c.get(url).text)
    fields = list(fields) + [("csrf", tok)]
    if files is not None:
        return c.post_multipart(url + "/" + action, fields, files, csrf=False)
    return c.post_form(url + "/" + action, fields, csrf=False)


def show(c, url, what):
    r = c.get(url)
    assert r.status == 200, (what, r.status)
    assert_html_ok(r.text, what)
    return r.text


def activity(page):
    """The text of the "Aktivität" section."""
    m = re.search(r'<section class="panel activity".*?</section>', page, re.S)
    assert m, "no activity section"
    text = squash(unescape(re.sub(r"<[^>]+>", " ", m.group(0))))
    return re.sub(r" ([.,:;])", r"\1", text)


def squash(s):
    return re.sub(r"\s+", " ", s)


def shared_with(page):
    m = re.search(r'<section class="panel sharing".*?</ul>', page, re.S)
    assert m, "no Geteilt mit section"
    return squash(unescape(re.sub(r"<[^>]+>", " ", m.group(0))))


def attachment_links(page):
    return re.findall(r'href="(/servicedesk/customer/attachments/\d+)"', page)


# --- tests -----------------------------------------------------------------

def test_open_request_page_has_every_part(c):
    url = new_request(c, "Seite mit allen Teilen")
    page = show(c, url, "open request page")
    for text in ("Aktivität", "Einen Kommentar zu dieser Anfrage hinzufügen ...", "Hinzufügen",
                 "Abbrechen", "Benachrichtigungen deaktivieren", "Geteilt mit", "Teilen",
                 "Anfrage zurückziehen", "Drucken", "Anna Schmidt", "Ersteller",
                 "Mit meiner Organisation teilen: Stadt Musterstadt – Bürgeramt",
                 "E-Mail-Adresse oder Name", "Anfrage erstellt."):
        assert_in(text, page)
    assert CLOSED_NOTE not in unescape(page)
    # The editor hooks of the create form, the drop zone, and the print button (JS only).
    assert re.search(r'<textarea[^>]*name="comment"[^>]*data-md', page)
    assert re.search(r'<input[^>]*type="file"[^>]*name="attachment"[^>]*data-dropzone', page)
    assert re.search(r'<button[^>]*data-print[^>]*hidden', page)
    assert 'enctype="multipart/form-data"' in page
    assert 'id="zek-i18n"' in page


def test_comment_with_attachment_appears_in_activity(c):
    url = new_request(c, "Kommentar mit Anhang")
    r = post(c, url, "comment", [("comment", "Hier **mehr** Informationen.")],
             [("attachment", "ablauf.txt", "Schritt 1\nSchritt 2\n".encode(), "text/plain"),
              ("attachment", "bild.png", png(3, 3), "image/png")])
    assert r.status == 303, (r.status, r.text[:2000])
    assert r.header("Location") == url + "#activity"
    page = show(c, url, "page with a comment")
    assert "Hier <strong>mehr</strong> Informationen." in page
    act = activity(page)
    assert "ablauf.txt" in act and "bild.png" in act and "Anna Schmidt" in act
    # Newest first: the comment before the creation.
    assert act.index("Hier mehr Informationen.") < act.index("Anfrage erstellt.")
    links = attachment_links(page)
    assert len(links) == 2, links
    blob = c.get(links[0])
    assert blob.status == 200 and blob.body == "Schritt 1\nSchritt 2\n".encode()
    assert "attachment" in blob.header("Content-Disposition")
    # A participant may download it, Carla not.
    assert post(c, url, "participants", [("who", "ben@example.org")]).status == 303
    ben = signed_in(c, "ben@example.org")
    assert ben.get(links[0]).status == 200
    assert ben.get(links[1] + "?inline=1").body == png(3, 3)
    carla = signed_in(c, "carla@example.org")
    assert carla.get(links[0]).status == 404
    assert carla.get(url).status == 404


def test_failed_comment_keeps_text_and_files(c):
    url = new_request(c, "Fehlgeschlagener Kommentar")
    # No text: the file is kept, the error is next to the field.
    r = post(c, url, "comment", [("comment", "  \r\n ")],
             [("attachment", "behalten.txt", b"bitte behalten\n", "text/plain")])
    assert r.status == 422, r.status
    assert_html_ok(r.text, "comment without text")
    assert_in("Bitte füllen Sie dieses Feld aus.", r.text)
    assert 'id="f-comment-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'role="alert"' in r.text and 'data-open' in r.text
    kept = re.search(r'name="keep_attachment" value="([^"]+)"', r.text)
    assert kept and "behalten.txt" in r.text
    # A file over the limit: the text stays, the file is named in the error.
    text = "Mein Text mit Umlauten äöü\nund <b>Zeichen</b>"
    r = post(c, url, "comment", [("comment", text), ("keep_attachment", kept.group(1))],
             [("attachment", "riesig.png", b"\x89PNG" + b"0" * (MAX_FILE + 10), "image/png")])
    assert r.status == 422, r.status
    assert_html_ok(r.text, "comment with a big file")
    assert text in unescape(r.text)
    assert_in("riesig.png", r.text)
    assert_in("ist zu groß", r.text)
    assert 'href="#f-attachment"' in r.text
    kept2 = re.search(r'name="keep_attachment" value="([^"]+)"', r.text)
    assert kept2 and kept2.group(1) == kept.group(1), "the earlier file was lost"
    # Too long, and not UTF-8.
    r = post(c, url, "comment", [("comment", "x" * 32001)])
    assert r.status == 422 and "höchstens 32000 Zeichen" in unescape(r.text)
    r = post(c, url, "comment", [("comment", b"caf\xe9".decode("latin-1").encode("latin-1"))], [])
    assert r.status == 422, r.status
    assert_in("nicht gelesen werden", r.text)
    assert_html_ok(r.text, "comment with bad bytes")
    # Nothing was added so far.
    assert "behalten.txt" not in activity(c.get(url).text)
    # Second try with the kept file.
    r = post(c, url, "comment", [("comment", "Jetzt mit Text"), ("keep_attachment", kept.group(1))], [])
    assert r.status == 303, (r.status, r.text[:2000])
    act = activity(c.get(url).text)
    assert "Jetzt mit Text" in act and "behalten.txt" in act


def test_notification_toggle_persists(c):
    url = new_request(c, "Benachrichtigungen")
    page = c.get(url).text
    assert_in("Benachrichtigungen deaktivieren", page)
    assert_in("Sie erhalten E-Mails zu dieser Anfrage.", page)
    r = post(c, url, "notifications", [("muted", "1")])
    assert r.status == 303 and r.header("Location") == url
    # Another session sees the same state: it is stored.
    other = signed_in(c, "anna@example.org")
    page = show(other, url, "muted page")
    assert_in("Benachrichtigungen aktivieren", page)
    assert_in("Sie erhalten keine E-Mails zu dieser Anfrage.", page)
    assert "Benachrichtigungen deaktivieren" not in unescape(page)
    assert post(other, url, "notifications", [("muted", "0")]).status == 303
    assert_in("Benachrichtigungen deaktivieren", c.get(url).text)
    assert post(c, url, "notifications", [("muted", "vielleicht")]).status == 400


def test_share_with_ben_and_remove_him(c):
    url = new_request(c, "Mit Ben teilen")
    ben = signed_in(c, "ben@example.org")
    assert ben.get(url).status == 404
    # Unknown address: a clear message, the value kept, nothing shared.
    r = post(c, url, "participants", [("who", "niemand@example.org")])
    assert r.status == 422, r.status
    assert_html_ok(r.text, "share error")
    assert_in(NO_ACCOUNT, r.text)
    assert 'value="niemand@example.org"' in r.text and "<details class=\"share\" open>" in r.text
    assert 'aria-invalid="true"' in r.text and 'role="alert"' in r.text
    # A part of a name is not enough; support staff cannot be added.
    for who in ("Ben", "support@example.org"):
        r = post(c, url, "participants", [("who", who)])
        assert r.status == 422 and NO_ACCOUNT in unescape(r.text), who
    r = post(c, url, "participants", [("who", "Ben@Example.org")])
    assert r.status == 303, (r.status, r.text[:1000])
    page = show(c, url, "shared page")
    assert re.search(r"Ben Weber\W+Teilnehmer", shared_with(page))
    assert_in("Ben Weber wurde zur Anfrage hinzugefügt.", activity(page))
    r = post(c, url, "participants", [("who", "Ben Weber")])
    assert r.status == 422 and "Ben Weber ist bereits an dieser Anfrage beteiligt." in unescape(r.text)
    # Ben sees it, sees where it is listed, and can comment.
    page = show(ben, url, "page as participant")
    assert "Anfrage zurückziehen" not in unescape(page)
    r = post(ben, url, "comment", [("comment", "Ben war hier.")], [])
    assert r.status == 303
    assert "Ben war hier." in activity(c.get(url).text)
    # The reporter removes him: he gets "not found".
    page = c.get(url).text
    uid = re.search(r'action="[^"]*/participants/remove">\s*<input type="hidden" name="csrf" value="[^"]+">\s*'
                    r'<input type="hidden" name="user" value="(\d+)"', page)
    assert uid, "no Entfernen button"
    assert_in("Entfernen", page)
    r = post(c, url, "participants/remove", [("user", uid.group(1))])
    assert r.status == 303
    assert ben.get(url).status == 404
    assert ben.post_form(url + "/comment", [("comment", "noch da?"), ("csrf", token_of(ben.get(PORTAL).text))],
                         csrf=False).status == 404
    page = c.get(url).text
    assert "Ben Weber" not in shared_with(page)
    assert_in("Ben Weber wurde aus der Anfrage entfernt.", activity(page))


def test_participant_may_leave(c):
    url = new_request(c, "Ben geht wieder")
    assert post(c, url, "participants", [("who", "Ben Weber")]).status == 303
    ben = signed_in(c, "ben@example.org")
    page = ben.get(url).text
    ids = re.findall(r'name="user" value="(\d+)"', page)
    assert len(ids) == 1, "a participant may only remove himself"
    r = post(ben, url, "participants/remove", [("user", ids[0])])
    assert r.status == 303 and r.header("Location") == "/servicedesk/customer/user/requests"
    assert ben.get(url).status == 404
    assert_in("Ben Weber nimmt nicht mehr an der Anfrage teil.", activity(c.get(url).text))


def test_share_with_organisation_after_creation(c):
    url = new_request(c, "Später mit der Organisation teilen")
    ben = signed_in(c, "ben@example.org")
    assert ben.get(url).status == 404
    page = c.get(url).text
    org = re.search(r'name="org" value="(\d+)"', page)
    assert org, "no button to share with the organisation"
    r = post(c, url, "organisation", [("org", org.group(1))])
    assert r.status == 303
    page = show(c, url, "page shared with the organisation")
    assert re.search(r"Stadt Musterstadt – Bürgeramt\W+Organisation", shared_with(page))
    assert_in("Die Anfrage wurde mit Stadt Musterstadt – Bürgeramt geteilt.", activity(page))
    assert 'name="org"' not in page
    assert ben.get(url).status == 200
    # Twice is refused; a foreign organisation is not offered and not accepted.
    assert post(c, url, "organisation", [("org", org.group(1))]).status == 409
    other = new_request(c, "Nicht mit fremder Organisation")
    assert post(c, other, "organisation", [("org", "999999")]).status == 400


def test_withdraw_with_confirmation(c):
    url = new_request(c, "Wird zurückgezogen")
    assert post(c, url, "participants", [("who", "ben@example.org")]).status == 303
    ben = signed_in(c, "ben@example.org")
    assert "Anfrage zurückziehen" not in unescape(ben.get(url).text)
    assert ben.get(url + "/withdraw").status == 403
    r = post(ben, url, "withdraw")
    assert r.status == 403 and "Das können Sie bei dieser Anfrage nicht tun." in unescape(r.text)
    assert_html_ok(r.text, "refused withdraw")
    # The confirmation step.
    page = c.get(url).text
    assert 'href="%s/withdraw"' % url in page
    r = c.get(url + "/withdraw")
    assert r.status == 200
    assert_html_ok(r.text, "withdraw confirmation")
    for text in ("Möchten Sie diese Anfrage wirklich zurückziehen?", "Ja, zurückziehen", "Abbrechen",
                 "Wird zurückgezogen"):
        assert_in(text, r.text)
    before = open_count(r.text)
    r = c.post_form(url + "/withdraw", [("csrf", token_of(r.text))], csrf=False)
    assert r.status == 303 and r.header("Location") == url
    page = show(c, url, "closed request page")
    assert 'lozenge--geschlossen">Geschlossen<' in page
    assert_in("Lösung: Zurückgezogen", page)
    assert_in(CLOSED_NOTE, page)
    assert open_count(page) == before - 1
    assert_in("Der Anfragestatus wurde zu Geschlossen mit Lösung Zurückgezogen geändert.", activity(page))
    assert "<strong>Geschlossen</strong>" in page and "<strong>Zurückgezogen</strong>" in page
    for gone in ('name="comment"', 'name="who"', "/withdraw", 'name="org"', "participants/remove"):
        assert gone not in page, gone
    # The toggle stays: muting is no change of the request.
    assert_in("Benachrichtigungen deaktivieren", page)
    # Closed is final: every change is refused with a clear message.
    for action, fields in (("comment", [("comment", "Doch noch etwas")]),
                           ("participants", [("who", "carla@example.org")]),
                           ("withdraw", [])):
        r = post(c, url, action, fields)
        assert r.status == 409, (action, r.status)
        assert_in(CLOSED_REFUSAL, r.text)
        assert_html_ok(r.text, "refused " + action)
    r = post(ben, url, "comment", [("comment", "Ben auch nicht")])
    assert r.status == 409
    assert c.get(url + "/withdraw").status == 409
    assert "Doch noch etwas" not in activity(c.get(url).text)


def test_customer_answer_moves_to_waiting_for_support(c, server):
    url = new_request(c, "Rückfrage vom Support")
    key = url.rsplit("/", 1)[1]
    # The agent's question (agent pages come with issue 4): set in the database.
    db_exec(server.db, "UPDATE requests SET status = 'wartet_kunde' WHERE issue_key = ?", (key,))
    assert 'lozenge--wartet_kunde' in c.get(url).text
    r = post(c, url, "comment", [("comment", "Hier ist die Antwort.")], [])
    assert r.status == 303
    page = show(c, url, "answered page")
    assert 'lozenge--wartet_support">Wartet auf Support<' in page
    act = activity(page)
    assert "Der Anfragestatus wurde zu Wartet auf Support geändert." in act
    assert act.index("Der Anfragestatus wurde zu Wartet auf Support") < act.index("Hier ist die Antwort.")


def test_csrf_required_on_every_form(c):
    url = new_request(c, "Ohne Token")
    for action, fields in (("comment", [("comment", "x")]), ("notifications", [("muted", "1")]),
                           ("participants", [("who", "ben@example.org")]),
                           ("participants/remove", [("user", "1")]), ("organisation", [("org", "1")]),
                           ("withdraw", [])):
        r = c.post_form(url + "/" + action, fields, csrf=False)
        assert r.status == 403, (action, r.status)
        r = c.post_form(url + "/" + action, fields + [("csrf", "falsch")], csrf=False)
        assert r.status == 403, (action, r.status)
    page = c.get(url).text
    assert "x" not in activity(page).split() and "Ben Weber" not in shared_with(page)
    assert_in("Benachrichtigungen deaktivieren", page)
    assert 'lozenge--offen' in page


def test_strangers_can_do_nothing(c):
    url = new_request(c, "Nur für Anna")
    carla = signed_in(c, "carla@example.org")
    tok = token_of(carla.get(PORTAL).text)
    for action, fields in (("comment", [("comment", "x")]), ("notifications", [("muted", "1")]),
                           ("participants", [("who", "carla@example.org")]),
                           ("organisation", [("org", "1")]), ("withdraw", [])):
        r = carla.post_form(url + "/" + action, fields + [("csrf", tok)], csrf=False)
        assert r.status == 404, (action, r.status)
    assert carla.get(url + "/withdraw").status == 404
    assert carla.get(url).status == 404
    # Signed out: to the login page.
    r = Client(c.server).post_form(url + "/comment", [("comment", "x")], csrf=False)
    assert r.status in (303, 403)


def test_print_stylesheet_and_button(c):
    url = new_request(c, "Drucken")
    page = c.get(url).text
    assert re.search(r'<button type="button"[^>]*data-print[^>]*hidden>Drucken</button>', page)
    css = c.get(re.search(r'href="(/static/[^"]+/zek\.css)"', page).group(1)).text
    prints = "\n".join(re.findall(r"@media print\s*{(.*?)\n}", css, re.S))
    for sel in (".site-nav", ".breadcrumbs", "form", "button", ".comment-box", ".share",
                ".request__actions", ".md-toolbar", "[data-print]"):
        assert sel in prints, sel
    js = c.get(re.search(r'src="(/static/[^"]+/zek\.js)"', page).group(1)).text
    assert "window.print()" in js and "data-comment-open" in js


def test_page_in_english(c, server, binary):
    env = dict(os.environ, ZEK_PASSWORD="secret-en")
    out = subprocess.run([binary, "user", "add", "--db", server.db, "--email", "erik@example.org",
                          "--name", "Erik English", "--lang", "en",
                          "--org", "Stadt Musterstadt – Bürgeramt"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    c.login("erik@example.org", "secret-en")
    url = type_links_en(c)
    r = c.post_multipart(url, [("summary", "An English request"), ("description", "Please help."),
                               ("share", "private")])
    url = PORTAL + "/" + created_key(r)
    assert post(c, url, "comment", [("comment", "A first comment.")], []).status == 303
    page = show(c, url, "English request page")
    assert 'lang="en"' in page
    for text in ("Activity", "Add a comment to this request ...", "Turn off notifications",
                 "Shared with", "Share", "Withdraw request", "Request raised.", "Print",
                 "E-mail address or name", "A first comment."):
        assert_in(text, page)
    for german in ("Aktivität", "Benachrichtigungen", "Teilen", "zurückziehen", "Hinzufügen"):
        assert german not in unescape(page), german
    r = post(c, url, "participants", [("who", "nobody@example.org")])
    assert r.status == 422 and "There is no account with this e-mail address or name." in unescape(r.text)
    r = c.get(url + "/withdraw")
    assert_in("Do you really want to withdraw this request?", r.text)
    c.post_form(url + "/withdraw", [("csrf", token_of(r.text))], csrf=False)
    page = c.get(url).text
    assert_in("This request is closed and cannot be reopened.", page)
    assert_in("The request status was changed to Closed with resolution Withdrawn.", activity(page))


def type_links_en(c):
    """The create URL of the fourth request type (Sonstige Frage) in English."""
    page = c.get(PORTAL).text
    links = re.findall(r'href="(/servicedesk/customer/portal/17/create/(\d+))"', page)
    for href, tid in links:
        if tid == "4":
            return href
    raise AssertionError("no create link for type 4")
