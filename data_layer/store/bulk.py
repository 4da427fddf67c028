"""Bulk inserts from a DataFrame: millions of rows a second, where row-by-row manages about 1,500.

A bulk query reads its rows from a table named `bulk_rows` (or the name it is given). On DuckDB
that is the frame itself, registered for the query's duration; on PostgreSQL, a temporary table
with the frame's column types, filled by COPY and dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import psycopg
import pyarrow as pa

from data_layer.store.postgres import PostgresCursor
from data_layer.store.queries import run

# The table name under which a bulk query reads the frame it is given.
ROWS_TABLE = "bulk_rows"
# Past this many rows the planner is given the temporary table's statistics before the query.
ANALYZE_FROM_ROWS = 1000


def run_with_rows(
    cur: Any,
    name: str,
    frame: pd.DataFrame | pa.Table,
    params: dict[str, Any] | None = None,
    *,
    table: str = ROWS_TABLE,
) -> Any:
    """Run the named query with `frame` readable as the table `table` (bulk_rows) for its duration."""
    with rows_table(cur, frame, table):
        return run(cur, name, params)


@contextmanager
def rows_table(cur: Any, frame: pd.DataFrame | pa.Table, table: str = ROWS_TABLE) -> Iterator[None]:
    """`frame` readable as the table `table` by every statement run on `cur` inside the block."""
    if not isinstance(cur, PostgresCursor):
        cur.register(table, frame)
        try:
            yield
        finally:
            cur.unregister(table)
        return
    _copy_into_temporary_table(cur, _as_arrow(frame), table)
    try:
        yield
    finally:
        _drop_quietly(cur, table)


def _as_arrow(frame: pd.DataFrame | pa.Table) -> pa.Table:
    if isinstance(frame, pa.Table):
        return frame
    return pa.Table.from_pandas(frame, preserve_index=False)


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgres_type(arrow_type: pa.DataType) -> str:
    """The PostgreSQL column type that holds values of `arrow_type` as DuckDB would read them."""
    if pa.types.is_boolean(arrow_type):
        return "BOOLEAN"
    if pa.types.is_integer(arrow_type):
        return "BIGINT" if arrow_type.bit_width == 64 or pa.types.is_uint32(arrow_type) else "INTEGER"
    if pa.types.is_floating(arrow_type):
        return "DOUBLE PRECISION"
    if pa.types.is_decimal(arrow_type):
        return "NUMERIC"
    if pa.types.is_date(arrow_type):
        return "DATE"
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMPTZ" if arrow_type.tz else "TIMESTAMP"
    if pa.types.is_time(arrow_type):
        return "TIME"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return postgres_type(arrow_type.value_type) + "[]"
    if pa.types.is_dictionary(arrow_type):
        return postgres_type(arrow_type.value_type)
    return "TEXT"  # strings, and columns of nothing but nulls


def _python_columns(table: pa.Table) -> list[list[Any]]:
    columns = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type) and column.type.unit == "ns":
            # Python's datetime holds microseconds; the database keeps no finer either.
            column = column.cast(pa.timestamp("us", column.type.tz), safe=False)
        columns.append(column.to_pylist())
    return columns


def _copy_into_temporary_table(cur: PostgresCursor, table: pa.Table, name: str) -> None:
    columns = ", ".join(f"{_identifier(f.name)} {postgres_type(f.type)}" for f in table.schema)
    cur.execute(f"DROP TABLE IF EXISTS pg_temp.{_identifier(name)}")
    cur.execute(f"CREATE TEMPORARY TABLE {_identifier(name)} ({columns})")
    names = ", ".join(_identifier(f.name) for f in table.schema)
    with cur.copy(f"COPY {_identifier(name)} ({names}) FROM STDIN") as copy:
        for row in zip(*_python_columns(table)):
            copy.write_row(row)
    if table.num_rows >= ANALYZE_FROM_ROWS:
        cur.execute(f"ANALYZE {_identifier(name)}")


def _drop_quietly(cur: PostgresCursor, name: str) -> None:
    """Drop the table; in a transaction the failure already aborted, the rollback drops it instead."""
    try:
        cur.execute(f"DROP TABLE IF EXISTS pg_temp.{_identifier(name)}")
    except psycopg.errors.InFailedSqlTransaction:
        pass


def advance_sequence(cur: Any, sequence: str, count: int) -> None:
    """Move a sequence past `count` ids that a bulk insert assigned itself."""
    if count > 0:
        run(cur, "advance_sequence", {"sequence": sequence, "count": int(count)})
