"""Areas, categories and each country's settings, kept with the database object between uses.

They are read again whenever the stored reference version (migration 0156) has moved on: every
change to countries, their settings or areas moves it in the same transaction, so an app server
offers a country another server added at its next rerun, without a restart.
"""

from __future__ import annotations

import pandas as pd

from data_layer.core.countries import CountrySettings
from data_layer.core.validation import Reference, build_reference
from data_layer.store.database import Database
from data_layer.store.queries import run


def reference_version(db: Database) -> int:
    """The stored version of the reference data. A DuckDB file has one writer, this process, so
    the version is asked again only after a transaction committed through `db` (a rerun that
    wrote nothing asks nothing); a database other servers write too is asked each time, a
    one-row primary-key read."""
    commits = db.commits  # read before the query: a commit racing it makes the next call ask again
    memo = db.memo.get("reference_version")
    if db.single_writer and memo is not None and memo[0] == commits:
        return int(memo[1])
    with db.reading() as cur:
        version = int(run(cur, "get_reference_version"))
    db.memo["reference_version"] = (commits, version)
    return version


def get_reference(db: Database) -> Reference:
    # The version is read before the rows: a change committed between the two makes the rows newer
    # than the version they are kept under, so the next call reads them again (never older).
    version = reference_version(db)
    memo = db.memo.get("reference")
    if memo is None or memo[0] != version:
        with db.reading() as cur:
            areas = run(cur, "list_areas").to_dict("records")
            categories = run(cur, "list_categories")
            settings = [
                CountrySettings(**{"code": row.pop("country_code"), **row}) for row in run(cur, "list_country_settings")
            ]
        memo = (version, build_reference(areas, [dict(c, units=list(c["units"])) for c in categories], settings))
        db.memo["reference"] = memo
    return memo[1]


def list_areas(db: Database, country_code: str) -> pd.DataFrame:
    """The first-level areas of one country, in code order."""
    with db.reading() as cur:
        frame = run(cur, "list_areas")
    return frame[frame["country_code"] == country_code].reset_index(drop=True)
