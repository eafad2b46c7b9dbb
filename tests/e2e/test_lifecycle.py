"""End-to-end tests of the whole request workflow (issue 4) with the demo
accounts: the story from creation to an accepted solution, the customer's
answers to a proposed solution, internal notes that leak nowhere (pages,
downloads, REST API, e-mail), and the auto-close job with a fake clock."""

import atexit
import datetime
import re
import subprocess
import time
import zoneinfo

import zektest
from zektest import (Client, Server, assert_html_ok, assert_in, created_key, db_rows, type_links,
                     unescape, PORTAL)

AGENT_REQ = "/servicedesk/agent/requests/"
DAY_MS = 86400 * 1000
SOLUTION_SENTENCE = "Der Anfragestatus wurde zu Wartet auf Kunden mit Lösung Gelöst geändert."
SANITIZER = ("AddressSanitizer", "runtime error:", "LeakSanitizer")


# --- helpers ---------------------------------------------------------------

def signed_in(server, email):
    c = Client(server)
    c.login(email)
    return c


def new_request(c, title, text="Bitte um Auskunft."):
    url = type_links(c)["Sonstige Frage"]
    r = c.post_multipart(url, [("summary", title), ("description", text), ("share", "private")])
    return created_key(r)


def token_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def agent_post(c, key, action, fields=(), files=None, status=303):
    url = AGENT_REQ + key
    fields = list(fields) + [("csrf", token_of(c.get(url).text))]
    if files is not None:
        r = c.post_multipart(url + "/" + action, fields, files, csrf=False)
    else:
        r = c.post_form(url + "/" + action, fields, csrf=False)
    assert r.status == status, (action, r.status, r.text[:1500])
    return r


def customer_post(c, key, tail, fields=(), status=303):
    url = PORTAL + "/" + key
    fields = list(fields) + [("csrf", token_of(c.get(url).text))]
    r = c.post_form(url + "/" + tail, fields, csrf=False)
    assert r.status == status, (tail, r.status, r.text[:1500])
    return r


def page_of(c, path, what, status=200):
    r = c.get(path)
    assert r.status == status, (path, r.status, r.text[:800])
    assert_html_ok(r.text, what)
    return r.text


def activity(page):
    m = re.search(r'<section class="panel activity".*?</section>', page, re.S)
    assert m, "no activity section"
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", m.group(0))))
    return re.sub(r" ([.,:;])", r"\1", text)


def lozenge(page):
    return unescape(re.search(r'<span class="lozenge lozenge--[a-z_]+">([^<]+)</span>', page).group(1))


def db_row(db, sql, *args):
    rows = db_rows(db, sql, args)
    return rows[0] if rows else None


def state(server, key):
    return db_row(server.db, "SELECT status, resolution FROM requests WHERE issue_key = ?", key)


def zek(binary, *args, env=None, check=True):
    r = subprocess.run([binary] + list(args), capture_output=True, env=env, timeout=120)
    err = r.stderr.decode("utf-8", "replace")
    assert not any(s in err for s in SANITIZER), err
    if check:
        assert r.returncode == 0, (args, r.stdout, err)
    return r


# --- the whole story --------------------------------------------------------

