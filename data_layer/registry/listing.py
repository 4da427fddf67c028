"""One page of a record list and how many records match in all, read in one cursor."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_layer.core.paging import page_window
from data_layer.store.database import Database
from data_layer.store.queries import run


def read_page(
    db: Database, count_query: str, page_query: str, filters: dict[str, Any], page: int, page_size: int
) -> tuple[pd.DataFrame, int]:
    with db.reading() as cur:
        total = run(cur, count_query, filters)
        frame = run(cur, page_query, dict(filters, **page_window(page, page_size)))
    return frame, int(total)
