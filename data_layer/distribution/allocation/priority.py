"""Who comes first: the priority score of an open need and the list of open needs in that order."""

from __future__ import annotations

import datetime as dt
from contextlib import closing

import numpy as np
import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES, LIVE_ALLOCATION_STATUSES
from data_layer.distribution.stock import stock_scope
from data_layer.store.database import Database
from data_layer.store.queries import run

# Priority score = urgency + vulnerabilities + household size + waiting time (points).
URGENCY_POINTS = {"low": 1.0, "normal": 2.0, "high": 4.0, "critical": 6.0}
VULNERABILITY_POINTS = {
    "elderly": 2.0,
    "disability": 3.0,
    "chronic_illness": 2.0,
    "lost_income": 1.5,
    "single_parent": 1.5,
}
POINTS_PER_PERSON = 0.5
MAX_PERSONS_COUNTED = 10
POINTS_PER_WAITING_DAY = 0.25
MAX_WAITING_DAYS = 30
SCORE_COLUMNS = ["urgency_points", "vulnerability_points", "size_points", "waiting_points"]


def priority_explanation() -> list[tuple[str, str]]:
    """(factor, points) pairs the allocation page shows under the table."""
    rows = [(f"urgency.{k}", f"{v:g}") for k, v in URGENCY_POINTS.items()]
    rows += [(f"vulnerability.{k}", f"+{v:g}") for k, v in VULNERABILITY_POINTS.items()]
    rows.append(("distribution.priority.size", f"+{POINTS_PER_PERSON:g} × ≤{MAX_PERSONS_COUNTED}"))
    rows.append(("distribution.priority.waiting", f"+{POINTS_PER_WAITING_DAY:g} × ≤{MAX_WAITING_DAYS}"))
    return rows


def score_needs(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the priority score and its parts to a frame from `list_open_needs_scored`."""
    out = frame.copy()
    out["urgency_points"] = out["urgency"].map(URGENCY_POINTS).astype(float)
    vulnerability = np.zeros(len(out))
    for name, points in VULNERABILITY_POINTS.items():
        vulnerability += out[name].to_numpy(dtype=bool) * points
    out["vulnerability_points"] = vulnerability
    out["size_points"] = POINTS_PER_PERSON * np.minimum(
        out["household_size"].to_numpy(dtype=float), MAX_PERSONS_COUNTED
    )
    out["waiting_points"] = POINTS_PER_WAITING_DAY * np.minimum(
        out["waiting_days"].to_numpy(dtype=float), MAX_WAITING_DAYS
    )
    out["score"] = out[SCORE_COLUMNS].sum(axis=1).round(2)
    return out


def list_open_needs(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str | None = None,
    category_code: str | None = None,
    as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """Open needs the actor may allocate to, highest priority first (households already given
    this category go after everyone else)."""
    with closing(db.cursor()) as cur:
        frame = run(
            cur,
            "list_open_needs_scored",
            {
                "organisation_id": stock_scope(actor),
                "governorate_code": governorate_code or None,
                "category_code": category_code or None,
                "as_of": as_of,
                "live_statuses": list(LIVE_ALLOCATION_STATUSES),
                "closed_household_statuses": list(INACTIVE_HOUSEHOLD_STATUSES),
            },
        )
    frame = score_needs(frame)
    return frame.sort_values(
        ["already_given", "score", "waiting_days", "need_id"], ascending=[True, False, False, True], kind="stable"
    ).reset_index(drop=True)
