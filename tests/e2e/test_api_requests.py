"""End-to-end tests of the REST API's request endpoints (issue 6, second
half): creating, listing and reading requests, comments, participants,
status history, customer transitions, notifications, temporary uploads and
attachments, SLA, and /rest/api/2/issue — every shape and error case with
plain HTTP.

The module runs against a server of its own (fresh demo database), started
by the first test that needs it and stopped by the last one: its tests
change demo requests (accepting a solution, withdrawing), count failed
account look-ups against users, and sign Ben in, none of which may touch
the other modules' server."""

import json
import re
import uuid
from urllib.parse import urlsplit, parse_qs

from zektest import Client, Server, png
import test_api
from test_api import assert_page

SD = "/rest/servicedeskapi"
PROFILE = "/servicedesk/customer/user/profile"
MAX_FILE = 200 * 1024       # as run.py gives the shared server
STATE = {}                  # "server", "tokens", "ids"

ANNA, BEN, CARLA, AGENT = ("anna@example.org", "ben@example.org", "carla@example.org",
                           "support@example.org")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- the module's own server and its tokens ---------------------------------

def srv(binary):
    if "server" not in STATE:
        STATE["server"] = Server(binary, extra_env={"ZEK_MAX_FILE_BYTES": str(MAX_FILE)})
        STATE["tokens"] = {}
    return STATE["server"]


def token(binary, email):
    server = srv(binary)
    if email not in STATE["tokens"]:
        c = Client(server)
        c.login(email)
        page = c.get(PROFILE).text
        expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
        r = c.post_form(PROFILE + "/tokens", [("name", "e2e requests"), ("expires", expires)])
        assert r.status == 200, r.status
        STATE["tokens"][email] = re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', r.text).group(1)
    return STATE["tokens"][email]


class Api:
    """REST calls as one user against the module's server."""

    def __init__(self, binary, email=ANNA):
        self.client = Client(srv(binary))
        self.auth = "Bearer " + token(binary, email)
        self.email = email

    def call(self, method, path, body=None, headers=None, raw=None):
        h = {"Authorization": self.auth, "Accept": "application/json"}
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        self.client.cookies = {}
        return self.client.request(method, path if path.startswith("/rest") else SD + path, data, h)

    def ok(self, method, path, body=None, status=200, **kw):
        r = self.call(method, path, body, **kw)
        assert r.status == status, (method, path, r.status, r.text[:1500])
        if status == 204:
            assert r.body == b""
            return None
        assert r.header("Content-Type") == "application/json;charset=UTF-8"
        return json.loads(r.text)

    def get(self, path, **kw):
        return self.ok("GET", path, **kw)

    def err(self, method, path, body=None, status=400, key=None, **kw):
        return assert_error(self.call(method, path, body, **kw), status, key)

    def upload(self, files, headers=None):
        """files: (filename, bytes); multipart parts named 'file'."""
        boundary = "----zekApi" + uuid.uuid4().hex
        parts = [b"--" + boundary.encode() + b"\r\n" +
                 b'Content-Disposition: form-data; name="file"; filename="' + name.encode() +
                 b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n"
                 for name, data in files]
        body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
        h = {"Content-Type": "multipart/form-data; boundary=" + boundary}
        h.update(headers or {})
        return self.call("POST", "/servicedesk/1/attachTemporaryFile", raw=body, headers=h)

    def temp(self, name="notiz.txt", data=b"Hallo zek\n"):
        r = self.upload([(name, data)], {"X-Atlassian-Token": "no-check"})
        assert r.status == 201, (r.status, r.text)
        return json.loads(r.text)["temporaryAttachments"][0]["temporaryAttachmentId"]


def assert_error(r, status, key=None):
    """test_api's check, except that a body listing several problems (core
    found them) has them all in errorMessages, the first as errorMessage."""
    if r.status == status and '"errors":' in r.text:
        body = json.loads(r.text)
        assert body["errorMessages"][0] == body["errorMessage"] and body["errors"], body
        assert len(body["errorMessages"]) >= len(body["errors"])
        assert not body["errorMessage"].startswith("err_"), body
        assert set(body["i18nErrorMessage"]) == {"i18nKey", "parameters"}
        if key:
            assert body["i18nErrorMessage"]["i18nKey"] == key, body
        return body
    return test_api.assert_error(r, status, key)


def create(api, type_id=4, values=None, status=201, **extra):
    body = {"serviceDeskId": "1", "requestTypeId": type_id,
            "requestFieldValues": values or {"summary": "API-Frage " + uuid.uuid4().hex[:8],
                                             "description": "Eine Frage über die API."}}
    body.update(extra)
    return api.ok("POST", "/request", body, status=status)


def newest_key(binary):
    """The newest request's key, as the agent sees it: nothing created
    means it does not change."""
    return Api(binary, AGENT).get("/request?limit=1")["values"][0]["issueKey"]


def field(req, key):
    for f in req["requestFieldValues"]:
        if f["fieldId"] == key:
            return f
    return None


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def assert_user(u, name=None, email=None):
    assert set(u) >= {"accountId", "key", "name", "displayName", "active", "_links"}, u
    assert u["accountId"] == u["key"] and u["accountId"].isdigit()
    assert u["_links"]["self"].startswith("http")
    if name:
        assert u["displayName"] == name, u
    if email:
        assert u["emailAddress"] == email and u["name"] == email, u
    else:
        assert "emailAddress" not in u and u["name"] == u["accountId"], u


def assert_date(d):
    assert set(d) == {"iso8601", "jira", "friendly", "epochMillis"}, d


def assert_request(r):
    assert set(r) >= {"_expands", "issueId", "issueKey", "requestTypeId", "serviceDeskId",
                      "createdDate", "reporter", "requestFieldValues", "currentStatus", "_links"}, r
    assert r["issueId"].isdigit() and re.fullmatch(r"ZEK-\d+", r["issueKey"])
    assert r["serviceDeskId"] == "1" and r["requestTypeId"].isdigit()
    assert_date(r["createdDate"])
    st = r["currentStatus"]
    assert set(st) == {"status", "statusCategory", "statusDate"}
    assert st["statusCategory"] in ("NEW", "INDETERMINATE", "DONE")
    assert_date(st["statusDate"])
    for f in r["requestFieldValues"]:
        assert set(f) <= {"fieldId", "label", "value", "renderedValue"} and f["label"], f
        if "renderedValue" in f:
            assert isinstance(f["renderedValue"], dict)
    links = r["_links"]
    assert links["self"].endswith(SD + "/request/" + r["issueId"])
    assert links["web"].endswith("/servicedesk/customer/portal/17/" + r["issueKey"])
    assert links["jiraRest"].endswith("/rest/api/2/issue/" + r["issueId"])
    assert all(v.startswith("http") for v in links.values())


