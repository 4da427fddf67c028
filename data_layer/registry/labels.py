"""Who a household is, for tables people read: its name, delegation and size instead of its number.

An organiser checks who gets what before applying an allocation proposal; association staff see
only their own association's households, as everywhere else (`organisation_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import closing

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.store.database import Database
from data_layer.store.queries import run

LABEL_COLUMNS = ("full_name", "delegation", "household_size")


def household_labels(db: Database, actor: Actor, household_ids: Iterable[int]) -> pd.DataFrame:
    """household_id, full_name, delegation, household_size of the given households the actor may read."""
    ids = sorted({int(i) for i in household_ids})
    scope = organisation_scope(actor)
    if not ids:
        return pd.DataFrame(
            {"household_id": pd.Series(dtype="int64"), **{c: pd.Series(dtype=object) for c in LABEL_COLUMNS}}
        )
    with closing(db.cursor()) as cur:
        return run(cur, "list_household_labels", {"household_ids": ids, "organisation_id": scope})


def with_household_labels(db: Database, actor: Actor, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with the name, delegation and size of its `household_id`s placed first; a household
    the actor may not read keeps empty cells."""
    labels = household_labels(db, actor, frame["household_id"])
    labels = labels[["household_id", *[c for c in LABEL_COLUMNS if c not in frame.columns]]]
    named = frame.merge(labels, on="household_id", how="left")
    return named[[*LABEL_COLUMNS, *[c for c in named.columns if c not in LABEL_COLUMNS]]]
