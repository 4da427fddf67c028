"""Deliveries: allocations grouped per household, carried by a volunteer, confirmed at the door.

States: planned -> out_for_delivery -> delivered -> confirmed, or failed (with a reason;
its stock returns to the pool) or cancelled. Confirmation records who confirmed and how:
the code given to the household, read back at the door, or the association's word.

The code has six digits, so it could be guessed by trying: CODE_MAX_WRONG wrong codes for one
delivery lock it, and then even the right code is refused until staff issue a new one. Wrong
tries are counted in the database (committed even though the attempt itself is refused) and
audited, as is each new code.
"""

from __future__ import annotations

import datetime as dt
import secrets
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.statuses import LIVE_ALLOCATION_STATUSES, UNDELIVERED_END_STATUSES
from data_layer.distribution.stock import stock_scope
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

# Deliveries one volunteer can carry in a day, by vehicle (on foot: a few doors nearby).
VEHICLE_CAPACITY = {"none": 3, "motorbike": 6, "car": 12, "van": 25, "truck": 40}
FAILURE_REASONS = ("not_home", "wrong_address", "refused", "vehicle_problem", "other")
# Who may move a delivery from one state to the next.
TRANSITIONS = {
    ("planned", "out_for_delivery"),
    ("planned", "delivered"),
    ("out_for_delivery", "delivered"),
    ("delivered", "confirmed"),
    ("planned", "failed"),
    ("out_for_delivery", "failed"),
    ("delivered", "failed"),
    ("planned", "cancelled"),
}
ALLOCATION_STATUS = {"delivered": "delivered", "confirmed": "confirmed", "failed": "returned", "cancelled": "cancelled"}
# Wrong household codes one delivery takes before its code is locked.
CODE_MAX_WRONG = 5
# States in which a code is still of use, and so may be issued again.
CODE_STATES = ("planned", "out_for_delivery", "delivered")


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def create_deliveries(
    db: Database, actor: Actor, *, governorate_code: str | None = None, planned_on: dt.date | None = None
) -> list[int]:
    """Group every allocation not yet on a delivery into one delivery per household and organisation."""
    scope = stock_scope(actor)
    created: list[int] = []
    with db.transaction() as cur:
        groups = run(
            cur, "list_undelivered_groups", {"organisation_id": scope, "governorate_code": governorate_code or None}
        )
        for group in groups:
            allocation_ids = list(group["allocation_ids"])
            values = {
                "household_id": group["household_id"],
                "organisation_id": group["organisation_id"],
                "planned_on": planned_on,
                "confirmation_code": _new_code(),
                "created_by": actor.user_id,
            }
            delivery_id = run(cur, "insert_delivery", values)
            run(cur, "attach_allocations_to_delivery", {"delivery_id": delivery_id, "allocation_ids": allocation_ids})
            write_audit(
                cur, actor, "insert", "deliveries", delivery_id, after={**values, "allocation_ids": allocation_ids}
            )
            created.append(delivery_id)
    return created


def _delivery_for(cur: Any, actor: Actor, delivery_id: int) -> dict[str, Any]:
    row = run(cur, "get_delivery", {"id": delivery_id})
    if row is None:
        raise NotFound()
    if actor.role == "volunteer":
        if actor.volunteer_id is None or row["volunteer_id"] != actor.volunteer_id:
            raise PermissionDenied()
    else:
        scope = stock_scope(actor)
        if scope is not None and row["organisation_id"] != scope:
            raise PermissionDenied()
    return row


def list_deliveries(
    db: Database, actor: Actor, *, status: str | None = None, governorate_code: str | None = None, limit: int = 500
) -> pd.DataFrame:
    """Deliveries the actor may see: a volunteer only their own, association staff their organisation's."""
    if actor.role == "volunteer":
        if actor.volunteer_id is None:
            return _empty_deliveries(db)
        organisation_id, volunteer_id = None, actor.volunteer_id
    else:
        organisation_id, volunteer_id = stock_scope(actor), None
    with closing(db.cursor()) as cur:
        return run(
            cur,
            "list_deliveries",
            {
                "organisation_id": organisation_id,
                "volunteer_id": volunteer_id,
                "status": status or None,
                "governorate_code": governorate_code or None,
                "limit": limit,
            },
        )


def _empty_deliveries(db: Database) -> pd.DataFrame:
    with closing(db.cursor()) as cur:
        return run(
            cur,
            "list_deliveries",
            {"organisation_id": None, "volunteer_id": -1, "status": None, "governorate_code": None, "limit": 0},
        )