# --- creating requests -----------------------------------------------------

def test_create_a_request_of_every_type(c, binary):
    api = Api(binary)
    for type_id in (1, 2, 3, 4):
        values = {"summary": "Typ %d über die API" % type_id, "description": "Text *mit* Markdown"}
        if type_id == 2:
            values["bundesland"] = {"id": "DE-HB"}
        r = create(api, type_id, values)
        assert_request(r)
        assert r["requestTypeId"] == str(type_id)
        assert r["currentStatus"]["status"] == "Offen" and r["currentStatus"]["statusCategory"] == "NEW"
        assert_user(r["reporter"], "Anna Schmidt", ANNA)
        assert field(r, "summary")["value"] == values["summary"]
        d = field(r, "description")
        assert d["value"] == "Text *mit* Markdown"
        assert d["renderedValue"]["html"] == "<p>Text <em>mit</em> Markdown</p>\n"
        assert r["_expands"] == ["participant", "status", "sla", "requestType", "serviceDesk",
                                 "attachment", "action", "comment"]
        # It is there, by key and by id, as it was answered.
        assert api.get("/request/" + r["issueKey"]) == r
        assert api.get("/request/" + r["issueId"]) == r
        assert api.get("/request/" + r["issueKey"].lower()) == r
    # Carla (another organisation) does not see it.
    assert_error(Api(binary, CARLA).call("GET", "/request/" + r["issueKey"]), 404, "api_err_no_request")


def test_create_with_every_kind_of_field(c, binary):
    api = Api(binary)
    tmp = api.temp("log.txt", b"line 1\nline 2\n")
    values = {
        "summary": "  Alle Feldarten  ",
        "description": "Beschreibung",
        "bundesland": {"value": "Hamburg"},          # by label
        "umgebung": {"id": "test"},                  # by option id
        "browser": "firefox",                        # as a plain string
        "betriebssystem": {"value": "linux"},        # value = the option id
        "zeitpunkt": "2026-03-02T10:29:29.908+0000",
        "fehler_url": "https://example.org/antrag?id=7",
        "fachverfahren": "OZG-Hub",
        "fehlermeldung": "Zeile 1\r\nZeile 2",
        "mandant": [{"id": "3"}],
        "online_dienste": [{"value": "Wohngeld"}, {"id": "8"}],
        "attachment": [tmp],
    }
    r = create(api, 1, values)
    assert field(r, "summary")["value"] == "Alle Feldarten"
    assert field(r, "bundesland")["value"] == {"id": "DE-HH", "value": "Hamburg"}
    assert field(r, "umgebung")["value"] == {"id": "test", "value": "Test"}
    assert field(r, "browser")["value"]["id"] == "firefox"
    assert field(r, "betriebssystem")["value"]["id"] == "linux"
    # 10:29 UTC is 11:29 in Berlin (Anna's zone); minutes are kept.
    assert field(r, "zeitpunkt")["value"] == "2026-03-02T11:29:00.000+0100"
    assert field(r, "fehler_url")["value"] == "https://example.org/antrag?id=7"
    assert field(r, "fehlermeldung")["value"] == "Zeile 1\nZeile 2"
    assert field(r, "mandant")["value"][0]["id"] == "3"
    assert sorted(o["value"] for o in field(r, "online_dienste")["value"])[-1] == "Wohngeld"
    assert len(field(r, "online_dienste")["value"]) == 2
    files = api.get("/request/%s/attachment" % r["issueKey"])
    assert [f["filename"] for f in files["values"]] == ["log.txt"]
    # Checkboxes (type 2) as JSM sends them, and as booleans.
    r2 = create(api, 2, {"summary": "Kästchen", "description": "d", "bundesland": "DE-BE",
                         "kosmetisch": [{"id": "1"}], "funktional": [{"value": "Ja"}],
                         "text": True, "stylesheets": [], "dienstleistungsseite": False})
    boxes = {f["fieldId"]: f["value"] for f in r2["requestFieldValues"]}
    assert boxes["kosmetisch"] == [{"id": "1", "value": "Ja"}]
    assert "funktional" in boxes and "text" in boxes
    assert "stylesheets" not in boxes and "dienstleistungsseite" not in boxes
    # A local time without zone is the user's; a date alone is midnight.
    r3 = create(api, 1, {"summary": "Zeiten", "description": "d", "zeitpunkt": "2026-07-01T08:15"})
    assert field(r3, "zeitpunkt")["value"] == "2026-07-01T08:15:00.000+0200"
    r4 = create(api, 1, {"summary": "Datum", "description": "d", "zeitpunkt": "2026-07-01"})
    assert field(r4, "zeitpunkt")["value"] == "2026-07-01T00:00:00.000+0200"


def test_create_on_behalf_and_with_participants(c, binary):
    anna, ben = Api(binary), Api(binary, BEN)
    ben_id = ben.get("/rest/api/2/myself")["accountId"]
    for who in (BEN, ben_id, int(ben_id)):
        r = create(anna, raiseOnBehalfOf=who)
        assert_user(r["reporter"], "Ben Weber")      # not Anna's to see Ben's address
        assert ben.get("/request/" + r["issueKey"])["reporter"]["emailAddress"] == BEN
        assert anna.get("/request/" + r["issueKey"])["issueKey"] == r["issueKey"]
    r = create(anna, requestParticipants=[BEN, "Ben Weber", ANNA],
               raiseOnBehalfOf=ANNA, isAdfRequest=False, channel="api", form={"answers": {}})
    parts = anna.get("/request/%s/participant" % r["issueKey"])
    assert_page(parts)
    assert [p["displayName"] for p in parts["values"]] == ["Ben Weber"]   # once; Anna reports it
    assert_user(parts["values"][0], "Ben Weber")
    # The agent raises for anyone and sees addresses.
    r = create(Api(binary, AGENT), raiseOnBehalfOf=CARLA, requestParticipants=[])
    assert_user(r["reporter"], "Carla Yilmaz", CARLA)


