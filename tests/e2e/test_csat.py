"""End-to-end tests of satisfaction ratings (issue 18, CSAT): the question
on the page of a closed request, changing the answer for 7 days, the
rating link of the closing mail (once, without signing in; used, expired,
forged), and who sees a rating: the agents, and no other customer."""

import base64
import hashlib
import hmac
import os
import re
import subprocess
import time

import zektest
from zektest import PORTAL, Client, assert_html_ok, assert_in, unescape
from test_mail import SAM, Smtp, Zek, PASSWORD, text_of, html_of, wait
from test_request_page import activity, new_request, post, signed_in, squash, token_of

QUESTION = "Wie zufrieden waren Sie mit der Bearbeitung?"
THANKS = "Vielen Dank für Ihre Bewertung."
USED = "Diese Bewertung wurde bereits abgegeben."
AGENT_REQ = "/servicedesk/agent/requests/"
DAY_MS = 24 * 3600 * 1000


# --- helpers ---------------------------------------------------------------

def key_of(url):
    return url.rsplit("/", 1)[1]


def agent_close(c, key, action="close_geloest"):
    agent = signed_in(c, "support@example.org")
    r = post(agent, AGENT_REQ + key, "status", [("action", action)])
    assert r.status == 303, (r.status, r.text[:300])
    return agent


def rating_panel(page):
    m = re.search(r'<section class="panel rating".*?</section>', page, re.S)
    return squash(unescape(re.sub(r"<[^>]+>", " ", m.group(0)))) if m else ""


def rate(c, url, score, comment="", status=303):
    fields = [] if score is None else [("score", str(score))]
    r = post(c, url, "rating", fields + [("rating_comment", comment)])
    assert r.status == status, (r.status, r.text[:500])
    return r


def db_one(server, sql, *args):
    return zektest.db_one(server.db, sql, args)


def request_id(server, key):
    return db_one(server, "SELECT id FROM requests WHERE issue_key = ?", key)


# --- on the request page ---------------------------------------------------

def test_rate_change_and_after_seven_days_refused(c, server):
    url = new_request(c, "Bitte bewerten")
    assert QUESTION not in c.get(url).text          # open: nothing asked yet
    agent_close(c, key_of(url))
    page = c.get(url).text
    assert_html_ok(page, "closed request with the question")
    assert_in('<legend class="field__label">%s</legend>' % QUESTION, page)
    for label in ("1 – sehr unzufrieden", "3 – teils, teils", "5 – sehr zufrieden"):
        assert_in(label, page)
    assert_in('<label class="field__label" for="f-rating-comment">', page)
    assert_in("Bewertung senden", page)
    # No score chosen: the error next to the choice, the comment kept.
    r = rate(c, url, None, "Schnell & freundlich", status=422)
    assert_html_ok(r.text, "rating without score")
    assert_in('id="f-score-error"', r.text)
    assert_in("Bitte wählen Sie eine Bewertung von 1 bis 5.", r.text)
    assert_in("Schnell & freundlich</textarea>", r.text)
    rid = request_id(server, key_of(url))
    assert db_one(server, "SELECT count(*) FROM request_ratings WHERE request_id = ?", rid) == 0
    # A score out of range is no score either.
    rate(c, url, 9, status=422)
    rate(c, url, 4, "Schnell & freundlich")
    panel = rating_panel(c.get(url).text)
    assert THANKS in panel and "4 – zufrieden" in panel and "Schnell & freundlich" in panel, panel
    assert "Ändern" in panel and "bis" in panel, panel
    # Changed within 7 days: one rating, the new score.
    rate(c, url, 2, "Doch nicht so gut")
    assert db_one(server, "SELECT score FROM request_ratings WHERE request_id = ?", rid) == 2
    assert db_one(server, "SELECT count(*) FROM request_ratings WHERE request_id = ?", rid) == 1
    assert "2 – unzufrieden" in rating_panel(c.get(url).text)
    # 8 days after the first rating: read-only, with a clear message.
    db_exec_ratings(server, rid, -8 * DAY_MS)
    page = c.get(url).text
    panel = rating_panel(page)
    assert "2 – unzufrieden" in panel and "Bewertung senden" not in panel, panel
    assert "nur in den ersten 7 Tagen" in panel, panel
    r = rate(c, url, 5, status=409)
    assert_in("Ihre Bewertung kann nicht mehr geändert werden", r.text)
    assert db_one(server, "SELECT score FROM request_ratings WHERE request_id = ?", rid) == 2


def db_exec_ratings(server, rid, shift_ms):
    zektest.db_exec(server.db, "UPDATE request_ratings SET created_at = created_at + ?, "
                    "updated_at = updated_at + ? WHERE request_id = ?", (shift_ms, shift_ms, rid))


