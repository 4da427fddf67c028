"""Named SQL blocks from sql/queries/*.sql, aiosql style, each with its declared result shape.

A block starts with `-- name: verb_noun SHAPE`, then a comment line that documents it, then the
SQL with `$name` parameters. SHAPE says what `run` gives back, so call sites never pick rows
or columns by position:

    :one     the first row as a dict keyed by column name, or None
    :scalar  the first column of the first row, or None
    :rows    every row as a dict keyed by column name
    :frame   a pandas DataFrame
    :columns each column as a NumPy array, keyed by its name (for batches read in bulk: a quarter
             of a DataFrame's time for 50,000 rows of text)
    :exec    nothing (writes)

Queries are written once for both backends. Where PostgreSQL needs another text (DuckDB's
catalogue functions, say), the block holds it after a line `-- postgres:`; the text above that
line is DuckDB's. `run` picks the one for the cursor's dialect.

`Q.list_households` is the SQL text, for the few callers that compose it (exports, COPY).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUERIES_DIR = Path(__file__).resolve().parents[2] / "sql" / "queries"
SHAPES = ("one", "scalar", "rows", "frame", "columns", "exec")
_POSTGRES_LINE = re.compile(r"^--\s*postgres:\s*$", re.MULTILINE)
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)(?:[ \t]+:([a-z]+))?[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    shape: str
    source: str
    postgres_sql: str | None = None

    def sql_for(self, dialect: str) -> str:
        return self.postgres_sql if dialect == "postgres" and self.postgres_sql is not None else self.sql


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, Query]:
    queries: dict[str, Query] = {}
    for path in sorted(directory.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        parts = _NAME_LINE.split(text)
        # parts: [preamble, name1, shape1, body1, name2, shape2, body2, ...]
        for name, shape, body in zip(parts[1::3], parts[2::3], parts[3::3]):
            source = str(path.relative_to(directory))
            if name in queries:
                raise RuntimeError(f"query {name!r} is defined twice (second in {source})")
            shape = shape or "exec"
            if shape not in SHAPES:
                raise RuntimeError(f"query {name!r} in {source} has shape :{shape}; use one of {SHAPES}")
            duckdb_text, *postgres_text = _POSTGRES_LINE.split(body, maxsplit=1)
            postgres_sql = postgres_text[0].strip() if postgres_text else None
            queries[name] = Query(name, duckdb_text.strip(), shape, source, postgres_sql)
    return queries


class _Queries:
    def __init__(self) -> None:
        self.by_name = load_queries()

    def __getattr__(self, name: str) -> str:
        return self.get(name).sql

    def get(self, name: str) -> Query:
        try:
            return self.by_name[name]
        except KeyError:
            raise AttributeError(f"no query named {name!r} in sql/queries") from None


Q = _Queries()


def _as_dicts(cursor: Any, rows: list[tuple]) -> list[dict[str, Any]]:
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row)) for row in rows]


def run(cursor: Any, name: str, params: dict[str, Any] | None = None) -> Any:
    """Execute the named query on `cursor` and return its result in the declared shape."""
    query = Q.get(name)
    sql = query.sql_for(getattr(cursor, "dialect", "duckdb"))
    result = cursor.execute(sql, params) if params is not None else cursor.execute(sql)
    if query.shape == "exec":
        return None
    if query.shape == "frame":
        return result.df()
    if query.shape == "columns":
        return result.fetchnumpy()
    # Every row is fetched even for :one and :scalar: DuckDB refuses some later calls on the cursor
    # (register) while a result is left unfinished.
    rows = result.fetchall()
    if query.shape == "scalar":
        return rows[0][0] if rows else None
    if query.shape == "one":
        return _as_dicts(result, rows[:1])[0] if rows else None
    return _as_dicts(result, rows)
