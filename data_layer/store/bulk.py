"""Bulk inserts from a DataFrame: millions of rows a second, where row-by-row manages about 1,500."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_layer.store.queries import run

# The table name under which a bulk query reads the frame it is given.
ROWS_TABLE = "bulk_rows"


def run_with_rows(cur: Any, name: str, frame: pd.DataFrame, params: dict[str, Any] | None = None) -> Any:
    """Run the named query with `frame` readable as the table bulk_rows for its duration."""
    cur.register(ROWS_TABLE, frame)
    try:
        return run(cur, name, params)
    finally:
        cur.unregister(ROWS_TABLE)


def advance_sequence(cur: Any, sequence: str, count: int) -> None:
    """Move a sequence past `count` ids that a bulk insert assigned itself."""
    if count > 0:
        run(cur, "advance_sequence", {"sequence": sequence, "count": int(count)})
