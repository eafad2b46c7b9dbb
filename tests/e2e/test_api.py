"""End-to-end tests of the REST API's foundation and read-only endpoints:
authentication, error body, paging envelope, service desks, request types,
groups and fields, and the platform calls python3-jira makes (issue 6)."""

import base64
import json
import re
from urllib.parse import urlsplit, parse_qs

from zektest import Client

SD = "/rest/servicedeskapi"
PROFILE = "/servicedesk/customer/user/profile"
TOKENS = {}     # e-mail -> token, made once per run on the profile page

TYPES = ["Störungsmeldung", "Anforderung Online-Dienst", "Online-Dienst Inbetriebnahme",
         "Sonstige Frage"]


def token_for(server, email="anna@example.org", password="demo"):
    if email not in TOKENS:
        c = Client(server)
        c.login(email, password)
        page = c.get(PROFILE).text
        expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
        r = c.post_form(PROFILE + "/tokens", [("name", "e2e API"), ("expires", expires)])
        assert r.status == 200, r.status
        TOKENS[email] = re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', r.text).group(1)
    return TOKENS[email]


def call(c, path, token=None, method="GET", body=None, headers=None, email="anna@example.org"):
    """A REST call without cookies; token None = Anna's, "" = no header."""
    h = {"Accept": "application/json"}
    if token is None:
        token = token_for(c.server, email)
    if token:
        h["Authorization"] = "Bearer " + token
    h.update(headers or {})
    c.cookies = {}
    return c.request(method, path, body, h)


def ok(c, path, **kw):
    r = call(c, path, **kw)
    assert r.status == 200, (path, r.status, r.text[:1000])
    assert r.header("Content-Type") == "application/json;charset=UTF-8", r.header("Content-Type")
    return json.loads(r.text)


def assert_error(r, status, key=None):
    assert r.status == status, (r.status, r.text[:500])
    assert r.header("Content-Type").startswith("application/json")
    body = json.loads(r.text)
    assert isinstance(body["errorMessage"], str) and body["errorMessage"]
    assert not body["errorMessage"].startswith("api_err_"), body   # a text, not a key
    assert body["errorMessages"] == [body["errorMessage"]]
    assert set(body["i18nErrorMessage"]) == {"i18nKey", "parameters"}
    assert isinstance(body["i18nErrorMessage"]["parameters"], list)
    if key:
        assert body["i18nErrorMessage"]["i18nKey"] == key, body
    return body


def assert_page(page, start=0, limit=50):
    assert set(page) >= {"_expands", "size", "start", "limit", "isLastPage", "_links", "values"}
    assert page["size"] == len(page["values"])
    assert page["start"] == start and page["limit"] == limit
    links = page["_links"]
    assert links["base"].startswith("http") and links["context"] == ""
    for k in ("self", "next", "prev"):
        if k in links:
            assert links[k].startswith(links["base"] + SD), links[k]
    assert ("next" in links) == (not page["isLastPage"])
    assert ("prev" in links) == (start > 0)


