#!/usr/bin/python3
"""zek's REST API driven by Debian's python3-jira (3.4.x) with its default
constructor, against a `zek serve` of its own.

usage: /usr/bin/python3 tests/clients/python_jira.py PATH/TO/zek
The library's own methods are used where it has them (server info,
service desks, request types, creating a customer request and reading it
back as an issue); for the service desk calls it has no method for
(listing, comments, participants, transitions, notifications) the test uses
the library's authenticated session (`JIRA._session`), which also turns
error answers into JIRAError. Prints 'N passed, N failed' last.
ZEK_E2E_BACKEND=pg (with ZEK_TEST_PG) serves a fresh PostgreSQL database
(zektest.Server makes and drops it); without ZEK_TEST_PG that skips (77)."""

import json
import re
import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from jira import JIRA, JIRAError  # noqa: E402
import zektest  # noqa: E402
from zektest import Client, Server, free_port  # noqa: E402

PROFILE = "/servicedesk/customer/user/profile"
SD = "/rest/servicedeskapi"
RESULTS = {"passed": 0, "failed": 0}


def check(name, fn):
    try:
        fn()
        RESULTS["passed"] += 1
        print("ok   " + name, flush=True)
    except Exception:
        RESULTS["failed"] += 1
        print("FAIL " + name, flush=True)
        traceback.print_exc()


def token_from_profile(server, email):
    """Signs in and creates a token on the profile page, as a person does."""
    import re
    c = Client(server)
    c.login(email)
    page = c.get(PROFILE).text
    expires = re.search(r'id="t-expires"[^>]*value="([^"]*)"', page).group(1)
    r = c.post_form(PROFILE + "/tokens", [("name", "python3-jira"), ("expires", expires)])
    assert r.status == 200, r.status
    return re.search(r'id="t-new"[^>]*value="(zek_[^"]+)"', r.text).group(1)


class Desk:
    """The service desk calls python3-jira has no method for, through its
    session (auth, headers, JIRAError on failure)."""

    def __init__(self, jira):
        self.jira = jira
        self.base = jira.server_url + SD

    def get(self, path, **params):
        return json.loads(self.jira._session.get(self.base + path, params=params).text)

    def post(self, path, body):
        r = self.jira._session.post(self.base + path, data=json.dumps(body))
        return json.loads(r.text) if r.text else None

    def put(self, path):
        return self.jira._session.put(self.base + path)

    def delete(self, path, body=None):
        r = self.jira._session.delete(self.base + path,
                                      data=json.dumps(body) if body is not None else None)
        return json.loads(r.text) if r.text else None


