"""zek backup, restore and check (issue 20) against a real `zek serve` on
SQLite.

- Under write load (threads creating requests through the API), `zek
  backup` copies the served database; every request acknowledged before
  the backup started is in the copy, with an attachment's bytes, after
  `zek restore` into a new path, and `zek serve` on the restored file
  answers for each with the API token made before the backup.
- `zek check --full` passes on the restored file; `zek check` names the
  damage in copies broken on purpose: a search row deleted, a foreign key
  broken, an attachment shorter than recorded, an index page overwritten.
- backup never overwrites, restore only into an empty place, and neither
  takes a file that is no zek database."""

import json
import os
import sqlite3
import threading
import time

from zektest import PORTAL, Client, Server, api_token, png, scratch, zek_run

# run.py skips the module on PostgreSQL (ZEK_E2E_BACKEND=pg) and says why:
SQLITE_ONLY = ("zek backup and restore copy a SQLite file; PostgreSQL's are pg_dump and "
               "pg_restore (docs/operations.md)")

API = "/rest/servicedeskapi/request"
WRITERS = 2
ACKED_BEFORE_MIN = 10       # requests acknowledged before the backup starts



def api(server, token, method, path, body=None):
    h = {"Authorization": "Bearer " + token, "Accept": "application/json",
         "Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    return Client(server).request(method, path, data, h)


class Load:
    """Threads creating requests one after another; each answer 201 is an
    acknowledgement, noted with the time it came."""

    def __init__(self, server, token):
        self.server, self.token = server, token
        self.acked = []             # (monotonic time of the answer, key)
        self.errors = []
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(WRITERS)]

    def run(self, n):
        i = 0
        while not self.stop.is_set():
            i += 1
            r = api(self.server, self.token, "POST", API, {
                "serviceDeskId": "1", "requestTypeId": 4, "requestFieldValues": {
                    "summary": "Sicherung %d-%d" % (n, i),
                    "description": "Geschrieben während der Sicherung."}})
            with self.lock:
                if r.status == 201:
                    self.acked.append((time.monotonic(), json.loads(r.text)["issueKey"]))
                else:
                    self.errors.append((r.status, r.text[:200]))

    def keys_before(self, t):
        with self.lock:
            return {k for when, k in self.acked if when < t}

    def count(self):
        with self.lock:
            return len(self.acked)


def with_attachment(client):
    """A request with a file, made through the portal's form: its bytes
    must survive backup and restore."""
    data = png(120, 80)
    r = client.post_multipart(PORTAL + "/create/4", [
        ("summary", "Sicherung mit Anhang"), ("description", "Anhang dabei."),
        ("share", "private")], [("attachment", "bild.png", data, "image/png")])
    assert r.status == 303, (r.status, r.text[:300])
    return r.header("Location").rsplit("/", 1)[1], data


def grow(db, mib):
    """Files of 1 MiB each, written beside the server: the backup then
    takes many steps (of 1 MiB) while the writers go on."""
    con = sqlite3.connect(db, timeout=30)
    con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
                "INSERT INTO attachments (request_id, uploader_id, filename, mime, size, "
                "data, created_at) SELECT 1, 1, 'ballast-' || i || '.bin', "
                "'application/octet-stream', 1048576, randomblob(1048576), 0 FROM n", (mib,))
    con.commit()
    con.close()


def backup_under_load(server, token, binary, backup):
    """`zek backup` while the writers run; the keys acknowledged before it
    began, and the load (stopped) with all it got."""
    load = Load(server, token)
    try:
        for t in load.threads:
            t.start()
        deadline = time.monotonic() + 30
        while load.count() < ACKED_BEFORE_MIN and time.monotonic() < deadline:
            time.sleep(0.05)
        before = load.keys_before(time.monotonic())
        rc, out, err = zek_run(binary, "backup", "--db", server.db, backup)
        time.sleep(0.3)         # the server goes on taking writes after it
    finally:
        load.stop.set()
        for t in load.threads:
            t.join()
    assert rc == 0, (rc, out, err)
    assert "backed up" in out and os.path.getsize(backup) > 12 << 20, (out, err)
    assert not load.errors, load.errors[:5]
    assert len(before) >= ACKED_BEFORE_MIN, len(before)
    assert not os.path.exists(backup + ".tmp")
    assert os.stat(backup).st_mode & 0o077 == 0, oct(os.stat(backup).st_mode)
    # The server did not wait for the backup: it took writes meanwhile.
    assert load.count() > len(before), (load.count(), len(before))
    return before, load


def restore_checked(binary, backup, restored):
    """zek restore into a new path, zek check on it; its request keys."""
    rc, out, err = zek_run(binary, "restore", "--db", restored, backup)
    assert rc == 0, (rc, out, err)
    rc, out, err = zek_run(binary, "check", "--full", "--db", restored)
    assert rc == 0 and "FTS5 index       ok" in out and "no damage found" in out, (rc, out, err)
    con = sqlite3.connect(restored)
    keys = {k for (k,) in con.execute("SELECT issue_key FROM requests")}
    con.close()
    return keys


