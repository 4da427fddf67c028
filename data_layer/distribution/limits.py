"""Limits per household and period: how often, or how much, one household may receive of a category.

A campaign sets at most one limit per category: `max_times` distinct needs served, and/or
`max_quantity` in the category's unit (cash in the campaign's currency), over a rolling period of
`period_days` ending now. What counts is every live allocation (allocated, delivered, confirmed)
of the household's needs in that category. The rule is enforced where allocations are written,
inside their transaction (`check_limits`, called by the saving), so it holds across app servers:
every write runs under the database's write lock. The suggestion respects it up front
(`allowed_remaining`), so a proposal never needs an exception. An exception needs an organiser
and a reason; it is kept in `limit_exceptions` and in the audit log.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from data_layer.core.actor import ALL_ORGANISATION_ROLES, Actor
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.core.statuses import LIVE_ALLOCATION_STATUSES
from data_layer.core.validation import _Collector, clean_amount, clean_int, clean_reason
from data_layer.store.audit import write_audit
from data_layer.store.bulk import run_with_rows
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

MAX_PERIOD_DAYS = 366


class LimitExceeded(JesrError):
    """An allocation would take a household above its campaign's limit; nothing was written."""

    code = "fairness.error.limit_exceeded"

    def __init__(self, breaches: list[Breach]) -> None:
        self.breaches = breaches
        first = breaches[0]
        super().__init__(
            self.code,
            household_id=first.household_id,
            category=first.category_code,
            period_days=first.period_days,
            count=len(breaches),
        )


@dataclass(frozen=True)
class Breach:
    """One household and category an allocation batch would take above its limit."""

    household_id: int
    campaign_id: int
    category_code: str
    period_days: int
    times: int  # distinct needs served in the period, this batch included
    max_times: int | None
    quantity: Decimal
    max_quantity: Decimal | None


def _require_organiser(actor: Actor) -> None:
    if actor.role not in ALL_ORGANISATION_ROLES:
        raise PermissionDenied()


def clean_limit(raw: dict[str, Any]) -> dict[str, Any]:
    """A limit as typed: period in days (1–366), and at least one of times (whole, ≥ 1) and quantity (> 0)."""
    errs = _Collector()
    period = clean_int(errs, "period_days", raw.get("period_days"), low=1, high=MAX_PERIOD_DAYS)
    times = clean_int(errs, "max_times", raw.get("max_times"), low=1, high=1000, required=False)
    quantity = clean_amount(errs, "max_quantity", raw.get("max_quantity"))
    if quantity is not None and quantity <= 0:
        errs.add("max_quantity", "error.positive")
        quantity = None
    if times is None and quantity is None and not errs.errors:
        errs.add("max_times", "fairness.error.limit_empty")
    errs.raise_if_any()
    return {"period_days": period, "max_times": times, "max_quantity": quantity}


def set_limit(db: Database, actor: Actor, campaign_id: int, category_code: str, raw: dict[str, Any]) -> None:
    """Set (or replace) one campaign's limit for one category (organisers and admins), audited."""
    _require_organiser(actor)
    reference = get_reference(db)
    if category_code not in reference.categories:
        raise JesrError("fairness.error.unknown_category", value=category_code)
    values = clean_limit(raw)
    with db.transaction() as cur:
        if run(cur, "get_campaign_record", {"id": campaign_id}) is None:
            raise JesrError("error.not_found")
        key = {"campaign_id": campaign_id, "category_code": category_code}
        before = run(cur, "get_household_limit", key)
        run(cur, "delete_household_limit", key)
        run(cur, "insert_household_limit", {**key, **values, "set_by": actor.user_id})
        write_audit(
            cur,
            actor,
            "set_limit",
            "household_limits",
            campaign_id,
            before=dict(before) if before else None,
            after={**key, **values},
        )


