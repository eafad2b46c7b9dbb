"""Forms kept when the session was gone (issue 19): a request, a comment or
an agent's reply sent after the session ended is kept, bound to the
browser (a secret in a cookie, only its hash in the database) and to the
ended session's user; after signing in again its page shows it filled in,
once, and nothing is sent by itself."""

import hashlib
import re
import urllib.parse

from zektest import (LOGIN, PORTAL, Client, assert_html_ok, created_key, db_exec, db_one,
                     db_rows, png, type_links, unescape, zek_run)
from test_request_page import Elsewhere, new_request, post

RESTORED = "Ihre Eingaben wurden wiederhergestellt – bitte prüfen und erneut absenden."
SAVED = "Ihre Sitzung war abgelaufen. Melden Sie sich erneut an – Ihre Eingaben sind gespeichert."
NOT_SAVED = "Ihre Sitzung war abgelaufen. Melden Sie sich erneut an."
ANNA = "anna@example.org"
BEN = "ben@example.org"
TEXT = "Mein Drucker druckt nur noch leere Seiten äöü <b>fett</b>"


def end_session(server, c):
    """The session of browser c ends as after 8 idle hours: its row stays,
    expired, and still names its user."""
    db_exec(server.db, "UPDATE sessions SET expires_at = 1 WHERE user_id = "
            "(SELECT id FROM users WHERE email = ?)", (c.email,))


def login_to(c, email, url):
    """Signs in with the login form the redirect showed: back to url."""
    r = c.post_form(LOGIN, [("email", email), ("password", "demo"), ("next", url)])
    assert r.status == 303 and r.header("Location") == url, (r.status, r.header("Location"))
    return r


def signed_in(c, email):
    c.login(email)
    c.email = email
    return c


def create_url(c):
    return type_links(c)["Sonstige Frage"]


def send_create(c, url, summary=TEXT, files=(), headers=None, token=None):
    """Posts the create form with the token the page carried before."""
    fields = [("summary", summary), ("description", "Seit *gestern*."), ("share", "private"),
              ("csrf", token)]
    return c.post_multipart(url, fields, files, csrf=False) if headers is None else \
        c.request("POST", url, urllib.parse.urlencode(fields).encode(),
                  dict(headers, **{"Content-Type": "application/x-www-form-urlencoded"}))


def page_token(c, url):
    return re.search(r'name="csrf" value="([^"]+)"', c.get(url).text).group(1)


def expect_login(r, url, flag):
    assert r.status == 303, (r.status, r.text[:500])
    assert r.header("Location") == "%s?next=%s&expired=%s" % (LOGIN, url, flag), r.header("Location")


def kept_rows(server):
    return db_rows(server.db, "SELECT secret_hash, user_id, page, fields FROM kept_forms")


def typed_then_ended(server, c):
    """Anna opens the create form (nothing kept yet), then her session
    ends: the form's URL and the token its page carried."""
    db_exec(server.db, "DELETE FROM kept_forms")
    signed_in(c, ANNA)
    url = create_url(c)
    token = page_token(c, url)
    end_session(server, c)
    return url, token


def keep_create(server, c, files=()):
    """Anna types a request, her session ends, she presses "Erstellen"."""
    url, token = typed_then_ended(server, c)
    r = send_create(c, url, files=files, token=token)
    expect_login(r, url, "kept")
    assert "zek_kept" in c.cookies
    return url


# --- the create form --------------------------------------------------------

def test_create_form_comes_back_filled_after_signing_in(c, server):
    url = keep_create(server, c, [("attachment", "fehler.png", png(4, 4), "image/png")])
    page = c.get(LOGIN + "?next=" + url + "&expired=kept").text
    assert SAVED in unescape(page), page
    assert_html_ok(page, "login page after an ended session")
    assert 'name="expired" value="kept"' in page
    login_to(c, ANNA, url)
    page = c.get(url)
    assert page.status == 200, page.status
    text = unescape(page.text)
    assert RESTORED in text and TEXT in text and "Seit *gestern*." in text
    assert_html_ok(page.text, "create form filled in again")
    keep = re.findall(r'name="keep_attachment" value="([^"]+)"', page.text)
    assert len(keep) == 1 and "fehler.png" in page.text, keep
    # Shown once: the next visit shows the empty form, and no cookie is left.
    assert "zek_kept" not in c.cookies
    again = unescape(c.get(url).text)
    assert RESTORED not in again and TEXT not in again
    assert kept_rows(server) == []
    # Nothing was created by itself; sending it now creates the request
    # with the file chosen before.
    before = db_one(server.db, "SELECT count(*) FROM requests")
    tok = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = c.post_multipart(url, [("summary", TEXT), ("description", "Seit *gestern*."),
                               ("share", "private"), ("keep_attachment", keep[0]), ("csrf", tok)],
                         csrf=False)
    key = created_key(r)
    assert db_one(server.db, "SELECT count(*) FROM requests") == before + 1
    assert "fehler.png" in c.get(PORTAL + "/" + key).text


def test_cleared_cookies_keep_the_form_for_the_browser(c, server):
    db_exec(server.db, "DELETE FROM kept_forms")
    signed_in(c, ANNA)
    url = create_url(c)
    token = page_token(c, url)
    c.cookies.pop("zek_session")          # cookies cleared: no user known
    r = send_create(c, url, token=token)
    expect_login(r, url, "kept")
    assert kept_rows(server)[0][1] is None
    login_to(c, ANNA, url)
    assert TEXT in unescape(c.get(url).text)


