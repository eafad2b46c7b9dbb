"""Upgrades (issue 20): databases as older zek releases made them upgrade
to this zek's schema, and a newer one is refused.

tests/upgrade/vNN.sql.gz are `zek init --demo` databases made by older
commits' code (tests/upgrade/README.md says which and how). Each is loaded
into a fresh file; `zek check` opens it, which runs the migrations, and
must find no damage; the demo requests are there as before, and `zek
serve` on the file shows one of them to its customer.

A database whose schema is newer than this zek's is refused with the same
message by every command that opens it, and left as it was."""

import glob
import gzip
import os
import shutil
import sqlite3

from zektest import PORTAL, ROOT, Client, Server, scratch, zek_run

# run.py skips the module on PostgreSQL (ZEK_E2E_BACKEND=pg) and says why:
SQLITE_ONLY = ("the fixtures are SQLite databases; PostgreSQL installations began with "
               "issue 14's schema, whose migrations the pg suite runs from scratch")

FIXTURES = sorted(glob.glob(os.path.join(ROOT, "tests", "upgrade", "v*.sql.gz")))
MIGRATIONS = len(glob.glob(os.path.join(ROOT, "src", "store", "migrations", "sqlite",
                                        "[0-9]*.sql")))



def load(fixture, db):
    """The dump as sqlite3 would read it back, and FTS5's index made again
    from the rows it keeps (the fixtures leave the index pages out)."""
    con = sqlite3.connect(db, isolation_level=None)
    with gzip.open(fixture, "rt", encoding="utf-8") as f:
        con.executescript(f.read())
    con.close()
    con = sqlite3.connect(db, isolation_level=None)     # sees the FTS5 table
    con.execute("INSERT INTO request_search (request_search) VALUES ('rebuild')")
    con.close()


def rows(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_fixture_upgrades(client, binary):
    assert len(FIXTURES) >= 4, FIXTURES
    with scratch("zek-upgrade-") as folder:
        for fixture in FIXTURES:
            name = os.path.basename(fixture)
            db = os.path.join(folder, name.replace(".sql.gz", ".db"))
            load(fixture, db)
            (old,) = rows(db, "SELECT max(version) FROM schema_migrations")[0]
            assert old < MIGRATIONS, (name, old)
            requests = rows(db, "SELECT issue_key, title, status FROM requests ORDER BY id")
            assert len(requests) >= 20, (name, len(requests))

            rc, out, err = zek_run(binary, "check", "--db", db)
            assert rc == 0 and "no damage found" in out, (name, rc, out, err)
            assert "database %d, this zek %d" % (MIGRATIONS, MIGRATIONS) in out, (name, out)
            assert rows(db, "SELECT issue_key, title, status FROM requests "
                            "ORDER BY id") == requests, name
            hits = rows(db, "SELECT rowid FROM request_search WHERE request_search MATCH "
                            "'Wohngeld'")
            assert hits, (name, "the search index lost the demo words")

            srv = Server(binary, demo=False, db=db)
            try:
                c = Client(srv)
                c.login("anna@example.org")
                r = c.get(PORTAL + "/ZEK-1")
                assert r.status == 200 and requests[0][1] in r.text, (name, r.status)
                # No business calendar saved: the built-in one with the
                # file's sla_state measures the service levels.
                assert rows(db, "SELECT count(*) FROM business_calendar") == [(0,)], name
                assert rows(db, "SELECT count(*) FROM calendar_closed_days") == [(0,)], name
                sam = Client(srv)
                sam.login("support@example.org")
                r = sam.get("/servicedesk/agent/requests/ZEK-1")
                assert r.status == 200 and requests[0][1] in r.text, (name, r.status)
            finally:
                srv.stop()
            print("  %s: schema %d -> %d, %d requests" % (name, old, MIGRATIONS, len(requests)),
                  flush=True)


def test_newer_schema_refused(client, binary):
    with scratch("zek-newer-") as folder:
        db = os.path.join(folder, "zek.db")
        assert zek_run(binary, "init", "--db", db)[0] == 0
        con = sqlite3.connect(db)
        con.execute("INSERT INTO schema_migrations VALUES (?, 'from_the_future', 0)",
                    (MIGRATIONS + 1,))
        con.commit()
        con.close()
        before = rows(db, "SELECT version FROM schema_migrations ORDER BY version")
        message = ("database schema %d is newer than this zek (%d); use the newer zek or "
                   "restore a backup" % (MIGRATIONS + 1, MIGRATIONS))
        for args in (["check"], ["jobs", "run"], ["mail", "list"], ["org", "list"],
                     ["init"], ["serve", "--listen", "127.0.0.1:0"],
                     ["backup", os.path.join(folder, "b.db")]):
            rc, out, err = zek_run(binary, "--db", db, *args)
            assert rc != 0 and message in err, (args, rc, out, err)
        assert not os.path.exists(os.path.join(folder, "b.db"))
        assert rows(db, "SELECT version FROM schema_migrations ORDER BY version") == before
        # A backup of it is refused by restore as well.
        shutil.copy(db, os.path.join(folder, "copy.db"))
        rc, out, err = zek_run(binary, "restore", "--db", os.path.join(folder, "new.db"),
                           os.path.join(folder, "copy.db"))
        assert rc == 1 and message in err, (rc, err)
        assert not os.path.exists(os.path.join(folder, "new.db"))