def remove_limit(db: Database, actor: Actor, campaign_id: int, category_code: str) -> None:
    """Lift one campaign's limit for one category (organisers and admins), audited."""
    _require_organiser(actor)
    with db.transaction() as cur:
        key = {"campaign_id": campaign_id, "category_code": category_code}
        before = run(cur, "get_household_limit", key)
        if before is None:
            raise JesrError("error.not_found")
        run(cur, "delete_household_limit", key)
        write_audit(cur, actor, "remove_limit", "household_limits", campaign_id, before=dict(before), after=None)


def list_limits(db: Database, campaign_id: int | None = None) -> pd.DataFrame:
    with db.reading() as cur:
        return run(cur, "list_household_limits", {"campaign_id": campaign_id})


# --- enforcement, inside the saving transaction ----------------------------------------------------


def find_breaches(cur: Any, batch: pd.DataFrame) -> list[Breach]:
    """Households and categories `batch` (household_id, need_id, category_code, quantity as Decimal)
    would take above their limit, counting what they received in the period before it."""
    household_ids = sorted({int(h) for h in batch["household_id"]})
    limits = {
        (r["household_id"], r["category_code"]): r
        for r in run(cur, "list_limits_for_households", {"household_ids": household_ids})
    }
    if not limits:
        return []
    used: dict[tuple[int, str], dict[int, Decimal]] = {}
    for row in run(
        cur,
        "list_limit_usage",
        {"household_ids": household_ids, "live_statuses": list(LIVE_ALLOCATION_STATUSES), "as_of": None},
    ):
        used.setdefault((row["household_id"], row["category_code"]), {})[row["need_id"]] = Decimal(row["quantity"])
    for household_id, need_id, category, quantity in batch[
        ["household_id", "need_id", "category_code", "quantity"]
    ].itertuples(index=False):
        key = (int(household_id), str(category))
        if key in limits:
            served = used.setdefault(key, {})
            served[int(need_id)] = served.get(int(need_id), Decimal(0)) + Decimal(quantity)
    touched = set(zip(batch["household_id"].astype(int), batch["category_code"].astype(str)))
    breaches = []
    for key, limit in sorted(limits.items()):
        needs = used.get(key)
        if not needs or key not in touched:
            continue
        times, quantity = len(needs), sum(needs.values(), Decimal(0))
        max_quantity = None if limit["max_quantity"] is None else Decimal(limit["max_quantity"])
        over_times = limit["max_times"] is not None and times > limit["max_times"]
        over_quantity = max_quantity is not None and quantity > max_quantity
        if over_times or over_quantity:
            breaches.append(
                Breach(
                    household_id=key[0],
                    campaign_id=int(limit["campaign_id"]),
                    category_code=key[1],
                    period_days=int(limit["period_days"]),
                    times=times,
                    max_times=limit["max_times"],
                    quantity=quantity,
                    max_quantity=max_quantity,
                )
            )
    return breaches


def check_limits(cur: Any, actor: Actor, batch: pd.DataFrame, override_reason: str | None) -> list[Breach]:
    """Refuse a batch that breaks a limit, unless an organiser gives a reason: then return the breaches,
    for `record_exceptions` to keep once the allocations have their ids (same transaction)."""
    breaches = find_breaches(cur, batch)
    if not breaches:
        return []
    if override_reason is None or not str(override_reason).strip():
        raise LimitExceeded(breaches)
    if actor.role not in ALL_ORGANISATION_ROLES:
        raise PermissionDenied()
    return breaches


def record_exceptions(
    cur: Any, actor: Actor, batch: pd.DataFrame, breaches: list[Breach], override_reason: str | None
) -> None:
    """Keep every allocation saved above a limit with the organiser and the reason, and audit each."""
    if not breaches:
        return
    reason = clean_reason(override_reason)
    over = {(b.household_id, b.category_code): b for b in breaches}
    kept: list[tuple[int, Breach]] = [
        (int(a), over[(int(h), str(c))])
        for a, h, c in batch[["id", "household_id", "category_code"]].itertuples(index=False)
        if (int(h), str(c)) in over
    ]
    frame = pd.DataFrame(
        {
            "allocation_id": [a for a, _ in kept],
            "household_id": [b.household_id for _, b in kept],
            "campaign_id": [b.campaign_id for _, b in kept],
            "category_code": [b.category_code for _, b in kept],
            "reason": reason,
            "granted_by": pd.array([actor.user_id] * len(kept), dtype="Int64"),
        }
    )
    run_with_rows(cur, "insert_limit_exceptions_from_frame", frame, table="new_limit_exceptions")
    for allocation_id, breach in kept:
        write_audit(
            cur,
            actor,
            "limit_exception",
            "allocations",
            allocation_id,
            before=None,
            after={
                "household_id": breach.household_id,
                "category_code": breach.category_code,
                "reason": reason,
                "times": breach.times,
                "max_times": breach.max_times,
                "quantity": breach.quantity,
                "max_quantity": breach.max_quantity,
                "period_days": breach.period_days,
            },
        )


