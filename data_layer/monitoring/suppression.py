"""Small-count suppression for observer views and exports: one rule, used everywhere.

A figure under SMALL_COUNT_THRESHOLD households could point at a family in a small
governorate, so observers see SUPPRESSED ("<5") instead (0 included: "none" is also a
count of households).
Figures derived from a suppressed count (a rate, a count per inhabitant) are
suppressed with it, or the hidden count could be computed back.

Complementary suppression: a column's total is published (the national figure), so one hidden
cell would be the total minus the others. In every group whose sum can be known (the whole
column, and the groups a table names), more cells are withheld (WITHHELD, "x": the smallest
shown ones first) until no hidden cell's value follows from the sum and what each mark says
(a "<5" is 0-4, an "x" at least 5 and at most the smallest cell still shown). When even hiding
every cell leaves one determined, the total itself is withheld (`shown_total`).

Several campaigns of one country: each campaign's table is suppressed on its own, and the table
of all campaigns together is built from what the campaigns' tables show (`combine_shown`,
`combine_published`), never suppressed again from its own exact counts. So the difference of any
two published figures is a difference of published figures: it gives back nothing hidden.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from data_layer.core.actor import Actor

SMALL_COUNT_THRESHOLD = 5
SUPPRESSED = f"<{SMALL_COUNT_THRESHOLD}"
# A count of at least the threshold, hidden so that a "<5" beside it cannot be worked out.
WITHHELD = "x"
HIDDEN_MARKS = (SUPPRESSED, WITHHELD)
# A sum of parts each under the threshold reads as under the sum of their bounds (two "<5": "<9").
UNDER = "<"


def is_mark(value: object) -> bool:
    """Whether a shown count is a mark (hidden) rather than a number."""
    return isinstance(value, str) and (value in HIDDEN_MARKS or (value.startswith(UNDER) and value[1:].isdigit()))


def _bounds(value: object) -> tuple[float, float]:
    """What a shown count tells of the value behind it: a number itself, "<5" 0 to 4, "<9" 0 to
    8, "x" at least the threshold."""
    if value == SUPPRESSED:
        return 0.0, SMALL_COUNT_THRESHOLD - 1.0
    if value == WITHHELD:
        return float(SMALL_COUNT_THRESHOLD), math.inf
    if is_mark(value):
        return 0.0, float(str(value).removeprefix(UNDER)) - 1.0
    number = float(value)  # type: ignore[arg-type]
    return number, number


def combine_shown(parts: Iterable[object]) -> int | float | str:
    """The sum of counts as shown, from their shown values only: the exact sum when every part is
    a number; else "x" when the parts show it is at least the threshold, "<5" (or "<9", "<13"...)
    when they show it is under that. Nothing but the parts' marks goes in, so the sum tells no more than
    they do."""
    values = list(parts)
    if not any(is_mark(v) for v in values):
        total = sum(values)  # type: ignore[arg-type]
        return int(total) if float(total).is_integer() else total
    low = sum(_bounds(v)[0] for v in values)
    high = sum(_bounds(v)[1] for v in values)
    if low >= SMALL_COUNT_THRESHOLD:
        return WITHHELD
    if high < SMALL_COUNT_THRESHOLD:
        return SUPPRESSED
    return f"{UNDER}{int(high) + 1}"


def shown_at_least_threshold(value: object) -> bool:
    """Whether a shown count says the value is at least the threshold (a number that large, or "x")."""
    return _bounds(value)[0] >= SMALL_COUNT_THRESHOLD


def combine_published(
    whole: pd.DataFrame,
    parts: Sequence[pd.DataFrame],
    keys: Sequence[str],
    count_columns: Iterable[str],
    derived: Mapping[str, Iterable[str]] | None = None,
) -> pd.DataFrame:
    """The table of all parts (campaigns) as shown, from the parts as shown.

    `whole` is the exact table of all parts, in the same layout; its count columns are replaced
    by `combine_shown` of the parts' shown cells of the same `keys` (a row a part lacks counts
    0: its absence is shown). A derived column keeps its exact value only where every count it is
    computed from is shown as a number (then it is a function of those numbers), else "<5".
    Several rows of one key in a part (one per currency) share its count: the number is taken
    where one of them shows it.
    """
    out = whole.copy()
    counts = list(count_columns)
    per_part = []
    for part in parts:
        rows: dict[tuple, dict[str, object]] = {}
        for record in part[list(keys) + counts].to_dict("records"):
            key = tuple(record[k] for k in keys)
            seen = rows.setdefault(key, {c: record[c] for c in counts})
            for c in counts:
                if is_mark(seen[c]) and not is_mark(record[c]):
                    seen[c] = record[c]
        per_part.append(rows)
    row_keys = [tuple(r) for r in whole[list(keys)].itertuples(index=False, name=None)]
    for c in counts:
        out[c] = pd.Series(
            [combine_shown(rows.get(key, {}).get(c, 0) for rows in per_part) for key in row_keys],
            index=out.index,
            dtype=object,
        )
    for column, sources in (derived or {}).items():
        shown = pd.Series(True, index=out.index)
        for source in sources:
            shown &= ~out[source].map(is_mark)
        out[column] = out[column].astype(object).where(shown, SUPPRESSED)
    return out


def must_suppress(actor: Actor | None) -> bool:
    """Observers (the ministry) get suppressed figures; staff who may read records do not."""
    return actor is None or not actor.may_read_personal_data


def _determined(values: Sequence[float], primary: Sequence[bool], hidden: Sequence[bool]) -> bool:
    """Whether some hidden cell's value follows from the hidden cells' sum (the total minus the
    cells shown) and the bounds each mark gives: 0 to threshold-1 for "<5", threshold to the
    smallest shown cell for "x"."""
    threshold = SMALL_COUNT_THRESHOLD
    cells = [i for i, h in enumerate(hidden) if h]
    if not cells:
        return False
    shown = [values[i] for i, h in enumerate(hidden) if not h]
    ceiling = min(shown) if shown else math.inf
    bounds = [(0.0, threshold - 1.0) if primary[i] else (float(threshold), ceiling) for i in cells]
    total = sum(values[i] for i in cells)
    low_sum = sum(lo for lo, _ in bounds)
    high_sum = sum(hi for _, hi in bounds)
    for lo, hi in bounds:
        least = max(lo, total - (high_sum - hi))
        most = min(hi, total - (low_sum - lo))
        if least >= most:
            return True
    return False


def complementary_mask(values: pd.Series, small: pd.Series, hidden: pd.Series | None = None) -> tuple[pd.Series, bool]:
    """The cells of one sum group to hide: the small ones, those already `hidden`, and as many of
    the smallest others as it takes for none to be determined. Also says whether one still is
    (every cell hidden): then the group's total must not be shown either."""
    numbers = pd.to_numeric(values, errors="coerce")
    present = numbers.notna()
    start = small if hidden is None else (small | hidden)
    keys = list(numbers.index[present])
    vals = [float(v) for v in numbers[present]]
    prim = [bool(small[k]) for k in keys]
    hide = [bool(start[k]) for k in keys]
    exposed = False
    while _determined(vals, prim, hide):
        candidates = [(v, n) for n, (v, h) in enumerate(zip(vals, hide)) if not h]
        if not candidates:
            exposed = True
            break
        hide[min(candidates)[1]] = True
    mask = start.copy()
    mask[keys] = hide
    return mask, exposed