def test_full_lifecycle_with_the_demo_accounts(c, server):
    anna = signed_in(server, "anna@example.org")
    agent = signed_in(server, "support@example.org")
    key = new_request(anna, "Lebenszyklus: Frage zur Gebühr", "Was kostet die Auskunft?")
    assert state(server, key) == ("offen", "")
    # The agent finds it among the unassigned and takes it.
    assert key in page_of(agent, "/servicedesk/agent/queues/unassigned?sort=newest", "queue")
    agent_post(agent, key, "assign", [("assignee", "me")])
    agent_post(agent, key, "status", [("action", "start")])
    assert state(server, key) == ("in_bearbeitung", "")
    assert key in page_of(agent, "/servicedesk/agent/queues/mine?sort=newest", "my queue")
    # A question: public comment and Wartet auf Kunden in one step.
    agent_post(agent, key, "status", [("action", "ask_customer"),
                                      ("status_comment", "Welche **Gebühr** meinen Sie?")])
    assert state(server, key) == ("wartet_kunde", "")
    page = page_of(anna, PORTAL + "/" + key, "Anna's page with a question")
    assert lozenge(page) == "Wartet auf Kunden"
    act = activity(page)
    assert "Welche Gebühr meinen Sie?" in act and "Sam Support" in act
    assert "Der Anfragestatus wurde zu Wartet auf Kunden geändert." in act
    assert "Lösung annehmen" not in page          # a question, not a solution
    # Anna answers: back to support, by itself.
    customer_post(anna, key, "comment", [("comment", "Die Gebühr für die Melderegisterauskunft.")])
    assert state(server, key) == ("wartet_support", "")
    page = page_of(anna, PORTAL + "/" + key, "Anna's page after her answer")
    assert lozenge(page) == "Wartet auf Support"
    assert activity(page).index("Der Anfragestatus wurde zu Wartet auf Support geändert.") < \
        activity(page).index("Die Gebühr für die Melderegisterauskunft.")
    # A proposed solution.
    agent_post(agent, key, "status", [("action", "propose_solution"),
                                      ("status_comment", "Die Gebühr beträgt 10 Euro.")])
    assert state(server, key) == ("wartet_kunde", "geloest")
    page = page_of(anna, PORTAL + "/" + key, "Anna's page with a solution")
    assert_in(SOLUTION_SENTENCE, activity(page))
    assert_in("Die Gebühr beträgt 10 Euro.", activity(page))
    accept = re.search(r'<a class="button button--primary" href="([^"]+)">Lösung annehmen</a>', page)
    reject = re.search(r'<a class="button button--secondary" href="([^"]+)">Lösung ablehnen</a>', page)
    assert accept and reject
    assert accept.group(1) == PORTAL + "/" + key + "/solution/accept"
    # The panel quotes the proposal itself, not "siehe Aktivität".
    panel = re.search(r'<section class="panel solution".*?</section>', page, re.S).group(0)
    assert_in("Der Support hat diese Lösung vorgeschlagen.", panel)
    assert_in("Die Gebühr beträgt 10 Euro.", panel)
    assert_in("Sam Support", panel)
    assert "siehe Aktivität" not in panel, panel
    # The panel names the day it closes by itself: 14 days after the
    # proposal, in Anna's zone (issue 19, point 4).
    proposed = zektest.db_one(server.db, "SELECT max(a.created_at) FROM activity a JOIN "
                              "requests r ON r.id = a.request_id WHERE r.issue_key = ? "
                              "AND a.kind = 'status_changed'", (key,))
    closes = datetime.datetime.fromtimestamp(proposed / 1000 + 14 * 86400,
                                             zoneinfo.ZoneInfo("Europe/Berlin"))
    assert_in("Ohne Antwort wird die Anfrage am %s automatisch geschlossen (14 Tage nach dem "
              "Lösungsvorschlag)." % closes.strftime("%d.%m.%Y, %H:%M"), page)
    # Anna rejects, with a reason, after the confirmation step.
    confirm = page_of(anna, reject.group(1), "reject confirmation")
    for text in ("Lösung ablehnen", "Optionaler Kommentar", "Abbrechen",
                 "Geben Sie zusätzliche Informationen bitte als Kommentar ein."):
        assert_in(text, confirm)
    assert re.search(r'<form class="form" method="post" action="%s"' % re.escape(reject.group(1)), confirm)
    assert re.search(r'<textarea[^>]*id="f-comment"[^>]*name="comment"', confirm)
    assert 'href="%s/%s"' % (PORTAL, key) in confirm    # "Abbrechen" goes back
    r = customer_post(anna, key, "solution/reject", [("comment", "Das stimmt nicht, es sind 12 Euro.")])
    assert r.header("Location") == PORTAL + "/" + key + "#activity"
    assert state(server, key) == ("wartet_support", "")          # resolution cleared
    page = page_of(anna, PORTAL + "/" + key, "Anna's page after rejecting")
    assert lozenge(page) == "Wartet auf Support" and "Lösung: Gelöst" not in unescape(page)
    assert "Lösung annehmen" not in page
    assert_in("Das stimmt nicht, es sind 12 Euro.", activity(page))
    # The agent reads the reason and proposes again, straight away.
    view = page_of(agent, AGENT_REQ + key, "agent view after the rejection")
    assert_in("Das stimmt nicht, es sind 12 Euro.", activity(view))
    agent_post(agent, key, "status", [("action", "propose_solution"),
                                      ("status_comment", "Richtig, es sind 12 Euro.")])
    assert state(server, key) == ("wartet_kunde", "geloest")
    # Anna accepts, with a comment the agents can read.
    page_of(anna, PORTAL + "/" + key + "/solution/accept", "accept confirmation")
    customer_post(anna, key, "solution/accept", [("comment", "Danke, passt!")])
    assert state(server, key) == ("geschlossen", "geloest")
    page = page_of(anna, PORTAL + "/" + key, "Anna's closed request")
    assert lozenge(page) == "Geschlossen"
    assert_in("Lösung: Gelöst", page)
    assert_in("Diese Anfrage ist geschlossen und kann nicht wieder geöffnet werden.", page)
    assert "Lösung annehmen" not in page and 'name="comment"' not in page
    assert_in("Der Anfragestatus wurde zu Geschlossen mit Lösung Gelöst geändert.", activity(page))
    view = page_of(agent, AGENT_REQ + key, "agent view of the closed request")
    assert_in("Danke, passt!", activity(view))
    # Closed is final, for the customer and for support.
    customer_post(anna, key, "comment", [("comment", "Noch etwas")], status=409)
    customer_post(anna, key, "solution/reject", [("comment", "Doch nicht")], status=409)
    agent_post(agent, key, "status", [("action", "start")], status=409)
    # The log tells the whole story in order, each step with who did it.
    rows = db_rows(server.db, "SELECT a.kind, a.action, u.email FROM activity a JOIN requests r "
                   "ON r.id = a.request_id LEFT JOIN users u ON u.id = a.actor_id "
                   "WHERE r.issue_key = ? ORDER BY a.id", (key,))
    story = [(k, a) for k, a, _ in rows if k in ("status_changed", "assigned", "created")]
    assert story == [("created", ""), ("assigned", ""), ("status_changed", "start"),
                     ("status_changed", "ask_customer"), ("status_changed", "customer_reply"),
                     ("status_changed", "propose_solution"), ("status_changed", "reject_solution"),
                     ("status_changed", "propose_solution"), ("status_changed", "accept_solution")], story
    who = {a: e for k, a, e in rows if k == "status_changed"}
    assert who["reject_solution"] == who["accept_solution"] == "anna@example.org"
    assert who["propose_solution"] == "support@example.org"
    assert all(e is not None for _, _, e in rows)


