"""Pick-up or delivery: a household's aid brought home, or handed over at an association's point.

A distribution point belongs to one organisation and opens on given weekdays. A household chooses
(or staff choose for it) home delivery or pick-up at a point; its planned deliveries nobody
carries yet then go to that point on its next opening day. At the point, staff confirm the
hand-over with the household's code, the same code and the same confirmation rule as at the door
(`deliveries.advance_delivery`).

A point's name, address and opening days can be changed, and a point closed (and reopened), each
audited with its before and after. A closed point takes no new pick-up and no new household's
choice; the pick-ups already planned there stay until handed over or moved, and closing names
them, as an edit names those whose day is no longer an opening day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import FieldError, JesrError, NotFound, PermissionDenied, ValidationError
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES
from data_layer.distribution.deliveries import advance_delivery
from data_layer.distribution.stock import stock_scope
from data_layer.registry.households import register_household
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

HANDOVER_MODES = ("home", "pickup")
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday is 1
MAX_NAME = 120


def _staff_scope(actor: Actor) -> int | None:
    if not actor.may_enter_records:
        raise PermissionDenied()
    return stock_scope(actor)


def days_text(days: Iterable[int]) -> str:
    """Opening weekdays as stored: ISO digits in order, each once ('135')."""
    chosen = sorted({int(d) for d in days})
    if not chosen or any(d not in WEEKDAYS for d in chosen):
        raise ValidationError([FieldError("opening_days", "fieldops.error.opening_days")])
    return "".join(str(d) for d in chosen)


def opening_days(text: str) -> list[int]:
    return [int(c) for c in text if c.isdigit()]


def is_open_on(text: str, day: dt.date) -> bool:
    return day.isoweekday() in opening_days(text)


def next_opening_day(text: str, on_or_after: dt.date) -> dt.date:
    for offset in range(7):
        day = on_or_after + dt.timedelta(days=offset)
        if is_open_on(text, day):
            return day
    raise JesrError("fieldops.error.opening_days")


def add_point(
    db: Database,
    actor: Actor,
    *,
    name: str,
    governorate_code: str,
    opening_days: Iterable[int],
    delegation: str | None = None,
    address: str | None = None,
    opening_hours: str | None = None,
    organisation_id: int | None = None,
) -> int:
    """A new distribution point of the actor's organisation (organisers name the organisation)."""
    scope = _staff_scope(actor)
    errors = []
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        errors.append(FieldError("point_name", "fieldops.error.point_name"))
    try:
        days = days_text(opening_days)
    except ValidationError as exc:
        errors.extend(exc.errors)
    owner = scope if scope is not None else (organisation_id or actor.organisation_id)
    if owner is None:
        errors.append(FieldError("organisation", "error.required"))
    if errors:
        raise ValidationError(errors)
    values = {
        "organisation_id": owner,
        "name": name,
        "governorate_code": governorate_code,
        "delegation": (delegation or "").strip() or None,
        "address": (address or "").strip() or None,
        "opening_days": days,
        "opening_hours": (opening_hours or "").strip() or None,
        "created_by": actor.user_id,
    }
    with db.transaction() as cur:
        point_id = run(cur, "insert_distribution_point", values)
        write_audit(cur, actor, "insert", "distribution_points", point_id, after=values)
    return int(point_id)


def list_points(
    db: Database, actor: Actor, *, governorate_code: str | None = None, include_closed: bool = False
) -> pd.DataFrame:
    """The actor's distribution points: the open ones, or all (with `is_active`) to edit or reopen."""
    scope = _staff_scope(actor)
    with closing(db.cursor()) as cur:
        return run(
            cur,
            "list_distribution_points",
            {"organisation_id": scope, "governorate_code": governorate_code, "include_closed": include_closed},
        )


def _point(cur: Any, actor: Actor, point_id: int, *, open_only: bool = True) -> dict[str, Any]:
    """A point the actor may use; a closed one refused by name unless `open_only` is False."""
    point = run(cur, "get_distribution_point", {"id": point_id})
    if point is None:
        raise NotFound()
    scope = stock_scope(actor)
    if scope is not None and point["organisation_id"] != scope:
        raise PermissionDenied()
    if open_only and not point["is_active"]:
        raise JesrError("pickup.error.point_shut", name=point["name"])
    return point