def query(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# --- authentication and errors ---------------------------------------------

def test_every_route_needs_a_token(c):
    for path in (SD + "/info", SD + "/servicedesk", SD + "/servicedesk/1/requesttype",
                 "/rest/api/2/serverInfo", "/rest/api/2/myself", SD + "/nothing/here"):
        r = call(c, path, token="")
        assert_error(r, 401, "api_err_unauthorized")
        assert r.header("WWW-Authenticate") == 'Bearer realm="zek"'
    bad = [("Bearer zek_" + "A" * 43), "Bearer", "Bearer " + token_for(c.server)[4:],
           "Token " + token_for(c.server), "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(),
           "Basic " + base64.b64encode(b"anna@example.org:demo").decode()]
    for value in bad:
        r = call(c, SD + "/info", token="", headers={"Authorization": value})
        assert_error(r, 401, "api_err_token_invalid")
    good = "Basic " + base64.b64encode(("anna@example.org:" + token_for(c.server)).encode()).decode()
    assert call(c, SD + "/info", token="", headers={"Authorization": good}).status == 200
    assert call(c, SD + "/info", token="", headers={"authorization": "bearer " + token_for(c.server)}).status == 200


def test_errors_in_the_callers_language(c, server):
    body = assert_error(call(c, SD + "/servicedesk/77"), 404, "api_err_no_desk")
    assert "Service-Desk" in body["errorMessage"] and body["i18nErrorMessage"]["parameters"] == ["77"]
    # Without a token the browser's language decides.
    body = assert_error(call(c, SD + "/info", token="", headers={"Accept-Language": "en"}), 401)
    assert "personal access token" in body["errorMessage"]


def test_unknown_endpoints_and_no_csrf_for_tokens(c):
    assert_error(call(c, SD + "/nothing"), 404, "api_err_no_endpoint")
    assert_error(call(c, "/rest/api/2/nothing/else"), 404)
    # A token-authenticated POST is not stopped by CSRF (403); it simply
    # has no endpoint here yet.
    r = call(c, SD + "/nothing", method="POST", body=b"{}",
             headers={"Content-Type": "application/json"})
    assert_error(r, 404, "api_err_no_endpoint")
    r = call(c, SD + "/nothing", method="DELETE", body=b"not json",
             headers={"Content-Type": "application/json"})
    assert_error(r, 404)


# --- info, platform --------------------------------------------------------

def test_info_server_info_and_myself(c):
    info = ok(c, SD + "/info")
    assert info["version"] and info["platformVersion"] and info["isLicensedForUse"] is True
    assert set(info["buildDate"]) == {"iso8601", "jira", "friendly", "epochMillis"}
    assert info["_links"]["self"].endswith(SD + "/info")
    si = ok(c, "/rest/api/2/serverInfo")
    assert all(isinstance(n, int) for n in si["versionNumbers"]) and len(si["versionNumbers"]) == 3
    assert si["deploymentType"] in ("Server", "Cloud") and si["baseUrl"].startswith("http")
    me = ok(c, "/rest/api/2/myself")
    assert me["accountId"] == me["key"] and me["accountId"].isdigit()
    assert me["name"] == me["emailAddress"] == "anna@example.org"
    assert me["displayName"] == "Anna Schmidt" and me["active"] is True
    assert me["timeZone"] == "Europe/Berlin"
    assert me["_links"]["self"].startswith("http")
    assert set(me["_links"]["avatarUrls"]) == {"48x48", "24x24", "16x16", "32x32"}
    agent = ok(c, "/rest/api/2/myself", email="support@example.org")
    assert agent["displayName"] == "Sam Support"


def test_date_objects(c):
    d = ok(c, SD + "/info")["buildDate"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", d["iso8601"]), d
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}", d["jira"]), d
    assert d["jira"][:19] == d["iso8601"][:19] and d["jira"][-5:] == d["iso8601"][-5:]
    assert isinstance(d["epochMillis"], int)
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}, \d\d:\d\d", d["friendly"]), d   # German user


# --- service desks ---------------------------------------------------------

def test_service_desks_and_paging(c):
    page = ok(c, SD + "/servicedesk")
    assert_page(page)
    assert page["isLastPage"] is True and page["size"] == 1
    desk = page["values"][0]
    assert desk["id"] == "1" and desk["projectKey"] == "ZEK" and desk["projectId"] == "1"
    assert desk["projectName"] == "Zentraler Eingangskanal für digitalisierte Verwaltungsleistungen"
    assert desk["_links"]["self"].endswith(SD + "/servicedesk/1")
    assert desk["_links"]["portal"].endswith("/servicedesk/customer/portal/17")
    assert page["_links"]["self"].endswith(SD + "/servicedesk")
    assert ok(c, SD + "/servicedesk/1") == desk
    assert ok(c, SD + "/servicedesk/ZEK") == desk      # the project key works too
    empty = ok(c, SD + "/servicedesk?start=5&limit=2")
    assert_page(empty, 5, 2)
    assert empty["values"] == [] and empty["isLastPage"] is True
    assert query(empty["_links"]["prev"]) == {"start": "3", "limit": "2"}
    assert ok(c, SD + "/servicedesk?limit=1000")["limit"] == 100
    for bad in ("start=-1", "start=x", "limit=0", "limit=-5", "limit=1.5", "start=99999999999999999999"):
        assert_error(call(c, SD + "/servicedesk?" + bad), 400, "api_err_bad_param")
    for missing in ("/servicedesk/2", "/servicedesk/0", "/servicedesk/abc", "/servicedesk/2/requesttype",
                    "/servicedesk/9/requesttypegroup", "/servicedesk/9/requesttype/1/field"):
        assert_error(call(c, SD + missing), 404, "api_err_no_desk")


def test_request_type_groups(c):
    page = ok(c, SD + "/servicedesk/1/requesttypegroup")
    assert_page(page)
    assert [(g["id"], g["name"]) for g in page["values"]] == [("1", "Online-Dienste"), ("2", "ODIS")]
    one = ok(c, SD + "/servicedesk/1/requesttypegroup?limit=1")
    assert_page(one, 0, 1)
    assert one["values"] == page["values"][:1] and one["isLastPage"] is False


