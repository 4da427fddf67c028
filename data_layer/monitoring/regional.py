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
from data_layer.monitoring.facts import ensure_facts_current
from data_layer.monitoring.suppression import must_suppress, suppress_small_counts
from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import run


def list_countries(db: Database) -> list[dict[str, Any]]:
    """Every country of the database with its names and currency, in code order."""
    with closing(db.cursor()) as cur:
        return run(cur, "list_countries_in_scope")


def countries_in_scope(db: Database, actor: Actor | None) -> list[str]:
    """The countries `actor` may look at: its own, or every country (regional accounts, the public)."""
    codes = [row["code"] for row in list_countries(db)]
    own = actor.country_code if actor is not None else None
    if own is not None:
        return [own] if own in codes else []
    return codes


def is_regional(db: Database, actor: Actor | None) -> bool:
    """Whether `actor` sees several countries (and so the side-by-side view)."""
    return len(countries_in_scope(db, actor)) > 1


def default_country(db: Database, actor: Actor | None) -> str | None:
    """The country a dashboard opens on: the reader's own; else the active campaign's; else the first."""
    scope = countries_in_scope(db, actor)
    if not scope:
        return None
    if len(scope) == 1:
        return scope[0]
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


COUNTRY_COUNTS = ["households_registered", "households_served"]
COUNTRY_DERIVED = {
    "coverage_rate": ["households_registered", "households_served"],
    "registered_per_10k": ["households_registered"],
}


def coverage_by_country(
    db: Database, actor: Actor | None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> pd.DataFrame:
    """One row per country the actor sees: areas, registered, served, coverage, per 10,000, areas
    reached; household counts under the threshold read "<5" for observers and the public."""
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
    if must_suppress(actor):
        return suppress_small_counts(frame, COUNTRY_COUNTS, COUNTRY_DERIVED)
    return frame


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
