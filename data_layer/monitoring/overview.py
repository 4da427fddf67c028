"""Headline figures for the home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import Q


def campaign_overview(db: Database, today: dt.date | None = None) -> dict[str, Any]:
    """Counts, value received and days left to the active campaign's deadline."""
    cur = db.cursor()
    try:
        result = cur.execute(Q.get_campaign_overview)
        overview = dict(zip([d[0] for d in result.description], result.fetchone()))
    finally:
        cur.close()
    campaign = get_active_campaign(db)
    overview["campaign"] = campaign
    if campaign:
        today = today or dt.date.today()
        overview["days_left"] = max(0, (campaign["ends_on"] - today).days)
        overview["ended"] = today > campaign["ends_on"]
    return overview


def received_by_category(db: Database) -> pd.DataFrame:
    cur = db.cursor()
    try:
        return cur.execute(Q.list_received_by_category).df()
    finally:
        cur.close()