def run(binary):
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    server = Server(binary, port=port, extra_env={"ZEK_BASE_URL": base})
    try:
        carla_token = token_from_profile(server, "carla@example.org")
        anna_token = token_from_profile(server, "anna@example.org")
        # The default constructor: it reads /rest/api/2/serverInfo.
        jira = JIRA(server=base, token_auth=carla_token)
        anna = JIRA(server=base, basic_auth=("anna@example.org", anna_token))
        desk = Desk(jira)
        created = []

        def constructor_and_service_desks():
            assert jira._version[:2] == (9, 12), jira._version
            assert jira.server_info()["deploymentType"] == "Server"
            assert jira.supports_service_desk() is True
            desks = jira.service_desks()
            assert [d.projectKey for d in desks] == ["ZEK"]
            assert jira.service_desk("1").projectName.startswith("Zentraler Eingangskanal")
            assert anna.myself()["emailAddress"] == "anna@example.org"
        check("constructor, server info and service desks", constructor_and_service_desks)

        def create_every_type():
            sd = jira.service_desk("1")
            types = jira.request_types(sd)
            assert len(types) == 4
            for t in types:
                fields = {"summary": "python3-jira: " + t.name, "description": "Über *python3-jira*."}
                if t.id == "2":
                    fields["bundesland"] = {"id": "DE-HH"}
                # An int id goes through as it is; a str is a request type name.
                type_ref = int(t.id) if t.id != "4" else t.name
                issue = jira.create_customer_request({"serviceDeskId": "1", "requestTypeId": type_ref,
                                                      "requestFieldValues": fields})
                # prefetch: read back with /rest/api/2/issue/{key}.
                assert issue.key.startswith("ZEK-"), issue.key
                assert issue.fields.summary == fields["summary"]
                assert issue.fields.status.name == "Offen"
                assert issue.fields.issuetype.name == t.name
                created.append(issue.key)
            assert jira.request_type_by_name(sd, "Sonstige Frage").id == "4"
        check("create a request of every type", create_every_type)

        def refused_request():
            try:
                jira.create_customer_request({"serviceDeskId": "1", "requestTypeId": 4,
                                              "requestFieldValues": {"summary": "ohne Beschreibung",
                                                                     "farbe": "blau"}})
            except JIRAError as e:
                assert e.status_code == 400, e.status_code
                assert "farbe" in e.text, e.text      # errorMessages reach the library
                return
            raise AssertionError("no JIRAError")
        check("a refused request raises JIRAError with the reason", refused_request)

        def list_and_read():
            page = desk.get("/request", requestOwnership="OWNED_REQUESTS", limit=2)
            assert page["size"] == 2 and page["isLastPage"] is False
            every = desk.get("/request", limit=100)
            keys = [r["issueKey"] for r in every["values"]]
            assert set(created) <= set(keys)
            assert "ZEK-1" not in keys                # Anna's
            one = desk.get("/request/" + created[0], expand="status,participant")
            assert one["currentStatus"]["status"] == "Offen"
            assert one["status"]["values"][0]["statusCategory"] == "NEW"
            issue = jira.issue(created[0])
            assert issue.fields.reporter.displayName == "Carla Yilmaz"
            try:
                jira.issue("ZEK-1")
            except JIRAError as e:
                assert e.status_code == 404
            else:
                raise AssertionError("Carla must not see ZEK-1")
        check("list and read requests", list_and_read)

        def comment():
            c = desk.post("/request/%s/comment" % created[1], {"body": "Ein Kommentar", "public": True})
            assert c["public"] is True and c["author"]["displayName"] == "Carla Yilmaz"
            listed = desk.get("/request/%s/comment" % created[1])
            assert [x["body"] for x in listed["values"]] == ["Ein Kommentar"]
            assert desk.get("/request/%s/comment/%s" % (created[1], c["id"]))["id"] == c["id"]
        check("comment", comment)

        def participants():
            key = created[2]
            # Carla's organisation has nobody else: she shares with Anna by e-mail.
            page = desk.post("/request/%s/participant" % key, {"usernames": ["anna@example.org"]})
            assert [p["displayName"] for p in page["values"]] == ["Anna Schmidt"]
            assert json.loads(anna._session.get(base + SD + "/request/" + key).text)["issueKey"] == key
            page = desk.delete("/request/%s/participant" % key, {"usernames": ["anna@example.org"]})
            assert page["values"] == []
            try:
                anna.issue(key)
            except JIRAError as e:
                assert e.status_code == 404
            else:
                raise AssertionError("Anna still sees it")
        check("add and remove a participant", participants)

        def transitions():
            t = desk.get("/request/%s/transition" % created[3])
            assert [x["name"] for x in t["values"]] == ["Anfrage zurückziehen"]
            desk.post("/request/%s/transition" % created[3], {"id": t["values"][0]["id"]})
            assert jira.issue(created[3]).fields.status.name == "Geschlossen"
            assert jira.issue(created[3]).fields.resolution.name == "Zurückgezogen"
            # ZEK-25 (demo data): Carla rejects the proposed solution.
            offered = {x["name"]: x["id"] for x in desk.get("/request/ZEK-25/transition")["values"]}
            desk.post("/request/ZEK-25/transition", {"id": offered["Lösung ablehnen"],
                                                     "additionalComment": {"body": "Geht noch nicht."}})
            assert jira.issue("ZEK-25").fields.status.name == "Wartet auf Support"
        check("transitions: withdraw, reject a solution", transitions)

        def notifications():
            path = "/request/%s/notification" % created[0]
            assert desk.get(path) == {"subscribed": True}
            desk.delete(path)
            assert desk.get(path) == {"subscribed": False}
            desk.put(path)
            assert desk.get(path) == {"subscribed": True}
        check("toggle notifications", notifications)

        def customers_by_staff():
            staff = JIRA(server=base, token_auth=token_from_profile(server, "support@example.org"))
            c = staff.create_customer("py.kunde@example.org", "Py Kunde")
            assert c.emailAddress == "py.kunde@example.org" and c.displayName == "Py Kunde"
            try:
                staff.create_customer("py.kunde@example.org", "Py Kunde")
                raise AssertionError("an existing address was accepted")
            except JIRAError as e:
                assert e.status_code == 400 and "schon ein Konto" in e.text, e.text
            try:
                jira.create_customer("nein@example.org", "Nein")     # a customer
                raise AssertionError("a customer created a customer")
            except JIRAError as e:
                assert e.status_code == 403, e.status_code
        check("staff create a customer (invitation), customers may not", customers_by_staff)

        def a_field_an_admin_adds():
            # The admin adds a required select in the browser's form ...
            admin = Client(server)
            admin.login("admin@example.org")
            page = admin.get("/servicedesk/admin/types/4").text
            version = re.search(r'name="version" value="(\d+)"', page).group(1)
            r = admin.post_form("/servicedesk/admin/types/4/fields", [
                ("version", version), ("kind", "select"), ("label_de", "Dringlichkeit"),
                ("label_en", "Urgency"), ("options", "Hoch | High\nNiedrig | Low"), ("required", "on")])
            assert r.status == 303, (r.status, r.text[:500])
            # ... and the library sees it at once and can fill it.
            meta = desk.get("/servicedesk/1/requesttype/4/field")["requestTypeFields"]
            urgency = [f for f in meta if f["fieldId"] == "dringlichkeit"]
            assert urgency and urgency[0]["required"], meta
            assert [v["value"] for v in urgency[0]["validValues"]] == ["hoch", "niedrig"]
            issue = jira.create_customer_request({"serviceDeskId": "1", "requestTypeId": 4,
                                                  "requestFieldValues": {"summary": "python3-jira: dringend",
                                                                         "description": "x",
                                                                         "dringlichkeit": {"id": "hoch"}}})
            values = desk.get("/request/" + issue.key)["requestFieldValues"]
            got = [f for f in values if f["fieldId"] == "dringlichkeit"]
            assert got and "Hoch" in json.dumps(got, ensure_ascii=False), values
            try:
                jira.create_customer_request({"serviceDeskId": "1", "requestTypeId": 4,
                                              "requestFieldValues": {"summary": "ohne", "description": "x"}})
                raise AssertionError("a request without the required field was created")
            except JIRAError as e:
                assert e.status_code == 400 and "dringlichkeit" in e.text, e.text
        check("a field an admin adds is seen and filled", a_field_an_admin_adds)
    finally:
        rc, log = server.stop()
    problems = [line for line in log.splitlines() if "ERROR: AddressSanitizer" in line
                or "runtime error:" in line or "LeakSanitizer" in line]

    def stopped_cleanly():
        assert rc in (0, -15) and not problems, log[-5000:]
    check("server stopped cleanly", stopped_cleanly)


def main():
    if zektest.BACKEND == "pg" and not os.environ.get("ZEK_TEST_PG"):
        print("skip: ZEK_E2E_BACKEND=pg needs ZEK_TEST_PG, the libpq URL of a throw-away cluster")
        return 77
    print("backend: " + zektest.BACKEND, flush=True)
    try:
        run(sys.argv[1])
    except Exception:
        RESULTS["failed"] += 1
        print("FAIL setup", flush=True)
        traceback.print_exc()
    print("%d passed, %d failed" % (RESULTS["passed"], RESULTS["failed"]))
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
