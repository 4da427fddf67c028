"""Campaigns: a name, a start, a deadline and targets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from data_layer.core.actor import Actor
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import Q


def get_active_campaign(db: Database) -> dict[str, Any] | None:
    cur = db.cursor()
    try:
        result = cur.execute(Q.get_active_campaign)
        row = result.fetchone()
        return dict(zip([d[0] for d in result.description], row)) if row else None
    finally:
        cur.close()


def active_campaign_id(db: Database) -> int | None:
    campaign = get_active_campaign(db)
    return campaign["id"] if campaign else None


def create_campaign(
    db: Database,
    actor: Actor,
    *,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    target_households: int | None = None,
    target_value_tnd: float | None = None,
    country_code: str = "TN",
) -> int:
    values = {
        "name": name,
        "country_code": country_code,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "target_households": target_households,
        "target_value_tnd": target_value_tnd,
    }
    with db.transaction() as cur:
        campaign_id = cur.execute(Q.insert_campaign, values).fetchone()[0]
        write_audit(cur, actor, "insert", "campaigns", campaign_id, after=values)
    return campaign_id