def test_comment_too_long_is_refused_next_to_the_field(c):
    url = new_request(c, "Langer Kommentar")
    agent_close(c, key_of(url))
    text = "ä" * 2001
    r = rate(c, url, 3, text, status=422)
    assert_html_ok(r.text, "too long rating comment")
    assert_in('id="f-rating-comment-error"', r.text)
    assert_in("2000", r.text)
    assert_in(text + "</textarea>", r.text)
    assert_in('value="3" checked', r.text)


def test_open_and_withdrawn_requests_are_not_rated(c, server):
    url = new_request(c, "Noch offen")
    rate(c, url, 4, status=409)
    page = c.get(url).text
    assert QUESTION not in page
    r = post(c, url, "withdraw", [])
    assert r.status == 303
    page = c.get(url).text
    assert "Zurückgezogen" in page and QUESTION not in page
    r = rate(c, url, 4, status=409)
    assert_in("Diese Anfrage können Sie nicht bewerten.", r.text)
    assert db_one(server, "SELECT count(*) FROM request_ratings WHERE request_id = ?",
                  request_id(server, key_of(url))) == 0


def test_others_never_see_a_rating_the_agent_does(c, server):
    url = new_request(c, "Mit Ben geteilt")
    r = post(c, url, "participants", [("who", "ben@example.org")])
    assert r.status == 303, r.status
    key = key_of(url)
    agent = agent_close(c, key)
    ben = signed_in(c, "ben@example.org")
    assert QUESTION not in ben.get(url).text        # a participant is not asked
    rate(ben, url, 1, status=403)
    rate(c, url, 4, "Sehr hilfreich")
    page = ben.get(url).text
    assert "4 – zufrieden" not in page and "Sehr hilfreich" not in page and 'id="rating"' not in page
    assert "Zufriedenheit bewertet" not in activity(page)
    assert "Zufriedenheit bewertet" not in activity(c.get(url).text)   # staff only
    # The agent: the side panel, the activity, the queue of closed requests.
    page = agent.get(AGENT_REQ + key).text
    assert_html_ok(page, "agent view with a rating")
    panel = rating_panel(page)
    assert "4 – zufrieden" in panel and "4 von 5" in panel and "Sehr hilfreich" in panel, panel
    assert_in("Zufriedenheit bewertet: 4 – zufrieden", squash(unescape(re.sub(r"<[^>]+>", " ", page))))
    queue = agent.get("/servicedesk/agent/queues/closed?sort=updated").text
    row = re.search(r"<tr>\s*<td class=\"request-table__key\"><a [^>]*>%s</a>.*?</tr>" % key, queue, re.S)
    assert row and "Bewertung: 4 – zufrieden" in row.group(0), queue[:3000]


def test_english_texts(c, server, binary):
    env = dict(os.environ, ZEK_PASSWORD="secret-en")
    out = subprocess.run([binary, "user", "add", "--db", server.db, "--email", "rita@example.org",
                          "--name", "Rita Rating", "--lang", "en"],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    c.login("rita@example.org", "secret-en")
    url = PORTAL + "/" + create_key(c, "Rate me in English")
    agent_close(c, key_of(url))
    page = c.get(url).text
    assert_in("How satisfied were you with how your request was handled?", page)
    assert_in("5 – very satisfied", page)
    assert_in("Send rating", page)


# --- the link of the closing mail ------------------------------------------

ANNA = ("anna@example.org", "Anna Schmidt", "de", "customer")
BEN = ("ben@example.org", "Ben Weber", "de", "customer")


def mail_links(m):
    return re.findall(r"(http://zek\.test/servicedesk/customer/rating/[a-z2-7]+)\?score=(\d)",
                      text_of(m))


def b32(raw):
    return base64.b32encode(raw).decode().rstrip("=").lower()


def varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7f) | (0x80 if n > 0x7f else 0))
        n >>= 7
        if n == 0:
            return bytes(out)


def crafted(secret, purpose, day, uid, rid):
    """A token as core/mailtoken.c makes one: crypto_auth is HMAC-SHA-512
    cut to 256 bits, of which the token keeps 80."""
    raw = bytes([purpose, (day >> 8) & 0xff, day & 0xff]) + varint(uid) + varint(rid)
    return b32(raw + hmac.new(secret, raw, hashlib.sha512).digest()[:10])


def stored_secret(db):
    if zektest.is_pg(db):
        return bytes.fromhex(zektest.db_one(db, "SELECT encode(secret, 'hex') FROM mail_secret"))
    return bytes.fromhex(zektest.db_one(db, "SELECT hex(secret) FROM mail_secret"))


