"""The one place where DuckDB's and PostgreSQL's spelling of a query differ: parameters, and
the JSON object a statement composed in Python builds (`json_object`).

Named queries are written once, with DuckDB's `$name` parameters. psycopg takes `%(name)s`, and
every other `%` (as in `LIKE '%x'`) doubled: psycopg scans the whole text for placeholders,
literals and comments included. A `$word` inside a literal, a quoted identifier or a comment is
not a parameter.
"""

from __future__ import annotations

import re
from typing import Any

DUCKDB = "duckdb"
POSTGRES = "postgres"
DIALECTS = (DUCKDB, POSTGRES)

# One token at a time: a quoted string, a quoted identifier, a line comment, a parameter, a percent.
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|\$([a-z_][a-z0-9_]*)|%", re.IGNORECASE)


def to_psycopg(sql: str) -> str:
    """DuckDB `$name` parameters as psycopg `%(name)s`, and every other `%` doubled."""

    def replace(match: re.Match[str]) -> str:
        text = match.group(0)
        if match.group(1):
            return f"%({match.group(1)})s"
        return text.replace("%", "%%")

    return _TOKEN.sub(replace, sql)


def parameter_names(sql: str) -> list[str]:
    """The `$name` parameters of a query, in order of first use (outside literals and comments)."""
    names: list[str] = []
    for match in _TOKEN.finditer(sql):
        name = match.group(1)
        if name and name not in names:
            names.append(name)
    return names


def dialect_of(cursor: Any) -> str:
    """The dialect a cursor speaks: a PostgreSQL cursor says so, a DuckDB cursor does not."""
    return getattr(cursor, "dialect", DUCKDB)


def json_object(fields: dict[str, str], dialect: str) -> str:
    """SQL for a JSON object whose keys are `fields`' names and values their SQL expressions:
    DuckDB's `to_json(struct_pack(k := e))`, PostgreSQL's `json_build_object('k', e)`."""
    if dialect == POSTGRES:
        return "json_build_object(" + ", ".join(f"'{name}', {expr}" for name, expr in fields.items()) + ")"
    return "to_json(struct_pack(" + ", ".join(f"{name} := {expr}" for name, expr in fields.items()) + "))"


def typed_parameter(name: str, value: Any) -> str:
    """`$name` cast to the SQL type of its Python value. PostgreSQL cannot type a parameter that
    only a function of any argument (json_build_object) reads; a None is typed as text."""
    if isinstance(value, bool):
        sql_type = "BOOLEAN"
    elif isinstance(value, int):
        sql_type = "BIGINT"
    elif isinstance(value, float):
        sql_type = "DOUBLE PRECISION"
    else:
        sql_type = "TEXT"
    return f"CAST(${name} AS {sql_type})"
