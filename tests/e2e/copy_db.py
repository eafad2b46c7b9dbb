#!/usr/bin/env python3
"""zek copy-db end to end: a SQLite installation used through the web and
the API moves to PostgreSQL, and `zek serve` on the copy serves the same.

usage: copy_db.py PATH/TO/zek

Needs ZEK_TEST_PG (the throw-away cluster's URL, tests/run-all.sh exports
one); skips (77) without it. Every database it makes on the cluster is
dropped again. Checks:
- `zek init --demo` on SQLite, then a request shared with Ben and with the
  organisation, a comment with an attachment, an API token used once;
- copy-db into a new PostgreSQL database says "checksums equal" and exits 0;
  `zek serve --db URL` shows Anna the same requests, Ben the shared one,
  the attachment byte for byte, takes the token, and a new request gets
  the key after the highest copied one;
- a second copy into that database is refused (exit 1), the rows unchanged;
- an extra column in the SQLite file, a schema newer than zek, and a value
  SQLite keeps in a type PostgreSQL cannot keep as it is (the checksums
  differ) are refused with exit 1 and leave the target empty;
- a password in --to never appears in the output."""

import gzip
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse

os.environ["ZEK_E2E_BACKEND"] = "pg"    # new_db makes PostgreSQL databases
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zektest  # noqa: E402
from zektest import Client, Server, db_one, db_rows, drop_db, new_db, png, ROOT  # noqa: E402
from test_request_page import attachment_links, new_request, post, signed_in  # noqa: E402

API = "/rest/servicedeskapi/request"
PROFILE = "/servicedesk/customer/user/profile"
TABLES = ["users", "requests", "request_values", "comments", "attachments",
          "activity", "participants", "api_tokens", "outbox", "service_desks"]
# Every byte value (random data, stored by gzip as it is): NUL, tab,
# newline and backslash among them, which COPY text gives a meaning.
FILE = gzip.compress(os.urandom(4096) + bytes(range(256)) + b"\\N\t\n\r", mtime=0)


def zek(binary, *args):
    r = subprocess.run([binary, "--root", ROOT] + list(args), capture_output=True, timeout=600)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def check_clean(out, what):
    assert "AddressSanitizer" not in out and "runtime error" not in out, (what, out)


def make_token(c):
    return zektest.api_token(c, "copy-db")


def api(server, token, path):
    c = Client(server)
    return c.request("GET", path, None, {"Accept": "application/json",
                                         "Authorization": "Bearer " + token})


def visible_keys(server, token):
    """Every key the token's owner sees through the API, paged."""
    keys, start = [], 0
    while True:
        r = api(server, token, "%s?start=%d&limit=50" % (API, start))
        assert r.status == 200, (r.status, r.text[:500])
        page = json.loads(r.text)
        keys += [v["issueKey"] for v in page["values"]]
        if page["isLastPage"]:
            return sorted(keys)
        start += len(page["values"])


def use_sqlite(binary, lite):
    """The things a customer does, on the SQLite installation; what to
    find again after the copy."""
    server = Server(binary, demo=False, db=lite)
    try:
        anna = Client(server)
        url = new_request(anna, "Vor dem Umzug geteilt")
        assert post(anna, url, "participants", [("who", "ben@example.org")]).status == 303
        org = re.search(r'name="org" value="(\d+)"', anna.get(url).text).group(1)
        assert post(anna, url, "organisation", [("org", org)]).status == 303
        r = post(anna, url, "comment", [("comment", "Mit Anhang vor dem Umzug.")],
                 [("attachment", "daten.gz", FILE, "application/gzip"),
                  ("attachment", "bild.png", png(5, 4), "image/png")])
        assert r.status == 303, (r.status, r.text[:500])
        links = attachment_links(anna.get(url).text)
        assert len(links) == 2, links
        files = {link: anna.get(link).body for link in links}
        assert FILE in files.values()
        token = make_token(anna)
        keys = visible_keys(server, token)
        assert url.rsplit("/", 1)[1] in keys
        ben = signed_in(anna, "ben@example.org")
        assert ben.get(url).status == 200
        return {"url": url, "files": files, "token": token, "keys": keys}
    finally:
        rc, log = server.stop()
        check_clean(log, "zek serve on SQLite")


SCHEMA = """SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE connamespace = 'public'::regnamespace
UNION ALL SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal
ORDER BY 1, 2"""


def counts(db):
    return {t: db_one(db, "SELECT count(*) FROM " + t) for t in TABLES}


