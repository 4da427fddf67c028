"""Areas, categories and each country's settings, read once per database and kept with it."""

from __future__ import annotations

import pandas as pd

from data_layer.core.countries import CountrySettings
from data_layer.core.validation import Reference, build_reference
from data_layer.store.database import Database
from data_layer.store.queries import run


def get_reference(db: Database) -> Reference:
    if "reference" not in db.memo:
        with db.reading() as cur:
            areas = run(cur, "list_areas").to_dict("records")
            categories = run(cur, "list_categories")
            settings = [
                CountrySettings(**{"code": row.pop("country_code"), **row}) for row in run(cur, "list_country_settings")
            ]
        db.memo["reference"] = build_reference(areas, [dict(c, units=list(c["units"])) for c in categories], settings)
    return db.memo["reference"]


def list_areas(db: Database, country_code: str) -> pd.DataFrame:
    """The first-level areas of one country, in code order."""
    with db.reading() as cur:
        frame = run(cur, "list_areas")
    return frame[frame["country_code"] == country_code].reset_index(drop=True)
