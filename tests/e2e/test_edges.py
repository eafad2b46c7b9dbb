"""End-to-end tests of edges found by using zek as customers and attackers
would (issue 13, item 9): what the access log says about answers
libmicrohttpd gave itself, the sign-in redirect's target, methods and media
types under /rest/, the list a participant error names, an invalid
"on behalf of", and how attachments are cached and shown inline."""

import json
import socket
import time
import urllib.parse

from zektest import LOGIN, PORTAL, Client, Skip, created_key, db_rows, logged, png, type_links
from test_api import SD, assert_error, call
from test_request_page import attachment_links, new_request, post


def raw(server, data):
    """Sends bytes on a fresh connection and reads until the server closes."""
    s = socket.create_connection(("127.0.0.1", server.port), 10)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except OSError:
        pass
    s.close()
    return out


def logged_status(server, path):
    """The statuses of the access log lines for path (waits for the flush)."""
    return [status for ip, status in logged(server, "POST", path) if ip == "127.0.0.1"]


def api_request(c, title):
    """A fresh private request of Anna's, raised through the API: its key."""
    r = call(c, SD + "/request", method="POST", headers={"Content-Type": "application/json"},
             body=json.dumps({"serviceDeskId": "1", "requestTypeId": "4",
                              "requestFieldValues": {"summary": title, "description": "x"}}).encode())
    assert r.status == 201, (r.status, r.text[:300])
    return json.loads(r.text)["issueKey"]


# --- 9a: the access log says what the client got ---------------------------

