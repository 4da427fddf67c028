"""Signals of abuse and of data-quality problems: lists an organiser can open, explain and act on.

Each signal is a list of groups (a phone, an address, a delegation's day, an account's hour, an
association, a delivery, a household over its limit), found with the thresholds of
`monitoring/thresholds.py`; each group opens on the records behind it. Scoping is the dashboard's:
organisers and admins see every organisation, association staff their own organisation's records,
observers only counts per signal and governorate, with small counts suppressed.
A signal is a reason to look, not a finding.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.core.statuses import DELIVERED_STATUSES, LIVE_ALLOCATION_STATUSES
from data_layer.monitoring.facts import ensure_fairness_facts_current
from data_layer.monitoring.suppression import suppress_small_counts
from data_layer.monitoring.thresholds import THRESHOLDS, SignalThresholds
from data_layer.store.database import Database
from data_layer.store.queries import run

SIGNALS = (
    "shared_phone",
    "shared_address",
    "delegation_burst",
    "account_burst",
    "delivery_ratio",
    "fast_delivery",
    "above_limit",
)
FOREVER_DAYS = 1_000_000
# The signals that count households sharing a key (a phone, an address, a delegation's day, an
# account's hour): the query of each and the field of SignalThresholds it compares with.
HOUSEHOLD_GROUP_SIGNALS: dict[str, tuple[str, str]] = {
    "shared_phone": ("list_signal_shared_phone", "households_per_phone"),
    "shared_address": ("list_signal_shared_address", "households_per_address"),
    "delegation_burst": ("list_signal_delegation_bursts", "registrations_per_delegation_day"),
    "account_burst": ("list_signal_account_bursts", "registrations_per_account_hour"),
}


def _query(db: Database, name: str, params: dict[str, Any]) -> pd.DataFrame:
    ensure_fairness_facts_current(db)  # the signals read the fairness facts (migration 0140)
    with db.reading() as cur:
        return run(cur, name, params)


def signal_list(
    db: Database,
    actor: Actor,
    signal: str,
    thresholds: SignalThresholds = THRESHOLDS,
    as_of: dt.datetime | None = None,
    *,
    scope: int | None = None,
    scoped: bool = True,
) -> pd.DataFrame:
    """The groups one signal finds, largest first, within what the actor may read.

    Every frame has `governorate_code` and `records` (how many records the group rests on).
    """
    if scoped:
        scope = organisation_scope(actor)  # observers: PermissionDenied (they get signal_summary)
    base = {"organisation_id": scope, "max_rows": thresholds.max_rows}
    if signal in HOUSEHOLD_GROUP_SIGNALS:
        query, threshold = HOUSEHOLD_GROUP_SIGNALS[signal]
        frame = _query(db, query, {**base, "threshold": getattr(thresholds, threshold)})
        return frame.assign(records=frame["households"])
    if signal == "delivery_ratio":
        return _delivery_ratio(db, thresholds, as_of, scope)
    if signal == "fast_delivery":
        frame = _query(db, "list_signal_fast_deliveries", {**base, "minutes": thresholds.fast_delivery_minutes})
        return frame.assign(records=1)
    if signal == "above_limit":
        frame = _query(
            db,
            "list_signal_above_limit",
            {
                **base,
                "factor": thresholds.above_limit_factor,
                "live_statuses": list(LIVE_ALLOCATION_STATUSES),
                "as_of": as_of,
            },
        )
        return frame.assign(records=frame["times"])
    raise JesrError("fairness.error.unknown_signal", signal=signal)


def delivery_ratios(db: Database, thresholds: SignalThresholds = THRESHOLDS, as_of: Any = None) -> pd.DataFrame:
    """Every organisation's share of settled allocations delivered, and how far it is from the median."""
    frame = _query(db, "list_organisation_delivery_ratios", {"settle_days": thresholds.settle_days, "as_of": as_of})
    frame["ratio"] = (frame["delivered"] / frame["allocations"]).round(4)
    eligible = frame["allocations"] >= thresholds.min_allocations_for_ratio
    median = float(frame.loc[eligible, "ratio"].median()) if eligible.sum() >= 2 else float("nan")
    frame["median_ratio"] = round(median, 4)
    frame["gap"] = (frame["ratio"] - median).round(4)
    frame["flagged"] = eligible & (frame["gap"].abs() >= thresholds.delivery_ratio_gap)
    return frame