def _volunteers_free_on(cur: Any, delivery: dict[str, Any], planned_on: dt.date) -> pd.DataFrame:
    """Volunteers of the delivery's governorate available that day, with the deliveries they carry then."""
    return run(
        cur,
        "list_eligible_volunteers",
        {
            "governorate_code": delivery["governorate_code"],
            "planned_on": planned_on,
            "delivery_id": delivery["id"],
            "undelivered_end_statuses": list(UNDELIVERED_END_STATUSES),
        },
    )


def eligible_volunteers(db: Database, actor: Actor, delivery_id: int, planned_on: dt.date) -> pd.DataFrame:
    """Volunteers of the household's governorate available that day, with room left in their vehicle."""
    with closing(db.cursor()) as cur:
        frame = _volunteers_free_on(cur, _delivery_for(cur, actor, delivery_id), planned_on)
    frame["capacity"] = frame["vehicle"].map(VEHICLE_CAPACITY)
    return frame[frame["deliveries_that_day"] < frame["capacity"]].reset_index(drop=True)


def assign_volunteer(db: Database, actor: Actor, delivery_id: int, volunteer_id: int, planned_on: dt.date) -> None:
    """Give a planned delivery to a volunteer, checking place, day and vehicle capacity inside the transaction."""
    if actor.role not in ("admin", "organiser", "association"):
        raise PermissionDenied()
    with db.transaction() as cur:
        delivery = _delivery_for(cur, actor, delivery_id)
        if delivery["status"] not in ("planned", "out_for_delivery"):
            raise JesrError("distribution.error.delivery_state", status=delivery["status"])
        rows = _volunteers_free_on(cur, delivery, planned_on)
        match = rows[rows["volunteer_id"] == volunteer_id]
        if match.empty:
            raise JesrError("distribution.error.volunteer_unavailable")
        if int(match["deliveries_that_day"].iloc[0]) >= VEHICLE_CAPACITY[match["vehicle"].iloc[0]]:
            raise JesrError("distribution.error.volunteer_full", capacity=VEHICLE_CAPACITY[match["vehicle"].iloc[0]])
        run(
            cur,
            "assign_delivery_volunteer",
            {"id": delivery_id, "volunteer_id": volunteer_id, "planned_on": planned_on},
        )
        write_audit(
            cur,
            actor,
            "assign",
            "deliveries",
            delivery_id,
            before={"volunteer_id": delivery["volunteer_id"], "planned_on": delivery["planned_on"]},
            after={"volunteer_id": volunteer_id, "planned_on": planned_on},
        )


def advance_delivery(
    db: Database,
    actor: Actor,
    delivery_id: int,
    status: str,
    *,
    failure_reason: str | None = None,
    code: str | None = None,
    method: str | None = None,
) -> str:
    """Move a delivery to `status`; its allocations follow. Returns the state reached.

    A volunteer may take a delivery out, mark it delivered (and confirmed if the household's
    code is read back right) or failed. Confirming by the association's word is for staff.
    A wrong code changes nothing but the count of wrong tries, which is kept.
    """
    refused: JesrError | None = None
    reached = status
    with db.transaction() as cur:
        delivery = _delivery_for(cur, actor, delivery_id)
        current = delivery["status"]
        if (current, status) not in TRANSITIONS:
            raise JesrError("distribution.error.delivery_state", status=current)
        if status == "failed" and failure_reason not in FAILURE_REASONS:
            raise JesrError("distribution.error.failure_reason")
        if status == "confirmed":
            method = method or ("household_code" if code else "association")
            if method != "household_code" and actor.role == "volunteer":
                raise PermissionDenied()
        if status == "cancelled" and actor.role == "volunteer":
            raise PermissionDenied()
        # A volunteer reading back the right code at the door delivers and confirms in one step.
        with_code = (status == "confirmed" and method == "household_code") or (status == "delivered" and bool(code))
        if with_code:
            # Checked before any change: a refusal commits only its count of wrong tries.
            refused = _check_code(cur, actor, delivery, code)
        if refused is None:
            _set_status(cur, actor, delivery, status, failure_reason=failure_reason, method=method)
            if status == "delivered" and code:
                _set_status(cur, actor, dict(delivery, status="delivered"), "confirmed", method="household_code")
                reached = "confirmed"
    if refused is not None:
        raise refused
    return reached