def test_answer_pages_only_while_a_solution_waits(c, server):
    anna = signed_in(server, "anna@example.org")
    agent = signed_in(server, "support@example.org")
    carla = signed_in(server, "carla@example.org")
    key = new_request(anna, "Antwortseiten")
    base = PORTAL + "/" + key
    # Nothing proposed: the pages refuse as the change itself (409, not
    # now; tests/e2e/authz_expected.tsv), the page says why.
    r = anna.get(base + "/solution/accept")
    assert r.status == 409 and "Das ist bei diesem Status der Anfrage nicht möglich." in \
        unescape(r.text)
    r = customer_post(anna, key, "solution/accept", [], status=409)
    assert "geschlossen" not in unescape(r.text)
    # Strangers do not even learn that it exists.
    assert carla.get(base + "/solution/accept").status == 404
    r = carla.post_form(base + "/solution/accept", [("csrf", token_of(carla.get(PORTAL).text))],
                        csrf=False)
    assert r.status == 404
    # A participant may answer too; the agent may not answer for the customer.
    customer_post(anna, key, "participants", [("who", "carla@example.org")])
    agent_post(agent, key, "status", [("action", "propose_solution")])
    page = page_of(carla, base, "participant's page with a solution")
    assert "Lösung annehmen" in page and "Lösung ablehnen" in page
    r = agent.get(base + "/solution/accept")
    assert r.status == 403
    # A comment too long is refused on the confirmation page; nothing changes.
    r = customer_post(carla, key, "solution/reject", [("comment", "x" * 32001)], status=422)
    assert_html_ok(r.text, "refused rejection")
    assert "error-summary" in r.text and 'aria-invalid="true"' in r.text
    assert state(server, key) == ("wartet_kunde", "geloest")
    # Without a comment is fine.
    customer_post(carla, key, "solution/accept", [("comment", "")])
    assert state(server, key) == ("geschlossen", "geloest")
    r = anna.get(base + "/solution/reject")
    assert r.status == 409
    assert_in("Diese Anfrage ist geschlossen und kann nicht mehr geändert werden.", r.text)


# --- internal notes --------------------------------------------------------

def api_token(server, email):
    return zektest.api_token(signed_in(server, email), "lifecycle")


