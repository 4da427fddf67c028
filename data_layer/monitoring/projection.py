"""Shortfall projection per governorate and category of a campaign.

Needs declared against stock held and pledged (what could be given) and against what was
delivered so far; the pace is what was delivered per day since the campaign started, and the
projection carries that pace on to the campaign's end date:

    projected delivered = delivered + pace x days left  (at most the needs)
    projected shortfall = needs - projected delivered
    supply gap          = needs - (stock + pledged)     (at least 0)
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError
from data_layer.monitoring.baskets import basket_frame, suppress_rows
from data_layer.store.database import Database
from data_layer.store.queries import run

PROJECTION_COLUMNS = [
    "governorate_code",
    "category_code",
    "unit",
    "households",
    "needs",
    "stock",
    "pledged",
    "delivered",
    "pace_per_day",
    "projected_delivered",
    "projected_shortfall",
    "supply_gap",
    "needs_baskets",
    "projected_shortfall_baskets",
]


def project(frame: pd.DataFrame, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> pd.DataFrame:
    """The projection columns for a flows frame (numbers, not suppressed) on `today`."""
    out = frame.copy()
    elapsed = max((min(today, ends_on) - starts_on).days + 1, 1)  # the first day counts
    left = max((ends_on - today).days, 0)
    needs = out["needs"].astype(float)
    delivered = out["delivered"].astype(float)
    out["pace_per_day"] = (delivered / elapsed).round(3)
    out["projected_delivered"] = np.minimum(delivered + out["pace_per_day"] * left, needs).round(3)
    out["projected_shortfall"] = (needs - out["projected_delivered"]).clip(lower=0).round(3)
    out["supply_gap"] = (needs - out["stock"].astype(float) - out["pledged"].astype(float)).clip(lower=0).round(3)
    factor = out["needs_baskets"].astype(float) / needs.where(needs > 0)
    out["projected_shortfall_baskets"] = (out["projected_shortfall"] * factor).round(3)
    return out


def shortfall_projection(
    db: Database,
    actor: Actor | None,
    campaign_id: int,
    today: dt.date | None = None,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per governorate, category and unit of the campaign: needs, supply, pace and the projected shortfall.

    `frame`: the campaign's `basket_frame` for this actor when the caller has it already.
    """
    with db.reading() as cur:
        campaign = run(cur, "get_campaign_record", {"id": campaign_id})
    if campaign is None:
        raise JesrError("error.not_found")
    if frame is None:
        frame = basket_frame(db, actor, campaign_id)
    projected = project(frame, campaign["starts_on"], campaign["ends_on"], today or dt.date.today())
    return suppress_rows(projected[PROJECTION_COLUMNS], actor)
