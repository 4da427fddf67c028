"""Headline figures for the home page."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.statuses import UNCOUNTED_HOUSEHOLD_STATUSES
from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import run


def campaign_overview(db: Database, today: dt.date | None = None) -> dict[str, Any]:
    """Counts, value received and days left to the active campaign's deadline."""
    with closing(db.cursor()) as cur:
        overview = run(
            cur, "get_campaign_overview", {"uncounted_household_statuses": list(UNCOUNTED_HOUSEHOLD_STATUSES)}
        )
    campaign = get_active_campaign(db)
    overview["campaign"] = campaign
    if campaign:
        today = today or dt.date.today()
        overview["days_left"] = max(0, (campaign["ends_on"] - today).days)
        overview["ended"] = today > campaign["ends_on"]
    return overview


def received_by_category(db: Database) -> pd.DataFrame:
    with closing(db.cursor()) as cur:
        return run(cur, "list_received_by_category")