def _check_code(cur: Any, actor: Actor, delivery: dict[str, Any], code: str | None) -> JesrError | None:
    """None when `code` is the delivery's; else the refusal, with the wrong try counted and audited."""
    tries = int(delivery.get("code_wrong_tries") or 0)
    if tries >= CODE_MAX_WRONG:
        return JesrError("distribution.error.code_locked", tries=tries)
    expected = delivery["confirmation_code"] or ""
    if expected and secrets.compare_digest((code or "").strip().encode("utf-8"), expected.encode("utf-8")):
        return None
    tries = int(run(cur, "count_wrong_delivery_code", {"id": delivery["id"]}))
    write_audit(cur, actor, "wrong_code", "deliveries", delivery["id"], after={"code_wrong_tries": tries})
    if tries >= CODE_MAX_WRONG:
        write_audit(cur, actor, "code_locked", "deliveries", delivery["id"], after={"code_wrong_tries": tries})
        return JesrError("distribution.error.code_locked", tries=tries)
    return JesrError("distribution.error.wrong_code_left", left=CODE_MAX_WRONG - tries)


def reissue_confirmation_code(db: Database, actor: Actor, delivery_id: int) -> str:
    """A new household code for a delivery (staff only), its wrong tries back to 0; returns the code.

    The old code is no longer accepted. The audit row says a code was issued, not which.
    """
    if actor.role == "volunteer" or not actor.may_enter_records:
        raise PermissionDenied()
    with db.transaction() as cur:
        delivery = _delivery_for(cur, actor, delivery_id)
        if delivery["status"] not in CODE_STATES:
            raise JesrError("distribution.error.delivery_state", status=delivery["status"])
        code = _new_code()
        run(cur, "set_delivery_code", {"id": delivery_id, "confirmation_code": code})
        run(cur, "reset_delivery_code_tries", {"id": delivery_id})
        write_audit(
            cur,
            actor,
            "reissue_code",
            "deliveries",
            delivery_id,
            before={"code_wrong_tries": int(delivery.get("code_wrong_tries") or 0)},
            after={"code_wrong_tries": 0},
        )
    return code


def code_is_locked(db: Database, actor: Actor, delivery_id: int) -> bool:
    """Whether the delivery's code took CODE_MAX_WRONG wrong tries and waits for a new one."""
    with closing(db.cursor()) as cur:
        return int(_delivery_for(cur, actor, delivery_id).get("code_wrong_tries") or 0) >= CODE_MAX_WRONG


def _set_status(
    cur: Any,
    actor: Actor,
    delivery: dict[str, Any],
    status: str,
    *,
    failure_reason: str | None = None,
    method: str | None = None,
) -> None:
    run(
        cur,
        "set_delivery_status",
        {
            "id": delivery["id"],
            "status": status,
            "failure_reason": failure_reason,
            "confirmed_by": actor.user_id,
            "confirmation_method": method,
        },
    )
    write_audit(
        cur,
        actor,
        "status",
        "deliveries",
        delivery["id"],
        before={"status": delivery["status"]},
        after={"status": status, "failure_reason": failure_reason, "confirmation_method": method},
    )
    if status not in ALLOCATION_STATUS:
        return
    live = {"live_statuses": list(LIVE_ALLOCATION_STATUSES)}
    changed = run(
        cur,
        "set_delivery_allocations_status",
        {"delivery_id": delivery["id"], "status": ALLOCATION_STATUS[status], **live},
    )
    for allocation in changed:
        write_audit(
            cur,
            actor,
            "status",
            "allocations",
            allocation["id"],
            after={"status": ALLOCATION_STATUS[status], "delivery_id": delivery["id"]},
        )
    if status in UNDELIVERED_END_STATUSES and changed:
        need_ids = sorted({allocation["need_id"] for allocation in changed})
        for need in run(cur, "reopen_needs", {"need_ids": need_ids, **live}):
            write_audit(
                cur, actor, "update", "needs", need["id"], before={"status": "covered"}, after={"status": "open"}
            )
    if status == "confirmed":
        run(cur, "mark_household_served", {"id": delivery["household_id"]})
        write_audit(cur, actor, "served", "households", delivery["household_id"], after={"status": "served"})


def get_confirmation_code(db: Database, actor: Actor, delivery_id: int) -> str:
    """The code staff give the household (by SMS or on paper); volunteers never see it."""
    if actor.role == "volunteer":
        raise PermissionDenied()
    with closing(db.cursor()) as cur:
        return str(_delivery_for(cur, actor, delivery_id)["confirmation_code"])


def export_deliveries(db: Database, actor: Actor) -> pd.DataFrame:
    return list_deliveries(db, actor, limit=10_000_000)
