"""Coverage and flow aggregates for the monitoring dashboard, exports and the public page.

Every figure is computed by one grouped SQL query (sql/queries/monitoring/coverage.sql); only the
aggregated rows (24 governorates, a few categories) come back to Python. Observers get
the same tables with small household counts suppressed (data_layer.monitoring.suppression).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError
from data_layer.core.i18n import has_key, t
from data_layer.monitoring import suppression
from data_layer.monitoring.facts import STATUS_PARAMS, ensure_facts_current
from data_layer.monitoring.suppression import (
    combine_published,
    combine_shown,
    is_mark,
    must_suppress,
    shown_at_least_threshold,
    shown_total,
    suppress_small_counts,
)
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
    return for_actor(exact_layout(kind, frame, lang), kind, actor)


def exact_layout(kind: str, frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """An aggregate frame in its export layout, every count exact."""
    out = frame.copy()
    if kind == "coverage":
        out["governorate_name"] = out[f"name_{lang}"]
        # A column that is empty throughout (an area file without population) comes back from
        # PostgreSQL as objects (None), which do not round: read as numbers first.
        out["coverage_rate"] = pd.to_numeric(out["coverage_rate"]).round(4)
        out["registered_per_10k"] = pd.to_numeric(out["registered_per_10k"]).round(2)
    if kind == "volunteer_activity":
        out["deliveries_per_volunteer"] = pd.to_numeric(out["deliveries_per_volunteer"]).round(2)
    return out[EXPORT_COLUMNS[kind]].reset_index(drop=True)


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
    return published_table(db, actor, kind, filters, lang)[0]


def filters_for_reader(filters: Filters, actor: Actor | None) -> Filters:
    """The filters a reader's figures are computed with: observers and the public get the
    campaign and country only. Each filtered view is suppressed on its own, so two of them told
    apart what each hides: registrations to a date and to the next day differ by that day's
    count, and one governorate alone is shown exactly where the national table withholds it."""
    if not must_suppress(actor):
        return filters
    return Filters(campaign_id=filters.campaign_id, country_code=filters.country_code)


def reader_filters(kind: str, filters: Filters, actor: Actor | None) -> Filters:
    """The filters one table is computed with for this reader (`filters_for_reader`), and for
    observers and the public the volunteer table of every campaign: a volunteer may deliver for
    two campaigns, so the count of all campaigns is not the sum of the campaigns' and would tell
    by subtraction how many delivered for one only."""
    shown = filters_for_reader(filters, actor)
    if kind in CAMPAIGN_FREE and must_suppress(actor):
        return dataclasses.replace(shown, campaign_id=None)
    return shown


# Tables whose counts are not the sum of the campaigns' (see reader_filters).
CAMPAIGN_FREE = frozenset({"volunteer_activity"})
# The columns that name one count of a table across campaigns (households are of one campaign,
# so these counts add up over campaigns). An association's households served are one count
# however many currency rows it has.
COMBINE_KEYS: dict[str, list[str]] = {
    "coverage": ["governorate_code"],
    "unmet_needs": ["governorate_code", "category_code", "unit"],
    "flows_by_organisation": ["organisation_code"],
}


@dataclass(frozen=True)
class Published:
    """The dashboard's tables as one reader may see them (export layout, small counts suppressed
    for observers and the public), the totals of their count columns as shown, and the areas
    (names, population, centroids: no count) to draw them on. Shared by caches: never changed."""

    tables: dict[str, pd.DataFrame]
    totals: dict[str, dict[str, int | str]]
    areas: pd.DataFrame


def count_columns(kind: str) -> list[str]:
    """The columns of `kind` that count households or people (suppressed for observers)."""
    return SUPPRESSION_RULES[kind][0] if kind in SUPPRESSION_RULES else []


def _shown_totals(frame: pd.DataFrame, kind: str, suppress: bool) -> dict[str, int | str]:
    return {c: shown_total(frame[c], suppress) for c in count_columns(kind)}


def _per_key(frame: pd.DataFrame, keys: list[str], counts: list[str]) -> list[tuple[tuple, dict[str, float]]]:
    return [
        (tuple(record[k] for k in keys), {c: float(record[c]) for c in counts})
        for record in frame[keys + counts].to_dict("records")
    ]


def _rest(whole: pd.DataFrame, parts: list[pd.DataFrame], keys: list[str], counts: list[str]) -> pd.DataFrame | None:
    """The part of `whole` in none of the campaigns' `parts` (households of no campaign of the
    country), or None when there is none."""
    seen = [dict(_per_key(part, keys, counts)) for part in parts]
    rest = whole.copy()
    for c in counts:
        rest[c] = [
            row[c] - sum(part.get(key, {}).get(c, 0.0) for part in seen) for key, row in _per_key(whole, keys, counts)
        ]
        rest[c] = rest[c].astype("int64")
    return rest if (rest[counts] != 0).to_numpy().any() else None


def campaign_parts(db: Database, country_code: str) -> tuple[list[int], int]:
    """The ids of a country's campaigns (each one a choice of the dashboards), and how many
    households of its areas belong to none of them."""
    campaigns = list_campaigns(db)
    with db.reading() as cur:
        outside = int(run(cur, "count_households_of_no_campaign_of_country", {"country_code": country_code}))
    return [int(i) for i in campaigns.loc[campaigns["country_code"] == country_code, "id"]], outside


def published_table(
    db: Database,
    actor: Actor | None,
    kind: str,
    filters: Filters = ALL,
    lang: str = "en",
    whole: pd.DataFrame | None = None,
    parts: tuple[list[int], int] | None = None,
) -> tuple[pd.DataFrame, dict[str, int | str]]:
    """One aggregate table as `actor` may see it (export layout) and its count columns' totals.

    For observers and the public, the table of all campaigns of a country that runs several is
    the sum of the campaigns' tables as each is shown (`suppression.combine_published`), not the
    exact table suppressed again: each campaign is offered on its own too, so "all" minus the
    others would give back a count one campaign hides. `whole` is the table as read with
    `reader_filters` (read here when not given); `parts`, the country's campaigns and its count
    of households of none (`campaign_parts`, read here when not given).
    """
    shown_filters = reader_filters(kind, filters, actor)
    if whole is None:
        whole = AGGREGATE_READERS[kind](db, shown_filters)
    suppress = must_suppress(actor)
    if not suppress or kind not in COMBINE_KEYS or shown_filters.campaign_id is not None:
        return export_layout(kind, whole, actor, lang), _shown_totals(whole, kind, suppress)
    keys, counts = COMBINE_KEYS[kind], count_columns(kind)
    campaigns, outside = parts if parts is not None else campaign_parts(db, shown_filters.country_code)
    if len(campaigns) + (outside > 0) <= 1:
        # One part only (the usual season): the table of all campaigns is that part's table.
        return export_layout(kind, whole, actor, lang), _shown_totals(whole, kind, suppress)
    tables = [
        AGGREGATE_READERS[kind](db, dataclasses.replace(shown_filters, campaign_id=campaign)) for campaign in campaigns
    ]
    rest = _rest(whole, tables, keys, counts) if outside else None
    tables = tables + ([rest] if rest is not None else [])
    shown_parts = [export_layout(kind, part, actor, lang) for part in tables]
    derived = SUPPRESSION_RULES[kind][1]
    table = combine_published(exact_layout(kind, whole, lang), shown_parts, keys, counts, derived)
    totals = {c: combine_shown(shown_total(part[c], True) for part in tables) for c in counts}
    return table, totals  # type: ignore[return-value]


AREA_COLUMNS = ["governorate_code", "name_ar", "name_fr", "name_en", "population", "lat", "lon"]


def published_aggregates(
    db: Database,
    actor: Actor | None,
    filters: Filters = ALL,
    lang: str = "en",
    read: Callable[[str, Filters], pd.DataFrame] | None = None,
) -> Published:
    """Every dashboard table as `actor` may see it (`published_table`). `read(kind, filters)`
    gives the exact table of the reader's filters (a cache); by default it is read here."""
    tables: dict[str, pd.DataFrame] = {}
    totals: dict[str, dict[str, int | str]] = {}
    areas = pd.DataFrame(columns=AREA_COLUMNS)
    parts = campaign_parts(db, filters.country_code) if must_suppress(actor) and filters.campaign_id is None else None
    for kind, reader in AGGREGATE_READERS.items():
        shown_filters = reader_filters(kind, filters, actor)
        whole = read(kind, shown_filters) if read is not None else reader(db, shown_filters)
        if kind == "coverage":
            areas = whole[[c for c in AREA_COLUMNS if c in whole.columns]].reset_index(drop=True)
        tables[kind], totals[kind] = published_table(db, actor, kind, filters, lang, whole, parts)
    return Published(tables, totals, areas)