def test_create_refuses_bad_bodies_and_creates_nothing(c, binary):
    api = Api(binary)
    tmp = api.temp()
    before = newest_key(binary)
    good = {"summary": "Gut", "description": "d"}

    def refused(body, status=400, key=None, raw=None, headers=None):
        r = api.call("POST", "/request", body, raw=raw, headers=headers)
        b = assert_error(r, status, key)
        assert newest_key(binary) == before, body
        return b

    def with_values(**values):
        v = dict(good)
        v.update(values)
        return {"serviceDeskId": "1", "requestTypeId": 1, "requestFieldValues": v}

    refused(None, 400, "api_err_json_syntax", raw=b'{"serviceDeskId": "1",',
            headers={"Content-Type": "application/json"})
    refused(None, 415, "api_err_content_type", raw=b"serviceDeskId=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"})
    refused(None, 400, "api_err_json_duplicate",
            raw=b'{"serviceDeskId": "1", "serviceDeskId": "1"}',
            headers={"Content-Type": "application/json"})
    refused([good], 400, "api_err_body_not_object")
    refused({"requestTypeId": 1, "requestFieldValues": good}, 400, "api_err_missing_field")
    refused({"serviceDeskId": "1", "requestFieldValues": good}, 400, "api_err_missing_field")
    refused({"serviceDeskId": "1", "requestTypeId": 1}, 400, "api_err_missing_field")
    b = refused(dict(with_values(), summary="oben"), 400, "api_err_unknown_field")
    assert b["i18nErrorMessage"]["parameters"] == ["summary"]
    refused(with_values(farbe="blau"), 400, "api_err_unknown_field")
    refused(dict(with_values(), serviceDeskId="7"), 400, "api_err_no_desk")
    refused(dict(with_values(), serviceDeskId=[1]), 400, "api_err_wrong_type")
    refused(dict(with_values(), requestTypeId=99), 400, "api_err_no_request_type")
    refused(dict(with_values(), requestTypeId="Sonstige Frage"), 400, "api_err_wrong_type")
    refused(dict(with_values(), requestTypeId=1.5), 400, "api_err_wrong_type")
    refused(dict(with_values(), requestFieldValues=[]), 400, "api_err_wrong_type")
    refused(with_values(summary=7), 400, "api_err_wrong_type")
    refused(with_values(summary=["a"]), 400, "api_err_wrong_type")
    refused(with_values(bundesland=["DE-HH"]), 400, "api_err_wrong_type")
    refused(with_values(bundesland={"label": "Hamburg"}), 400, "api_err_wrong_type")
    refused(with_values(zeitpunkt=1767225600000), 400, "api_err_wrong_type")
    refused(with_values(attachment=tmp), 400, "api_err_wrong_type")
    refused(with_values(mandant=[[3]]), 400, "api_err_wrong_type")
    refused(dict(with_values(), isAdfRequest="yes"), 400, "api_err_wrong_type")
    refused(dict(with_values(), channel="x" * 65), 400, "api_err_value_too_long")
    refused(dict(with_values(), isAdfRequest=True), 400, "api_err_unsupported")
    refused(dict(with_values(), form={"answers": {"1": {"text": "x"}}}), 400, "api_err_unsupported")
    # What core checks: every problem, named by field id.
    b = refused({"serviceDeskId": "1", "requestTypeId": 2,
                 "requestFieldValues": {"summary": "x" * 256, "bundesland": "DE-XX"}}, 400, "err_too_long")
    assert set(b["errors"]) == {"summary", "description", "bundesland"}, b
    assert len(b["errorMessages"]) == 3 and b["errorMessage"].startswith("Feld „summary“")
    assert b["i18nErrorMessage"]["parameters"] == ["summary"]
    refused(with_values(summary="   "), 400, "err_required")
    refused(with_values(summary="Zeile\nZeile"), 400, "err_invalid_chars")
    refused(with_values(bundesland={"id": "DE-XX"}), 400, "err_invalid_option")
    refused(with_values(zeitpunkt="morgen früh"), 400, "err_invalid_datetime")
    refused(with_values(zeitpunkt="2026-02-30T10:00"), 400, "err_invalid_datetime")
    refused(with_values(zeitpunkt="2026-02-03T10:00+2500"), 400, "err_invalid_datetime")
    refused(with_values(fehler_url="javascript:alert(1)"), 400, "err_invalid_url")
    refused(with_values(mandant=[{"id": "999999"}]), 400, "err_unknown_object")
    refused(with_values(online_dienste=[{"value": "Gibt es nicht"}]), 400, "err_unknown_object")
    refused(with_values(attachment=["temp-gibt-es-nicht"]), 400, "err_upload_expired")
    refused(with_values(attachment=[Api(binary, BEN).temp()]), 400, "err_upload_expired")
    refused(dict(with_values(), raiseOnBehalfOf=CARLA), 400, "err_onbehalf_invalid")
    refused(dict(with_values(), raiseOnBehalfOf="niemand@example.org"), 400, "err_onbehalf_invalid")
    refused(dict(with_values(), raiseOnBehalfOf="999999"), 400, "err_onbehalf_invalid")
    refused(dict(with_values(), raiseOnBehalfOf=True), 400, "api_err_wrong_type")
    refused(dict(with_values(), requestParticipants=BEN), 400, "api_err_wrong_type")
    refused(dict(with_values(), requestParticipants=[BEN] * 51), 400, "api_err_value_too_long")
    b = refused(dict(with_values(), requestParticipants=[BEN, "niemand@example.org"]), 400,
                "err_share_no_account")
    assert list(b["errors"]) == ["requestParticipants"]
    # Limits of the body itself.
    refused(with_values(description="x" * 32001), 400, "err_too_long")
    refused(None, 413, "api_err_body_too_big",
            raw=json.dumps(with_values(description="x" * (3 << 20))).encode(),
            headers={"Content-Type": "application/json"})
    deep = good
    for _ in range(20):
        deep = {"a": deep}
    refused(with_values(description=deep), 400, "api_err_json_depth")
    refused(None, 400, "api_err_json_syntax", raw=b'{"serviceDeskId": "1\x00"}',
            headers={"Content-Type": "application/json"})
    # The upload was not used up by any refusal.
    r = create(api, 1, dict(good, attachment=[tmp]))
    assert newest_key(binary) == r["issueKey"] != before