def test_closing_mail_link_rates_once_without_signing_in(c, binary):
    smtp = Smtp().start()
    z = Zek(binary, [ANNA, BEN, SAM])
    try:
        server = z.serve(smtp.url)
        anna = Client(server)
        anna.login(ANNA[0], PASSWORD)
        url = PORTAL + "/" + create_key(anna, "Per Mail bewerten")
        key = key_of(url)
        assert post(anna, url, "participants", [("who", BEN[0])]).status == 303
        agent = Client(server)
        agent.login(SAM[0], PASSWORD)
        assert post(agent, AGENT_REQ + key, "status", [("action", "close_geloest")]).status == 303
        mail = smtp.wait_for(lambda m: m.rcpt == ANNA[0] and "geschlossen" in text_of(m).lower())[0]
        links = mail_links(mail)
        assert [s for _, s in links] == ["1", "2", "3", "4", "5"], text_of(mail)
        assert_in(QUESTION, text_of(mail))
        assert_in("?score=5", html_of(mail))
        link = links[0][0]
        assert len({u for u, _ in links}) == 1
        # The participant's mail asks nothing.
        ben_mail = smtp.wait_for(lambda m: m.rcpt == BEN[0] and "geschlossen" in text_of(m).lower())[0]
        assert "/rating/" not in text_of(ben_mail) and "/rating/" not in html_of(ben_mail)
        path = link[len("http://zek.test"):]
        rid = zektest.db_one(z.db, "SELECT id FROM requests WHERE issue_key = ?", (key,))
        count = lambda: zektest.db_one(z.db, "SELECT count(*) FROM request_ratings WHERE request_id = ?", (rid,))
        # Without a session: the question with the score of the link checked;
        # opening it (twice) changes nothing.
        stranger = Client(server)
        for _ in range(2):
            r = stranger.get(path + "?score=4")
            assert r.status == 200, r.status
        assert_html_ok(r.text, "rating link")
        assert_in(key, r.text)
        assert_in('value="4" checked', r.text)
        assert count() == 0
        # The POST needs the form's token.
        r = stranger.post_form(path, [("score", "4")], csrf=False)
        assert r.status == 403, r.status
        assert count() == 0
        r = stranger.post_form(path, [("score", "4"), ("rating_comment", "Per Mail")])
        assert r.status == 200, (r.status, r.text[:500])
        assert_in(THANKS, r.text)
        assert_in("4 – zufrieden", r.text)
        assert count() == 1
        assert zektest.db_one(z.db, "SELECT user_id FROM request_ratings WHERE request_id = ?",
                              (rid,)) == zektest.db_one(z.db, "SELECT id FROM users WHERE email = ?", (ANNA[0],))
        # Used: the link says so, and a second POST changes nothing.
        r = stranger.get(path + "?score=1")
        assert r.status == 200 and USED in r.text and 'name="score"' not in r.text, r.status
        r = stranger.post_form(path, [("score", "1")])
        assert r.status == 409 and USED in r.text, r.status
        assert zektest.db_one(z.db, "SELECT score FROM request_ratings WHERE request_id = ?", (rid,)) == 4
        # Signed in, within 7 days: the link points to the page to change it.
        r = anna.get(path)
        assert USED in r.text and url + "#rating" in r.text, r.text[:2000]
        assert "Per Mail" in rating_panel(anna.get(url).text)
        # The agent sees it.
        assert "4 – zufrieden" in rating_panel(agent.get(AGENT_REQ + key).text)
        # Forged: one character changed, a reply token's purpose, the
        # right form with a wrong key; nothing is stored, no request named.
        tok = path.rsplit("/", 1)[1]
        bad = tok[:6] + ("a" if tok[6] != "a" else "b") + tok[7:]
        secret = stored_secret(z.db)
        uid = zektest.db_one(z.db, "SELECT id FROM users WHERE email = ?", (ANNA[0],))
        today = int(time.time() * 1000) // DAY_MS
        for forged in (bad, "x" * 30, "!!", crafted(secret, 1, today, uid, rid),
                       crafted(b"k" * 32, 2, today, uid, rid)):
            r = stranger.get("/servicedesk/customer/rating/" + forged)
            assert r.status == 404, (forged, r.status)
            assert_in("Dieser Bewertungslink ist ungültig.", r.text)
            assert key not in r.text
        # Expired: a real token from 31 days ago.
        old = crafted(secret, 2, today - 31, uid, rid)
        r = stranger.get("/servicedesk/customer/rating/" + old)
        assert r.status == 410, r.status
        assert_in("Dieser Bewertungslink ist abgelaufen.", r.text)
        r = stranger.post_form("/servicedesk/customer/rating/" + old, [("score", "5")])
        assert r.status == 410, r.status
        # A fresh one made the same way works: the crafting is right.
        fresh = crafted(secret, 2, today - 29, uid, rid)
        r = stranger.get("/servicedesk/customer/rating/" + fresh)
        assert r.status == 200 and USED in r.text, r.status
        assert count() == 1
    finally:
        z.close()
        smtp.stop()


def create_key(client, title):
    from test_mail import FRAGE
    from zektest import created_key
    r = client.post_multipart(FRAGE, [("summary", title), ("description", "Bitte prüfen."),
                                      ("share", "private")])
    return created_key(r)