# --- the suggestion's side: what each open need may still receive ---------------------------------


def allowed_remaining(db: Database, needs: pd.DataFrame, as_of: dt.datetime | None = None) -> np.ndarray:
    """Per open need (a frame in priority order, with need_id, household_id, campaign_id,
    category_code, remaining), how much of it the household's limits still allow.

    Within one household and category, needs are served in the frame's order: the first ones
    take the times and the quantity left, the others get nothing. A need already served in the
    period does not count as a new time.
    """
    allowed = needs["remaining"].to_numpy(dtype=float).copy()
    if needs.empty:
        return allowed
    with closing(db.cursor()) as cur:
        limits = run(cur, "list_campaign_limits", {})
        if limits.empty:
            return allowed
        usage = run(cur, "list_limit_usage_all", {"live_statuses": list(LIVE_ALLOCATION_STATUSES), "as_of": as_of})
    frame = pd.DataFrame(
        {
            "position": np.arange(len(needs)),
            "need_id": needs["need_id"].to_numpy(),
            "household_id": needs["household_id"].to_numpy(),
            "campaign_id": needs["campaign_id"].astype("Int64").to_numpy(),
            "category_code": needs["category_code"].astype(str).to_numpy(),
            "remaining": allowed,
        }
    )
    limits = limits.assign(
        campaign_id=limits["campaign_id"].astype("Int64"),
        category_code=limits["category_code"].astype(str),
        # Both backends: a missing bound is NaN (PostgreSQL hands None in an object column).
        max_times=pd.to_numeric(limits["max_times"], errors="coerce").astype(float),
        max_quantity=pd.to_numeric(limits["max_quantity"], errors="coerce").astype(float),
    )
    frame = frame.merge(limits, on=["campaign_id", "category_code"], how="inner", sort=False)
    if frame.empty:
        return allowed
    usage = usage.assign(category_code=usage["category_code"].astype(str))
    per_key = usage.groupby(["household_id", "category_code"], as_index=False).agg(
        times_used=("need_id", "size"), quantity_used=("quantity", "sum")
    )
    frame = frame.merge(per_key, on=["household_id", "category_code"], how="left")
    frame[["times_used", "quantity_used"]] = frame[["times_used", "quantity_used"]].fillna(0)
    frame["counted"] = frame["need_id"].isin(set(usage["need_id"]))
    frame = frame.sort_values("position", kind="stable")
    key = [frame["household_id"], frame["category_code"]]
    # Times: a new need takes one; it fits while the needs before it plus those already served stay within.
    new_time = (~frame["counted"]).astype(int)
    earlier_new = new_time.groupby(key).cumsum() - new_time
    times_ok = (
        frame["max_times"].isna() | frame["counted"] | (frame["times_used"] + earlier_new + 1 <= frame["max_times"])
    )
    room = np.where(times_ok, frame["remaining"], 0.0)
    # Quantity: what is left under the cap goes to the needs in order.
    cap = (frame["max_quantity"] - frame["quantity_used"]).clip(lower=0).to_numpy(dtype=float)
    room_series = pd.Series(room, index=frame.index)
    before = room_series.groupby(key).cumsum() - room_series
    capped = np.clip(cap - before.to_numpy(dtype=float), 0, room)
    room = np.where(frame["max_quantity"].isna(), room, capped)
    allowed[frame["position"].to_numpy()] = room
    return allowed
