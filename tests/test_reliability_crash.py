"""A power cut in the middle of a big import: the command-line import of 50,000 households is
killed with SIGKILL while it is writing. The database opens afterwards, holds all of that import
or none of it, and every row committed before (including rows only in the write-ahead log of a
process that was itself killed) is unchanged."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from data_layer.ops.bootstrap import open_database
from data_layer.registry.households import register_household
from tests.conftest import ROOT, actor_for, assert_facts_match_base_tables

IMPORT_ROWS = 50_000
NEEDS_PER_ROW = 2  # "food:2;hygiene:1"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(2020)
    path = tmp_path_factory.mktemp("crash") / "households.csv"
    pd.DataFrame(
        {
            "national_id": [f"3{i:07d}" for i in range(IMPORT_ROWS)],
            "full_name": [f"عائلة مستوردة {i}" for i in range(IMPORT_ROWS)],
            "phone": "",
            "governorate": rng.choice(["TN-11", "Tunis", "تونس", "TN-12"], IMPORT_ROWS),
            "delegation": "Centre",
            "address": "نهج 1",
            "household_size": rng.integers(1, 9, IMPORT_ROWS).astype(str),
            "vulnerabilities": "elderly",
            "needs": "food:2;hygiene:1",
            "notes": "",
        }
    ).to_csv(path, index=False)
    return path


def import_command(db_path: Path, csv_path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "data_layer",
        "--db",
        str(db_path),
        "import",
        "households",
        str(csv_path),
        "--org",
        "ATSS",
    ]


def log_bytes(db_path: Path) -> int:
    wal = Path(str(db_path) + ".wal")
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def commit_then_die(db_path: Path) -> None:
    """A process that saves three households through the data layer, then is killed before it closes."""
    script = (
        "import os, signal\n"
        "from data_layer.ops.bootstrap import open_database\n"
        "from data_layer.registry.households import register_household\n"
        "from tests.conftest import actor_for\n"
        f"db = open_database({str(db_path)!r})\n"
        "actor = actor_for(db, 'amal')\n"
        "for k in range(3):\n"
        "    register_household(db, actor, {'national_id': f'2000000{k}', 'full_name': f'Committed {k}',\n"
        "        'governorate': 'TN-61', 'delegation': 'Sfax Ville', 'household_size': 2, 'needs': 'food:1'})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == -signal.SIGKILL, done.stderr


GROWING_TABLES = ("households", "needs", "audit_log")  # the only tables an import adds to
DERIVED_PREFIXES = ("fact_", "facts_")  # dashboard facts: recomputed from the others, not kept as written


def state(db_path: Path, cut: dict[str, int] | None = None) -> dict[str, object]:
    """Counts, and every row of every table (the growing ones only up to the ids in `cut`)."""
    conn = duckdb.connect(str(db_path))  # read-write: replays the WAL like the app's next start
    try:
        tables = [r[0] for r in conn.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        rows = {}
        for table in tables:
            where = f"WHERE id <= {int(cut[table])}" if cut and table in GROWING_TABLES else ""
            rows[table] = conn.execute(f'SELECT * FROM "{table}" {where} ORDER BY ALL').fetchall()
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "households": one("SELECT count(*) FROM households"),
            "needs": one("SELECT count(*) FROM needs"),
            "imported": one("SELECT count(*) FROM households WHERE source = 'import'"),
            "import_audit": one("SELECT count(*) FROM audit_log WHERE action = 'import'"),
            "max_ids": {t: one(f"SELECT max(id) FROM {t}") for t in GROWING_TABLES},
            "rows": rows,
        }
    finally:
        conn.close()


@pytest.fixture(scope="module")
def uncut_run(big_file: Path, tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> dict[str, float]:
    """The same import left to finish: proves the file is valid (so "none" after a kill means the kill),
    and how large a log its commit writes, to place the kills. A big insert writes nothing to disk
    until its commit (no optimistic writes, data_layer/connection.py); the commit writes the rows to
    the log, and the checkpoint at close then moves them into the file and removes the log."""
    db_path = tmp_path_factory.mktemp("uncut") / "jesr.duckdb"
    shutil.copy(demo_template, db_path)
    started = time.perf_counter()
    process = subprocess.Popen(
        import_command(db_path, big_file), cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    peak_log = 0
    while process.poll() is None and time.perf_counter() - started < 300:
        peak_log = max(peak_log, log_bytes(db_path))
        time.sleep(0.005)
    stdout, stderr = process.communicate(timeout=60)
    seconds = time.perf_counter() - started
    assert process.returncode == 0, stderr
    assert stdout.strip() == f"Imported {IMPORT_ROWS} of {IMPORT_ROWS} households."
    after = state(db_path)
    assert after["imported"] == IMPORT_ROWS
    assert peak_log > 10_000_000, f"the import's commit wrote a log of only {peak_log:,} bytes"
    print(f"uncut import: {seconds:.1f} s, log {peak_log:,} bytes")
    return {"seconds": seconds, "log": peak_log}


@pytest.mark.parametrize("kill_at", [0.05, 0.5, 0.9])
def test_import_killed_while_writing_leaves_all_or_nothing(db_path, big_file, uncut_run, kill_at):
    commit_then_die(db_path)
    before = state(db_path)
    assert before["households"] == 303  # 300 demo households + 3 committed by the killed process

    start_log = log_bytes(db_path)  # none, normally: reading `before` replayed and checkpointed the log
    threshold = start_log + kill_at * uncut_run["log"]
    process = subprocess.Popen(
        import_command(db_path, big_file), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and log_bytes(db_path) < threshold and time.monotonic() < deadline:
        time.sleep(0.005)
    killed_at_log = log_bytes(db_path)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, (
        f"the import finished before the kill ({process.returncode}); the kill point is too late"
    )
    assert killed_at_log > start_log, "killed before the import's commit wrote anything: not a mid-write crash"

    after = state(db_path, before["max_ids"])
    assert after["imported"] in (0, IMPORT_ROWS), f"partial import: {after['imported']} rows"
    whole = after["imported"] == IMPORT_ROWS
    assert after["households"] == before["households"] + (IMPORT_ROWS if whole else 0)
    assert after["needs"] == before["needs"] + (IMPORT_ROWS * NEEDS_PER_ROW if whole else 0)
    assert after["import_audit"] == before["import_audit"] + (1 if whole else 0)
    for table, rows in before["rows"].items():
        if table.startswith(DERIVED_PREFIXES):
            continue  # caught up by the import's open since `before` was read; checked below instead
        assert after["rows"][table] == rows, f"{table}: rows committed before the crash changed"

    # The database is usable after the crash: the next save goes through and gets the next id.
    db = open_database(db_path)
    try:
        new_id = register_household(
            db,
            actor_for(db, "atss"),
            {
                "national_id": "21111111",
                "full_name": "After the crash",
                "governorate": "TN-11",
                "delegation": "Bab Souika",
                "household_size": 4,
                "needs": "food:1",
            },
        )
        assert_facts_match_base_tables(db)
    finally:
        db.close()
    assert new_id > (before["max_ids"]["households"] + (IMPORT_ROWS if whole else 0))
    print(
        f"kill at {kill_at:.0%} of the commit's log ({killed_at_log - start_log:,} bytes written): "
        f"{'all' if whole else 'none'} of the import; uncut import {uncut_run['seconds']:.1f} s"
    )
