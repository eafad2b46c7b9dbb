"""End-to-end tests of the profile page: name, password, language, time zone,
and personal access tokens with the REST API's authentication (issue 6)."""

import base64
import json
import os
import re
import subprocess
import time
import uuid

from zektest import Client, assert_html_ok, assert_in, db_exec, unescape, LOGIN, PORTAL  # noqa: F401

PROFILE = "/servicedesk/customer/user/profile"
TOKENS = PROFILE + "/tokens"
PREFS = PROFILE + "/preferences"
INFO = "/rest/servicedeskapi/info"
PASSWORD = "geheim-123"


# --- helpers ---------------------------------------------------------------

def new_user(server, binary, name="Paula Profil", lang="de", org=None):
    """A fresh customer (so that changes here touch no other test's user)."""
    email = "p-%s@example.org" % uuid.uuid4().hex[:10]
    args = [binary, "user", "add", "--db", server.db, "--email", email, "--name", name,
            "--lang", lang]
    if org:
        args += ["--org", org]
    out = subprocess.run(args, env=dict(os.environ, ZEK_PASSWORD=PASSWORD),
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return email


def signed_in(c, server, binary, **kw):
    email = new_user(server, binary, **kw)
    c.login(email, PASSWORD)
    return email


def create_token(c, name="Skript", expires=None):
    fields = [("name", name)]
    page = c.get(PROFILE).text
    if expires is None:
        expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
    fields.append(("expires", expires))
    r = c.post_form(TOKENS, fields)
    assert r.status == 200, (r.status, r.text[:2000])
    m = re.search(r'id="t-new"[^>]*value="(zek_[A-Za-z0-9_-]{43})"', r.text)
    assert m, "no token on the response page"
    return m.group(1), r


def api(c, path, token=None, basic=None, cookies=False, headers=None):
    """A REST call; by default without the browser's cookies."""
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if basic is not None:
        h["Authorization"] = "Basic " + base64.b64encode(
            ("%s:%s" % basic).encode()).decode()
    if cookies:
        return c.request("GET", path, headers=h)
    saved, c.cookies = c.cookies, {}
    try:
        return c.request("GET", path, headers=h)
    finally:
        c.cookies = saved


def follow(c, r):
    """GET the redirect target as a browser would (without the #fragment)."""
    assert r.status == 303, (r.status, r.text[:2000])
    return c.get(r.header("Location").split("#")[0])


def header_name(page):
    m = re.search(r'<span class="user-menu__name">(.*?)</span>', page, re.S)
    assert m, "no user in header"
    return unescape(m.group(1)).strip()


def field_error(page, field_id):
    m = re.search(r'<p class="field__error" id="%s-error">(.*?)</p>' % re.escape(field_id), page, re.S)
    if not m:
        return None
    text = re.sub(r'<span class="field__error-prefix">.*?</span>', "", m.group(1))
    return unescape(re.sub(r"<[^>]+>", "", text)).strip()


# --- tests -----------------------------------------------------------------

def test_profile_needs_login_and_is_linked_from_header(c, server, binary):
    r = c.get(PROFILE)
    assert r.status == 303 and r.header("Location").startswith(LOGIN)
    signed_in(c, server, binary)
    portal = c.get(PORTAL).text
    assert 'href="%s"' % PROFILE in re.search(r'<li class="site-nav__user">.*?</li>', portal, re.S).group(0)
    r = c.get(PROFILE)
    assert r.status == 200
    assert_html_ok(r.text, "profile page")
    for text in ("Profil", "Profil bearbeiten", "Anzeigename", "Passwort ändern", "Aktuelles Passwort",
                 "Neues Passwort", "Einstellungen", "Sprache", "Zeitzone", "Speichern", "Abbrechen",
                 "Persönliche Zugriffstoken", "Ablaufdatum", "Erstellen",
                 "Sie haben noch keine persönlichen Zugriffstoken."):
        assert_in(text, r.text)
    assert re.search(r'<option value="de" lang="de" selected>Deutsch</option>', r.text)
    assert re.search(r'<option value="en" lang="en">English</option>', r.text)
    # The guide's picker: the default first, then every zone by its offset
    # as "(GMT+01:00) Berlin", current names (Kolkata, Kyiv), UTC among +00:00.
    zones = re.findall(r'<option value="([A-Za-z_/+-]+)"( selected)?>([^<]*)</option>', r.text)
    zones = [z for z in zones if "/" in z[0] or z[0] == "UTC"]
    assert zones[0] == ("Europe/Berlin", " selected", "Standard (Europe/Berlin)"), zones[0]
    assert len(zones) > 300 and sum(1 for z in zones if z[1]) == 1
    assert ("Europe/Berlin", "", "(GMT+01:00) Berlin") in zones
    assert ("Asia/Kolkata", "", "(GMT+05:30) Kolkata") in zones
    assert ("Europe/Kyiv", "", "(GMT+02:00) Kyiv") in zones
    assert ("UTC", "", "(GMT+00:00) UTC") in zones
    assert not any(z[0] in ("Asia/Calcutta", "Europe/Kiev") for z in zones)
    offsets = [int(z[2][4:7]) * 60 + (1 if z[2][4] != "-" else -1) * int(z[2][8:10]) for z in zones[1:]]
    assert offsets == sorted(offsets), "ordered by offset"
    # Forms are protected: without the token nothing changes.
    r = c.post_form(PROFILE, [("name", "Ohne Token")], csrf=False)
    assert r.status == 403
    assert header_name(c.get(PROFILE).text) == "Paula Profil"


def test_name_change_shows_in_header(c, server, binary):
    signed_in(c, server, binary)
    r = c.post_form(PROFILE, [("name", "  Paula Neu-Name  ")])
    assert r.status == 303 and r.header("Location") == PROFILE + "?saved=profile"
    page = follow(c, r).text
    assert header_name(page) == "Paula Neu-Name"
    assert_in("Ihr Profil wurde gespeichert.", page)
    assert header_name(c.get(PORTAL).text) == "Paula Neu-Name"
    # Errors stand next to the field, the value is kept, nothing is saved.
    long_name = "x" * 256
    r = c.post_form(PROFILE, [("name", long_name)])
    assert r.status == 422
    assert field_error(r.text, "p-name") == "Bitte geben Sie höchstens 255 Zeichen ein."
    assert 'value="%s"' % long_name in r.text
    assert 'aria-invalid="true"' in r.text
    assert_html_ok(r.text, "profile with errors")
    r = c.post_form(PROFILE, [("name", "   ")])
    assert r.status == 422 and field_error(r.text, "p-name") == "Bitte füllen Sie dieses Feld aus."
    assert header_name(c.get(PROFILE).text) == "Paula Neu-Name"


def test_password_change_needs_current_password(c, server, binary):
    email = signed_in(c, server, binary)
    other = Client(c.server)
    other.login(email, PASSWORD)
    r = c.post_form(PROFILE, [("name", "Paula Profil"), ("current_password", "falsch-falsch"),
                              ("new_password", "ganz-neu-4242"), ("new_password2", "ganz-neu-4242")])
    assert r.status == 422
    assert field_error(r.text, "p-current") == "Das aktuelle Passwort ist falsch."
    # Passwords are never shown again.
    assert "falsch-falsch" not in r.text and "ganz-neu-4242" not in r.text
    assert 'value="Paula Profil"' in r.text
    r = c.post_form(PROFILE, [("name", "Paula Profil"), ("current_password", PASSWORD),
                              ("new_password", "kurz"), ("new_password2", "kurz")])
    assert r.status == 422
    assert field_error(r.text, "p-new") == "Das neue Passwort muss mindestens 12 Zeichen lang sein."
    r = c.post_form(PROFILE, [("name", "Paula Profil"), ("current_password", PASSWORD),
                              ("new_password", "ganz-neu-4242"), ("new_password2", "ganz-neu-4343")])
    assert r.status == 422
    assert field_error(r.text, "p-new2") == "Die beiden neuen Passwörter stimmen nicht überein."
    # The old password still works until the change succeeds.
    assert other.get(PROFILE).status == 200
    r = c.post_form(PROFILE, [("name", "Paula Profil"), ("current_password", PASSWORD),
                              ("new_password", "ganz-neu-4242"), ("new_password2", "ganz-neu-4242")])
    assert r.status == 303 and r.header("Location").endswith("?saved=password")
    assert c.get(PROFILE).status == 200                      # this session stays
    assert other.get(PROFILE).status == 303                  # the other one ended
    fresh = Client(c.server)
    r = fresh.post_form(LOGIN, [("email", email), ("password", PASSWORD)])
    assert r.status == 200 and "zek_session" not in fresh.cookies
    fresh.login(email, "ganz-neu-4242")


def test_language_switch_changes_every_page(c, server, binary):
    signed_in(c, server, binary)
    r = c.post_form(PREFS, [("lang", "en"), ("tz", "Europe/Berlin")])
    assert r.status == 303
    page = follow(c, r).text
    assert 'lang="en"' in page
    for text in ("Edit your profile", "Preferences", "Language", "Time zone", "Save", "Cancel",
                 "Personal access tokens", "Your preferences have been saved."):
        assert_in(text, page)
    assert "Einstellungen" not in page and "Speichern" not in page
    assert re.search(r'<option value="en" lang="en" selected>English</option>', page)
    assert_html_ok(page, "English profile page")
    portal = c.get(PORTAL).text
    assert 'lang="en"' in portal and "Help center" in portal
    # An unknown language is refused next to the field.
    r = c.post_form(PREFS, [("lang", "fr"), ("tz", "Europe/Berlin")])
    assert r.status == 422 and field_error(r.text, "s-lang") == "Please choose an entry from the list."
    r = c.post_form(PREFS, [("lang", "de"), ("tz", "Europe/Berlin")])
    assert r.status == 303 and 'lang="de"' in c.get(PORTAL).text


def test_time_zone_changes_shown_times(c, server, binary):
    signed_in(c, server, binary)
    create_token(c, "Zeitzonen-Test")
    page = c.get(PROFILE).text
    berlin = re.search(r'<td><time datetime="([^"]+)">([^<]+)</time></td>', page)
    assert berlin and berlin.group(1)[-6:] in ("+01:00", "+02:00"), berlin
    r = c.post_form(PREFS, [("lang", "de"), ("tz", "Asia/Tokyo")])
    assert r.status == 303
    page = c.get(PROFILE).text
    assert re.search(r'<option value="Asia/Tokyo" selected>\(GMT\+09:00\) Tokyo</option>', page)
    tokyo = re.search(r'<td><time datetime="([^"]+)">([^<]+)</time></td>', page)
    assert tokyo.group(1).endswith("+09:00"), tokyo.group(1)
    assert tokyo.group(2) != berlin.group(2)
    # Both show the same instant: 8 or 7 hours apart.
    from datetime import datetime
    a = datetime.fromisoformat(berlin.group(1))
    b = datetime.fromisoformat(tokyo.group(1))
    assert a == b and b.hour != a.hour
    r = c.post_form(PREFS, [("lang", "de"), ("tz", "Mars/Olympus_Mons")])
    assert r.status == 422 and field_error(r.text, "s-tz") == "Bitte wählen Sie einen Eintrag aus der Liste."
    assert re.search(r'<option value="Asia/Tokyo" selected>', r.text)


def test_token_shown_once_works_and_revoke_stops_it(c, server, binary):
    email = signed_in(c, server, binary, name="Tina Token")
    raw, r = create_token(c, "Mein Skript")
    assert_in("Es wird nur dieses eine Mal angezeigt.", r.text)
    assert_html_ok(r.text, "page with the new token")
    assert r.header("Cache-Control") == "no-store"
    page = c.get(PROFILE).text
    assert raw not in page and raw[4:] not in page
    assert_in("Mein Skript", page)
    assert_in("Nie", page)
    # Bearer and Basic (e-mail + token) work; Basic with the password does not.
    r = api(c, "/rest/api/2/myself", token=raw)
    assert r.status == 200, r.text
    me = json.loads(r.text)
    assert me["displayName"] == "Tina Token" and me["emailAddress"] == email
    assert api(c, INFO, basic=(email.upper(), raw)).status == 200
    assert api(c, INFO, basic=(email, PASSWORD)).status == 401
    assert api(c, INFO, basic=("anna@example.org", raw)).status == 401
    page = c.get(PROFILE).text
    assert "Nie" not in unescape(page)          # the last use is shown
    # The raw token never reaches the log.
    assert raw not in server.read_log() and raw[4:] not in server.read_log()
    action = re.search(r'action="(%s/\d+/revoke)"' % re.escape(TOKENS), page).group(1)
    other = Client(c.server)
    other.login("anna@example.org")
    assert other.post_form(action, [], csrf=True).status == 404   # not Anna's token
    assert api(c, INFO, token=raw).status == 200
    page = follow(c, c.post_form(action, [])).text
    assert_in("Das Token wurde widerrufen.", page)
    assert "Mein Skript" not in page
    r = api(c, INFO, token=raw)
    assert r.status == 401
    assert r.header("WWW-Authenticate").startswith("Bearer")
    body = json.loads(r.text)
    assert body["errorMessage"] and body["i18nErrorMessage"]["i18nKey"] == "api_err_token_invalid"


def test_expired_token_is_refused(c, server, binary):
    signed_in(c, server, binary)
    raw, _ = create_token(c, "Bald abgelaufen")
    assert api(c, INFO, token=raw).status == 200
    db_exec(server.db, "UPDATE api_tokens SET expires_at = ? WHERE name = ?",
            (int(time.time() * 1000) - 1000, "Bald abgelaufen"))
    assert api(c, INFO, token=raw).status == 401
    assert_in("abgelaufen", c.get(PROFILE).text)


def test_session_cookie_does_not_authenticate_the_api(c, server, binary):
    signed_in(c, server, binary)
    assert c.get(PROFILE).status == 200
    token = re.search(r'name="csrf" value="([^"]+)"', c.get(PROFILE).text).group(1)
    for headers in ({}, {"X-CSRF-Token": token}):
        r = api(c, INFO, cookies=True, headers=headers)
        assert r.status == 401, r.status
        assert r.header("Content-Type").startswith("application/json")
        assert json.loads(r.text)["i18nErrorMessage"]["i18nKey"] == "api_err_unauthorized"


def test_token_form_errors_keep_values(c, server, binary):
    signed_in(c, server, binary)
    page = c.get(PROFILE).text
    today = re.search(r'id="t-expires"[^>]*min="([^"]+)"', page).group(1)
    latest = re.search(r'id="t-expires"[^>]*max="([^"]+)"', page).group(1)
    cases = [
        (("", today), "t-name", "Bitte füllen Sie dieses Feld aus."),
        (("x" * 101, today), "t-name", "Bitte geben Sie höchstens 100 Zeichen ein."),
        (("Alt", "2000-01-01"), "t-expires", "Das Ablaufdatum liegt in der Vergangenheit. "
         "Bitte wählen Sie heute oder einen späteren Tag."),
        (("Weit", "2999-01-01"), "t-expires", "Ein Token kann höchstens 365 Tage gültig sein. "
         "Bitte wählen Sie ein früheres Datum."),
        (("Kaputt", "31.12.2026"), "t-expires", "Bitte geben Sie ein gültiges Datum ein, zum Beispiel 2026-03-31."),
    ]
    for (name, expires), fid, message in cases:
        r = c.post_form(TOKENS, [("name", name), ("expires", expires)])
        assert r.status == 422, (name, r.status)
        assert field_error(r.text, fid) == message, (fid, field_error(r.text, fid))
        assert 'value="%s"' % expires in r.text
        assert "zek_" not in re.sub(r'zek_(session|csrf)', "", r.text)
    # The last allowed day and "today" both work.
    create_token(c, "Ein Jahr", latest)
    create_token(c, "Nur heute", today)
    page = c.get(PROFILE).text
    assert_in("Ein Jahr", page)
    assert_in("Nur heute", page)


def test_mail_notifications_can_be_switched_off(c, server, binary):
    signed_in(c, server, binary)
    box = re.compile(r'<input[^>]*id="s-notify"[^>]*>')
    assert " checked" in box.search(c.get(PROFILE).text).group(0)       # on by default
    r = c.post_form(PREFS, [("lang", "de"), ("tz", "Europe/Berlin")])  # box left empty
    assert r.status == 303
    assert " checked" not in box.search(c.get(PROFILE).text).group(0)
    r = c.post_form(PREFS, [("lang", "de"), ("tz", "Europe/Berlin"), ("notify", "1")])
    page = c.get(PROFILE).text
    assert " checked" in box.search(page).group(0)
    assert_html_ok(page, "profile page")


def test_password_change_says_what_happens_to_tokens_and_revokes_when_asked(c, server, binary):
    """A password change ends other browser sessions; API tokens are other
    credentials: the form says they stay, and offers to revoke them too
    (issue 13, item 9i)."""
    email = signed_in(c, server, binary, name="Rita Revoke")
    page = c.get(PROFILE).text
    assert_html_ok(page, "profile page")
    assert re.search(r'<input[^>]*type="checkbox"[^>]*name="revoke_tokens"[^>]*value="1"', page)
    assert 'checked' not in re.search(r'<input[^>]*name="revoke_tokens"[^>]*>', page).group(0)
    assert_in("Auch alle meine API-Zugriffstoken widerrufen", page)
    assert_in("Ihre API-Zugriffstoken (unten) bleiben gültig, außer Sie kreuzen dieses Feld an", page)
    kept, _ = create_token(c, "Bleibt")
    # Without the box the token outlives the change, as the form says.
    r = c.post_form(PROFILE, [("name", "Rita Revoke"), ("current_password", PASSWORD),
                              ("new_password", "neu-neu-neu-1"), ("new_password2", "neu-neu-neu-1")])
    assert r.header("Location").endswith("?saved=password")
    assert api(c, INFO, token=kept).status == 200
    # A failed change with the box ticked keeps the tick and revokes nothing.
    r = c.post_form(PROFILE, [("name", "Rita Revoke"), ("current_password", "falsch-falsch"),
                              ("new_password", "neu-neu-neu-2"), ("new_password2", "neu-neu-neu-2"),
                              ("revoke_tokens", "1")])
    assert r.status == 422
    assert 'checked' in re.search(r'<input[^>]*name="revoke_tokens"[^>]*>', r.text).group(0)
    assert api(c, INFO, token=kept).status == 200
    # The box without a new password changes nothing either.
    r = c.post_form(PROFILE, [("name", "Rita Revoke"), ("revoke_tokens", "1")])
    assert r.header("Location").endswith("?saved=profile")
    assert api(c, INFO, token=kept).status == 200
    # With the box: every token of the user goes, and the page says so.
    second, _ = create_token(c, "Zweites")
    r = c.post_form(PROFILE, [("name", "Rita Revoke"), ("current_password", "neu-neu-neu-1"),
                              ("new_password", "neu-neu-neu-3"), ("new_password2", "neu-neu-neu-3"),
                              ("revoke_tokens", "1")])
    page = follow(c, r).text
    assert_in("alle Ihre API-Zugriffstoken wurden widerrufen", page)
    assert "Bleibt" not in page and "Zweites" not in page
    assert api(c, INFO, token=kept).status == 401
    assert api(c, INFO, token=second).status == 401
    # Another user's tokens are untouched.
    other = Client(c.server)
    signed_in(other, server, binary, name="Otto Other")
    theirs, _ = create_token(other, "Fremd")
    assert api(c, INFO, token=theirs).status == 200
    # In English too.
    en = Client(c.server)
    signed_in(en, server, binary, name="Erin English", lang="en")
    page = en.get(PROFILE).text
    assert_in("Also revoke all my API access tokens", page)
    assert_in("Your API access tokens (below) stay valid unless you tick this box", page)
