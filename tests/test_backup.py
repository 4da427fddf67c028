"""`backup DIR` / `restore DIR`: every row, type, view, index and sequence comes back; a restore
never replaces data unless forced, and a broken backup leaves the target as it was."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from data_layer.access.accounts import authenticate
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main
from data_layer.registry.households import register_household
from tests.conftest import ROOT, actor_for

HOUSEHOLD = {
    "national_id": "41234567",
    "full_name": "Mabrouka Jlassi",
    "phone": "98 111 222",
    "governorate": "TN-51",
    "delegation": "Sousse Médina",
    "address": "نهج الحرية 3",
    "household_size": 5,
    "vulnerabilities": ["elderly", "lost_income"],
    "needs": "food:2;medicine:1:box",
}


def snapshot(path: Path) -> dict[str, object]:
    """Everything a restore must reproduce: each table's rows and column types, views, indexes, sequences."""
    conn = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {
            "rows": {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall() for t in tables},
            "columns": conn.execute(
                "SELECT table_name, column_name, data_type, column_default, is_nullable "
                "FROM duckdb_columns() WHERE schema_name = 'main' ORDER BY ALL"
            ).fetchall(),
            "views": conn.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1").fetchall(),
            "indexes": conn.execute(
                "SELECT table_name, index_name, expressions FROM duckdb_indexes() ORDER BY ALL"
            ).fetchall(),
            "constraints": conn.execute(
                "SELECT table_name, constraint_type, constraint_column_names FROM duckdb_constraints() ORDER BY ALL"
            ).fetchall(),
            "sequences": conn.execute(
                "SELECT sequence_name, increment_by, min_value, max_value FROM duckdb_sequences() ORDER BY 1"
            ).fetchall(),
            "stock_view": conn.execute("SELECT * FROM stock_lines ORDER BY ALL").fetchall(),
        }
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def busy_db_path(db_path: Path) -> Path:
    """The demo copy after some ordinary work: audited writes, a failed login, all through the data layer."""
    db = open_database(db_path)
    register_household(db, actor_for(db, "atss"), HOUSEHOLD)
    authenticate(db, "amal", "wrong password")
    db.close()
    return db_path


def next_household_id(path: Path) -> int:
    db = open_database(path)
    try:
        return register_household(
            db,
            actor_for(db, "amal"),
            dict(HOUSEHOLD, national_id="49999999", governorate="TN-61", delegation="Sfax Ville"),
        )
    finally:
        db.close()


def test_backup_and_restore_round_trip_every_row_through_the_command_line(busy_db_path, tmp_path):
    backup_dir = tmp_path / "backup-2020-05-31"
    restored = tmp_path / "restored" / "jesr.duckdb"
    run = [sys.executable, "-m", "data_layer"]
    done = subprocess.run(
        run + ["--db", str(busy_db_path), "backup", str(backup_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Backed up ")
    assert (backup_dir / "households.parquet").is_file() and (backup_dir / "schema.sql").is_file()
    done = subprocess.run(
        run + ["--db", str(restored), "restore", str(backup_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr

    before, after = snapshot(busy_db_path), snapshot(restored)
    assert set(after["rows"]) == set(before["rows"])
    for table, rows in before["rows"].items():
        assert after["rows"][table] == rows, f"{table} differs after restore"
    assert len(after["rows"]["schema_migrations"]) == len(list((ROOT / "sql" / "migrations").glob("*.sql")))
    assert len(after["rows"]["households"]) == 301
    assert any(r[4] == "insert" and r[5] == "households" for r in after["rows"]["audit_log"])
    assert len(after["rows"]["login_attempts"]) == 1
    for part in ("columns", "views", "indexes", "constraints", "sequences", "stock_view"):
        assert after[part] == before[part], part
    # Ids continue where the original would: the next household gets the same new id in both.
    assert next_household_id(restored) == next_household_id(busy_db_path) == 302


def test_restore_refuses_a_database_with_data_unless_forced(busy_db_path, tmp_path, capsys):
    backup_dir = tmp_path / "backup"
    assert main(["--db", str(busy_db_path), "backup", str(backup_dir)]) == 0
    other = tmp_path / "other.duckdb"
    shutil.copy(busy_db_path, other)
    db = open_database(other)
    register_household(db, actor_for(db, "atss"), dict(HOUSEHOLD, national_id="45555555"))
    db.close()
    unchanged = digest(other)

    assert main(["--db", str(other), "restore", str(backup_dir)]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert digest(other) == unchanged

    assert main(["--db", str(other), "restore", str(backup_dir), "--force"]) == 0
    assert snapshot(other)["rows"] == snapshot(busy_db_path)["rows"]
    assert not Path(str(other) + ".restoring").exists()


def test_restore_into_a_freshly_initialised_database_needs_no_force(busy_db_path, tmp_path):
    backup_dir = tmp_path / "backup"
    assert main(["--db", str(busy_db_path), "backup", str(backup_dir)]) == 0
    fresh = tmp_path / "fresh.duckdb"
    assert main(["--db", str(fresh), "init"]) == 0  # schema and reference areas only
    assert main(["--db", str(fresh), "restore", str(backup_dir)]) == 0
    assert snapshot(fresh)["rows"]["households"] == snapshot(busy_db_path)["rows"]["households"]


def test_backup_refuses_a_directory_in_use_and_restore_one_without_a_backup(busy_db_path, tmp_path, capsys):
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("keep me")
    assert main(["--db", str(busy_db_path), "backup", str(used)]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert sorted(p.name for p in used.iterdir()) == ["notes.txt"]
    target = tmp_path / "target.duckdb"
    assert main(["--db", str(target), "restore", str(used)]) == 1
    assert "No complete Jesr backup" in capsys.readouterr().err
    assert not target.exists()


def test_a_backup_missing_a_table_file_restores_nothing(busy_db_path, tmp_path, capsys):
    backup_dir = tmp_path / "backup"
    assert main(["--db", str(busy_db_path), "backup", str(backup_dir)]) == 0
    (backup_dir / "households.parquet").write_bytes(b"PAR1 cut short")
    target = tmp_path / "target.duckdb"
    shutil.copy(busy_db_path, target)
    unchanged = digest(target)
    assert main(["--db", str(target), "restore", str(backup_dir), "--force"]) == 1
    assert "did not bring back every row" in capsys.readouterr().err
    assert digest(target) == unchanged
    assert not Path(str(target) + ".restoring").exists()


def test_a_sequence_behind_its_table_is_refused_rather_than_reusing_ids(busy_db_path, tmp_path, capsys):
    backup_dir = tmp_path / "backup"
    assert main(["--db", str(busy_db_path), "backup", str(backup_dir)]) == 0
    schema = backup_dir / "schema.sql"
    text = schema.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.startswith("CREATE SEQUENCE seq_households "))
    schema.write_text(text.replace(line, line.replace("START 302", "START 5")), encoding="utf-8")
    assert "START 302" in line
    target = tmp_path / "target.duckdb"
    assert main(["--db", str(target), "restore", str(backup_dir)]) == 1
    assert "seq_households is behind the largest id in households" in capsys.readouterr().err
    assert not target.exists()
