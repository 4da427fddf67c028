"""Progress to the campaign deadline: pace, projection and the governorates that will miss.

Definitions (docs/monitoring.md explains them at length):
- a household is served on the day of its first confirmed delivery;
- days left = days after the as-of day up to and including the deadline;
- the pace needed = households still to serve / days left;
- the recent pace = households served in the last 3 days (the as-of day and the two before) / 3;
- the projected day = the as-of day + the days the recent pace needs for the rest;
- a governorate's target is the one the organisers set for it (campaign_targets); what is left
  of the campaign target is shared among the governorates without one, in proportion to the
  households registered there; a governorate will miss when served + recent pace x days left
  < its target.
"""

from __future__ import annotations

import datetime as dt
import math
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.monitoring.facts import ensure_facts_current
from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import run

RECENT_DAYS = 3


@dataclass
class Progress:
    campaign: dict[str, Any]
    as_of: dt.date
    target: int
    served: int
    days_left: int
    remaining: int
    required_per_day: float | None
    recent_pace: float
    projected_on: dt.date | None
    reached_on: dt.date | None
    on_track: bool
    daily: pd.DataFrame = field(repr=False)
    governorates: pd.DataFrame = field(repr=False)


def _campaign(db: Database, campaign_id: int | None, country_code: str | None = None) -> dict[str, Any] | None:
    if campaign_id is None and country_code is None:
        return get_active_campaign(db)
    with closing(db.cursor()) as cur:
        if campaign_id is None:
            return run(cur, "get_active_campaign_of_country", {"country_code": country_code})
        return run(cur, "get_campaign_by_id", {"id": campaign_id})


def default_as_of(campaign: dict[str, Any], today: dt.date | None = None) -> dt.date:
    """Today, kept inside the campaign's dates (a finished campaign is seen at its deadline)."""
    today = today or dt.date.today()
    return min(max(today, campaign["starts_on"]), campaign["ends_on"])


def campaign_progress(
    db: Database, campaign_id: int | None = None, as_of: dt.date | None = None, country_code: str | None = None
) -> Progress | None:
    """Progress of a campaign (default: the active one; of `country_code` when given) as of a day
    (default: today)."""
    campaign = _campaign(db, campaign_id, country_code)
    if campaign is None:
        return None
    as_of = as_of or default_as_of(campaign)
    params = {"campaign_id": campaign["id"], "as_of": as_of}
    ensure_facts_current(db)
    with closing(db.cursor()) as cur:
        per_day = run(cur, "list_served_per_day", params)
        registered = run(cur, "list_registered_by_governorate", params)
        areas = run(cur, "list_area_codes", {"country_code": campaign["country_code"]})
        targets = {
            r["governorate_code"]: int(r["target_households"])
            for r in run(cur, "list_campaign_targets_of", {"campaign_id": campaign["id"]})
        }
    # DuckDB DATE arrives as pandas timestamps; days are compared with datetime.date below.
    per_day["served_on"] = pd.Series(
        [pd.Timestamp(v).date() for v in per_day["served_on"]], index=per_day.index, dtype=object
    )

    start = min(campaign["starts_on"], as_of)
    days = pd.date_range(start, as_of, freq="D").date
    served_by_day = per_day.groupby("served_on")["households_served"].sum() if not per_day.empty else pd.Series()
    daily = pd.DataFrame({"day": days})
    daily["households_served"] = [int(served_by_day.get(d, 0)) for d in days]
    # Households served before the campaign's first day (if any) still count towards it.
    earlier = int(served_by_day[[d for d in served_by_day.index if d < start]].sum()) if len(served_by_day) else 0
    daily["cumulative_served"] = daily["households_served"].cumsum() + earlier

    target = int(campaign["target_households"] or 0)
    served = int(daily["cumulative_served"].iloc[-1]) if len(daily) else earlier
    days_left = max(0, (campaign["ends_on"] - as_of).days)
    remaining = max(0, target - served)
    required = remaining / days_left if days_left > 0 else None
    recent_from = as_of - dt.timedelta(days=RECENT_DAYS - 1)
    recent = int(sum(n for d, n in served_by_day.items() if recent_from <= d <= as_of)) if len(served_by_day) else 0
    recent_pace = recent / RECENT_DAYS

    reached_on = None
    projected_on = None
    if target and served >= target:
        reached_on = daily.loc[daily["cumulative_served"] >= target, "day"].iloc[0]
        projected_on = reached_on
    elif recent_pace > 0:
        projected_on = as_of + dt.timedelta(days=math.ceil(remaining / recent_pace))
    on_track = bool(target) and projected_on is not None and projected_on <= campaign["ends_on"]

    governorates = governorate_outlook(areas, registered, per_day, target, targets, days_left, recent_from, as_of)
    return Progress(
        campaign=campaign,
        as_of=as_of,
        target=target,
        served=served,
        days_left=days_left,
        remaining=remaining,
        required_per_day=required,
        recent_pace=recent_pace,
        projected_on=projected_on,
        reached_on=reached_on,
        on_track=on_track,
        daily=daily,
        governorates=governorates,
    )