def api_get(server, token, path):
    c = Client(server)
    r = c.request("GET", path, None, {"Authorization": "Bearer " + token,
                                      "Accept": "application/json"})
    return r.status, r.text


def test_internal_notes_leak_nowhere(c, server, binary):
    anna = signed_in(server, "anna@example.org")
    agent = signed_in(server, "support@example.org")
    key = new_request(anna, "Notizen bleiben intern")
    secret, secret_file = "GEHEIM-Serverneustart-4711", "geheim-protokoll.txt"
    agent_post(agent, key, "comment", [("visibility", "internal"), ("comment", "Intern: " + secret)],
               [("attachment", secret_file, b"interne Logzeilen\n", "text/plain")])
    agent_post(agent, key, "comment", [("visibility", "public"), ("comment", "Wir prüfen das.")], [])
    # The agent sees the note and its file.
    view = page_of(agent, AGENT_REQ + key, "agent view with a note")
    assert secret in view and secret_file in view
    file_href = re.search(r'<a class="attachment__link" href="(/servicedesk/customer/attachments/\d+)">'
                          r'<span class="attachment__name">%s</span>' % re.escape(secret_file), view).group(1)
    assert agent.get(file_href).status == 200
    # Anna: not on her page (nor in what prints), not to download.
    page = page_of(anna, PORTAL + "/" + key, "Anna's page")
    assert secret not in page and secret_file not in page and "Interne Notiz" not in page
    assert "Wir prüfen das." in page
    assert anna.get(file_href).status == 404
    assert anna.get(file_href + "?inline=1").status == 404
    # Not as a link on the agent-only URLs either (404 for customers).
    assert anna.get(AGENT_REQ + key).status == 404
    # Not in the REST API, if its request endpoints are there.
    token = api_token(server, "anna@example.org")
    for path in ("/rest/servicedeskapi/request/%s/comment" % key,
                 "/rest/servicedeskapi/request/%s?expand=comment,attachment" % key,
                 "/rest/servicedeskapi/request/%s/attachment" % key,
                 "/rest/servicedeskapi/request/%s/comment?internal=true&public=false" % key):
        status, body = api_get(server, token, path)
        assert secret not in body and secret_file not in body, (path, body[:500])
        if status == 200 and path.endswith("/comment"):
            assert "Wir prüfen das." in body
    # Not in any e-mail about the request (the outbox, rendered).
    ids = [r[0] for r in db_rows(server.db, "SELECT o.id FROM outbox o JOIN requests r "
                                 "ON r.id = o.request_id WHERE r.issue_key = ?", (key,))]
    assert ids, "no mail about the request"
    bodies = []
    for i in ids:
        out = zek(binary, "mail", "show", "--db", server.db, str(i)).stdout.decode("utf-8", "replace")
        assert secret not in out and secret_file not in out, out[:2000]
        bodies.append(out)
    # The public reply did go out to Anna (quoted-printable may wrap it).
    assert any("anna@example.org" in b and "pr=C3=BCfen" in b or "prüfen" in b for b in bodies)


# --- the auto-close job ----------------------------------------------------

_own = None


def own_server(binary):
    """A server of its own: the fake clock closes the demo's waiting
    solutions too, which other modules' servers keep."""
    global _own
    if _own is None:
        _own = Server(binary)
        atexit.register(_stop_own)
    return _own


def _stop_own():
    global _own
    if _own is None:
        return ""
    _, log = _own.stop()
    _own = None
    return log


def closed_count(out):
    m = re.search(r"zek: (\d+) requests closed automatically", out.decode())
    assert m, out
    return int(m.group(1))


def auto_close_entries(db, key):
    return db_row(db, "SELECT count(*) FROM activity a JOIN requests r ON r.id = a.request_id "
                      "WHERE r.issue_key = ? AND a.action = 'auto_close'", key)[0]