def test_request_types(c):
    page = ok(c, SD + "/servicedesk/1/requesttype")
    assert_page(page)
    assert [t["name"] for t in page["values"]] == TYPES
    t = page["values"][0]
    assert t["id"] == "1" and t["serviceDeskId"] == "1" and t["portalId"] == "17"
    assert t["groupIds"] == ["1"] and t["restrictionStatus"] == "OPEN"
    assert t["description"] == "Sie möchten eine Störung bei einem Online-Dienst melden?"
    assert t["_links"]["self"].endswith(SD + "/servicedesk/1/requesttype/1")
    assert t["icon"]["_links"]["iconUrls"]["48x48"].endswith(".svg")
    assert t["_expands"] == ["field"] and "fields" not in t
    assert ok(c, SD + "/servicedesk/1/requesttype/1") == t
    # Paging with the filters kept in the links.
    p1 = ok(c, SD + "/servicedesk/1/requesttype?groupId=1&limit=3")
    assert_page(p1, 0, 3)
    assert [x["name"] for x in p1["values"]] == TYPES[:3]
    assert query(p1["_links"]["next"]) == {"groupId": "1", "start": "3", "limit": "3"}
    p2 = ok(c, p1["_links"]["next"][len(p1["_links"]["base"]):])
    assert_page(p2, 3, 3)
    assert [x["name"] for x in p2["values"]] == TYPES[3:] and p2["isLastPage"] is True
    assert ok(c, SD + "/servicedesk/1/requesttype?groupId=2")["values"] == []
    found = ok(c, SD + "/servicedesk/1/requesttype?searchQuery=ST%C3%96RUNG")["values"]
    assert [x["name"] for x in found] == ["Störungsmeldung"]
    found = ok(c, SD + "/servicedesk/1/requesttype?searchQuery=online-dienst")["values"]
    assert [x["name"] for x in found] == TYPES[1:3]
    assert_error(call(c, SD + "/servicedesk/1/requesttype?groupId=eins"), 400, "api_err_bad_param")
    with_fields = ok(c, SD + "/servicedesk/1/requesttype?expand=field&limit=1")["values"][0]
    assert with_fields["fields"]["requestTypeFields"][0]["fieldId"] == "summary"
    assert with_fields["_expands"] == []
    assert "fields" in ok(c, SD + "/servicedesk/1/requesttype/4?expand=field")
    for missing in ("/servicedesk/1/requesttype/99", "/servicedesk/1/requesttype/x",
                    "/servicedesk/1/requesttype/99/field"):
        assert_error(call(c, SD + missing), 404, "api_err_no_request_type")


def test_request_types_in_english(c, server):
    c.login("carla@example.org")
    prefs = PROFILE + "/preferences"
    assert c.post_form(prefs, [("lang", "en"), ("tz", "Europe/Berlin")]).status == 303
    try:
        names = [t["name"] for t in ok(c, SD + "/servicedesk/1/requesttype",
                                       email="carla@example.org")["values"]]
        assert names != TYPES and len(names) == 4, names
        body = assert_error(call(c, SD + "/servicedesk/8", email="carla@example.org"), 404)
        assert "service desk" in body["errorMessage"]
        friendly = ok(c, SD + "/info", email="carla@example.org")["buildDate"]["friendly"]
        assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", friendly), friendly
    finally:
        c.login("carla@example.org")
        assert c.post_form(prefs, [("lang", "de"), ("tz", "Europe/Berlin")]).status == 303


# --- fields ----------------------------------------------------------------

def fields_of(c, type_id):
    meta = ok(c, SD + "/servicedesk/1/requesttype/%d/field" % type_id)
    assert meta["canAddRequestParticipants"] is True
    return meta, {f["fieldId"]: f for f in meta["requestTypeFields"]}