def _delivery_ratio(db: Database, thresholds: SignalThresholds, as_of: Any, scope: int | None) -> pd.DataFrame:
    # The median is over every association (staff compare themselves with all), the list is the actor's.
    frame = delivery_ratios(db, thresholds, as_of)
    frame = frame[frame["flagged"]]
    if scope is not None:
        frame = frame[frame["organisation_id"] == scope]
    frame = frame.assign(records=frame["allocations"] - frame["delivered"]).drop(columns=["flagged"])
    frame = frame.assign(distance=frame["gap"].abs())
    frame = frame.sort_values(["distance", "organisation_id"], ascending=[False, True])
    return frame.drop(columns=["distance"]).reset_index(drop=True)


def signal_records(
    db: Database,
    actor: Actor,
    signal: str,
    group: dict[str, Any],
    thresholds: SignalThresholds = THRESHOLDS,
    as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """The records behind one group of `signal_list` (a row of it, as a dict), within the actor's scope."""
    scope = organisation_scope(actor)
    households = {
        "organisation_id": scope,
        "max_rows": thresholds.max_rows,
        **dict.fromkeys(
            ("phone", "address", "governorate_code", "delegation", "day", "user_id", "hour", "household_id")
        ),
    }
    if signal == "shared_phone":
        return _query(db, "list_signal_households", {**households, "phone": group["key"]})
    if signal == "shared_address":
        return _query(db, "list_signal_households", {**households, "address": group["key"]})
    if signal == "delegation_burst":
        return _query(
            db,
            "list_signal_households",
            {
                **households,
                "governorate_code": group["governorate_code"],
                "delegation": group["delegation"],
                "day": group["day"],
            },
        )
    if signal == "account_burst":
        return _query(
            db, "list_signal_households", {**households, "user_id": int(group["user_id"]), "hour": group["hour"]}
        )
    if signal == "fast_delivery":
        return _query(db, "list_signal_households", {**households, "household_id": int(group["household_id"])})
    allocations = {
        "stock_organisation_id": None,
        "household_id": None,
        "category_code": None,
        "undelivered_only": False,
        "delivered_statuses": list(DELIVERED_STATUSES),
        "min_age_days": 0,
        "max_age_days": FOREVER_DAYS,
        "as_of": as_of,
        "max_rows": thresholds.max_rows,
    }
    if scope is not None and int(group["organisation_id"]) != scope:
        raise PermissionDenied()
    if signal == "delivery_ratio":
        return _query(
            db,
            "list_signal_allocations",
            {
                **allocations,
                "stock_organisation_id": int(group["organisation_id"]),
                "undelivered_only": True,
                "min_age_days": thresholds.settle_days,
            },
        )
    if signal == "above_limit":
        return _query(
            db,
            "list_signal_allocations",
            {
                **allocations,
                "household_id": int(group["household_id"]),
                "category_code": group["category_code"],
                "max_age_days": int(group["period_days"]),
            },
        )
    raise JesrError("fairness.error.unknown_signal", signal=signal)


def signal_summary(
    db: Database, actor: Actor | None, thresholds: SignalThresholds = THRESHOLDS, as_of: dt.datetime | None = None
) -> pd.DataFrame:
    """Per signal and governorate: how many groups it finds and how many records they rest on.

    What observers see of the signals: counts only, under the small-count threshold shown as "<5".
    Association staff count their own organisation's records.
    """
    scope = actor.organisation_id if actor is not None and actor.role == "association" else None
    parts = []
    for signal in SIGNALS:
        frame = signal_list(
            db, actor or Actor(None, "public", "public"), signal, thresholds, as_of, scope=scope, scoped=False
        )
        if frame.empty:
            continue
        counts = frame.groupby("governorate_code", dropna=False).agg(
            groups=("records", "size"), records=("records", "sum")
        )
        parts.append(counts.reset_index().assign(signal=signal))
    columns = ["signal", "governorate_code", "groups", "records"]
    summary = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    summary["groups"] = summary["groups"].astype("int64")
    summary["records"] = summary["records"].astype("int64")
    if actor is None or not actor.may_read_personal_data:
        summary = suppress_small_counts(summary, ["groups", "records"])
    return summary
