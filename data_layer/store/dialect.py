"""The one place where DuckDB's and PostgreSQL's spelling of a query differ: parameters.

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