def suppress_small_counts(
    frame: pd.DataFrame,
    count_columns: Iterable[str],
    derived: Mapping[str, Iterable[str]] | None = None,
    groups: Iterable[Sequence[str]] = (),
) -> pd.DataFrame:
    """A copy where household counts under the threshold read "<5", the cells withheld so that
    none can be worked back from a total read "x", and figures derived from either are hidden.

    Each count column is one sum group (its total is published); `groups` names further ones,
    e.g. [("category_code", "unit")] when per-category totals are shown too. `derived` maps a
    derived column to the count columns it is computed from, e.g.
    {"coverage_rate": ["households_registered", "households_served"]}.
    """
    out = frame.copy()
    small: dict[str, pd.Series] = {}
    hidden: dict[str, pd.Series] = {}
    for column in count_columns:
        values = pd.to_numeric(out[column], errors="coerce")
        small[column] = values.notna() & (values < SMALL_COUNT_THRESHOLD)
        mask = small[column].copy()
        # Hiding a cell for one group changes another group's view: repeat until none moves.
        while True:
            before = int(mask.sum())
            for rows in [[out.index]] + [list(out.groupby(list(keys), sort=False).groups.values()) for keys in groups]:
                for index in rows:
                    sub, _ = complementary_mask(out.loc[index, column], small[column].loc[index], mask.loc[index])
                    mask.loc[index] = sub
            if int(mask.sum()) == before:
                break
        hidden[column] = mask
    for column, sources in (derived or {}).items():
        derived_mask = pd.Series(False, index=out.index)
        for source in sources:
            derived_mask |= hidden[source]
        out[column] = out[column].astype(object).where(~derived_mask, SUPPRESSED)
    for column, mask in hidden.items():
        marks = pd.Series(WITHHELD, index=out.index, dtype=object).where(~small[column], SUPPRESSED)
        out[column] = out[column].astype(object).where(~mask, marks)
    return out


def shown_total(values: Iterable[int], suppress: bool) -> int | str:
    """A column's total as shown beside its suppressed cells: "<5" when small, "x" when even
    withholding every cell would leave one of them determined by it."""
    series = pd.Series(list(values), dtype="float64")
    total = int(series.sum())
    if not suppress:
        return total
    if total < SMALL_COUNT_THRESHOLD:
        return SUPPRESSED
    _, exposed = complementary_mask(series, series.notna() & (series < SMALL_COUNT_THRESHOLD))
    return WITHHELD if exposed else total


def numeric_for_chart(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Suppressed cells become missing values, so charts leave them out instead of drawing them."""
    out = frame.copy()
    for column in columns:
        out[column] = pd.to_numeric(out[column].where(~out[column].map(is_mark)), errors="coerce")
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
        if out[column].dtype == object and out[column].map(is_mark).any():
            out[column] = out[column].map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    return out
