"""The PostgreSQL store: DuckDB-shaped cursors over a pool, and writes serialised across servers."""

from __future__ import annotations

import itertools
import threading

import pytest

from data_layer.store.postgres import connect_postgres

names = itertools.count()


@pytest.fixture
def pg_url(pg_server):
    name = f"store_{next(names)}"
    pg_server.psql(f"CREATE DATABASE {name}")
    return pg_server.url(name)


def test_cursor_reads_like_a_duckdb_cursor(pg_url):
    db = connect_postgres(pg_url)
    try:
        with db.transaction() as cur:
            cur.execute("CREATE TABLE t (id INTEGER, label VARCHAR, tags VARCHAR[], doc JSON)")
            cur.execute(
                "INSERT INTO t VALUES ($id, $label, $tags, $doc)",
                {"id": 1, "label": "10%", "tags": ["a"], "doc": '{"k": 1}'},
            )
        cur = db.cursor()
        try:
            assert cur.execute("SELECT label, tags, doc FROM t WHERE label LIKE '%\\%' ESCAPE '\\'").fetchall() == [
                ("10%", ["a"], '{"k": 1}')
            ]
            assert cur.execute("SELECT id FROM t WHERE id = ?", [1]).fetchone() == (1,)
            assert cur.execute("SELECT id, label FROM t").df().to_dict("records") == [{"id": 1, "label": "10%"}]
        finally:
            cur.close()
    finally:
        db.close()


def test_a_float_column_of_nulls_is_a_float_column_as_on_duckdb(pg_url):
    # The dashboard of an empty database rounds its coverage rates: NULL for every area.
    db = connect_postgres(pg_url)
    try:
        with db.reading() as cur:
            frame = cur.execute(
                "SELECT CAST(NULL AS DOUBLE PRECISION) AS rate, CAST(NULL AS VARCHAR) AS name FROM generate_series(1, 2)"
            ).df()
        assert [str(t) for t in frame.dtypes] == ["float64", "object"]
        assert frame["rate"].round(4).isna().all()
    finally:
        db.close()


def test_a_failed_transaction_writes_nothing(pg_url):
    db = connect_postgres(pg_url)
    try:
        with db.transaction() as cur:
            cur.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        with pytest.raises(RuntimeError), db.transaction() as cur:
            cur.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("half-way")
        cur = db.cursor()
        try:
            assert cur.execute("SELECT count(*) FROM t").fetchone() == (0,)
        finally:
            cur.close()
    finally:
        db.close()


def test_writers_on_two_servers_take_turns(pg_url):
    """Two pools stand for two app servers: the second writer waits for the first to commit,
    so a check-then-insert (the shape of every stock and duplicate rule) cannot interleave."""
    first, second = connect_postgres(pg_url), connect_postgres(pg_url)
    try:
        with first.transaction() as cur:
            cur.execute("CREATE TABLE stock (item VARCHAR, taken INTEGER)")
            cur.execute("INSERT INTO stock VALUES ('rice', 0)")

        def take(db, seen):
            with db.transaction() as cur:
                taken = cur.execute("SELECT taken FROM stock").fetchone()[0]
                seen.append(taken)
                if taken == 0:  # one unit left: only one taker may have it
                    holding.wait(timeout=5)
                    cur.execute("UPDATE stock SET taken = taken + 1")

        holding, seen = threading.Event(), []
        threads = [threading.Thread(target=take, args=(db, seen)) for db in (first, second)]
        for thread in threads:
            thread.start()
        holding.set()
        for thread in threads:
            thread.join(timeout=20)
        assert sorted(seen) == [0, 1]
        cur = first.cursor()
        try:
            assert cur.execute("SELECT taken FROM stock").fetchone() == (1,)
        finally:
            cur.close()
    finally:
        first.close()
        second.close()