def test_errors_in_english_for_english_users(c, binary):
    api = Api(binary, CARLA)
    client = Client(srv(binary))
    client.login(CARLA)
    assert client.post_form(PROFILE + "/preferences", [("lang", "en"), ("tz", "UTC")]).status == 303
    try:
        b = api.err("POST", "/request", {"serviceDeskId": 1, "requestTypeId": 4,
                                         "requestFieldValues": {"summary": "x"}})
        assert b["errorMessage"].startswith("Field “description”:"), b
        r = create(api, 4)
        assert r["currentStatus"]["status"] == "Open"
        assert r["createdDate"]["iso8601"].endswith("+0000")
    finally:
        client.login(CARLA)
        assert client.post_form(PROFILE + "/preferences",
                                [("lang", "de"), ("tz", "Europe/Berlin")]).status == 303


# --- listing ---------------------------------------------------------------

def keys_of(page):
    return [r["issueKey"] for r in page["values"]]


def test_list_requests_paging_and_visibility(c, binary):
    anna = Api(binary)
    page = anna.get("/request")
    assert_page(page)
    for r in page["values"]:
        assert_request(r)
    dates = [r["createdDate"]["epochMillis"] for r in page["values"]]
    assert dates == sorted(dates, reverse=True), "newest first"
    everything = anna.get("/request?limit=100")
    assert everything["isLastPage"] is True
    mine = keys_of(everything)
    assert "ZEK-8" in mine                  # Ben's, Anna takes part
    assert "ZEK-3" not in mine              # Carla's
    # Paging: the same rows, a page at a time, links keep the filters.
    p1 = anna.get("/request?limit=3&requestStatus=ALL_REQUESTS")
    assert_page(p1, 0, 3)
    assert keys_of(p1) == mine[:3] and p1["isLastPage"] is False
    assert query(p1["_links"]["next"]) == {"requestStatus": "ALL_REQUESTS", "start": "3", "limit": "3"}
    p2 = anna.get(p1["_links"]["next"][len(p1["_links"]["base"]):])
    assert_page(p2, 3, 3)
    assert keys_of(p2) == mine[3:6]
    last = anna.get("/request?start=%d&limit=5" % (len(mine) - 2))
    assert keys_of(last) == mine[-2:] and last["isLastPage"] is True
    assert anna.get("/request?start=5000")["values"] == []
    # Carla sees only hers; the agent sees everything.
    carla = keys_of(Api(binary, CARLA).get("/request?limit=100"))
    assert "ZEK-3" in carla and not set(carla) & {"ZEK-1", "ZEK-8", "ZEK-2"}
    agent = Api(binary, AGENT).get("/request?limit=100")
    assert {"ZEK-1", "ZEK-2", "ZEK-3"} <= set(keys_of(agent))


def test_list_filters(c, binary):
    anna = Api(binary)
    every = anna.get("/request?limit=100")["values"]
    by_key = {r["issueKey"]: r for r in every}
    open_ = keys_of(anna.get("/request?limit=100&requestStatus=OPEN_REQUESTS"))
    closed = keys_of(anna.get("/request?limit=100&requestStatus=CLOSED_REQUESTS"))
    assert open_ and closed and not set(open_) & set(closed)
    assert all(by_key[k]["currentStatus"]["status"] != "Geschlossen" for k in open_)
    assert all(by_key[k]["currentStatus"]["status"] == "Geschlossen" for k in closed)
    assert sorted(open_ + closed) == sorted(by_key)
    owned = keys_of(anna.get("/request?limit=100&requestOwnership=OWNED_REQUESTS"))
    part = keys_of(anna.get("/request?limit=100&requestOwnership=PARTICIPATED_REQUESTS"))
    # Every one she reported, and those she raised for others (ZEK-26 for
    # Ben in the demo data, and what earlier tests raised on behalf).
    reported = {k for k in by_key if by_key[k]["reporter"]["displayName"] == "Anna Schmidt"}
    assert reported <= set(owned)
    assert "ZEK-26" in owned and by_key["ZEK-26"]["reporter"]["displayName"] == "Ben Weber"
    assert "ZEK-8" in part and not set(owned) & set(part)
    both = anna.get("/request?limit=100&requestOwnership=OWNED_REQUESTS,PARTICIPATED_REQUESTS")
    assert keys_of(both) == [k for k in keys_of({"values": every}) if k in set(owned) | set(part)]
    # jira.js 6 repeats the key instead of joining with commas.
    again = anna.get("/request?limit=100&requestOwnership=OWNED_REQUESTS"
                     "&requestOwnership=PARTICIPATED_REQUESTS")
    assert keys_of(again) == keys_of(both)
    # Paging through the union walks both lists in step.
    first = anna.get("/request?limit=4&requestOwnership=PARTICIPATED_REQUESTS,OWNED_REQUESTS")
    second = anna.get("/request?start=4&limit=4&requestOwnership=PARTICIPATED_REQUESTS,OWNED_REQUESTS")
    assert keys_of(first) + keys_of(second) == keys_of(both)[:8]
    assert keys_of(anna.get("/request?requestOwnership=ALL_REQUESTS&limit=100")) == list(by_key)
    assert anna.get("/request?requestOwnership=APPROVER")["values"] == []
    # Type (needs the desk), desk by id or key, search.
    t2 = keys_of(anna.get("/request?limit=100&serviceDeskId=1&requestTypeId=2"))
    assert t2 and all(by_key[k]["requestTypeId"] == "2" for k in t2)
    assert keys_of(anna.get("/request?limit=100&serviceDeskId=ZEK")) == list(by_key)
    found = anna.get("/request?searchTerm=Wohngeld&limit=100")
    assert found["values"] and query(found["_links"]["self"])["searchTerm"] == "Wohngeld"
    hit = create(anna, 4, {"summary": "Quittungsdrucker zxqv", "description": "d"})
    assert keys_of(anna.get("/request?searchTerm=zxqv")) == [hit["issueKey"]]
    assert keys_of(anna.get("/request?searchTerm=zxqv&requestStatus=CLOSED_REQUESTS")) == []
    assert keys_of(Api(binary, CARLA).get("/request?searchTerm=zxqv")) == []
    # Bad parameters.
    for bad, key in (("requestStatus=OFFEN", "api_err_bad_param"),
                     ("requestStatus=OPEN_REQUESTS,CLOSED_REQUESTS", "api_err_bad_param"),
                     ("requestOwnership=MINE", "api_err_bad_param"),
                     ("requestOwnership=ORGANIZATION", "api_err_bad_param"),
                     ("approvalStatus=SOON", "api_err_bad_param"),
                     ("organizationId=x", "api_err_bad_param"),
                     ("searchTerm=%FF%FE", "api_err_bad_param"),
                     ("limit=0", "api_err_bad_param"),
                     ("requestTypeId=1", "api_err_type_needs_desk")):
        anna.err("GET", "/request?" + bad, key=key)
    anna.err("GET", "/request?serviceDeskId=9", status=404, key="api_err_no_desk")
    anna.err("GET", "/request?serviceDeskId=1&requestTypeId=99", status=404,
             key="api_err_no_request_type")


