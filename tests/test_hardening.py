"""Attacks of the hardening review, each tried again and now refused: guessing a door code,
reading the database or a backup as another user, using the import as an ID oracle."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.distribution.deliveries import (
    CODE_MAX_WRONG,
    advance_delivery,
    code_is_locked,
    reissue_confirmation_code,
)
from data_layer.ops.backup import backup_database
from data_layer.registry import clash_budget
from data_layer.registry.imports import import_frame
from data_layer.store.database import connect
from tests.fairness_world import ORGANISER, association, household


def _open_delivery(db) -> tuple[int, str]:
    row = db.conn.execute(
        "SELECT id, confirmation_code FROM deliveries WHERE status = 'planned' ORDER BY id LIMIT 1"
    ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_the_sixth_wrong_door_code_is_refused_even_when_right_until_staff_issue_a_new_one(db, actors):
    staff = actors["organiser"]
    delivery, code = _open_delivery(db)
    wrong = "000000" if code != "000000" else "111111"
    for n in range(1, CODE_MAX_WRONG + 1):
        with pytest.raises(JesrError) as refused:
            advance_delivery(db, staff, delivery, "delivered", code=wrong)
        expected = "distribution.error.code_locked" if n == CODE_MAX_WRONG else "distribution.error.wrong_code_left"
        assert refused.value.code == expected
    with pytest.raises(JesrError) as locked:
        advance_delivery(db, staff, delivery, "delivered", code=code)
    assert locked.value.code == "distribution.error.code_locked"
    assert code_is_locked(db, staff, delivery)
    # Nothing moved, but every wrong try was kept and audited.
    assert db.conn.execute("SELECT status FROM deliveries WHERE id = ?", [delivery]).fetchone()[0] == "planned"
    actions = [
        r[0]
        for r in db.conn.execute(
            "SELECT action FROM audit_log WHERE table_name = 'deliveries' AND record_id = ? ORDER BY id", [delivery]
        ).fetchall()
    ]
    assert actions.count("wrong_code") == CODE_MAX_WRONG and "code_locked" in actions

    with pytest.raises(PermissionDenied):
        reissue_confirmation_code(db, Actor(user_id=None, username="v", role="volunteer", volunteer_id=1), delivery)
    new_code = reissue_confirmation_code(db, staff, delivery)
    assert not code_is_locked(db, staff, delivery)
    reissued = db.conn.execute(
        "SELECT user_id, after FROM audit_log WHERE action = 'reissue_code' AND record_id = ?", [delivery]
    ).fetchall()
    assert len(reissued) == 1 and reissued[0][0] == staff.user_id and new_code not in str(reissued[0][1])
    if new_code != code:
        with pytest.raises(JesrError):
            advance_delivery(db, staff, delivery, "delivered", code=code)  # the old code is gone
    assert advance_delivery(db, staff, delivery, "delivered", code=new_code) == "confirmed"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.duckdb_only(reason="file modes of the DuckDB file, its log and its backup")
def test_database_log_and_backup_files_are_the_owners_only(tmp_path):
    old = os.umask(0o022)
    try:
        # An older database left world-readable is made private when opened.
        path = tmp_path / "data" / "jesr.duckdb"
        path.parent.mkdir()
        db = connect(path)
        db.conn.execute("CREATE TABLE t (a INTEGER)")
        db.conn.execute("INSERT INTO t VALUES (1)")
        assert _mode(path) == 0o600 and _mode(f"{path}.wal") == 0o600
        db.checkpoint()  # the log is deleted and made again by the next write
        db.conn.execute("INSERT INTO t VALUES (2)")
        assert _mode(f"{path}.wal") == 0o600
        backup = tmp_path / "backup"
        backup_database(db, backup)
        db.close()
        assert _mode(backup) == 0o700
        assert {_mode(f) for f in backup.iterdir()} == {0o600}
        os.chmod(path, 0o644)
        connect(path).close()
        assert _mode(path) == 0o600
    finally:
        os.umask(old)


def test_the_import_stops_answering_about_other_associations_past_its_daily_budget(empty_db, monkeypatch):
    db = empty_db
    monkeypatch.setattr(clash_budget, "DEFAULT_CLASH_DAILY_BUDGET", 3)
    importer, other = association(db, "ATSS"), association(db, "AMAL")
    # Five households of the other association, all in Tunis where both work.
    others = [f"1100000{i}" for i in range(5)]
    for national_id in others:
        household(db, other, national_id, "food:1")

    def rows(ids: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            [{"national_id": i, "full_name": "Test", "governorate": "TN-11", "household_size": 2} for i in ids]
        )

    report = import_frame(db, importer, "households", rows(others[:2]))
    assert [e.code for e in report.errors] == ["error.duplicate_household_other"] * 2
    assert db.conn.execute("SELECT count(*) FROM duplicate_reports").fetchone()[0] == 2
    with pytest.raises(JesrError) as refused:
        import_frame(db, importer, "households", rows(others[2:4]))  # 2 more, 1 left
    assert refused.value.code == "imports.error.clash_budget" and refused.value.params["left"] == 1
    # The organisers were still told, and nothing said which rows met whom.
    assert db.conn.execute("SELECT count(*) FROM duplicate_reports").fetchone()[0] == 4
    # The day's budget is spent: even a file without any repeat is refused before being read.
    with pytest.raises(JesrError) as spent:
        import_frame(db, importer, "households", rows(["98765432"]))
    assert spent.value.code == "imports.error.clash_budget_spent"
    # Organisers read every association's households anyway: no budget for them.
    report = import_frame(db, ORGANISER, "households", rows(others[4:5]), organisation_id=importer.organisation_id)
    assert [e.code for e in report.errors] == ["error.duplicate_household_other"]