def publish(aggregates: dict[str, pd.DataFrame], actor: Actor | None, lang: str = "en") -> Published:
    """Tables already read for one campaign (or for a reader who sees exact counts), each
    suppressed on its own: the rule of `published_table` when there is nothing to combine."""
    suppress = must_suppress(actor)
    coverage = aggregates["coverage"]
    return Published(
        tables={kind: export_layout(kind, frame, actor, lang) for kind, frame in aggregates.items()},
        totals={kind: _shown_totals(frame, kind, suppress) for kind, frame in aggregates.items()},
        areas=coverage[[c for c in AREA_COLUMNS if c in coverage.columns]].reset_index(drop=True),
    )


def published_summary(published: Published, suppress: bool) -> dict[str, Any]:
    """The coverage headline as shown: registered, served (numbers or marks), the coverage rate
    (None when there is none, "<5" when a count it comes from is hidden or small) and the areas
    reached, counted from the served cells as shown (a "<5" may be a 0, so it is not one)."""
    registered = published.totals["coverage"]["households_registered"]
    served = published.totals["coverage"]["households_served"]
    cells = published.tables["coverage"]["households_served"]
    reached = [shown_at_least_threshold(v) if suppress else (not is_mark(v) and v >= 1) for v in cells]
    rate: float | str | None
    if (
        is_mark(registered)
        or is_mark(served)
        or (suppress and min(int(registered), int(served)) < suppression.SMALL_COUNT_THRESHOLD)
    ):
        rate = suppression.SUPPRESSED
    else:
        rate = int(served) / int(registered) if int(registered) else None
    return {
        "households_registered": registered,
        "households_served": served,
        "coverage_rate": rate,
        "governorates_reached": int(sum(reached)),
    }


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