def governorate_outlook(
    areas: pd.DataFrame,
    registered: pd.DataFrame,
    per_day: pd.DataFrame,
    target: int,
    targets: dict[str, int],
    days_left: int,
    recent_from: dt.date,
    as_of: dt.date,
) -> pd.DataFrame:
    """Per governorate: its target, served so far, recent pace, projection, miss or not.

    `targets` are the governorate targets the organisers set; the rest of `target` is shared
    among the other governorates in proportion to their registered households.
    """
    out = areas.merge(registered, on="governorate_code", how="left")
    out["households_registered"] = out["households_registered"].fillna(0).astype("int64")
    if per_day.empty:
        served = pd.Series(dtype="int64")
        recent = pd.Series(dtype="int64")
    else:
        served = per_day.groupby("governorate_code")["households_served"].sum()
        in_window = per_day[(per_day["served_on"] >= recent_from) & (per_day["served_on"] <= as_of)]
        recent = in_window.groupby("governorate_code")["households_served"].sum()
    out["households_served"] = out["governorate_code"].map(served).fillna(0).astype("int64")
    out["served_last_3_days"] = out["governorate_code"].map(recent).fillna(0).astype("int64")
    own = out["governorate_code"].map(targets)
    shared = own.isna()
    left_to_share = max(0, target - sum(targets.values()))
    registered_sharing = int(out.loc[shared, "households_registered"].sum())
    share = (
        out["households_registered"] / registered_sharing if registered_sharing else out["households_registered"] * 0.0
    )
    out["target_households"] = own.astype("float64").where(~shared, (share * left_to_share).round(1))
    out["projected_at_deadline"] = (
        out["households_served"] + out["served_last_3_days"] / RECENT_DAYS * days_left
    ).round(1)
    out["will_miss"] = out["projected_at_deadline"] < out["target_households"]
    return out


PROGRESS_EXPORT_COLUMNS: dict[str, list[str]] = {
    "progress_daily": ["day", "households_served", "cumulative_served"],
    "progress_governorates": [
        "governorate_code",
        "households_registered",
        "target_households",
        "households_served",
        "served_last_3_days",
        "projected_at_deadline",
        "will_miss",
    ],
}


def progress_export(
    db: Database,
    actor: Actor | None,
    kind: str,
    as_of: dt.date | None = None,
    *,
    campaign_id: int | None = None,
    country_code: str | None = None,
) -> pd.DataFrame:
    """A campaign's (default: the active one's, of `country_code` when given) daily series or
    governorate outlook, suppressed for observers."""
    from data_layer.monitoring.coverage import for_actor
    from data_layer.monitoring.suppression import must_suppress

    # Suppressed readers get one day only: two days' outlooks differ by what was served between.
    as_of = None if must_suppress(actor) else as_of
    progress = campaign_progress(db, campaign_id, as_of=as_of, country_code=country_code)
    if progress is None:
        return pd.DataFrame(columns=PROGRESS_EXPORT_COLUMNS[kind])
    frame = progress.daily if kind == "progress_daily" else progress.governorates
    return for_actor(frame[PROGRESS_EXPORT_COLUMNS[kind]].reset_index(drop=True), kind, actor)
