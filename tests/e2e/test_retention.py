"""End-to-end tests of retention (issue 20): closed requests last changed
more than retention_closed_days ago are deleted with everything of
theirs by `zek retention` and by the job of `zek serve`; a dry run only
lists them; each deletion is recorded; open and younger requests stay,
and the activity log stays append-only for them."""

import os
import re
import subprocess

import zektest
from test_metrics import value as metric
from zektest import Client, Server, db_one, db_rows

DAYS = "30"
PORTAL_REQ = "/servicedesk/customer/portal/17/"


def run(binary, db, *args, days=DAYS):
    env = dict(os.environ, ZEK_RETENTION_CLOSED_DAYS=days)
    p = subprocess.run([binary, "retention", "--db", db] + list(args), env=env,
                       capture_output=True, text=True, timeout=120)
    assert "AddressSanitizer" not in p.stderr and "runtime error" not in p.stderr, p.stderr
    return p.returncode, p.stdout + p.stderr


def old_closed(db):
    """Keys of the closed requests last changed more than 30 days ago."""
    cutoff = db_one(db, "SELECT max(updated_at) FROM requests") - 30 * 86400 * 1000
    return [r[0] for r in db_rows(
        db, "SELECT issue_key FROM requests WHERE status = 'geschlossen' AND updated_at < ? "
        "ORDER BY id", (cutoff,))]


def test_dry_run_then_delete_with_everything_and_record(c, binary):
    db = zektest.new_db()
    try:
        assert zektest.zek_run(binary, "init", "--demo", "--db", db)[0] == 0
        gone = old_closed(db)
        assert len(gone) >= 2, gone
        ids = [db_one(db, "SELECT id FROM requests WHERE issue_key = ?", (k,)) for k in gone]
        kept = db_one(db, "SELECT count(*) FROM requests") - len(gone)
        mails = sum(db_one(db, "SELECT count(*) FROM outbox WHERE request_id = ?", (i,))
                    for i in ids)

        # Off unless set: nothing happens.
        rc, out = run(binary, db, days="0")
        assert rc == 0 and "not set" in out, out
        # The dry run lists exactly those and changes nothing.
        rc, out = run(binary, db, "--dry-run")
        assert rc == 0, out
        listed = [line.split()[0] for line in out.splitlines() if line.startswith("ZEK-")]
        assert listed == gone, (listed, gone)
        assert "%d closed requests would be deleted" % len(gone) in out
        assert db_one(db, "SELECT count(*) FROM requests") == kept + len(gone)

        rc, out = run(binary, db)
        assert rc == 0 and "%d closed requests deleted" % len(gone) in out, out
        assert db_one(db, "SELECT count(*) FROM requests") == kept
        for i in ids:
            for table in ("activity", "comments", "request_values", "participants",
                          "attachments", "outbox", "inbound_mail"):
                assert db_one(db, "SELECT count(*) FROM %s WHERE request_id = ?" % table,
                              (i,)) == 0, (table, i)
        log = db_rows(db, "SELECT request_key, mails FROM retention_log ORDER BY id")
        assert [r[0] for r in log] == gone
        assert sum(r[1] for r in log) == mails
        # Again: nothing left to do; the database is sound.
        rc, out = run(binary, db)
        assert "0 closed requests deleted" in out, out
        rc, out, err = zektest.zek_run(binary, "check", "--db", db)
        assert rc == 0, out + err

        # What stays is still append-only.
        other = db_one(db, "SELECT request_id FROM activity ORDER BY id LIMIT 1")
        try:
            zektest.db_exec(db, "DELETE FROM activity WHERE request_id = ?", (other,))
            refused = False
        except Exception:
            refused = True
        assert refused and db_one(db, "SELECT count(*) FROM activity WHERE request_id = ?",
                                  (other,)) > 0
    finally:
        zektest.drop_db(db)


def test_the_server_job_deletes_and_the_pages_forget(c, binary):
    db = zektest.new_db()
    server = None
    try:
        assert zektest.zek_run(binary, "init", "--demo", "--db", db)[0] == 0
        gone = old_closed(db)
        title = db_one(db, "SELECT title FROM requests WHERE issue_key = ?", (gone[0],))
        anna = "anna@example.org"
        reporter = db_one(db, "SELECT u.email FROM requests r JOIN users u "
                          "ON u.id = r.reporter_id WHERE r.issue_key = ?", (gone[0],))
        server = Server(binary, demo=False, db=db,
                        extra_env={"ZEK_RETENTION_CLOSED_DAYS": DAYS})
        zektest.log_with(server, "retention deleted closed requests requests=%d" % len(gone), 30)
        assert old_closed(db) == []
        # /metrics counts the job's runs and what they deleted.
        text = Client(server).get("/metrics").text
        assert metric(text, "zek_retention_runs_total") >= 1, text
        assert metric(text, "zek_retention_deleted_requests_total") == len(gone), text
        who = Client(server)
        who.login(reporter or anna)
        assert who.get(PORTAL_REQ + gone[0]).status == 404
        listing = who.get("/servicedesk/customer/user/requests?status=all").text
        assert not re.search(r"\b%s\b" % re.escape(gone[0]), listing)
        assert title not in listing, title
    finally:
        if server is not None:
            server.stop()
        zektest.drop_db(db)