def _point_values(point: dict[str, Any]) -> dict[str, Any]:
    return {k: point[k] for k in ("name", "address", "opening_days", "is_active")}


def update_point(
    db: Database, actor: Actor, point_id: int, *, name: str, address: str | None, opening_days: Iterable[int]
) -> pd.DataFrame:
    """Change a point's name, address and opening days (audited, before and after).

    Returns the pick-ups still to hand over there whose day is no longer an opening day: they keep
    their day until moved, and the page names them.
    """
    _staff_scope(actor)
    errors = []
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        errors.append(FieldError("point_name", "fieldops.error.point_name"))
    try:
        days = days_text(opening_days)
    except ValidationError as exc:
        errors.extend(exc.errors)
    if errors:
        raise ValidationError(errors)
    with db.transaction() as cur:
        before = _point(cur, actor, point_id, open_only=False)
        after = {
            **_point_values(before),
            "name": name,
            "address": (address or "").strip() or None,
            "opening_days": days,
        }
        if after != _point_values(before):
            run(
                cur,
                "update_distribution_point",
                {"id": point_id, **{k: after[k] for k in ("name", "address", "opening_days")}},
            )
            write_audit(cur, actor, "update", "distribution_points", point_id, _point_values(before), after)
        pending = run(cur, "list_point_pickups", {"point_id": point_id})
    off_day = pending["planned_on"].map(lambda d: bool(pd.notna(d) and not is_open_on(days, d))).astype(bool)
    return pending[off_day].reset_index(drop=True)


def point_closing_effects(db: Database, actor: Actor, point_id: int) -> tuple[pd.DataFrame, int]:
    """What closing a point leaves behind: its pick-ups still to hand over, and how many households
    chose it (their next deliveries wait, unplanned, until they choose anew)."""
    _staff_scope(actor)
    with closing(db.cursor()) as cur:
        _point(cur, actor, point_id, open_only=False)
        pending = run(cur, "list_point_pickups", {"point_id": point_id})
        households = run(
            cur,
            "count_point_households",
            {"point_id": point_id, "inactive_statuses": list(INACTIVE_HOUSEHOLD_STATUSES)},
        )
    return pending, int(households)


def set_point_open(db: Database, actor: Actor, point_id: int, is_open: bool) -> bool:
    """Close a point (it takes no new pick-up) or reopen it; audited. False if it was so already."""
    _staff_scope(actor)
    with db.transaction() as cur:
        before = _point(cur, actor, point_id, open_only=False)
        changed = run(cur, "set_distribution_point_active", {"id": point_id, "active": is_open}) is not None
        if changed:
            write_audit(
                cur,
                actor,
                "reopen" if is_open else "close",
                "distribution_points",
                point_id,
                before={"is_active": before["is_active"]},
                after={"is_active": is_open},
            )
    return changed


def _check_handover(mode: str, point_id: int | None) -> None:
    if mode not in HANDOVER_MODES:
        raise ValidationError([FieldError("handover", "fieldops.error.handover")])
    if mode == "pickup" and point_id is None:
        raise ValidationError([FieldError("point", "error.required")])


def set_handover(db: Database, actor: Actor, household_id: int, mode: str, point_id: int | None = None) -> None:
    """Record how a household wants its aid: 'home', or 'pickup' at a point of its organisation."""
    scope = _staff_scope(actor)
    _check_handover(mode, point_id)
    with db.transaction() as cur:
        _write_handover(cur, actor, scope, household_id, mode, point_id)


def register_with_handover(
    db: Database, actor: Actor, raw: dict[str, Any], mode: str, point_id: int | None = None
) -> int:
    """Register a household and its hand-over choice in one transaction; returns its id.

    A point that cannot serve it (another governorate, closed down meanwhile) refuses the whole
    registration, so no household is left saved with a choice it did not make.
    """
    scope = _staff_scope(actor)
    _check_handover(mode, point_id)

    def write(cur: Any, household_id: int) -> None:
        _write_handover(cur, actor, scope, household_id, mode, point_id)

    return register_household(db, actor, raw, then=write)


