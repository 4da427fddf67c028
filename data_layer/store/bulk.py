"""Bulk inserts from a DataFrame: millions of rows a second, where row-by-row manages about 1,500.

A bulk query reads its rows from a table named `bulk_rows` (or the name it is given). On DuckDB
that is the frame itself, registered for the query's duration; on PostgreSQL, a temporary table
with the frame's column types, filled by COPY and dropped afterwards.

A bulk write that needs no join (`copy_rows`) goes straight into its table: on DuckDB an insert
from the registered Arrow table, on PostgreSQL a COPY of it. COPY is fed whole blocks of CSV
that Arrow's writer makes (about 50 ms for 100,000 rows); psycopg's `write_row` converts each
value in Python, about 12 s for the same rows on a loaded machine.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from data_layer.store.dialect import POSTGRES
from data_layer.store.postgres import PostgresCursor
from data_layer.store.queries import Q, run

# The table name under which a bulk query reads the frame it is given.
ROWS_TABLE = "bulk_rows"
# Past this many rows the planner is given the temporary table's statistics before the query.
ANALYZE_FROM_ROWS = 1000
# Rows per block of CSV handed to COPY: a few MB each.
COPY_BLOCK_ROWS = 50_000
# Every valid value quoted, so that an empty text stays a text: COPY reads an unquoted empty field as NULL.
CSV_OPTIONS = pa_csv.WriteOptions(include_header=False, quoting_style="all_valid")
# A PostgreSQL COPY statement: its table, the columns it names in their order, and its format.
_COPY_STATEMENT = re.compile(
    r"^\s*COPY\s+(\w+)\s*\(([^)]*)\)\s*FROM\s+STDIN\s*\(\s*FORMAT\s+(csv|binary)\s*\)\s*;?\s*$",
    re.IGNORECASE,
)
# PostgreSQL's binary COPY format (its COPY documentation, "Binary Format"): a signature, flags and
# header extension length, then per row a field count and each field as its length and bytes, all
# big-endian. Fed whole blocks, the server reads fields by length instead of scanning CSV text for
# quotes, which was half of its time for the audit rows' long JSON values.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
_NULL_FIELD = b"\xff\xff\xff\xff"
_POSTGRES_EPOCH_US = 946_684_800_000_000  # 2000-01-01, PostgreSQL's zero, in microseconds after 1970
_POSTGRES_EPOCH_DAYS = 10_957
# Column types a binary COPY writes, by information_schema's name: as which Arrow type the values
# are read, and the big-endian layout of one value.
_BINARY_NUMBERS: dict[str, tuple[pa.DataType, str]] = {
    "bigint": (pa.int64(), ">i8"),
    "integer": (pa.int32(), ">i4"),
    "smallint": (pa.int16(), ">i2"),
    "double precision": (pa.float64(), ">f8"),
    "real": (pa.float32(), ">f4"),
    "boolean": (pa.bool_(), "?"),
    "timestamp without time zone": (pa.timestamp("us"), ">i8"),
    "date": (pa.date32(), ">i4"),
}
_BINARY_TEXTS = frozenset({"text", "character varying", "json"})


def run_with_rows(
    cur: Any,
    name: str,
    frame: pd.DataFrame | pa.Table,
    params: dict[str, Any] | None = None,
    *,
    table: str = ROWS_TABLE,
    analyze: bool = True,
) -> Any:
    """Run the named query with `frame` readable as the table `table` (bulk_rows) for its duration."""
    with rows_table(cur, frame, table, analyze=analyze):
        return run(cur, name, params)


@contextmanager
def rows_table(
    cur: Any, frame: pd.DataFrame | pa.Table, table: str = ROWS_TABLE, *, analyze: bool = True
) -> Iterator[None]:
    """`frame` readable as the table `table` by every statement run on `cur` inside the block.

    On PostgreSQL the temporary table is analysed when it holds many rows (ANALYZE_FROM_ROWS),
    unless `analyze` is false: a table only ever joined whole needs no statistics beyond its
    size, which the planner reads from the table itself, and ANALYZE of 100,000 rows costs
    about half a second."""
    if not isinstance(cur, PostgresCursor):
        cur.register(table, frame)
        try:
            yield
        finally:
            cur.unregister(table)
        return
    _copy_into_temporary_table(cur, _as_arrow(frame), table, analyze=analyze)
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


def _quoted_elements(values: pa.Array) -> pa.Array:
    """Text elements of a PostgreSQL array literal: in double quotes, `\\` and `"` escaped."""
    text = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    return pc.binary_join_element_wise('"', text, '"', "")


def map_list_values(column: pa.Array, values_as_text: Callable[[pa.Array], pa.Array]) -> pa.ListArray:
    """`column` (a list array, possibly a slice of a longer one) with its values replaced by their text."""
    if pa.types.is_large_list(column.type):
        column = column.cast(pa.list_(column.type.value_type))
    offsets = column.offsets
    start = offsets[0]
    # The offsets of a slice point into its parent's values: counted again from this slice's first.
    offsets = pc.subtract(offsets, start).cast(pa.int32())
    return pa.ListArray.from_arrays(offsets, values_as_text(column.flatten()), mask=column.is_null())


def _element_text(values: pa.Array) -> pa.Array:
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        elements = _quoted_elements(values.cast(pa.string()))
    else:
        elements = _csv_ready(values).cast(pa.string())
    return pc.fill_null(elements, "NULL")


def _array_literals(column: pa.Array) -> pa.Array:
    """Each list as PostgreSQL's array literal text (`{"a","b"}`, NULL elements as NULL)."""
    lists = map_list_values(column, _element_text)
    return pc.binary_join_element_wise("{", pc.binary_join(lists, ","), "}", "")