def test_get_with_expansions(c, binary):
    anna, agent = Api(binary), Api(binary, AGENT)
    r = create(anna, 1, {"summary": "Erweitert", "description": "d", "attachment": [anna.temp("a.txt")]},
               requestParticipants=[BEN])
    key = r["issueKey"]
    anna.ok("POST", "/request/%s/comment" % key, {"body": "Erster *Kommentar*", "public": True},
            status=201)
    agent.ok("POST", "/request/%s/comment" % key, {"body": "Intern", "public": False}, status=201)
    full = anna.get("/request/%s?expand=serviceDesk,requestType,participant,status,sla,"
                    "attachment,action,comment,comment.renderedBody" % key)
    assert full["_expands"] == ["sla"]          # SLA is for agents
    assert full["serviceDesk"]["projectKey"] == "ZEK" and full["serviceDesk"]["id"] == "1"
    assert full["requestType"]["id"] == "1" and full["requestType"]["name"] == "Störungsmeldung"
    assert [p["displayName"] for p in full["participants"]["values"]] == ["Ben Weber"]
    assert [s["status"] for s in full["status"]["values"]] == ["Offen"]
    assert [a["filename"] for a in full["attachments"]["values"]] == ["a.txt"]
    assert full["actions"] == {"addAttachment": {"allowed": True}, "addComment": {"allowed": True},
                               "addParticipant": {"allowed": True},
                               "removeParticipant": {"allowed": True}}
    comments = full["comments"]["values"]
    assert [x["body"] for x in comments] == ["Erster *Kommentar*"]      # no internal note
    assert comments[0]["renderedBody"]["html"] == "<p>Erster <em>Kommentar</em></p>\n"
    for name in ("comments", "participants", "status", "attachments"):
        assert_page(full[name])
    # Repeated expand keys (jira.js 6) work alike; the agent gets an SLA page.
    rep = agent.get("/request/%s?expand=comment&expand=sla" % key)
    assert [x["body"] for x in rep["comments"]["values"]] == ["Erster *Kommentar*", "Intern"]
    assert rep["sla"]["values"] == [] and "comment" not in rep["_expands"]
    assert_user(rep["reporter"], "Anna Schmidt", ANNA)      # agents see addresses
    # Nobody sees what they may not.
    Api(binary, CARLA).err("GET", "/request/" + key, status=404, key="api_err_no_request")
    Api(binary, CARLA).err("GET", "/request/" + r["issueId"], status=404, key="api_err_no_request")
    anna.err("GET", "/request/ZEK-999999", status=404, key="api_err_no_request")
    anna.err("GET", "/request/999999", status=404, key="api_err_no_request")
    anna.err("GET", "/request/%3Cscript%3E", status=404, key="api_err_no_request")
    anna.err("GET", "/request/%s/approval" % key, status=404, key="api_err_no_endpoint")


# --- comments --------------------------------------------------------------

def test_comments(c, binary):
    anna, agent, carla = Api(binary), Api(binary, AGENT), Api(binary, CARLA)
    key = create(anna)["issueKey"]
    assert_page(anna.get("/request/%s/comment" % key))
    c1 = anna.ok("POST", "/request/%s/comment" % key, {"body": "Noch eine **Frage**", "public": True},
                 status=201)
    assert set(c1) >= {"id", "body", "public", "author", "created", "_links", "_expands"}
    assert c1["public"] is True and c1["body"] == "Noch eine **Frage**"
    assert_user(c1["author"], "Anna Schmidt", ANNA)
    assert_date(c1["created"])
    assert c1["_links"]["self"].endswith("/comment/" + c1["id"])
    note = agent.ok("POST", "/request/%s/comment" % key, {"body": "Nur für uns", "public": False},
                    status=201)
    assert note["public"] is False
    reply = agent.ok("POST", "/request/%s/comment" % key, {"body": "Antwort", "public": True},
                     status=201)
    assert_user(reply["author"], "Sam Support", AGENT)
    seen = anna.get("/request/%s/comment/%s" % (key, reply["id"]))
    assert_user(seen["author"], "Sam Support")              # Anna: no address of staff
    # Oldest first; internal notes only for agents; filters and paging.
    assert [x["id"] for x in anna.get("/request/%s/comment" % key)["values"]] == [c1["id"], reply["id"]]
    every = agent.get("/request/%s/comment" % key)["values"]
    assert [x["id"] for x in every] == [c1["id"], note["id"], reply["id"]]
    assert [x["id"] for x in agent.get("/request/%s/comment?internal=false" % key)["values"]] == \
        [c1["id"], reply["id"]]
    assert [x["id"] for x in agent.get("/request/%s/comment?public=false" % key)["values"]] == [note["id"]]
    assert anna.get("/request/%s/comment?public=false" % key)["values"] == []
    page = agent.get("/request/%s/comment?limit=2&start=1" % key)
    assert_page(page, 1, 2)
    assert [x["id"] for x in page["values"]] == [note["id"], reply["id"]]
    one = anna.get("/request/%s/comment/%s?expand=renderedBody,attachment" % (key, c1["id"]))
    assert one["renderedBody"]["html"] == "<p>Noch eine <strong>Frage</strong></p>\n"
    assert one["attachments"]["values"] == [] and one["_expands"] == []
    assert anna.get("/request/%s/comment/%s" % (key, c1["id"]))["_expands"] == ["attachment",
                                                                                 "renderedBody"]
    anna.err("GET", "/request/%s/comment/%s" % (key, note["id"]), status=404, key="api_err_no_comment")
    anna.err("GET", "/request/%s/comment/abc" % key, status=404, key="api_err_no_comment")
    carla.err("GET", "/request/%s/comment" % key, status=404, key="api_err_no_request")
    carla.err("POST", "/request/%s/comment" % key, {"body": "x", "public": True}, status=404)
    # Refusals write nothing.
    anna.err("POST", "/request/%s/comment" % key, {"body": "geheim", "public": False},
             key="api_err_internal_comment")
    anna.err("POST", "/request/%s/comment" % key, {"body": "x"}, key="api_err_missing_field")
    anna.err("POST", "/request/%s/comment" % key, {"public": True}, key="api_err_missing_field")
    anna.err("POST", "/request/%s/comment" % key, {"body": "x", "public": "true"},
             key="api_err_wrong_type")
    anna.err("POST", "/request/%s/comment" % key, {"body": "x", "public": True, "internal": False},
             key="api_err_unknown_field")
    b = anna.err("POST", "/request/%s/comment" % key, {"body": "  ", "public": True}, key="err_required")
    assert list(b["errors"]) == ["body"]
    anna.err("POST", "/request/%s/comment" % key, {"body": "x" * 32001, "public": True},
             key="err_too_long")
    anna.err("GET", "/request/%s/comment?public=vielleicht" % key, key="api_err_bad_param")
    assert len(agent.get("/request/%s/comment" % key)["values"]) == 3