def _write_handover(
    cur: Any, actor: Actor, scope: int | None, household_id: int, mode: str, point_id: int | None
) -> None:
    household = run(cur, "get_household_for_handover", {"id": household_id})
    if household is None or household["status"] in INACTIVE_HOUSEHOLD_STATUSES:
        raise NotFound()
    if scope is not None and household["organisation_id"] != scope:
        raise PermissionDenied()
    if mode == "pickup":
        point = _point(cur, actor, int(point_id))  # type: ignore[arg-type]
        if point["governorate_code"] != household["governorate_code"]:
            raise JesrError("fieldops.error.point_elsewhere")
    values = {"household_id": household_id, "mode": mode, "point_id": point_id if mode == "pickup" else None}
    run(cur, "upsert_household_handover", {**values, "updated_by": actor.user_id})
    write_audit(
        cur,
        actor,
        "update",
        "household_handover",
        household_id,
        before={"mode": household["mode"], "point_id": household["point_id"]},
        after=values,
    )


def assign_pickup(db: Database, actor: Actor, delivery_id: int, point_id: int, day: dt.date) -> None:
    """Hand a planned delivery nobody carries over at a point on one of its opening days."""
    scope = _staff_scope(actor)
    with db.transaction() as cur:
        _assign_pickup(cur, actor, scope, delivery_id, point_id, day)


def _assign_pickup(cur: Any, actor: Actor, scope: int | None, delivery_id: int, point_id: int, day: dt.date) -> None:
    delivery = run(cur, "get_delivery", {"id": delivery_id})
    if delivery is None:
        raise NotFound()
    if scope is not None and delivery["organisation_id"] != scope:
        raise PermissionDenied()
    point = _point(cur, actor, point_id)
    if delivery["status"] != "planned" or delivery["volunteer_id"] is not None:
        raise JesrError("fieldops.error.not_waiting")
    if run(cur, "get_delivery_pickup", {"delivery_id": delivery_id}) is not None:
        raise JesrError("fieldops.error.not_waiting")
    if not is_open_on(point["opening_days"], day):
        raise JesrError("fieldops.error.point_closed")
    run(cur, "insert_delivery_pickup", {"delivery_id": delivery_id, "point_id": point_id})
    run(cur, "set_delivery_day", {"id": delivery_id, "planned_on": day})
    write_audit(
        cur,
        actor,
        "pickup",
        "deliveries",
        delivery_id,
        before={"planned_on": delivery["planned_on"]},
        after={"point_id": point_id, "planned_on": day},
    )


def plan_pickups(db: Database, actor: Actor, *, today: dt.date | None = None) -> list[int]:
    """Send every waiting delivery of a household that chose pick-up to its point, on the point's
    next opening day from the delivery's day (or today); returns the deliveries moved."""
    scope = _staff_scope(actor)
    start = today or dt.date.today()
    moved: list[int] = []
    with db.transaction() as cur:
        for row in run(cur, "list_pickups_to_plan", {"organisation_id": scope}):
            point = _point(cur, actor, int(row["point_id"]))
            day = next_opening_day(point["opening_days"], max(start, row["planned_on"] or start))
            _assign_pickup(cur, actor, scope, int(row["delivery_id"]), int(row["point_id"]), day)
            moved.append(int(row["delivery_id"]))
    return moved


def point_pickups(db: Database, actor: Actor, point_id: int) -> pd.DataFrame:
    """A point's pick-ups still to hand over (for the staff at its desk)."""
    _staff_scope(actor)
    with closing(db.cursor()) as cur:
        _point(cur, actor, point_id, open_only=False)  # a closed point's last pick-ups are still handed over
        return run(cur, "list_point_pickups", {"point_id": point_id})


def confirm_pickup(db: Database, actor: Actor, delivery_id: int, code: str | None) -> str:
    """The household shows its code at the point: the pick-up is confirmed (a wrong code refused)."""
    _staff_scope(actor)
    if not (code or "").strip():
        raise ValidationError([FieldError("code", "fieldops.error.code_required")])
    with closing(db.cursor()) as cur:
        pickup = run(cur, "get_delivery_pickup", {"delivery_id": delivery_id})
    if pickup is None:
        raise JesrError("fieldops.error.not_a_pickup")
    return advance_delivery(db, actor, delivery_id, "delivered", code=code)
