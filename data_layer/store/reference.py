"""Areas and categories, read once per database and kept with it."""

from __future__ import annotations

import pandas as pd

from data_layer.core.validation import Reference, build_reference
from data_layer.store.database import Database
from data_layer.store.queries import Q


def get_reference(db: Database) -> Reference:
    if "reference" not in db.memo:
        cur = db.cursor()
        try:
            areas = cur.execute(Q.list_areas).df().to_dict("records")
            categories = cur.execute(Q.list_categories).fetchall()
        finally:
            cur.close()
        db.memo["reference"] = build_reference(
            areas, [{"code": c, "units": list(u), "divisible": d} for c, u, d in categories]
        )
    return db.memo["reference"]


def list_areas(db: Database, country_code: str = "TN") -> pd.DataFrame:
    cur = db.cursor()
    try:
        frame = cur.execute(Q.list_areas).df()
    finally:
        cur.close()
    return frame[frame["country_code"] == country_code].reset_index(drop=True)


def category_codes(db: Database) -> list[str]:
    return list(get_reference(db).categories)