# --- participants ----------------------------------------------------------

def test_participants(c, binary):
    anna, ben, agent = Api(binary), Api(binary, BEN), Api(binary, AGENT)
    ben_id = ben.get("/rest/api/2/myself")["accountId"]
    carla_id = Api(binary, CARLA).get("/rest/api/2/myself")["accountId"]
    key = create(anna)["issueKey"]
    page = anna.ok("POST", "/request/%s/participant" % key, {"usernames": [BEN]})
    assert_page(page)
    assert [p["accountId"] for p in page["values"]] == [ben_id]
    assert page == anna.get("/request/%s/participant" % key)
    assert ben.get("/request/" + key)["issueKey"] == key        # Ben sees it now
    anna.err("POST", "/request/%s/participant" % key, {"accountIds": [ben_id]}, key="err_share_already")
    # Removing by account id (the DC `name` works as well), JSON body on DELETE.
    page = anna.ok("DELETE", "/request/%s/participant" % key, {"accountIds": [ben_id]})
    assert page["values"] == []
    ben.err("GET", "/request/" + key, status=404)
    page = anna.ok("POST", "/request/%s/participant" % key, {"accountIds": [int(ben_id)]})
    assert [p["name"] for p in page["values"]] == [ben_id]
    page = anna.ok("DELETE", "/request/%s/participant" % key, {"usernames": [page["values"][0]["name"]]})
    assert page["values"] == []
    page = anna.ok("POST", "/request/%s/participant" % key, {"usernames": ["Ben Weber"]})
    anna.ok("DELETE", "/request/%s/participant" % key, {"usernames": [BEN]})
    # Refusals change nothing.
    anna.err("POST", "/request/%s/participant" % key, {}, key="api_err_missing_field")
    anna.err("POST", "/request/%s/participant" % key, {"accountIds": []}, key="api_err_missing_field")
    anna.err("POST", "/request/%s/participant" % key, {"accountIds": ben_id}, key="api_err_wrong_type")
    anna.err("POST", "/request/%s/participant" % key, {"accountIds": [True]}, key="api_err_wrong_type")
    anna.err("POST", "/request/%s/participant" % key, {"users": [BEN]}, key="api_err_unknown_field")
    # Carla's id is no one Anna could pick: like an unknown account.
    anna.err("POST", "/request/%s/participant" % key, {"accountIds": [carla_id]},
             key="err_share_no_account")
    anna.err("POST", "/request/%s/participant" % key, {"usernames": [BEN, "niemand@example.org"]},
             key="err_share_no_account")
    anna.err("POST", "/request/%s/participant" % key, {"usernames": [ANNA]}, key="err_share_already")
    assert anna.get("/request/%s/participant" % key)["values"] == []
    anna.err("DELETE", "/request/%s/participant" % key, {"usernames": [BEN]}, key="api_err_not_participant")
    # Anyone who sees it may add; only the reporter or agents remove others;
    # a participant may leave.
    anna.ok("POST", "/request/%s/participant" % key, {"usernames": [BEN]})
    agent.ok("POST", "/request/%s/participant" % key, {"usernames": [CARLA]})
    ben.err("DELETE", "/request/%s/participant" % key, {"usernames": [CARLA]}, status=403,
            key="api_err_forbidden")
    page = ben.ok("DELETE", "/request/%s/participant" % key, {"accountIds": [ben_id]})
    assert [p["displayName"] for p in page["values"]] == ["Carla Yilmaz"]
    agent.ok("DELETE", "/request/%s/participant" % key, {"usernames": [CARLA]})
    Api(binary, CARLA).err("POST", "/request/%s/participant" % key, {"usernames": [BEN]}, status=404)


# --- status, transitions, notifications ------------------------------------

def test_status_history_and_withdraw(c, binary):
    anna, ben, agent = Api(binary), Api(binary, BEN), Api(binary, AGENT)
    key = create(anna, requestParticipants=[BEN])["issueKey"]
    hist = anna.get("/request/%s/status" % key)
    assert_page(hist)
    assert [(s["status"], s["statusCategory"]) for s in hist["values"]] == [("Offen", "NEW")]
    t = anna.get("/request/%s/transition" % key)
    assert_page(t)
    assert t["values"] == [{"id": "11", "name": "Anfrage zurückziehen"}]
    assert ben.get("/request/%s/transition" % key)["values"] == []       # only the reporter
    assert agent.get("/request/%s/transition" % key)["values"] == []
    ben.err("POST", "/request/%s/transition" % key, {"id": "11"}, status=403, key="api_err_forbidden")
    for bad, k in (({}, "api_err_missing_field"), ({"id": "99"}, "api_err_no_transition"),
                   ({"id": ["11"]}, "api_err_no_transition"),
                   ({"id": "11", "comment": "x"}, "api_err_unknown_field"),
                   ({"id": "11", "additionalComment": "x"}, "api_err_wrong_type"),
                   ({"id": "11", "additionalComment": {"text": "x"}}, "api_err_unknown_field"),
                   ({"id": "11", "additionalComment": {"body": 5}}, "api_err_wrong_type"),
                   ({"id": "11", "additionalComment": {"body": "x" * 32001}}, "err_too_long")):
        anna.err("POST", "/request/%s/transition" % key, bad, key=k)
    assert anna.get("/request/" + key)["currentStatus"]["status"] == "Offen"
    anna.ok("POST", "/request/%s/transition" % key,
            {"id": 11, "additionalComment": {"body": "Hat sich erledigt."}}, status=204)
    r = anna.get("/request/%s?expand=comment" % key)
    assert r["currentStatus"]["status"] == "Geschlossen" and r["currentStatus"]["statusCategory"] == "DONE"
    assert [x["body"] for x in r["comments"]["values"]] == ["Hat sich erledigt."]
    hist = anna.get("/request/%s/status" % key)["values"]
    assert [s["status"] for s in hist] == ["Geschlossen", "Offen"]
    assert hist[0]["statusDate"]["epochMillis"] >= hist[1]["statusDate"]["epochMillis"]
    assert r["currentStatus"]["statusDate"] == hist[0]["statusDate"]
    # The same without an expansion (no activity read) and in the list.
    assert anna.get("/request/" + key)["currentStatus"] == r["currentStatus"]
    listed = [x for x in anna.get("/request?requestStatus=CLOSED_REQUESTS")["values"]
              if x["issueKey"] == key]
    assert len(listed) == 1 and listed[0]["currentStatus"] == r["currentStatus"]
    assert anna.get("/request/%s/transition" % key)["values"] == []
    anna.err("POST", "/request/%s/transition" % key, {"id": "withdraw"}, status=409,
             key="api_err_transition_now")
    # Closed: no comments, no participants; notifications may still change.
    anna.err("POST", "/request/%s/comment" % key, {"body": "x", "public": True}, status=409,
             key="api_err_request_closed")
    anna.err("POST", "/request/%s/participant" % key, {"usernames": [BEN]}, status=409,
             key="api_err_request_closed")
    anna.ok("DELETE", "/request/%s/notification" % key, status=204)
    Api(binary, CARLA).err("GET", "/request/%s/status" % key, status=404)
    Api(binary, CARLA).err("POST", "/request/%s/transition" % key, {"id": "11"}, status=404)


