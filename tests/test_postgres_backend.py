"""The backend is chosen by the connection string; migrations, bulk rows, errors and the data
version behave the same on a DuckDB file and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import pandas as pd
import pytest

from data_layer.core.actor import SYSTEM
from data_layer.store import postgres
from data_layer.store.audit import data_version, write_audit
from data_layer.store.bulk import advance_sequence, rows_table
from data_layer.store.database import connect
from data_layer.store.errors import DatabaseUnreachable, UniqueViolation
from data_layer.store.migrations import apply_migrations, list_migrations
from tests.pg_server import free_port

names = itertools.count()


@pytest.fixture
def pg_url(pg_server):
    name = f"backend_{next(names)}"
    pg_server.psql(f"CREATE DATABASE {name}")
    return pg_server.url(name)


@pytest.fixture(params=["duckdb", "postgres"])
def target(request, tmp_path):
    """A new, empty database of each backend, as JESR_DB would name it."""
    if request.param == "duckdb":
        return str(tmp_path / "jesr.duckdb")
    return request.getfixturevalue("pg_url")


def test_the_connection_string_picks_the_backend(target):
    db = connect(target)
    try:
        assert db.dialect == ("postgres" if target.startswith("postgresql://") else "duckdb")
        with db.reading() as cur:
            assert cur.execute("SELECT 1 + 1").fetchone() == (2,)
    finally:
        db.close()


def test_migrations_and_reference_areas_apply_once(target):
    db = connect(target)
    try:
        assert apply_migrations(db) == [version for version, _, _ in list_migrations()]
        assert apply_migrations(db) == []
        with db.reading() as cur:
            areas = cur.execute("SELECT code, population, delegations FROM areas ORDER BY code").fetchall()
            recorded = cur.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        assert len(areas) == 24
        assert areas[0] == ("TN-11", 1056247, 21)
        assert recorded == len(list_migrations())
    finally:
        db.close()


def test_bulk_rows_keep_their_types_and_go_away(target):
    db = connect(target)
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "label": ["أرز", None],
            "on_day": [dt.date(2020, 5, 15), dt.date(2020, 5, 16)],
            "taken_at": pd.to_datetime(["2020-05-15 10:30:00", "2020-05-16 11:00:00"]),
            "share": [0.5, float("nan")],
            "urgent": [True, False],
            "tags": [["a", "b"], []],
        }
    )
    try:
        with db.transaction() as cur:
            cur.execute(
                "CREATE TABLE t (id INTEGER, label VARCHAR, on_day DATE, taken_at TIMESTAMP, share DOUBLE PRECISION, "
                "urgent BOOLEAN, tags VARCHAR[])"
            )
            with rows_table(cur, frame):
                cur.execute("INSERT INTO t SELECT id, label, on_day, taken_at, share, urgent, tags FROM bulk_rows")
        with db.reading() as cur:
            rows = cur.execute("SELECT * FROM t ORDER BY id").fetchall()
            with pytest.raises(Exception):  # noqa: B017 - each driver says "no such table" its own way
                cur.execute("SELECT * FROM bulk_rows")
        assert rows == [
            (1, "أرز", dt.date(2020, 5, 15), dt.datetime(2020, 5, 15, 10, 30), 0.5, True, ["a", "b"]),
            (2, None, dt.date(2020, 5, 16), dt.datetime(2020, 5, 16, 11, 0), None, False, []),
        ]
    finally:
        db.close()


def test_advance_sequence_moves_past_the_ids_taken(target):
    db = connect(target)
    try:
        with db.transaction() as cur:
            cur.execute("CREATE SEQUENCE s START 1")
            advance_sequence(cur, "s", 5)
            assert cur.execute("SELECT nextval('s')").fetchone() == (6,)
    finally:
        db.close()


def test_a_repeated_key_is_the_same_refusal_on_both_backends(target):
    db = connect(target)
    try:
        with db.transaction() as cur:
            cur.execute("CREATE TABLE t (national_id VARCHAR PRIMARY KEY)")
            cur.execute("INSERT INTO t VALUES ('01234567')")
        with pytest.raises(UniqueViolation), db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES ('01234567')")
        with db.reading() as cur:
            assert cur.execute("SELECT count(*) FROM t").fetchone() == (1,)
    finally:
        db.close()


def test_a_write_on_another_server_shows_in_the_data_version(pg_url):
    here, there = connect(pg_url), connect(pg_url)
    try:
        apply_migrations(here)
        before = data_version(here)
        assert data_version(here) == before
        with there.transaction() as cur:
            write_audit(cur, SYSTEM, "insert", "households", 1, after={"n": 1})
        assert data_version(here) > before
    finally:
        here.close()
        there.close()


def test_an_unreachable_server_is_named_without_its_password():
    url = f"postgresql://jesr:s3cret-pw@127.0.0.1:{free_port()}/jesr"
    with pytest.raises(DatabaseUnreachable) as caught:
        connect(url)
    assert "127.0.0.1" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    done = subprocess.run(
        [sys.executable, "-m", "data_layer", "--db", url, "users", "list"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert "cannot be reached" in done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr


def test_compatibility_functions_are_defined_at_every_open(pg_url, tmp_path, monkeypatch):
    functions = tmp_path / "postgres.sql"
    functions.write_text(
        "CREATE OR REPLACE FUNCTION jesr_twice(x INTEGER) RETURNS INTEGER AS 'SELECT 2 * x' LANGUAGE SQL;"
    )
    monkeypatch.setattr(postgres, "DIALECT_FUNCTIONS", functions)
    for _ in range(2):
        db = connect(pg_url)
        try:
            with db.reading() as cur:
                assert cur.execute("SELECT jesr_twice(21)").fetchone() == (42,)
        finally:
            db.close()