def test_auto_close_job_with_a_fake_clock(c, binary):
    server = own_server(binary)
    anna = signed_in(server, "anna@example.org")
    agent = signed_in(server, "support@example.org")
    solved = new_request(anna, "Lösung ohne Antwort")
    asked = new_request(anna, "Frage ohne Antwort")
    agent_post(agent, solved, "status", [("action", "propose_solution"),
                                         ("status_comment", "Bitte Cache leeren.")])
    agent_post(agent, asked, "status", [("action", "ask_customer"), ("status_comment", "Welcher Browser?")])
    now = int(time.time() * 1000)
    # 13 days later: nothing yet.
    out = zek(binary, "jobs", "run", "--db", server.db, "--now", str(now + 13 * DAY_MS)).stdout
    assert state(server, solved) == ("wartet_kunde", "geloest")
    # 15 days later: the waiting solution closes, the question waits on.
    out = zek(binary, "jobs", "run", "--db", server.db, "--now", str(now + 15 * DAY_MS)).stdout
    assert closed_count(out) >= 1
    assert state(server, solved) == ("geschlossen", "geloest")
    assert state(server, asked) == ("wartet_kunde", "")
    page = page_of(anna, PORTAL + "/" + solved, "auto-closed request")
    act = activity(page)
    assert_in("Die Anfrage wurde automatisch mit Lösung Gelöst geschlossen, weil der Lösungsvorschlag "
              "nicht beantwortet wurde.", act)
    assert_in("ZEK (automatisch)", act)
    assert lozenge(page) == "Geschlossen"
    # Anna is told by mail.
    assert db_row(server.db, "SELECT count(*) FROM outbox o JOIN requests r ON r.id = o.request_id "
                             "WHERE r.issue_key = ? AND o.event = 'auto_closed' AND o.to_addr = ?",
                  solved, "anna@example.org")[0] == 1
    # Twice: nothing closed twice.
    out = zek(binary, "jobs", "run", "--db", server.db, "--now", str(now + 15 * DAY_MS + 1000)).stdout
    assert closed_count(out) == 0
    assert auto_close_entries(server.db, solved) == 1
    # Two processes at once: each request closed exactly once.
    keys = [new_request(anna, "Wettlauf %d" % i) for i in range(6)]
    for k in keys:
        agent_post(agent, k, "status", [("action", "propose_solution")])
    at = str(int(time.time() * 1000) + 15 * DAY_MS)
    procs = [subprocess.Popen([binary, "jobs", "run", "--db", server.db, "--now", at],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    total = 0
    for p in procs:
        out, err = p.communicate(120)
        assert p.returncode == 0, err
        assert not any(s in err.decode() for s in SANITIZER), err
        total += closed_count(out)
    assert total == 6, total
    for k in keys:
        assert state(server, k) == ("geschlossen", "geloest")
        assert auto_close_entries(server.db, k) == 1
    assert state(server, asked) == ("wartet_kunde", "")


def test_auto_close_days_is_configurable_and_the_clock_only_for_jobs(c, binary):
    server = own_server(binary)
    anna = signed_in(server, "anna@example.org")
    agent = signed_in(server, "support@example.org")
    key = new_request(anna, "Andere Frist")
    agent_post(agent, key, "status", [("action", "propose_solution")])
    now = int(time.time() * 1000)
    import os
    env = dict(os.environ)
    env["ZEK_AUTO_CLOSE_DAYS"] = "30"
    zek(binary, "jobs", "run", "--db", server.db, "--now", str(now + 20 * DAY_MS), env=env)
    assert state(server, key) == ("wartet_kunde", "geloest")
    env["ZEK_AUTO_CLOSE_DAYS"] = "0"            # never
    zek(binary, "jobs", "run", "--db", server.db, "--now", str(now + 400 * DAY_MS), env=env)
    assert state(server, key) == ("wartet_kunde", "geloest")
    env["ZEK_AUTO_CLOSE_DAYS"] = "30"
    zek(binary, "jobs", "run", "--db", server.db, "--now", str(now + 31 * DAY_MS), env=env)
    assert state(server, key) == ("geschlossen", "geloest")
    # Bad values are refused; the fake clock exists for `jobs run` only.
    env["ZEK_AUTO_CLOSE_DAYS"] = "-1"
    assert zek(binary, "jobs", "run", "--db", server.db, env=env, check=False).returncode != 0
    assert zek(binary, "jobs", "run", "--db", server.db, "--now", "gestern", check=False).returncode != 0
    assert zek(binary, "jobs", "list", "--db", server.db, check=False).returncode != 0
    r = zek(binary, "serve", "--now", "1", "--db", server.db + ".x", check=False)
    assert r.returncode != 0


def test_zz_own_server_was_clean(c, binary):
    own_server(binary)
    log = _stop_own()
    problems = [line for line in log.splitlines() if any(s in line for s in SANITIZER)]
    assert not problems, log[-5000:]