def test_accept_and_reject_a_solution(c, binary):
    # Demo data: ZEK-19 (Anna) and ZEK-25 (Carla) wait for the customer
    # with a proposed solution (ZEK-6 waited so long that it closed itself).
    anna, carla = Api(binary), Api(binary, CARLA)
    ids = {t["id"]: t["name"] for t in anna.get("/request/ZEK-19/transition")["values"]}
    assert ids == {"11": "Anfrage zurückziehen", "21": "Lösung annehmen", "31": "Lösung ablehnen"}
    anna.ok("POST", "/request/ZEK-19/transition",
            {"id": "31", "additionalComment": {"body": "Leider nicht behoben."}}, status=204)
    r = anna.get("/request/ZEK-19?expand=comment")
    assert r["currentStatus"]["status"] == "Wartet auf Support"
    assert r["comments"]["values"][-1]["body"] == "Leider nicht behoben."
    assert [t["id"] for t in anna.get("/request/ZEK-19/transition")["values"]] == ["11"]
    anna.err("POST", "/request/ZEK-19/transition", {"id": "21"}, status=409)
    carla.ok("POST", "/request/ZEK-25/transition", {"id": "accept_solution"}, status=204)
    r = carla.get("/request/ZEK-25")
    assert r["currentStatus"]["status"] == "Geschlossen"
    assert carla.get("/rest/api/2/issue/ZEK-25")["fields"]["resolution"]["name"] == "Gelöst"


def test_notifications(c, binary):
    anna, ben = Api(binary), Api(binary, BEN)
    key = create(anna, requestParticipants=[BEN])["issueKey"]
    path = "/request/%s/notification" % key
    assert anna.get(path) == {"subscribed": True}
    assert anna.ok("DELETE", path, status=204) is None
    assert anna.get(path) == {"subscribed": False}
    assert ben.get(path) == {"subscribed": True}          # per user
    # Clients send an empty JSON body, or none, or {} with PUT.
    anna.ok("PUT", path, raw=b"", headers={"Content-Type": "application/json"}, status=204)
    assert anna.get(path) == {"subscribed": True}
    anna.ok("DELETE", path, {}, status=204)
    anna.ok("PUT", path, status=204)
    assert anna.get(path) == {"subscribed": True}
    Api(binary, CARLA).err("GET", path, status=404, key="api_err_no_request")
    Api(binary, CARLA).err("PUT", path, status=404, key="api_err_no_request")


# --- attachments -----------------------------------------------------------

def test_temporary_uploads(c, binary):
    anna = Api(binary)
    for headers in ({"X-Atlassian-Token": "no-check"}, {}, {"X-ExperimentalApi": "opt-in"}):
        r = anna.upload([("bild.png", png()), ("bericht.pdf", PDF)], headers)
        assert r.status == 201, r.text
        got = json.loads(r.text)["temporaryAttachments"]
        assert [t["fileName"] for t in got] == ["bild.png", "bericht.pdf"]
        assert all(len(t["temporaryAttachmentId"]) >= 20 for t in got)
    # All files or none: a refused one keeps the others from being stored.
    b = assert_error(anna.upload([("ok.txt", b"fine\n"), ("seite.html", b"<html><script>x</script></html>")]),
                     400, "err_file_type")
    assert "seite.html" in b["errorMessage"]
    assert_error(anna.upload([("leer.txt", b"")]), 400, "err_file_empty")
    assert_error(anna.upload([("gross.txt", b"x" * (MAX_FILE + 1))]), 400, "err_file_too_big")
    assert_error(anna.upload([("f%d.txt" % i, b"x\n") for i in range(11)]), 413, "api_err_too_many_files")
    assert_error(anna.call("POST", "/servicedesk/1/attachTemporaryFile", {"file": "x"}), 415,
                 "api_err_multipart")
    assert_error(anna.call("POST", "/servicedesk/1/attachTemporaryFile", raw=b"--x\r\nkaputt",
                           headers={"Content-Type": "multipart/form-data; boundary=x"}), 400,
                 "api_err_multipart_bad")
    boundary = "b0undary"
    body = ("--%s\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhi\r\n--%s--\r\n"
            % (boundary, boundary)).encode()
    assert_error(anna.call("POST", "/servicedesk/1/attachTemporaryFile", raw=body,
                           headers={"Content-Type": "multipart/form-data; boundary=" + boundary}),
                 400, "api_err_unknown_field")
    assert_error(anna.call("POST", "/servicedesk/1/attachTemporaryFile", raw=b"--b--\r\n",
                           headers={"Content-Type": "multipart/form-data; boundary=b"}),
                 400, "api_err_missing_field")
    assert_error(anna.call("POST", "/servicedesk/7/attachTemporaryFile", raw=b"",
                           headers={"Content-Type": "multipart/form-data; boundary=b"}),
                 404, "api_err_no_desk")


