"""Headline figures for the home page: of the reader's country, or of every country for a reader
of none; values per currency, never added up across two (no exchange rate is invented)."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.statuses import UNCOUNTED_HOUSEHOLD_STATUSES
from data_layer.monitoring.coverage import Filters, cash_in_its_currency, published_table
from data_layer.monitoring.regional import countries_in_scope
from data_layer.monitoring.suppression import combine_shown, must_suppress
from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import run


def campaign_overview(db: Database, today: dt.date | None = None, country_code: str | None = None) -> dict[str, Any]:
    """Counts, value received per currency and days left to the active campaign's deadline (of
    `country_code`; None: every country, and the campaign that started last)."""
    with closing(db.cursor()) as cur:
        overview = run(
            cur,
            "get_campaign_overview",
            {"uncounted_household_statuses": list(UNCOUNTED_HOUSEHOLD_STATUSES), "country_code": country_code},
        )
    overview["value_by_currency"] = value_by_currency(db, country_code)
    campaign = get_active_campaign(db, country_code)
    overview["campaign"] = campaign
    if campaign:
        today = today or dt.date.today()
        overview["days_left"] = max(0, (campaign["ends_on"] - today).days)
        overview["ended"] = today > campaign["ends_on"]
    return overview


def overview_for(
    db: Database, actor: Actor | None, today: dt.date | None = None, country_code: str | None = None
) -> dict[str, Any]:
    """`campaign_overview` as `actor` may read it: for observers its households and volunteers
    are the totals their dashboards show (households of all campaigns built from each campaign's
    table, `coverage.published_table`), not exact counts a dashboard total could be subtracted from."""
    overview = campaign_overview(db, today, country_code)
    if not must_suppress(actor):
        return overview
    countries = [country_code] if country_code is not None else countries_in_scope(db, actor)
    shown: dict[str, list[int | str]] = {"households": [], "volunteers": []}
    for code in countries:
        shown["households"].append(
            published_table(db, actor, "coverage", Filters(country_code=code))[1]["households_registered"]
        )
        shown["volunteers"].append(
            published_table(db, actor, "volunteer_activity", Filters(country_code=code))[1]["volunteers_active"]
        )
    return {**overview, **{key: combine_shown(values) for key, values in shown.items()}}


def received_by_category(db: Database, country_code: str | None = None) -> pd.DataFrame:
    """Per category, unit and currency: quantity, estimated value and donations received. Cash is
    counted in its currency, so its unit reads as that currency."""
    with closing(db.cursor()) as cur:
        frame = run(cur, "list_received_by_category", {"country_code": country_code})
    return cash_in_its_currency(frame)


def value_by_currency(
    db: Database, country_code: str | None = None, campaign_id: int | None = None
) -> dict[str, float]:
    """Estimated value received, per currency, of a country and a campaign (None: all)."""
    with closing(db.cursor()) as cur:
        values = run(cur, "list_received_value_by_currency", {"country_code": country_code, "campaign_id": campaign_id})
    return dict(zip(values["currency"], values["value"].astype(float)))