def test_access_log_has_the_status_libmicrohttpd_sent(c, server):
    """Broken chunked framing is answered by libmicrohttpd itself (400, or
    413 for a chunk size beyond any limit); the access log must say so, not
    500."""
    cases = [("/log-chunk-bad", b"zz\r\n\r\n", b"400"),
             ("/log-chunk-huge", b"ffffffffffffffffffff\r\n\r\n", b"413")]
    for path, body, status in cases:
        got = raw(server, b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n" + body)
        assert got.startswith(b"HTTP/1.1 " + status), got[:200]
        assert logged_status(server, path) == [status.decode()], server.read_log()[-1500:]


# --- 9b: ?next= never carries control bytes or spaces into Location --------

def test_login_next_with_control_bytes_or_spaces_is_not_followed(c):
    for bad in ("/servicedesk/customer/portal/17%01x", "/servicedesk/customer/portal/17%20x",
                "/servicedesk/customer/portal/17%09x", "/servicedesk/customer/portal/17%7Fx",
                "/servicedesk/customer/portal/17%C3%A4"):
        b = Client(c.server)
        page = b.get(LOGIN + "?next=" + bad)
        assert page.status == 200
        assert 'name="next"' not in page.text, bad      # not carried into the form
        r = b.post_form(LOGIN, [("email", "anna@example.org"), ("password", "demo"),
                                ("next", bad.replace("%01", "\x01").replace("%20", " ")
                                 .replace("%09", "\t").replace("%7F", "\x7f")
                                 .replace("%C3%A4", "ä"))])
        assert r.status == 303, (bad, r.status)
        loc = r.header("Location")
        assert loc == PORTAL, (bad, loc)                 # the landing page instead
    # A good one is still followed.
    r = Client(c.server).post_form(LOGIN, [("email", "anna@example.org"), ("password", "demo"),
                                           ("next", PORTAL + "/create/1")])
    assert r.header("Location") == PORTAL + "/create/1"


# --- 9c: any method under /rest/ gets the JSON error -----------------------

def test_unknown_methods_under_rest_get_json_405(c):
    for method in ("PATCH", "OPTIONS", "TRACE", "PROPFIND"):
        for path in (SD + "/request", SD + "/request/ZEK-1", "/rest/api/2/myself", "/rest/gibt/es/nicht"):
            r = call(c, path, method=method)
            body = assert_error(r, 405, "api_err_method")
            assert method in body["errorMessage"]
            assert r.header("Allow") == "GET, HEAD, POST, PUT, DELETE"
            r = call(c, path, method=method, token="")      # not signed in: the same
            assert_error(r, 405, "api_err_method")
    r = call(c, SD + "/request", method="PATCH", headers={"Accept-Language": "en"})
    assert "does not take the method PATCH" in json.loads(r.text)["errorMessage"]
    # Outside /rest/ it stays the HTML page.
    r = c.request("PATCH", PORTAL)
    assert r.status == 405 and r.header("Content-Type").startswith("text/html")


# --- 9d: media types without regard to case --------------------------------

def test_media_types_are_case_insensitive(c):
    key = api_request(c, "Medientypen")
    for ct in ("APPLICATION/JSON", "Application/Json; Charset=UTF-8", "application/json ; charset=utf-8"):
        r = call(c, SD + "/request/%s/comment" % key, method="POST",
                 body=json.dumps({"body": "Großgeschrieben: " + ct, "public": True}).encode(),
                 headers={"Content-Type": ct})
        assert r.status == 201, (ct, r.status, r.text[:300])
    for ct in ("application/jsonx", "text/plain", "application/json-patch+json"):
        r = call(c, SD + "/request/%s/comment" % key, method="POST",
                 body=b'{"body": "x", "public": true}', headers={"Content-Type": ct})
        assert_error(r, 415, "api_err_content_type")
    # The forms: an urlencoded body in capitals is read (it signs in).
    b = Client(c.server)
    r = b.request("POST", LOGIN, ("email=anna%40example.org&password=demo&csrf=" +
                                  b.csrf(LOGIN)).encode(),
                  {"Content-Type": "Application/X-WWW-Form-URLEncoded; Charset=UTF-8"})
    assert r.status == 303 and "zek_session" in b.cookies, (r.status, r.text[:300])
    # And a multipart body announced as MULTIPART/FORM-DATA.
    url = type_links(b)["Sonstige Frage"]
    tok = b.csrf(url)
    boundary = "zekEdge"
    parts = b"".join(b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; name=\"" +
                     k.encode() + b"\"\r\n\r\n" + v.encode() + b"\r\n"
                     for k, v in (("summary", "Multipart in Großbuchstaben"), ("description", "x"),
                                  ("share", "private"), ("csrf", tok)))
    r = b.request("POST", url, parts + b"--" + boundary.encode() + b"--\r\n",
                  {"Content-Type": "MULTIPART/FORM-DATA; BOUNDARY=" + boundary})
    created_key(r)


# --- 9e: a participant error names the list that was sent ------------------

def test_participant_errors_name_the_list_sent(c):
    key = api_request(c, "Teilnehmer")
    for lst in ("usernames", "accountIds"):
        r = call(c, SD + "/request/%s/participant" % key, method="POST",
                 body=json.dumps({lst: ["niemand@example.org"]}).encode(),
                 headers={"Content-Type": "application/json"})
        assert r.status == 400, (r.status, r.text)
        body = json.loads(r.text)
        assert list(body["errors"]) == [lst], body
        assert body["i18nErrorMessage"]["parameters"] == [lst], body
        assert lst in body["errorMessage"], body
    # Both lists: the error names the one holding the unknown person.
    r = call(c, SD + "/request/%s/participant" % key, method="POST",
             body=json.dumps({"accountIds": [], "usernames": ["niemand@example.org"]}).encode(),
             headers={"Content-Type": "application/json"})
    assert list(json.loads(r.text)["errors"]) == ["usernames"], r.text
    r = call(c, SD + "/request/%s/participant" % key, method="POST",
             body=json.dumps({"usernames": ["x@example.org"] * 101}).encode(),
             headers={"Content-Type": "application/json"})
    assert json.loads(r.text)["i18nErrorMessage"]["parameters"] == ["usernames"], r.text


# --- 9f: an invalid "on behalf of" is refused, never oneself ---------------

def test_invalid_on_behalf_is_refused(c):
    c.login("anna@example.org")
    url = type_links(c)["Sonstige Frage"]
    for bad in ("abc", "0", "-3", "1x", " 5"):
        before = c.get("/servicedesk/customer/user/requests").text
        r = c.post_multipart(url, [("summary", "Im Auftrag von " + bad), ("description", "x"),
                                   ("share", "private"), ("onbehalf", bad)])
        assert r.status == 422, (bad, r.status)
        assert 'id="onbehalf-error"' in r.text or "onbehalf" in r.text
        assert "Im Auftrag von " + bad in r.text          # nothing typed is lost
        assert c.get("/servicedesk/customer/user/requests").text.count("Im Auftrag von") == \
            before.count("Im Auftrag von")
    # Left empty: raised as oneself.
    r = c.post_multipart(url, [("summary", "Für mich selbst"), ("description", "x"),
                               ("share", "private"), ("onbehalf", "")])
    created_key(r)
    for bad in ("0", "", "-1", 0):
        r = call(c, SD + "/request", method="POST", headers={"Content-Type": "application/json"},
                 body=json.dumps({"serviceDeskId": "1", "requestTypeId": "4",
                                  "raiseOnBehalfOf": bad,
                                  "requestFieldValues": {"summary": "API", "description": "x"}}).encode())
        assert r.status == 400 and "err_onbehalf_invalid" in r.text, (bad, r.status, r.text[:300])


# --- 9g, 9h: attachments are never cached; ?inline is a strict yes/no ------

def test_attachments_are_not_cached_and_inline_is_strict(c):
    url = new_request(c, "Anhang im Cache")
    r = post(c, url, "comment", [("comment", "Ein Bild.")],
             [("attachment", "bild.png", png(3, 3), "image/png")])
    assert r.status == 303, r.status
    link = attachment_links(c.get(url).text)[0]
    for q, disp in (("", "attachment"), ("?inline=0", "attachment"), ("?inline=false", "attachment"),
                    ("?inline=1", "inline"), ("?inline=true", "inline")):
        r = c.get(link + q)
        assert r.status == 200, (q, r.status)
        assert r.header("Cache-Control") == "no-store", (q, r.header("Cache-Control"))
        assert r.header("Content-Disposition").startswith(disp + ";"), (q, r.header("Content-Disposition"))
        assert r.header("Content-Type") == ("image/png" if disp == "inline" else "application/octet-stream")
    for q in ("?inline=", "?inline=ja", "?inline=2"):
        assert c.get(link + q).status == 400, q


REFUSE = "X-Zek-Refuse-Runs"       # test hook of sanitizer builds (http/server.c)


def post_refused(c, path, fields, runs):
    """A form posted with the first `runs` runs of the request refused by
    the database as a deadlock's victim would be."""
    fields = list(fields) + [("csrf", c.csrf(path))]
    return c.request("POST", path, urllib.parse.urlencode(fields).encode(),
                     {"Content-Type": "application/x-www-form-urlencoded", REFUSE: str(runs)})


def count(server, sql, *params):
    return db_rows(server.db, sql, params)[0][0]


def test_a_refused_transaction_runs_again_and_is_kept_once(c, server):
    """A request whose transaction the database refuses (SQLSTATE 40001 on
    PostgreSQL) runs again from scratch: the client sees the answer of the
    run that was kept, with only its cookies, and its writes are there once;
    refused every time, it is a 500 and nothing is kept."""
    sessions = "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = ?"
    before = count(server, sessions, "anna@example.org")
    r = post_refused(c, LOGIN, [("email", "anna@example.org"), ("password", "demo")], 1)
    if r.header("X-Zek-Attempts") is None:
        raise Skip("a build without test hooks")
    assert r.status == 303, (r.status, r.text[:300])
    assert r.header("X-Zek-Attempts") == "2"
    cookies = [v for k, v in r.headers if k.lower() == "set-cookie" and v.startswith("zek_session=")]
    assert len(cookies) == 1, cookies
    assert count(server, sessions, "anna@example.org") == before + 1
    assert c.get(PORTAL).status == 200            # the cookie of the kept run works

    url = type_links(c)["Sonstige Frage"]
    title = "Zweiter Lauf %d" % time.time_ns()
    r = post_refused(c, url, [("summary", title), ("description", "Bitte prüfen."),
                              ("share", "private")], 1)
    key = created_key(r)
    assert r.header("X-Zek-Attempts") == "2"
    assert count(server, "SELECT count(*) FROM requests WHERE title = ?", title) == 1
    assert count(server, "SELECT count(*) FROM requests WHERE issue_key = ?", key) == 1

    title = "Immer abgelehnt %d" % time.time_ns()
    r = post_refused(c, url, [("summary", title), ("description", "Bitte prüfen."),
                              ("share", "private")], 3)
    assert r.status == 500, (r.status, r.text[:300])
    assert r.header("X-Zek-Attempts") == "3"
    assert count(server, "SELECT count(*) FROM requests WHERE title = ?", title) == 0
