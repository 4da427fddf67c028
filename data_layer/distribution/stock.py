"""Stock: what each organisation holds, derived from donations received minus live allocations.

Nothing here is typed by hand: the `stock_lines` view (migration 0011) is the one
definition, shared by the stock page, every allocation check, the suggestion and the export.
"""

from __future__ import annotations

from contextlib import closing

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.store.database import Database
from data_layer.store.queries import run


def stock_scope(actor: Actor) -> int | None:
    """The organisation whose stock an actor works with; None means all of them."""
    return organisation_scope(actor)


def _filters(actor: Actor, governorate_code: str | None, category_code: str | None) -> dict[str, object]:
    return {
        "organisation_id": stock_scope(actor),
        "governorate_code": governorate_code or None,
        "category_code": category_code or None,
    }


def list_stock_lines(
    db: Database, actor: Actor, *, governorate_code: str | None = None, category_code: str | None = None
) -> pd.DataFrame:
    """One row per received donation line: received, allocated, available."""
    with closing(db.cursor()) as cur:
        return run(cur, "list_stock_lines", _filters(actor, governorate_code, category_code))


def stock_summary(
    db: Database, actor: Actor, *, governorate_code: str | None = None, category_code: str | None = None
) -> pd.DataFrame:
    """Stock per organisation, governorate (ISO code), category, item and unit."""
    with closing(db.cursor()) as cur:
        return run(cur, "list_stock_summary", _filters(actor, governorate_code, category_code))


def export_stock(db: Database, actor: Actor) -> pd.DataFrame:
    """The stock export: the summary without the line count."""
    return stock_summary(db, actor).drop(columns=["lines"])