def test_copy_and_serve(binary, lite, seen):
    target = new_db()
    try:
        before = counts(lite)
        top = db_one(lite, "SELECT max(number) FROM requests")
        rc, out, err = zek(binary, "copy-db", "--from", lite, "--to", target)
        check_clean(err, "copy-db")
        assert rc == 0, (rc, out, err)
        assert re.search(r"copied \d+ tables, \d+ rows .* checksums equal", out), out
        for t in ("requests", "attachments", "api_tokens"):
            assert re.search(r"copy-db: %s +\d+ rows" % t, err), err
        assert counts(target) == before, (counts(target), before)
        assert db_one(target, "SELECT count(*) FROM request_search") == before["requests"]
        # The indexes and foreign keys dropped for the copy are back, the
        # triggers on again: the schema is the migrations' own.
        fresh = new_db()
        try:
            rc, out, err = zek(binary, "mail", "list", "--db", fresh)
            assert rc == 0, (rc, out, err)
            assert db_rows(target, SCHEMA) == db_rows(fresh, SCHEMA)
        finally:
            drop_db(fresh)
        data = db_rows(target, "SELECT data FROM attachments WHERE filename = 'daten.gz'")
        assert data == [(FILE,)], "attachment bytes differ in the database"

        server = Server(binary, demo=False, db=target)
        try:
            assert visible_keys(server, seen["token"]) == seen["keys"]
            anna = Client(server)
            anna.login("anna@example.org")
            page = anna.get(seen["url"])
            assert page.status == 200, page.status
            for link, body in seen["files"].items():
                got = anna.get(link)
                assert got.status == 200 and got.body == body, (link, got.status)
            ben = signed_in(anna, "ben@example.org")
            assert ben.get(seen["url"]).status == 200
            carla = signed_in(anna, "carla@example.org")
            assert carla.get(seen["url"]).status == 404
            # The next key continues after the copied ones, and every
            # table's next id is free (a request writes many of them).
            url = new_request(anna, "Nach dem Umzug")
            assert url.endswith("/ZEK-%d" % (top + 1)), (url, top)
            r = post(anna, url, "comment", [("comment", "Neu auf PostgreSQL.")],
                     [("attachment", "neu.txt", b"neu\n", "text/plain")])
            assert r.status == 303, r.status
            assert make_token(anna).startswith("zek_")
        finally:
            rc, log = server.stop()
            check_clean(log, "zek serve on PostgreSQL")

        # Not empty any more: refused, nothing changed.
        now = counts(target)
        rc, out, err = zek(binary, "copy-db", "--from", lite, "--to", target)
        assert rc == 1, (rc, out, err)
        assert "is not empty" in err, err
        assert counts(target) == now
    finally:
        drop_db(target)


def refused(binary, lite, change, message):
    """A changed copy of the SQLite file is refused; the target stays empty."""
    folder = tempfile.mkdtemp(prefix="zek-copydb-")
    bad = os.path.join(folder, "bad.db")
    target = new_db()
    try:
        shutil.copy(lite, bad)
        con = sqlite3.connect(bad)
        with con:
            con.executescript(change)
        con.close()
        rc, out, err = zek(binary, "copy-db", "--from", bad, "--to", target)
        check_clean(err, "copy-db")
        assert rc == 1, (rc, out, err)
        assert message in err, (message, err)
        assert "checksums equal" not in out
        # Refused before the target was opened (no tables), or rolled back.
        if db_one(target, "SELECT to_regclass('users') IS NOT NULL"):
            assert all(n == 0 for n in counts(target).values()), counts(target)
    finally:
        drop_db(target)
        shutil.rmtree(folder)


def test_refusals(binary, lite):
    refused(binary, lite, "ALTER TABLE requests ADD COLUMN extra TEXT",
            "column requests.extra is only in SQLite")
    refused(binary, lite, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
            "table notes is only in SQLite")
    refused(binary, lite, "INSERT INTO schema_migrations VALUES (9999, 'future', 0)",
            "is newer than this zek (")
    # A blob where an integer belongs: PostgreSQL reads its text as a
    # number, the checksums see the difference, the copy rolls back.
    refused(binary, lite, "UPDATE users SET notify = x'31' WHERE id = 2",
            "users: the checksums differ")


def test_password_never_printed(binary, lite):
    target = new_db()
    try:
        parts = urllib.parse.urlsplit(target)
        secret = "Geheim-42"
        with_pw = parts._replace(netloc="%s:%s@%s" % (parts.username, secret,
                                                     parts.hostname + ":%d" % parts.port))
        url = urllib.parse.urlunsplit(with_pw)
        # The test cluster trusts loopback, so the password is not needed.
        rc, out, err = zek(binary, "copy-db", "--from", lite, "--to", url)
        assert rc == 0, (rc, out, err)
        rc, out2, err2 = zek(binary, "copy-db", "--from", lite, "--to", url)
        assert rc == 1
        for text in (out, err, out2, err2):
            assert secret not in text, text
        assert "***" in out and "***" in err2
    finally:
        drop_db(target)


def main():
    binary = os.path.abspath(sys.argv[1])
    if not os.environ.get("ZEK_TEST_PG"):
        print("skip: copy-db needs ZEK_TEST_PG, the libpq URL of a throw-away cluster")
        return 77
    folder = tempfile.mkdtemp(prefix="zek-copydb-")
    lite = os.path.join(folder, "zek.db")
    try:
        rc, out, err = zek(binary, "init", "--db", lite, "--demo")
        assert rc == 0, (rc, out, err)
        seen = use_sqlite(binary, lite)
        test_copy_and_serve(binary, lite, seen)
        print("ok   copy, serve, refuse a non-empty target", flush=True)
        test_refusals(binary, lite)
        print("ok   refuse other schemas and differing checksums", flush=True)
        test_password_never_printed(binary, lite)
        print("ok   no password in the output", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    left = [p.pid for p in zektest.STARTED if p.poll() is None]
    assert not left, "zek serve still running: %s" % left
    print("3 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
