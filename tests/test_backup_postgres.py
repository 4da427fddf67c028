"""`backup DIR` / `restore DIR` on PostgreSQL: pg_dump while writes go on, pg_restore in one
transaction; the same refusals as on DuckDB. Runs on the tests' own PostgreSQL server whatever
JESR_TEST_BACKEND says."""

from __future__ import annotations

import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from data_layer.core.actor import SYSTEM
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main
from data_layer.registry.households import register_household
from tests.conftest import _postgres_copy, actor_for, run_cli

HOUSEHOLD = {
    "national_id": "41234567",
    "full_name": "Mabrouka Jlassi",
    "phone": "98 111 222",
    "governorate": "TN-51",
    "delegation": "Sousse Médina",
    "address": "نهج الحرية 3",
    "household_size": 5,
    "vulnerabilities": ["elderly"],
    "needs": "food:2",
}


@pytest.fixture
def pg_demo_url(request: pytest.FixtureRequest, pg_demo_template: str) -> Iterator[str]:
    yield from _postgres_copy(request, pg_demo_template)


@pytest.fixture
def blank_url(pg_server) -> Iterator[str]:
    """A database with nothing in it, not even the schema."""
    name = f"blank_{id(object())}"
    pg_server.psql(f"CREATE DATABASE {name}")
    yield pg_server.url(name)
    pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def rows(url: str) -> dict[str, list[tuple]]:
    """Every base table's rows, in a stable order."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
            )
        ]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_backup_taken_while_writes_go_on_restores_exactly_what_it_counted(pg_demo_url, blank_url, tmp_path):
    db = open_database(pg_demo_url)
    stop = threading.Event()
    saved: list[int] = []

    def keep_registering() -> None:
        actor = actor_for(db, "atss")
        while not stop.is_set():
            saved.append(register_household(db, actor, dict(HOUSEHOLD, national_id=f"4{len(saved):07d}")))

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        while len(saved) < 3:
            stop.wait(0.01)
        done = run_cli(pg_demo_url, "backup", tmp_path / "b")
    finally:
        stop.set()
        writer.join()
        db.close()
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Backed up ")
    dump = tmp_path / "b" / "jesr.pgdump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert len(saved) > 3  # the writer went on during the dump

    done = run_cli(blank_url, "restore", tmp_path / "b")
    assert done.returncode == 0, done.stderr
    restored = count(blank_url, "households")
    # Consistent: a snapshot between two saves, each household with its needs and audit row.
    assert 300 + 3 <= restored < 300 + len(saved) + 1
    with psycopg.connect(blank_url) as conn:
        orphans = conn.execute(
            "SELECT count(*) FROM households h WHERE NOT EXISTS "
            "(SELECT 1 FROM audit_log a WHERE a.table_name = 'households' AND a.record_id = h.id)"
            " AND h.id > 300"
        ).fetchone()[0]
    assert orphans == 0
    # The restored store is a working Jesr database: it opens, and ids continue after the largest.
    again = open_database(blank_url)
    try:
        new_id = register_household(again, actor_for(again, "amal"), dict(HOUSEHOLD, national_id="49999999"))
    finally:
        again.close()
    with psycopg.connect(blank_url) as conn:
        assert conn.execute("SELECT count(*) FROM households WHERE id >= %s", [new_id]).fetchone()[0] == 1


def test_restore_refuses_a_database_with_data_unless_forced(pg_demo_url, pg_empty_url, tmp_path, capsys):
    assert main(["--db", pg_demo_url, "backup", str(tmp_path / "b")]) == 0
    db = open_database(pg_empty_url)
    register_household(db, SYSTEM, dict(HOUSEHOLD, national_id="45555555"))
    db.close()
    before = rows(pg_empty_url)

    assert main(["--db", pg_empty_url, "restore", str(tmp_path / "b")]) == 1
    assert "already holds data" in capsys.readouterr().err
    assert rows(pg_empty_url) == before

    assert main(["--db", pg_empty_url, "restore", str(tmp_path / "b"), "--force"]) == 0
    assert rows(pg_empty_url) == rows(pg_demo_url)


def test_restore_into_a_freshly_initialised_database_needs_no_force(pg_demo_url, pg_empty_url, tmp_path):
    assert main(["--db", pg_demo_url, "backup", str(tmp_path / "b")]) == 0
    assert main(["--db", pg_empty_url, "restore", str(tmp_path / "b")]) == 0
    assert rows(pg_empty_url) == rows(pg_demo_url)


def test_a_damaged_dump_restores_nothing(pg_demo_url, pg_empty_url, tmp_path, capsys):
    assert main(["--db", pg_demo_url, "backup", str(tmp_path / "b")]) == 0
    dump = tmp_path / "b" / "jesr.pgdump"
    dump.write_bytes(dump.read_bytes()[: dump.stat().st_size // 2])
    before = rows(pg_empty_url)
    assert main(["--db", pg_empty_url, "restore", str(tmp_path / "b"), "--force"]) == 1
    assert "did not bring back every row" in capsys.readouterr().err
    assert rows(pg_empty_url) == before


def test_a_duckdb_backup_is_refused_by_a_postgresql_restore(pg_empty_url, tmp_path: Path, capsys):
    duck = tmp_path / "jesr.duckdb"
    assert main(["--db", str(duck), "init"]) == 0
    assert main(["--db", str(duck), "backup", str(tmp_path / "d")]) == 0
    assert main(["--db", pg_empty_url, "restore", str(tmp_path / "d")]) == 1
    assert "comes from a DuckDB file" in capsys.readouterr().err
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("keep me")
    assert main(["--db", pg_empty_url, "backup", str(used)]) == 1
    assert sorted(p.name for p in used.iterdir()) == ["notes.txt"]
