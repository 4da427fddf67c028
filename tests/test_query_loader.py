"""The named-query loader: declared shapes decide what a call gets back, by column name."""

from __future__ import annotations

import re

import duckdb
import pytest

from data_layer.store.queries import Q, load_queries, run
from tests.conftest import ROOT

SQL = """\
-- name: count_rows :scalar
-- How many rows.
SELECT count(*) FROM t;

-- name: get_row :one
-- One row by id.
SELECT id, label FROM t WHERE id = $id;

-- name: list_rows :rows
-- Every row.
SELECT id, label FROM t ORDER BY id;

-- name: add_row
-- A write; no shape means :exec.
INSERT INTO t VALUES ($id, $label);
"""


def test_shapes_return_what_they_declare(tmp_path, monkeypatch):
    (tmp_path / "t.sql").write_text(SQL)
    queries = load_queries(tmp_path)
    assert {q.name: q.shape for q in queries.values()} == {
        "count_rows": "scalar",
        "get_row": "one",
        "list_rows": "rows",
        "add_row": "exec",
    }
    monkeypatch.setattr(Q, "by_name", queries)
    cur = duckdb.connect(str(tmp_path / "t.duckdb"))
    cur.execute("CREATE TABLE t (id INTEGER, label VARCHAR)")
    assert run(cur, "add_row", {"id": 1, "label": "rice"}) is None
    run(cur, "add_row", {"id": 2, "label": "oil"})
    assert run(cur, "count_rows") == 2
    assert run(cur, "get_row", {"id": 2}) == {"id": 2, "label": "oil"}
    assert run(cur, "get_row", {"id": 9}) is None
    assert run(cur, "list_rows") == [{"id": 1, "label": "rice"}, {"id": 2, "label": "oil"}]


def test_unknown_shape_and_twice_defined_names_are_refused(tmp_path):
    (tmp_path / "a.sql").write_text("-- name: q :many\n-- x\nSELECT 1;\n")
    with pytest.raises(RuntimeError, match="shape :many"):
        load_queries(tmp_path)
    (tmp_path / "a.sql").write_text("-- name: q\n-- x\nSELECT 1;\n")
    (tmp_path / "b.sql").write_text("-- name: q\n-- x\nSELECT 2;\n")
    with pytest.raises(RuntimeError, match="defined twice"):
        load_queries(tmp_path)


def test_every_query_of_the_product_loads():
    assert len(Q.by_name) > 100


def test_every_named_query_is_used_by_the_product():
    # A query no code names is dead: it drifts from the schema unseen.
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("data_layer", "ui", "pages", "bench", "scripts")
        for path in (ROOT / folder).rglob("*.py")
    )
    unused = sorted(f"{q.source}: {name}" for name, q in Q.by_name.items() if not re.search(rf"\b{name}\b", code))
    assert unused == []


def test_a_block_may_hold_postgresqls_own_text(tmp_path):
    (tmp_path / "a.sql").write_text(
        "-- name: list_tables :rows\n-- Tables.\nSELECT name FROM duckdb_tables();\n-- postgres:\n"
        "SELECT table_name AS name FROM information_schema.tables;\n\n"
        "-- name: count_t :scalar\n-- Both engines.\nSELECT count(*) FROM t;\n"
    )
    queries = load_queries(tmp_path)
    assert queries["list_tables"].sql_for("duckdb") == "-- Tables.\nSELECT name FROM duckdb_tables();"
    assert queries["list_tables"].sql_for("postgres") == "SELECT table_name AS name FROM information_schema.tables;"
    assert (
        queries["count_t"].sql_for("postgres") == queries["count_t"].sql == "-- Both engines.\nSELECT count(*) FROM t;"
    )
