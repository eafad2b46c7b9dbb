#!/usr/bin/env python3
"""Checks zektest's database helpers (db_exec, db_rows, db_dicts, db_one,
new_db, drop_db) on the backend the environment picks, as run.py would:
awkward text goes in as parameters and comes back unchanged, integers as
int, NULL as None. usage: ZEK_E2E_BACKEND=pg ZEK_TEST_PG=URL check_db.py
(or without them, on SQLite). Skips (77) on pg without ZEK_TEST_PG.
Prints 'N passed, N failed' last."""

import os
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import zektest  # noqa: E402
from zektest import db_dicts, db_exec, db_one, db_rows  # noqa: E402

TEXTS = [
    "",
    "plain",
    "it's 'quoted' \"twice\"",
    "back\\slash \\\\ and \\n not a newline, \\x41",
    "Umlaute: ÄÖÜ äöü ß, and € 🙂",
    "two\nlines\r\nand a\ttab",
    "'); DROP TABLE t; --",
    ":'p1' :p2 :\"p3\" ? ?? \\gdesc",
    "\\q",
    "-v x=y",
    "007",
    "NULL",
    "  spaces around  ",
]
BIG = [0, -1, 2 ** 31, 2 ** 53 + 1, 2 ** 63 - 1, -2 ** 63]


def fill(db):
    db_exec(db, "CREATE TABLE t (id integer PRIMARY KEY, big bigint, txt text, flag integer)")
    for i, text in enumerate(TEXTS, 1):
        db_exec(db, "INSERT INTO t (id, big, txt, flag) VALUES (?, ?, ?, ?)",
                (i, BIG[i % len(BIG)], text, i % 2))
    db_exec(db, "INSERT INTO t (id, big, txt, flag) VALUES (?, ?, ?, ?)", (100, None, None, None))


def check_round_trip(db):
    rows = db_rows(db, "SELECT id, big, txt, flag FROM t WHERE id < ? ORDER BY id", (100,))
    want = [(i, BIG[i % len(BIG)], text, i % 2) for i, text in enumerate(TEXTS, 1)]
    assert rows == want, (rows, want)
    for r in rows:
        assert all(type(v) is int for v in (r[0], r[1], r[3])), r
        assert type(r[2]) is str, r


def check_lookup_by_awkward_text(db):
    for i, text in enumerate(TEXTS, 1):
        assert db_one(db, "SELECT id FROM t WHERE txt = ?", (text,)) == i, text
        # Stored as sent, not only read back as sent: the database counts the characters.
        assert db_one(db, "SELECT length(txt) FROM t WHERE id = ?", (i,)) == len(text), text
    assert db_one(db, "SELECT id FROM t WHERE txt = 'plain'") == 2
    assert db_one(db, "SELECT id FROM t WHERE txt = ?", ("not there",)) is None


def check_nulls(db):
    assert db_rows(db, "SELECT big, txt, flag FROM t WHERE id = ?", (100,)) == [(None, None, None)]
    # NULL and the empty text stay apart.
    assert db_one(db, "SELECT count(*) FROM t WHERE txt IS NULL") == 1
    assert db_one(db, "SELECT id FROM t WHERE txt = ?", ("",)) == 1
    assert db_rows(db, "SELECT txt FROM t WHERE id IN (?, ?) ORDER BY id", (1, 100)) == [("",), (None,)]
    assert db_one(db, "SELECT count(*) FROM t WHERE big IS ?", (None,)) == 1


def check_aggregates_and_comparisons(db):
    assert db_one(db, "SELECT count(*) FROM t") == len(TEXTS) + 1
    assert db_one(db, "SELECT sum(flag) FROM t") == sum(i % 2 for i in range(1, len(TEXTS) + 1))
    assert db_one(db, "SELECT max(big) FROM t") == 2 ** 63 - 1
    assert db_one(db, "SELECT min(big) FROM t") == -2 ** 63
    # SQLite's booleans are 1 and 0; PostgreSQL's come back the same.
    assert db_rows(db, "SELECT id = 1, id > 1 FROM t WHERE id = 1") == [(1, 0)]


def check_question_marks_in_quotes_are_text(db):
    assert db_one(db, "SELECT count(*) FROM t WHERE txt = 'what?' OR id = ?", (1,)) == 1
    assert db_one(db, "SELECT 'it''s ?' FROM t WHERE id = ?", (2,)) == "it's ?"


def check_no_rows_and_one_empty_row(db):
    assert db_rows(db, "SELECT txt FROM t WHERE id = -5") == []
    assert db_rows(db, "SELECT txt FROM t WHERE id = 1") == [("",)]
    assert db_dicts(db, "SELECT txt FROM t WHERE id = -5") == []


def check_dicts(db):
    rows = db_dicts(db, "SELECT * FROM t WHERE id IN (?, ?) ORDER BY id", (2, 100))
    assert rows == [{"id": 2, "big": BIG[2], "txt": TEXTS[1], "flag": 0},
                    {"id": 100, "big": None, "txt": None, "flag": None}], rows


def check_update(db):
    db_exec(db, "UPDATE t SET txt = ?, flag = ? WHERE id = ?", ("neu\n'x'", 7, 3))
    assert db_rows(db, "SELECT txt, flag FROM t WHERE id = 3") == [("neu\n'x'", 7)]
    db_exec(db, "UPDATE t SET txt = ? WHERE id = ?", (None, 3))
    assert db_one(db, "SELECT count(*) FROM t WHERE txt IS NULL") == 2


def check_wrong_parameters_are_refused(db):
    for sql, params in (("SELECT id FROM t WHERE id = ?", ()),
                        ("SELECT id FROM t WHERE id = ?", (1, 2))):
        try:
            db_rows(db, sql, params)
        except Exception:
            continue
        raise AssertionError("accepted %r with %r" % (sql, params))


def check_errors_raise(db):
    try:
        db_rows(db, "SELECT nope FROM t")
    except Exception as e:
        assert "nope" in str(e), e
    else:
        raise AssertionError("a bad query returned")


def check_drop(db):
    zektest.drop_db(db)
    if zektest.is_pg(db):
        assert zektest.pg_name(db) not in zektest.e2e_databases()
    else:
        assert not os.path.exists(db)


def main():
    if zektest.BACKEND == "pg" and not os.environ.get("ZEK_TEST_PG"):
        print("ZEK_E2E_BACKEND=pg without ZEK_TEST_PG: no cluster to check the helpers on")
        return 77
    db = zektest.new_db()
    print("backend %s, database %s" % (zektest.BACKEND, db))
    if zektest.is_pg(db):
        assert zektest.pg_name(db) in zektest.e2e_databases()
    checks = [fill, check_round_trip, check_lookup_by_awkward_text, check_nulls,
              check_aggregates_and_comparisons, check_question_marks_in_quotes_are_text,
              check_no_rows_and_one_empty_row, check_dicts, check_update,
              check_wrong_parameters_are_refused, check_errors_raise, check_drop]
    passed = failed = 0
    for check in checks:
        try:
            check(db)
            passed += 1
            print("ok   " + check.__name__, flush=True)
        except Exception:
            failed += 1
            print("FAIL " + check.__name__, flush=True)
            traceback.print_exc()
            if check is fill:
                break
    if check is not check_drop:
        zektest.drop_db(db)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
