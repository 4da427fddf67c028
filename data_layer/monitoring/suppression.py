"""Small-count suppression for observer views and exports: one rule, used everywhere.

A figure under SMALL_COUNT_THRESHOLD households could point at a family in a small
governorate, so observers see SUPPRESSED ("<5") instead (0 included: "none" is also a
count of households).
Figures derived from a suppressed count (a rate, a count per inhabitant) are
suppressed with it, or the hidden count could be computed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from data_layer.core.actor import Actor

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = f"<{SMALL_COUNT_THRESHOLD}"


def must_suppress(actor: Actor | None) -> bool:
    """Observers (the ministry) get suppressed figures; staff who may read records do not."""
    return actor is None or not actor.may_read_personal_data


def suppress_small_counts(
    frame: pd.DataFrame, count_columns: Iterable[str], derived: Mapping[str, Iterable[str]] | None = None
) -> pd.DataFrame:
    """A copy where household counts under the threshold read "<5", and so do figures derived from them.

    `derived` maps a derived column to the count columns it is computed from, e.g.
    {"coverage_rate": ["households_registered", "households_served"]}.
    """
    out = frame.copy()
    hidden: dict[str, pd.Series] = {}
    for column in count_columns:
        values = pd.to_numeric(out[column], errors="coerce")
        hidden[column] = values.notna() & (values < SMALL_COUNT_THRESHOLD)
    for column, sources in (derived or {}).items():
        mask = pd.Series(False, index=out.index)
        for source in sources:
            mask |= hidden[source]
        out[column] = out[column].astype(object).where(~mask, SUPPRESSED)
    for column, mask in hidden.items():
        out[column] = out[column].astype(object).where(~mask, SUPPRESSED)
    return out


def numeric_for_chart(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Suppressed cells become missing values, so charts leave them out instead of drawing them."""
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column].where(out[column] != SUPPRESSED), errors="coerce")
    return out


def shown_count(value: int, suppress: bool) -> int | str:
    """One household count as shown: "<5" when suppressed and small."""
    return SUPPRESSED if suppress and value < SMALL_COUNT_THRESHOLD else value


def rate_hidden(suppress: bool, *counts: int) -> bool:
    """Whether a rate computed from these counts must be hidden (it would reveal a small count)."""
    return suppress and any(c < SMALL_COUNT_THRESHOLD for c in counts)


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns holding "<5" among numbers become text, so Arrow (st.dataframe) takes them as they are."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and (out[column] == SUPPRESSED).any():
            out[column] = out[column].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    return out
