"""Countries in the dashboards: which countries a reader sees, and every country side by side.

A reader's scope is its account's country (an association's is its organisation's); an account
with no country — the organisation running the whole platform — sees every country, each on
its own, and the regional view: one row per country. Values stay per currency: a country's
row carries its own currency, never a sum over two (no exchange rate is invented).
Observers get the same small-count rule as everywhere (data_layer.monitoring.suppression).
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.monitoring import suppression
from data_layer.monitoring.coverage import Filters, published_table
from data_layer.monitoring.facts import ensure_facts_current
from data_layer.monitoring.suppression import is_mark, must_suppress, shown_at_least_threshold
from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import run


def list_countries(db: Database) -> list[dict[str, Any]]:
    """Every country of the database with its names and currency, in code order."""
    with closing(db.cursor()) as cur:
        return run(cur, "list_countries_in_scope")


def scope_of(codes: list[str], actor: Actor | None) -> list[str]:
    """Of the database's country `codes`, those `actor` may look at: its own, or every country
    (regional accounts, the public)."""
    own = actor.country_code if actor is not None else None
    if own is not None:
        return [own] if own in codes else []
    return list(codes)


def countries_in_scope(db: Database, actor: Actor | None) -> list[str]:
    """The countries `actor` may look at (scope_of the database's countries)."""
    return scope_of([row["code"] for row in list_countries(db)], actor)


def preferred_country(scope: list[str], campaigns: pd.DataFrame) -> str | None:
    """The country a dashboard opens on: the only one in scope; else that of the first active
    campaign of `campaigns` (as list_campaigns orders them, active first); else the first."""
    if len(scope) <= 1:
        return scope[0] if scope else None
    active = campaigns[campaigns["is_active"] & campaigns["country_code"].isin(scope)] if len(campaigns) else campaigns
    return str(active["country_code"].iloc[0]) if len(active) else scope[0]


def is_regional(db: Database, actor: Actor | None) -> bool:
    """Whether `actor` sees several countries (and so the side-by-side view)."""
    return len(countries_in_scope(db, actor)) > 1


def default_country(db: Database, actor: Actor | None) -> str | None:
    """The country a dashboard opens on: the reader's own; else the active campaign's; else the first."""
    scope = countries_in_scope(db, actor)
    if len(scope) <= 1:
        return scope[0] if scope else None
    campaign = get_active_campaign(db)
    if campaign is not None and campaign["country_code"] in scope:
        return str(campaign["country_code"])
    return scope[0]


def check_country(db: Database, actor: Actor | None, country_code: str | None) -> str:
    """`country_code` if `actor` may look at it (None: its default), else a clear refusal."""
    scope = countries_in_scope(db, actor)
    if country_code is None:
        found = default_country(db, actor)
        if found is None:
            raise PermissionDenied()
        return found
    code = country_code.strip().upper()
    if code not in [row["code"] for row in list_countries(db)]:
        raise JesrError("scope.error.unknown_country", value=code[:10], choices=", ".join(scope))
    if code not in scope:
        raise PermissionDenied()
    return code


def _dates(date_from: dt.date | None, date_to: dt.date | None) -> dict[str, Any]:
    return {"date_from": date_from, "date_to": date_to}


def coverage_by_country(
    db: Database, actor: Actor | None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pd.DataFrame:
    """One row per country the actor sees: areas, registered, served, coverage, per 10,000, areas
    reached. Observers and the public get each country's figures as its own dashboard shows them
    (`published_by_country`): the whole period, small counts as "<5"."""
    suppress = must_suppress(actor)
    if suppress:
        # Two periods' rows would differ by what was registered between them.
        date_from = date_to = None
    ensure_facts_current(db)
    with closing(db.cursor()) as cur:
        frame = run(cur, "list_coverage_by_country", _dates(date_from, date_to))
    frame = frame[frame["country_code"].isin(countries_in_scope(db, actor))].reset_index(drop=True)
    for column in ("areas", "households_registered", "households_served", "areas_reached"):
        frame[column] = frame[column].astype("int64")
    registered = frame["households_registered"]
    frame["coverage_rate"] = (frame["households_served"] / registered).where(registered > 0)
    population = pd.to_numeric(frame["population"], errors="coerce")
    frame["registered_per_10k"] = (registered * 10000 / population).where(population > 0)
    if suppress:
        return published_by_country(db, actor, frame)
    return frame


def published_by_country(db: Database, actor: Actor | None, frame: pd.DataFrame) -> pd.DataFrame:
    """The country rows as each country's coverage table of all campaigns is shown to `actor`
    (`coverage.published_table`): its totals as shown there, rates only from shown numbers, and
    areas reached counted from the served cells shown at least the threshold (a "<5" may be a 0).
    A second suppression here, of the exact country totals, could show a total the country's own
    dashboard withholds, or the other way round."""
    out = frame.astype({c: object for c in ("households_registered", "households_served", "areas_reached")})
    out["coverage_rate"] = out["coverage_rate"].astype(object)
    out["registered_per_10k"] = out["registered_per_10k"].astype(object)
    for index, code in out["country_code"].items():
        table, totals = published_table(db, actor, "coverage", Filters(country_code=str(code)))
        registered, served = totals["households_registered"], totals["households_served"]
        population = pd.to_numeric(pd.Series([out.at[index, "population"]]), errors="coerce").iloc[0]
        out.at[index, "households_registered"] = registered
        out.at[index, "households_served"] = served
        out.at[index, "areas_reached"] = int(sum(shown_at_least_threshold(v) for v in table["households_served"]))
        numbers = not is_mark(registered) and not is_mark(served)
        out.at[index, "coverage_rate"] = (
            (int(served) / int(registered) if int(registered) else None) if numbers else suppression.SUPPRESSED
        )
        if is_mark(registered):
            out.at[index, "registered_per_10k"] = suppression.SUPPRESSED
        elif pd.notna(population) and population > 0:
            out.at[index, "registered_per_10k"] = int(registered) * 10000 / float(population)
        else:
            out.at[index, "registered_per_10k"] = None
    return out


def value_by_country(
    db: Database, actor: Actor | None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pd.DataFrame:
    """One row per country and currency: value received, allocated and delivered, each in its own
    currency. Values count no household, so nothing here is suppressed."""
    ensure_facts_current(db)
    with closing(db.cursor()) as cur:
        frame = run(cur, "list_value_by_country", _dates(date_from, date_to))
    frame = frame[frame["country_code"].isin(countries_in_scope(db, actor))].reset_index(drop=True)
    frame["donation_lines"] = frame["donation_lines"].astype("int64")
    return frame


def values_side_by_side(values: pd.DataFrame, column: str = "received_value") -> pd.DataFrame:
    """`column` as one column per currency and one row per country: amounts of two currencies share
    no cell and no total (a country without that currency has an empty cell)."""
    if values.empty:
        return pd.DataFrame({"country_code": []})
    wide = values.pivot(index="country_code", columns="currency", values=column)
    wide.columns = [str(c) for c in wide.columns]
    return wide.reset_index()
