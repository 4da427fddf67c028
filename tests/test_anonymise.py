"""anonymise: no name, ID, phone or address of an old record is left; aggregates are unchanged."""

from __future__ import annotations

import datetime as dt
import io
import sys

import pandas as pd

from data_layer.core.actor import SYSTEM
from data_layer.monitoring.coverage import coverage_export
from data_layer.ops.anonymise import anonymise, plan_anonymisation
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main
from data_layer.public.forms import submit_aid_request
from tests.test_public_forms import REQUEST

CUTOFF = dt.date(2020, 5, 24)
AGGREGATES = (
    "SELECT governorate_code, status, household_size, count(*) AS n FROM households GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    "SELECT category_code, status, sum(quantity) AS q, count(*) AS n FROM needs GROUP BY 1, 2 ORDER BY 1, 2",
    "SELECT governorate_code, status, count(*) AS n FROM volunteers GROUP BY 1, 2 ORDER BY 1, 2",
)


def snapshot(db) -> list[pd.DataFrame]:
    cur = db.cursor()
    try:
        return [coverage_export(db, SYSTEM)] + [cur.execute(sql).df() for sql in AGGREGATES]
    finally:
        cur.close()


def test_anonymise_leaves_no_personal_field_and_same_aggregates(db):
    recent = submit_aid_request(db, dict(REQUEST, national_id="08111222"), client="c", consent_given=True, lang="ar")
    planned = plan_anonymisation(db, CUTOFF).households
    cur = db.cursor()
    old = cur.execute(
        "SELECT id, national_id, full_name, phone, address FROM households "
        f"WHERE id IN ({','.join(map(str, planned))}) ORDER BY id"
    ).fetchall()
    # Last activity counts deliveries too: registered early but delivered after the cutoff is kept.
    assert cur.execute(
        f"SELECT count(*) FROM households WHERE updated_at >= ? AND id IN ({','.join(map(str, planned))})", [CUTOFF]
    ).fetchone() == (0,)
    cur.close()
    assert len(old) > 50
    before = snapshot(db)
    plan = anonymise(db, SYSTEM, CUTOFF)
    assert sorted(plan.households) == [r[0] for r in old]
    after = snapshot(db)
    for frame_before, frame_after in zip(before, after):
        pd.testing.assert_frame_equal(frame_before, frame_after)
    cur = db.cursor()
    rows = cur.execute(
        "SELECT national_id, full_name, phone, address, notes FROM households WHERE id IN "
        f"({','.join(str(r[0]) for r in old)}) ORDER BY id"
    ).fetchall()
    assert {r[1:] for r in rows} == {("ANON", None, None, None)}
    assert [r[0] for r in rows] == [f"ANON-{r[0]}" for r in old]
    audit_text = " ".join(
        str(r[0])
        for r in cur.execute("SELECT CAST(before AS VARCHAR) || CAST(after AS VARCHAR) FROM audit_log").fetchall()
    )
    duplicate_ids = {r[0] for r in cur.execute("SELECT national_id FROM duplicate_reports").fetchall()}
    for _, national_id, _name, phone, address in old[:40]:
        assert national_id not in audit_text and national_id not in duplicate_ids
        assert phone is None or phone not in audit_text
        assert address is None or address not in audit_text
    # The recent self-registration keeps its data; a real ID can still be registered and checked.
    assert cur.execute("SELECT full_name FROM households WHERE national_id = '08111222'").fetchone() == (
        REQUEST["full_name"],
    )
    assert cur.execute("SELECT count(*) FROM public_receipts WHERE reference = ?", [recent.reference]).fetchone() == (
        1,
    )
    assert cur.execute("SELECT username, action FROM audit_log WHERE action = 'anonymise'").fetchall() == [
        ("system", "anonymise")
    ]
    cur.close()
    assert plan_anonymisation(db, CUTOFF).total == 0  # a second run finds nothing left


def test_command_asks_before_anonymising(db_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("no\n"))
    assert main(["--db", str(db_path), "anonymise", "--before", "2020-05-24"]) == 1
    assert "Nothing was changed" in capsys.readouterr().out
    db = open_database(db_path)
    try:
        assert db.cursor().execute("SELECT count(*) FROM households WHERE full_name = 'ANON'").fetchone() == (0,)
    finally:
        db.close()
    assert main(["--db", str(db_path), "anonymise", "--before", "2020-05-24", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Anonymised" in out
    db = open_database(db_path)
    try:
        anonymised = db.cursor().execute("SELECT count(*) FROM households WHERE full_name = 'ANON'").fetchone()[0]
    finally:
        db.close()
    assert f"Anonymised {anonymised} households" in out and anonymised > 50
    assert main(["--db", str(db_path), "anonymise", "--before", "2999-01-01", "--yes"]) == 1