def test_kept_form_is_bound_to_the_browser(c, server):
    url = keep_create(server, c)
    # Anna on another computer (another cookie jar) finds an empty form.
    other = signed_in(Elsewhere(server), ANNA)
    page = unescape(other.get(url).text)
    assert RESTORED not in page and TEXT not in page
    # The browser that sent it still gets it.
    c.login(ANNA)
    assert TEXT in unescape(c.get(url).text)


def test_kept_form_is_never_shown_to_another_person(c, server):
    url = keep_create(server, c)
    # Ben signs in on Anna's browser: the form of her ended session stays hers.
    c.login(BEN)
    page = unescape(c.get(url).text)
    assert RESTORED not in page and TEXT not in page
    assert len(kept_rows(server)) == 1
    c.post_form("/servicedesk/customer/user/logout", [])
    c.login(ANNA)
    assert TEXT in unescape(c.get(url).text)


def test_secret_is_stored_hashed_only(c, server):
    keep_create(server, c)
    secret = c.cookies["zek_kept"]
    rows = kept_rows(server)
    assert len(rows) == 1
    assert rows[0][0] == hashlib.sha256(secret.encode()).hexdigest()
    for row in db_rows(server.db, "SELECT * FROM kept_forms"):
        assert all(secret not in str(v) for v in row), row
    # The dead session's CSRF token is not kept either.
    assert "csrf" not in rows[0][3]
    db_exec(server.db, "DELETE FROM kept_forms")


def test_a_form_from_another_site_is_not_kept(c, server):
    url, token = typed_then_ended(server, c)
    r = send_create(c, url, token=token, headers={"Sec-Fetch-Site": "cross-site"})
    expect_login(r, url, "1")
    r = send_create(c, url, token=token, headers={"Origin": "https://evil.example"})
    expect_login(r, url, "1")
    assert "zek_kept" not in c.cookies and kept_rows(server) == []
    assert NOT_SAVED in unescape(c.get(r.header("Location")).text)


def test_a_form_without_the_ended_sessions_token_is_not_kept(c, server):
    url, _ = typed_then_ended(server, c)
    r = send_create(c, url, token="x" * 43)
    expect_login(r, url, "1")
    assert kept_rows(server) == []


def test_oversized_text_is_not_kept(c, server):
    url, token = typed_then_ended(server, c)
    r = send_create(c, url, summary="x" * (256 * 1024 + 1), token=token)
    expect_login(r, url, "1")
    assert kept_rows(server) == []


def test_one_address_keeps_ten_forms_at_most(c, server):
    far = Elsewhere(server)
    far.address = "127.0.0.9"
    signed_in(far, ANNA)
    url = create_url(far)
    token = page_token(far, url)
    far.cookies.clear()
    for i in range(10):
        far.cookies.pop("zek_kept", None)   # ten browsers at one address
        expect_login(send_create(far, url, token=token), url, "kept")
    far.cookies.pop("zek_kept", None)
    expect_login(send_create(far, url, token=token), url, "1")
    db_exec(server.db, "DELETE FROM kept_forms")


def test_expired_kept_forms_are_purged_and_not_shown(c, server, binary):
    url = keep_create(server, c)
    db_exec(server.db, "UPDATE kept_forms SET expires_at = 1")
    c.login(ANNA)
    assert TEXT not in unescape(c.get(url).text)
    code, out, err = zek_run(binary, "jobs", "run", "--db", server.db)
    assert code == 0, err
    assert "1 kept forms" in out, out
    assert kept_rows(server) == []


# --- the comment forms ------------------------------------------------------

def test_comment_comes_back_in_the_open_form(c, server):
    db_exec(server.db, "DELETE FROM kept_forms")
    signed_in(c, ANNA)
    url = new_request(c, "Kommentar nach Sitzungsende")
    token = page_token(c, url)
    end_session(server, c)
    r = c.post_multipart(url + "/comment", [("comment", "Noch eine **Info**"), ("csrf", token)],
                         [("attachment", "log.txt", b"Zeile 1\n", "text/plain")], csrf=False)
    expect_login(r, url, "kept")
    c.login(ANNA)
    page = c.get(url).text
    assert_html_ok(page, "request page with a kept comment")
    assert RESTORED in unescape(page) and "Noch eine **Info**" in unescape(page)
    assert "data-open" in page and "log.txt" in page
    keep = re.search(r'name="keep_attachment" value="([^"]+)"', page).group(1)
    assert "Noch eine" not in unescape(c.get(url).text).split("Aktivität")[-1]
    r = post(c, url, "comment", [("comment", "Noch eine **Info**"), ("keep_attachment", keep)], [])
    assert r.status == 303, r.status
    assert "log.txt" in c.get(url).text


def test_agent_reply_comes_back(c, server):
    anna = signed_in(Client(server), ANNA)
    key = new_request(anna, "Antwort nach Sitzungsende").rsplit("/", 1)[1]
    agent = signed_in(c, "support@example.org")
    page_url = "/servicedesk/agent/requests/" + key
    token = page_token(agent, page_url)
    end_session(server, agent)
    r = agent.post_form(page_url + "/comment", [("visibility", "internal"),
                                                ("comment", "Interne Notiz"), ("csrf", token)],
                        csrf=False)
    expect_login(r, page_url, "kept")
    # A customer signing in on that browser never sees the agent's form.
    agent.login(ANNA)
    assert agent.get(page_url).status == 404
    agent.post_form("/servicedesk/customer/user/logout", [])
    agent.login("support@example.org")
    page = agent.get(page_url).text
    assert_html_ok(page, "agent page with a kept reply")
    assert RESTORED in unescape(page) and "Interne Notiz" in page
    assert re.search(r'value="internal"[^>]*checked', page), "the note kind was lost"