def test_attach_files_to_a_request(c, binary):
    anna, ben, agent = Api(binary), Api(binary, BEN), Api(binary, AGENT)
    key = create(anna)["issueKey"]
    t1, t2 = anna.temp("a.txt", b"A\n"), anna.temp("b.png", png())
    r = anna.ok("POST", "/request/%s/attachment" % key,
                {"temporaryAttachmentIds": [t1, t2], "public": True,
                 "additionalComment": {"body": "Zwei Dateien"}}, status=201)
    assert r["comment"]["body"] == "Zwei Dateien" and r["comment"]["public"] is True
    assert_page(r["attachments"])
    names = [a["filename"] for a in r["attachments"]["values"]]
    assert names == ["a.txt", "b.png"]
    a = r["attachments"]["values"][0]
    assert set(a) >= {"filename", "author", "created", "size", "mimeType", "_links"}
    assert a["size"] == 2 and a["mimeType"] == "text/plain"
    assert_user(a["author"], "Anna Schmidt", ANNA)
    assert "thumbnail" in r["attachments"]["values"][1]["_links"]
    listed = anna.get("/request/%s/attachment" % key)
    assert [x["filename"] for x in listed["values"]] == names
    # The bytes, to whoever sees the request.
    path = urlsplit(a["_links"]["content"]).path
    got = anna.call("GET", path)
    assert got.status == 200 and got.body == b"A\n"
    assert got.header("Content-Disposition") == \
        "attachment; filename=\"download\"; filename*=UTF-8''a.txt"
    assert got.header("Content-Type") == "text/plain"
    Api(binary, CARLA).err("GET", path, status=404)
    anna.err("GET", "/request/ZEK-1/attachment/%s" % a["id"], status=404, key="api_err_no_attachment")
    # Without a comment the files still come with one naming them.
    r = anna.ok("POST", "/request/%s/attachment" % key,
                {"temporaryAttachmentIds": [anna.temp("log_1.txt")], "public": True}, status=201)
    assert r["comment"]["body"] == "Dateien angehängt: log\\_1\\.txt"
    # Refusals attach nothing.
    t3 = anna.temp("c.txt")
    for body, status, k in (
            ({"temporaryAttachmentIds": [t1], "public": True}, 400, "err_upload_expired"),   # used
            ({"temporaryAttachmentIds": [ben.temp()], "public": True}, 400, "err_upload_expired"),
            ({"temporaryAttachmentIds": [t3]}, 400, "api_err_missing_field"),
            ({"temporaryAttachmentIds": [], "public": True}, 400, "api_err_missing_field"),
            ({"temporaryAttachmentIds": t3, "public": True}, 400, "api_err_wrong_type"),
            ({"temporaryAttachmentIds": [t3], "public": False}, 400, "api_err_internal_comment"),
            ({"temporaryAttachmentIds": [t3], "public": True, "additionalComment": {"body": 1}}, 400,
             "api_err_wrong_type"),
            ({"temporaryAttachmentIds": [t3], "public": True, "file": "x"}, 400, "api_err_unknown_field")):
        anna.err("POST", "/request/%s/attachment" % key, body, status=status, key=k)
    assert len(anna.get("/request/%s/attachment" % key)["values"]) == 3
    # An agent's internal note keeps its files from customers.
    r = agent.ok("POST", "/request/%s/attachment" % key,
                 {"temporaryAttachmentIds": [agent.temp("intern.txt")], "public": False}, status=201)
    hidden = urlsplit(r["attachments"]["values"][0]["_links"]["content"]).path
    assert len(agent.get("/request/%s/attachment" % key)["values"]) == 4
    assert len(anna.get("/request/%s/attachment" % key)["values"]) == 3
    anna.err("GET", hidden, status=404)
    # The unused upload still works.
    anna.ok("POST", "/request/%s/attachment" % key, {"temporaryAttachmentIds": [t3], "public": True},
            status=201)


# --- SLA, the platform's issue ---------------------------------------------

def test_sla_and_issue(c, binary):
    anna, agent = Api(binary), Api(binary, AGENT)
    r = create(anna, 1, {"summary": "Plattform", "description": "Mit *Text*"})
    key = r["issueKey"]
    anna.err("GET", "/request/%s/sla" % key, status=403, key="api_err_sla_agents")
    page = agent.get("/request/%s/sla" % key)
    assert_page(page)
    # Störungsmeldung's goals in the demo: 8 and 40 working hours.
    assert [v["name"] for v in page["values"]] == ["Time to first response", "Time to resolution"], page
    first, resolution = page["values"]
    assert first["completedCycles"] == [] and first["ongoingCycle"]["breached"] is False, first
    assert first["ongoingCycle"]["goalDuration"] == {"millis": 8 * 3600 * 1000, "friendly": "8h"}
    assert resolution["ongoingCycle"]["goalDuration"]["millis"] == 40 * 3600 * 1000
    assert first["ongoingCycle"]["elapsedTime"]["millis"] >= 0
    assert "breachTime" in first["ongoingCycle"] and first["ongoingCycle"]["startTime"]["epochMillis"] > 0
    # A public reply by staff ends the first response's cycle.
    agent.ok("POST", "/request/%s/comment" % key, {"body": "Wir schauen es uns an.", "public": True}, status=201)
    first = agent.get("/request/%s/sla" % key)["values"][0]
    assert "ongoingCycle" not in first and len(first["completedCycles"]) == 1, first
    assert first["completedCycles"][0]["breached"] is False
    Api(binary, CARLA).err("GET", "/request/%s/sla" % key, status=404)
    issue = anna.get("/rest/api/2/issue/" + key)
    assert issue["key"] == key and issue["id"] == r["issueId"]
    assert issue["self"].endswith("/rest/api/2/issue/" + r["issueId"])
    f = issue["fields"]
    assert f["summary"] == "Plattform" and f["description"] == "Mit *Text*"
    assert f["status"]["name"] == "Offen" and f["status"]["statusCategory"]["key"] == "new"
    assert f["resolution"] is None and f["issuetype"]["name"] == "Störungsmeldung"
    assert f["project"]["key"] == "ZEK"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", f["created"])
    assert anna.get("/rest/api/2/issue/" + r["issueId"]) == issue
    Api(binary, CARLA).err("GET", "/rest/api/2/issue/" + key, status=404)
    anna.err("GET", "/rest/api/2/issue/ZEK-999999", status=404)


def test_zz_own_server_stops_cleanly(c, binary):
    server = srv(binary)
    rc, log = server.stop()
    del STATE["server"]
    problems = [line for line in log.splitlines() if "ERROR: AddressSanitizer" in line
                or "runtime error:" in line or "LeakSanitizer" in line]
    assert rc in (0, -15) and not problems, log[-5000:]