def test_backup_under_load_restores(client, server, binary):
    client.login("anna@example.org")
    token = api_token(client, "sicherung")
    file_key, file_data = with_attachment(client)
    grow(server.db, 12)
    with scratch("zek-backup-") as work:
        backup = os.path.join(work, "zek-backup.db")
        before, load = backup_under_load(server, token, binary, backup)
        restored = os.path.join(work, "new", "zek.db")
        keys = restore_checked(binary, backup, restored)
        assert before | {file_key} <= keys, sorted(before - keys)
        con = sqlite3.connect(restored)
        (data,) = con.execute("SELECT a.data FROM attachments a JOIN requests r ON "
                              "r.id = a.request_id WHERE r.issue_key = ?",
                              (file_key,)).fetchone()
        con.close()
        assert data == file_data
        srv = Server(binary, demo=False, db=restored)
        try:
            for key in sorted(before):
                r = api(srv, token, "GET", API + "/" + key)
                assert r.status == 200 and json.loads(r.text)["issueKey"] == key, (key, r.status)
        finally:
            srv.stop()
    later = load.keys_before(time.monotonic()) - before
    print("  %d requests acknowledged before the backup, all restored; %d more during it "
          "and until the load stopped, %d of them in the copy" %
          (len(before), len(later), len(later & keys)), flush=True)


# --- damage zek check must name ----------------------------------------

def damaged(binary, folder, name, *sql):
    """A fresh demo database broken by `sql` (run with foreign keys off)."""
    db = os.path.join(folder, name + ".db")
    rc, out, err = zek_run(binary, "init", "--demo", "--db", db)
    assert rc == 0, (rc, out, err)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA foreign_keys = OFF")
    for s in sql:
        con.execute(s)
    con.close()
    return db


def overwrite_page(db, index):
    """Zeros the root page of `index`: garbage where SQLite expects a
    b-tree page."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode = DELETE")
    (root,) = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (index,)).fetchone()
    (size,) = con.execute("PRAGMA page_size").fetchone()
    con.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * size)
        f.write(b"\xff" * size)


def check_names(binary, db, *words):
    rc, out, err = zek_run(binary, "check", "--db", db)
    assert rc == 1, (rc, out, err)
    assert "DAMAGED" in out and "the database is damaged" in out, out
    for w in words:
        assert w in out, (w, out)
    return out


def test_check_names_damage(client, binary):
    with scratch("zek-check-") as folder:
        db = damaged(binary, folder, "search",
                     "DELETE FROM request_search WHERE rowid = "
                     "(SELECT id FROM requests WHERE issue_key = 'ZEK-3')")
        check_names(binary, db, "search index     DAMAGED", "ZEK-3 missing or stale")
        db = damaged(binary, folder, "fk",
                     "INSERT INTO participants (request_id, user_id) VALUES (1, 99999)")
        check_names(binary, db, "foreign keys     DAMAGED", "participants row")
        db = damaged(binary, folder, "size",
                     "INSERT INTO attachments (request_id, uploader_id, filename, mime, size, "
                     "data, created_at) VALUES (1, 1, 'kurz.txt', 'text/plain', 9, x'0102', 0)")
        check_names(binary, db, "attachment sizes DAMAGED", "2 bytes, 9 recorded")
        db = damaged(binary, folder, "page")
        overwrite_page(db, "requests_created")
        check_names(binary, db, "integrity_check  DAMAGED", "Page ")
        # A backup of a damaged file fails its quick_check and leaves nothing.
        rc, out, err = zek_run(binary, "backup", "--db", db, os.path.join(folder, "b.db"))
        assert rc == 1 and not os.path.exists(os.path.join(folder, "b.db")), (rc, out, err)
        assert not os.path.exists(os.path.join(folder, "b.db.tmp"))


def test_refusals(client, binary):
    with scratch("zek-refuse-") as folder:
        db = os.path.join(folder, "zek.db")
        assert zek_run(binary, "init", "--demo", "--db", db)[0] == 0
        taken = os.path.join(folder, "taken.db")
        with open(taken, "w") as f:
            f.write("mine")
        rc, out, err = zek_run(binary, "backup", "--db", db, taken)
        assert rc == 1 and "exists" in err, (rc, err)
        assert open(taken).read() == "mine"
        backup = os.path.join(folder, "b.db")
        assert zek_run(binary, "backup", "--db", db, backup)[0] == 0
        # Not into a database in use, nor from a file that is none.
        rc, out, err = zek_run(binary, "restore", "--db", db, backup)
        assert rc == 1 and "is not empty" in err, (rc, err)
        rc, out, err = zek_run(binary, "restore", "--db", os.path.join(folder, "n.db"), taken)
        assert rc == 1 and not os.path.exists(os.path.join(folder, "n.db")), (rc, err)
        plain = os.path.join(folder, "plain.db")
        sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
        rc, out, err = zek_run(binary, "restore", "--db", os.path.join(folder, "n.db"), plain)
        assert rc == 1 and "is not a zek database" in err, (rc, err)
        # An empty file is an empty place.
        empty = os.path.join(folder, "empty.db")
        open(empty, "w").close()
        rc, out, err = zek_run(binary, "restore", "--db", empty, backup)
        assert rc == 0, (rc, out, err)
        rc, out, err = zek_run(binary, "backup", "--db", "postgresql://zek@localhost/zek",
                           os.path.join(folder, "pg.db"))
        assert rc == 1 and "pg_dump" in err, (rc, err)
        rc, out, err = zek_run(binary, "restore", "--db", "postgresql://zek@localhost/zek", backup)
        assert rc == 1 and "pg_restore" in err, (rc, err)
