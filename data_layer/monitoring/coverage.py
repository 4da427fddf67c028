"""Coverage and flow aggregates for the monitoring dashboard, exports and the public page.

Every figure is computed by one grouped SQL query (sql/queries/monitoring/coverage.sql); only the
aggregated rows (24 governorates, a few categories) come back to Python. Observers get
the same tables with small household counts suppressed (data_layer.monitoring.suppression).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError
from data_layer.core.i18n import has_key, t
from data_layer.monitoring import suppression
from data_layer.monitoring.facts import STATUS_PARAMS, ensure_facts_current
from data_layer.monitoring.suppression import must_suppress, suppress_small_counts
from data_layer.store.database import Database
from data_layer.store.queries import Q, run


@dataclass(frozen=True)
class Filters:
    """The filters shared by every chart of the dashboard; None means "all"."""

    campaign_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    governorate_code: str | None = None
    category_code: str | None = None
    country_code: str = "TN"

    def params(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def key(self) -> tuple:
        """A plain tuple, so cache wrappers can hash the filters."""
        return dataclasses.astuple(self)

    @classmethod
    def from_key(cls, key: tuple) -> Filters:
        return cls(*key)


ALL = Filters()


def _frame(db: Database, name: str, filters: Filters) -> pd.DataFrame:
    # DuckDB refuses parameters a query does not use, and not every query uses every filter.
    sql = Q.get(name).sql
    used = {key: value for key, value in {**filters.params(), **STATUS_PARAMS}.items() if f"${key}" in sql}
    ensure_facts_current(db)
    with closing(db.cursor()) as cur:
        return run(cur, name, used)


def coverage_by_governorate(db: Database, filters: Filters = ALL) -> pd.DataFrame:
    """One row per governorate (all of them, even empty): registered, served, coverage, per 10,000."""
    # The facts hold no category: a category filter reads the base tables (slower, still one query).
    query = (
        "list_coverage_by_governorate" if filters.category_code is None else "list_coverage_by_governorate_in_category"
    )
    frame = _frame(db, query, filters)
    for column in ("households_registered", "households_served"):
        frame[column] = frame[column].astype("int64")
    # An area file may give no population (Jordan's does not): missing, not zero.
    frame["population"] = frame["population"].astype("Int64")
    return frame


def coverage_totals(db: Database, filters: Filters = ALL) -> dict[str, Any]:
    """Campaign-wide registered, served and coverage rate for the same filters."""
    return summarise_coverage(coverage_by_governorate(db, filters))


def summarise_coverage(frame: pd.DataFrame, suppress: bool = False) -> dict[str, Any]:
    """Totals of a per-governorate coverage frame (24 rows, so summing in Python is free).

    Suppressed, a governorate counts as reached only from its served count as shown (a number or
    "x", never "<5"): counting the ones under the threshold would tell a 0 from a 1."""
    registered = int(frame["households_registered"].sum())
    served = int(frame["households_served"].sum())
    reached = frame["households_served"] >= (suppression.SMALL_COUNT_THRESHOLD if suppress else 1)
    return {
        "households_registered": registered,
        "households_served": served,
        "coverage_rate": served / registered if registered else None,
        "governorates_reached": int(reached.sum()),
    }


def unmet_by_governorate_category(db: Database, filters: Filters = ALL) -> pd.DataFrame:
    """Open needs not yet covered by allocations, per governorate (of the filters' country), category and unit."""
    frame = _frame(db, "list_unmet_by_category", filters)
    frame["households_waiting"] = frame["households_waiting"].astype("int64")
    return frame


def unmet_by_category(db: Database, filters: Filters = ALL) -> pd.DataFrame:
    """The same summed over governorates (a few rows: categories x units)."""
    frame = unmet_by_governorate_category(db, filters)
    if frame.empty:
        return pd.DataFrame({"category_code": [], "unit": [], "unmet_quantity": []})
    return (
        frame.groupby(["category_code", "unit"], as_index=False)["unmet_quantity"]
        .sum()
        .sort_values(["category_code", "unit"])
        .reset_index(drop=True)
    )


def flows_by_category(db: Database, filters: Filters = ALL) -> pd.DataFrame:
    """Per category, unit and currency: received, allocated and delivered quantities and values of
    the stock held in the filters' country (values of two currencies are never added up). Cash is
    counted in its currency, so its unit reads as that currency (a Moroccan gift's MAD)."""
    frame = _frame(db, "list_flows_by_category", filters)
    return cash_in_its_currency(frame)


def cash_in_its_currency(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of cash with their currency as their unit: a dirham is not counted as a dinar."""
    cash = frame["category_code"] == "cash"
    if cash.any():
        frame = frame.copy()
        frame.loc[cash, "unit"] = frame.loc[cash, "currency"]
    return frame


def flows_by_organisation(db: Database, filters: Filters = ALL) -> pd.DataFrame:
    """Per association of the filters' country and currency: value received, allocated and delivered
    (in that currency), households served."""
    frame = _frame(db, "list_flows_by_organisation", filters)
    frame["households_served"] = frame["households_served"].astype("int64")
    return frame


def volunteer_activity(db: Database, filters: Filters = ALL) -> pd.DataFrame:
    """Per governorate: active volunteers, volunteers who delivered, deliveries and deliveries per volunteer."""
    frame = _frame(db, "list_volunteer_activity", filters)
    for column in ("volunteers_active", "volunteers_delivering", "deliveries_done"):
        frame[column] = frame[column].astype("int64")
    return frame


def list_campaigns(db: Database) -> pd.DataFrame:
    """Every campaign with its names in each language, active first then newest; dates as
    `datetime.date` (pandas would make them timestamps)."""
    with db.reading() as cur:
        frame = run(cur, "list_campaigns")
    for column in ("starts_on", "ends_on"):
        # DuckDB's frame holds timestamps, PostgreSQL's dates (or None): one type for both.
        frame[column] = pd.Series([pd.Timestamp(v).date() for v in frame[column]], index=frame.index, dtype=object)
    return frame


# Which columns count households (small ones suppressed for observers) and which are derived from them.
SUPPRESSION_RULES: dict[str, tuple[list[str], dict[str, list[str]]]] = {
    "coverage": (
        ["households_registered", "households_served"],
        {
            "coverage_rate": ["households_registered", "households_served"],
            "registered_per_10k": ["households_registered"],
        },
    ),
    "unmet_needs": (["households_waiting"], {"unmet_quantity": ["households_waiting"]}),
    "flows_by_organisation": (["households_served"], {}),
    # A governorate's confirmed deliveries bound its households served (none delivered: none
    # served), and one volunteer in a small governorate is a person: counted like households.
    "volunteer_activity": (
        ["volunteers_active", "volunteers_delivering", "deliveries_done"],
        {"deliveries_per_volunteer": ["volunteers_delivering", "deliveries_done"]},
    ),
    "progress_governorates": (
        ["households_registered", "households_served", "served_last_3_days"],
        {
            "target_households": ["households_registered"],
            "projected_at_deadline": ["households_served", "served_last_3_days"],
        },
    ),
}


# Sum groups besides each whole column (whose total is published): per-category totals of needs.
SUPPRESSION_GROUPS: dict[str, list[tuple[str, ...]]] = {"unmet_needs": [("category_code", "unit")]}


def for_actor(frame: pd.DataFrame, kind: str, actor: Actor | None) -> pd.DataFrame:
    """The table as this actor may see it: observers (and the public) get small counts as "<5",
    and the cells withheld so that none of those follows from a total as "x"."""
    if kind in SUPPRESSION_RULES and must_suppress(actor):
        counts, derived = SUPPRESSION_RULES[kind]
        groups = [keys for keys in SUPPRESSION_GROUPS.get(kind, []) if set(keys) <= set(frame.columns)]
        return suppress_small_counts(frame, counts, derived, groups)
    return frame


# Stable English column layout of the coverage export (the command line keeps these names).
COVERAGE_EXPORT_COLUMNS = [
    "governorate_code",
    "governorate_name",
    "population",
    "households_registered",
    "households_served",
    "coverage_rate",
    "registered_per_10k",
]

# HXL hashtags (hxlstandard.org) so humanitarian tools read the coverage table without a mapping.
COVERAGE_HXL_TAGS = {
    "governorate_code": "#adm1+code",
    "governorate_name": "#adm1+name+i_en",
    "governorate_name_ar": "#adm1+name+i_ar",
    "governorate_name_fr": "#adm1+name+i_fr",
    "population": "#population+total",
    "households_registered": "#affected+hh+registered",
    "households_served": "#reached+hh",
    "coverage_rate": "#reached+hh+pct",
    "registered_per_10k": "#affected+hh+per10k",
}


def coverage_export(db: Database, actor: Actor | None, filters: Filters = ALL, lang: str = "en") -> pd.DataFrame:
    """The coverage table in its export layout (names in `lang`), suppressed for observers."""
    return aggregate_export(db, actor, "coverage", filters, lang)


# Aggregate kinds that can be exported as HXL.
HXL_TAGS: dict[str, dict[str, str]] = {"coverage": COVERAGE_HXL_TAGS}


def with_area_names(frame: pd.DataFrame, areas: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The export with each area's Arabic and French names beside its English one (HXL's `+i_ar`,
    `+i_fr`), so a humanitarian tool reads them in the language it needs."""
    if "governorate_name" not in frame.columns:
        return frame
    out = frame.copy()
    at = list(out.columns).index("governorate_name") + 1
    for offset, lang in enumerate(("ar", "fr")):
        names = [areas.get(code, {}).get(f"name_{lang}") for code in out["governorate_code"]]
        out.insert(at + offset, f"governorate_name_{lang}", names)
    return out


def with_hxl_tags(frame: pd.DataFrame, tags: dict[str, str]) -> pd.DataFrame:
    """The frame with the HXL hashtag row first, under the header (as HXL expects)."""
    missing = [c for c in frame.columns if c not in tags]
    if missing:
        raise JesrError("error.export_no_hxl", value=", ".join(missing))
    tag_row = pd.DataFrame([[tags[c] for c in frame.columns]], columns=frame.columns)
    return pd.concat([tag_row, frame.astype(object)], ignore_index=True)


# The aggregate tables offered as exports, in their stable English column layout.
EXPORT_COLUMNS: dict[str, list[str]] = {
    "coverage": COVERAGE_EXPORT_COLUMNS,
    "unmet_needs": ["governorate_code", "category_code", "unit", "households_waiting", "unmet_quantity"],
    "flows_by_category": [
        "category_code",
        "unit",
        "currency",
        "received_quantity",
        "allocated_quantity",
        "delivered_quantity",
        "received_value_tnd",
        "allocated_value_tnd",
        "delivered_value_tnd",
    ],
    "flows_by_organisation": [
        "organisation_code",
        "organisation_name",
        "currency",
        "donation_lines",
        "received_value_tnd",
        "allocated_value_tnd",
        "delivered_value_tnd",
        "households_served",
    ],
    "volunteer_activity": [
        "governorate_code",
        "volunteers_active",
        "volunteers_delivering",
        "deliveries_done",
        "deliveries_per_volunteer",
    ],
}


def export_layout(kind: str, frame: pd.DataFrame, actor: Actor | None, lang: str = "en") -> pd.DataFrame:
    """An aggregate frame in its export layout, with small counts suppressed for observers."""
    out = frame.copy()
    if kind == "coverage":
        out["governorate_name"] = out[f"name_{lang}"]
        # A column that is empty throughout (an area file without population) comes back from
        # PostgreSQL as objects (None), which do not round: read as numbers first.
        out["coverage_rate"] = pd.to_numeric(out["coverage_rate"]).round(4)
        out["registered_per_10k"] = pd.to_numeric(out["registered_per_10k"]).round(2)
    if kind == "volunteer_activity":
        out["deliveries_per_volunteer"] = pd.to_numeric(out["deliveries_per_volunteer"]).round(2)
    return for_actor(out[EXPORT_COLUMNS[kind]].reset_index(drop=True), kind, actor)


AGGREGATE_READERS = {
    "coverage": coverage_by_governorate,
    "unmet_needs": unmet_by_governorate_category,
    "flows_by_category": flows_by_category,
    "flows_by_organisation": flows_by_organisation,
    "volunteer_activity": volunteer_activity,
}


def aggregate_export(
    db: Database, actor: Actor | None, kind: str, filters: Filters = ALL, lang: str = "en"
) -> pd.DataFrame:
    """One aggregate table as exported (command line, public reuse)."""
    return export_layout(kind, AGGREGATE_READERS[kind](db, filters_for_reader(filters, actor)), actor, lang)


def filters_for_reader(filters: Filters, actor: Actor | None) -> Filters:
    """The filters a reader's figures are computed with: observers and the public get the
    campaign and country only. Each filtered view is suppressed on its own, so two of them told
    apart what each hides: registrations to a date and to the next day differ by that day's
    count, and one governorate alone is shown exactly where the national table withholds it."""
    if not must_suppress(actor):
        return filters
    return Filters(campaign_id=filters.campaign_id, country_code=filters.country_code)


def translate_headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Column names in the reader's language, for files downloaded from pages."""
    return frame.rename(columns={c: t(f"column.{c}", lang) for c in frame.columns})


def translate_codes(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Category and unit codes as words in the reader's language (for tables shown on pages)."""
    out = frame.copy()
    for column, prefix in (("category_code", "category"), ("unit", "unit")):
        if column in out.columns:
            out[column] = out[column].map(lambda code, p=prefix: unit_or_code_text(p, code, lang))
    return out


def unit_or_code_text(prefix: str, code: Any, lang: str) -> str:
    """A category or unit in words; a currency without a word of its own (MAD) reads as its ISO code."""
    key = f"{prefix}.{code}"
    return t(key, lang) if has_key(key) or prefix != "unit" else str(code)