def _csv_ready(column: pa.Array) -> pa.Array:
    """A column as COPY reads it from CSV: lists as array literals, times to the microsecond."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        return _csv_ready(column.cast(kind.value_type))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _array_literals(column)
    if pa.types.is_timestamp(kind) and kind.unit == "ns":
        # The database keeps no finer than microseconds.
        return column.cast(pa.timestamp("us", kind.tz), safe=False)
    if pa.types.is_null(kind):
        return column.cast(pa.string())
    return column


def write_csv_blocks(copy: Any, table: pa.Table) -> None:
    """Feed a running `COPY ... FROM STDIN (FORMAT csv)` the rows of `table`, in its column order."""
    for batch in table.to_batches(max_chunksize=COPY_BLOCK_ROWS):
        ready = pa.RecordBatch.from_arrays([_csv_ready(column) for column in batch.columns], names=batch.schema.names)
        buffer = io.BytesIO()
        pa_csv.write_csv(ready, buffer, CSV_OPTIONS)
        copy.write(buffer.getvalue())


def _copy_into_temporary_table(cur: PostgresCursor, table: pa.Table, name: str, *, analyze: bool) -> None:
    columns = ", ".join(f"{_identifier(f.name)} {postgres_type(f.type)}" for f in table.schema)
    cur.execute(f"DROP TABLE IF EXISTS pg_temp.{_identifier(name)}")
    cur.execute(f"CREATE TEMPORARY TABLE {_identifier(name)} ({columns})")
    names = ", ".join(_identifier(f.name) for f in table.schema)
    with cur.copy(f"COPY {_identifier(name)} ({names}) FROM STDIN (FORMAT csv)") as copy:
        write_csv_blocks(copy, table)
    if analyze and table.num_rows >= ANALYZE_FROM_ROWS:
        cur.execute(f"ANALYZE {_identifier(name)}")


def _fixed_fields(values: np.ndarray) -> pa.Array:
    """Binary COPY fields of fixed-width big-endian values: each its 4-byte length, then its bytes."""
    framed = np.empty(len(values), dtype=[("length", ">i4"), ("value", values.dtype)])
    framed["length"] = values.dtype.itemsize
    framed["value"] = values
    width = framed.dtype.itemsize
    buffer = pa.py_buffer(framed.tobytes())
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(values), [None, buffer]).cast(pa.binary())


def _binary_fields(column: pa.Array, column_type: str) -> pa.Array:
    """The binary COPY field of each value of `column`, for a column of `column_type`."""
    if column_type in _BINARY_TEXTS:
        data = column.cast(pa.string()).cast(pa.binary())
        lengths = pc.fill_null(pc.binary_length(data), 0).to_numpy(zero_copy_only=False).astype(">i4")
        prefix = pa.FixedSizeBinaryArray.from_buffers(pa.binary(4), len(data), [None, pa.py_buffer(lengths.tobytes())])
        fields = pc.binary_join_element_wise(prefix.cast(pa.binary()), data, pa.scalar(b"", pa.binary()))
    elif column_type in _BINARY_NUMBERS:
        arrow_type, layout = _BINARY_NUMBERS[column_type]
        typed = column.cast(arrow_type)
        if pa.types.is_timestamp(arrow_type):
            values = pc.fill_null(typed.cast(pa.int64()), 0).to_numpy() - _POSTGRES_EPOCH_US
        elif pa.types.is_date(arrow_type):
            values = pc.fill_null(typed.cast(pa.int32()), 0).to_numpy() - _POSTGRES_EPOCH_DAYS
        else:
            values = pc.fill_null(typed, False if pa.types.is_boolean(arrow_type) else 0).to_numpy(zero_copy_only=False)
        fields = _fixed_fields(values.astype(layout))
    else:
        raise TypeError(f"no binary COPY layout for a column of type {column_type}")
    if column.null_count:
        fields = pc.if_else(column.is_valid(), fields, pa.scalar(_NULL_FIELD, pa.binary()))
    return fields


def write_binary_blocks(copy: Any, table: pa.Table, column_types: list[str]) -> None:
    """Feed a running `COPY ... FROM STDIN (FORMAT binary)` the rows of `table`, in its column order,
    each value in the layout of its column's type (`column_types`)."""
    copy.write(_BINARY_HEADER)
    field_count = pa.scalar(len(table.column_names).to_bytes(2, "big"), pa.binary())
    for batch in table.to_batches(max_chunksize=COPY_BLOCK_ROWS):
        fields = [_binary_fields(column, kind) for column, kind in zip(batch.columns, column_types)]
        rows = pc.binary_join_element_wise(field_count, *fields, pa.scalar(b"", pa.binary()))
        _, offset_buffer, data = rows.buffers()
        offsets = np.frombuffer(offset_buffer, dtype=np.int32)[rows.offset : rows.offset + len(rows) + 1]
        copy.write(data[int(offsets[0]) : int(offsets[-1])])
    copy.write(_BINARY_TRAILER)