def test_fields_of_every_type(c):
    expected_required = {
        1: {"summary", "description"},
        2: {"summary", "description", "bundesland"},
        3: {"summary", "description"},
        4: {"summary", "description"},
    }
    for type_id, required in expected_required.items():
        meta, fields = fields_of(c, type_id)
        for f in meta["requestTypeFields"]:
            assert set(f) >= {"fieldId", "name", "description", "required", "defaultValues",
                              "validValues", "presetValues", "jiraSchema", "visible"}, f
            assert isinstance(f["jiraSchema"]["type"], str) and f["jiraSchema"]["type"]
            assert not f["name"].endswith("(optional)")
        assert {k for k, f in fields.items() if f["required"]} == required, type_id
        assert fields["summary"]["jiraSchema"] == {"type": "string", "system": "summary"}
        assert fields["description"]["jiraSchema"] == {"type": "string", "system": "description"}
        assert fields["mandant"]["jiraSchema"]["type"] == "array"
        assert fields["mandant"]["validValues"], "objects of the catalogue"
    meta, f1 = fields_of(c, 1)
    assert meta["canRaiseOnBehalfOf"] is True          # Anna's organisation has Ben
    assert [f["fieldId"] for f in meta["requestTypeFields"]][:4] == ["summary", "description",
                                                                      "attachment", "mandant"]
    assert f1["summary"]["name"] == "Titel" and f1["summary"]["description"] == "Zusammenfassung des Fehlers"
    assert f1["attachment"]["jiraSchema"] == {"type": "array", "items": "attachment", "system": "attachment"}
    laender = f1["bundesland"]["validValues"]
    assert len(laender) == 16 and all(set(v) == {"value", "label", "children"} for v in laender)
    assert "Hamburg" in [v["label"] for v in laender]
    assert f1["bundesland"]["jiraSchema"]["type"] == "option"
    assert [v["label"] for v in f1["umgebung"]["validValues"]] == ["Produktion", "Abnahme", "Test",
                                                                    "Entwicklung"]
    assert f1["zeitpunkt"]["jiraSchema"]["type"] == "datetime"
    assert any(v["label"] == "Wohngeld" for v in f1["online_dienste"]["validValues"])
    _, f2 = fields_of(c, 2)
    assert f2["kosmetisch"]["validValues"] == [{"value": "1", "label": "Ja", "children": []}]
    assert f2["kosmetisch"]["jiraSchema"]["items"] == "option"
    # Carla's organisation has nobody else to raise requests for.
    carla = ok(c, SD + "/servicedesk/1/requesttype/1/field", email="carla@example.org")
    assert carla["canRaiseOnBehalfOf"] is False


def test_tokens_of_agents_work_alike(c):
    page = ok(c, SD + "/servicedesk", email="support@example.org")
    assert page["values"][0]["projectKey"] == "ZEK"
    meta = ok(c, SD + "/servicedesk/1/requesttype/1/field", email="support@example.org")
    assert meta["canRaiseOnBehalfOf"] is True


def test_internal_notes_do_not_move_what_customers_see(c):
    """An internal note (or an assignment) changes nothing a customer can
    read: not fields.updated of /rest/api/2/issue, not the request or the
    list of the service desk API, not the request page or the list; for
    agents fields.updated moves (issue 13)."""
    import time
    anna = Client(c.server)
    anna.login("anna@example.org")
    r = anna.post_multipart("/servicedesk/customer/portal/17/create/4",
                            [("summary", "Wann war das?"), ("description", "d"), ("share", "private")])
    assert r.status == 303, r.status
    page = r.header("Location")
    key = page.rsplit("/", 1)[1]
    agent = Client(c.server)
    agent.login("support@example.org")

    def customer_view():
        out = {p: ok(c, p) for p in ("/rest/api/2/issue/" + key,
                                     SD + "/request/" + key + "?expand=status,participant,action",
                                     SD + "/request/" + key + "/status",
                                     SD + "/request?requestOwnership=OWNED_REQUESTS")}
        for p in (page, "/servicedesk/customer/user/requests"):
            out[p] = re.sub(r'name="csrf" value="[^"]+"', "", anna.get(p).text)
        return out

    def agent_updated():
        return ok(c, "/rest/api/2/issue/" + key, email="support@example.org")["fields"]["updated"]

    before, agent_before = customer_view(), agent_updated()
    time.sleep(1.1)                 # the times shown have seconds
    r = agent.post_multipart("/servicedesk/agent/requests/%s/comment" % key,
                             [("visibility", "internal"), ("comment", "Nur intern")])
    assert r.status == 303, r.status
    time.sleep(1.1)
    r = agent.post_form("/servicedesk/agent/requests/%s/assign" % key, [("assignee", "me")])
    assert r.status == 303, r.status
    after = customer_view()
    for p in before:
        assert before[p] == after[p], "a customer sees the internal note in %s" % p
    assert agent_updated() > agent_before
    # A public answer moves it for the customer too.
    time.sleep(1.1)
    r = agent.post_multipart("/servicedesk/agent/requests/%s/comment" % key,
                             [("visibility", "public"), ("comment", "Antwort")])
    assert r.status == 303, r.status
    assert customer_view()["/rest/api/2/issue/" + key]["fields"]["updated"] > \
        before["/rest/api/2/issue/" + key]["fields"]["updated"]