def copy_rows(cur: Any, name: str, table: pa.Table, *, source: str) -> None:
    """Write the rows of `table` with the named statement `name`, in one statement.

    On DuckDB the statement's text reads `table` registered as `source`. On PostgreSQL its text
    is `COPY t (columns) FROM STDIN (FORMAT csv)` or `(FORMAT binary)`, fed the columns of
    `table` it names, in its order: no temporary table, and no second pass over the rows. The
    binary format writes numbers, times and texts (the audit rows); CSV any column (lists, decimals).
    """
    if not isinstance(cur, PostgresCursor):
        run_with_rows(cur, name, table, table=source)
        return
    statement = Q.get(name).sql_for(POSTGRES)
    match = _COPY_STATEMENT.match(statement)
    if match is None:
        raise RuntimeError(f"query {name!r} has no PostgreSQL text of the form COPY t (columns) FROM STDIN (FORMAT f)")
    target, named, file_format = match.group(1), match.group(2), match.group(3).lower()
    columns = [column.strip().strip('"') for column in named.split(",")]
    rows = table.select(columns)
    if file_format == "csv":
        with cur.copy(statement) as copy:
            write_csv_blocks(copy, rows)
        return
    declared = {row["column_name"]: row["data_type"] for row in run(cur, "list_column_types", {"table_name": target})}
    with cur.copy(statement) as copy:
        write_binary_blocks(copy, rows, [declared[column] for column in columns])


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
