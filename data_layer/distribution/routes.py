"""Routes: one volunteer's day in one delegation, within what their vehicle carries, stops in order.

The organiser (or the association, for its own deliveries) picks a delegation, a volunteer and a
day; the planned deliveries nobody carries yet become the route's stops, ordered by delegation and
address (a street number sorts as a number), as many as the vehicle has room for that day. No map
service is needed: the order is the one a volunteer who knows the delegation would walk.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.statuses import UNDELIVERED_END_STATUSES
from data_layer.distribution.deliveries import VEHICLE_CAPACITY
from data_layer.distribution.stock import stock_scope
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

PLANNERS = ("admin", "organiser", "association")
_DIGITS = re.compile(r"(\d+)")


def natural_key(text: Any) -> tuple:
    """'حي 9' before 'حي 10': digits compare as numbers, the rest as text."""
    parts = _DIGITS.split("" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in parts if p != "")


def order_stops(frame: pd.DataFrame) -> pd.DataFrame:
    """Stops ordered by delegation, then address, then delivery number (a stable tie-break)."""
    if frame.empty:
        return frame.reset_index(drop=True)
    keys = [(natural_key(r.delegation), natural_key(r.address), int(r.delivery_id)) for r in frame.itertuples()]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return frame.iloc[order].reset_index(drop=True)


def _planner_scope(actor: Actor) -> int | None:
    if actor.role not in PLANNERS:
        raise PermissionDenied()
    return stock_scope(actor)


def open_delegations(db: Database, actor: Actor, governorate_code: str) -> pd.DataFrame:
    """Delegations of a governorate with deliveries waiting for a route, and how many each."""
    scope = _planner_scope(actor)
    with closing(db.cursor()) as cur:
        return run(cur, "list_open_delegations", {"organisation_id": scope, "governorate_code": governorate_code})


def route_candidates(db: Database, actor: Actor, governorate_code: str, delegation: str) -> pd.DataFrame:
    """The delegation's deliveries waiting for a route, in route order."""
    scope = _planner_scope(actor)
    with closing(db.cursor()) as cur:
        frame = run(
            cur,
            "list_route_candidates",
            {"organisation_id": scope, "governorate_code": governorate_code, "delegation": delegation or ""},
        )
    return order_stops(frame)


def route_volunteers(db: Database, actor: Actor, governorate_code: str, day: dt.date) -> pd.DataFrame:
    """Volunteers of the governorate free that day with room in their vehicle: capacity and room left."""
    _planner_scope(actor)
    with closing(db.cursor()) as cur:
        frame = run(
            cur,
            "list_eligible_volunteers",
            {
                "governorate_code": governorate_code,
                "planned_on": day,
                "delivery_id": None,
                "undelivered_end_statuses": list(UNDELIVERED_END_STATUSES),
            },
        )
    frame["capacity"] = frame["vehicle"].map(VEHICLE_CAPACITY)
    frame["room"] = frame["capacity"] - frame["deliveries_that_day"]
    return frame[frame["room"] > 0].reset_index(drop=True)


def volunteer_room(cur: Any, volunteer_id: int, day: dt.date) -> tuple[dict[str, Any], int]:
    """The volunteer and how many more deliveries their vehicle takes that day; refuses one who is
    not active or not available then (read inside the caller's transaction)."""
    row = run(
        cur,
        "get_volunteer_day",
        {"volunteer_id": volunteer_id, "day": day, "undelivered_end_statuses": list(UNDELIVERED_END_STATUSES)},
    )
    if row is None:
        raise NotFound()
    if row["status"] != "active" or not row["available"]:
        raise JesrError("distribution.error.volunteer_unavailable")
    return row, VEHICLE_CAPACITY[row["vehicle"]] - int(row["deliveries_that_day"])


def take_delivery(cur: Any, delivery_id: int, volunteer_id: int, day: dt.date) -> bool:
    """The conditional update that lets one volunteer have a delivery nobody carries: whether it is theirs now."""
    run(cur, "take_delivery_for_volunteer", {"id": delivery_id, "volunteer_id": volunteer_id, "planned_on": day})
    return run(cur, "get_delivery_carrier", {"id": delivery_id}) == volunteer_id


def build_route(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str,
    delegation: str,
    volunteer_id: int,
    day: dt.date,
    delivery_ids: list[int] | None = None,
) -> int:
    """Give a volunteer the delegation's waiting deliveries for `day`, in route order; returns the route id.

    Without `delivery_ids`, as many as the vehicle has room for are taken; with them, exactly those,
    and more than the room left is refused with nothing saved. Each stop is taken with a conditional
    update, so a delivery claimed by someone else meanwhile refuses the whole route.
    """
    scope = _planner_scope(actor)
    with db.transaction() as cur:
        volunteer, room = volunteer_room(cur, volunteer_id, day)
        if volunteer["governorate_code"] != governorate_code:
            raise JesrError("distribution.error.volunteer_unavailable")
        params = {"organisation_id": scope, "governorate_code": governorate_code, "delegation": delegation or ""}
        waiting = order_stops(run(cur, "list_route_candidates", params))
        if delivery_ids is not None:
            wanted = {int(i) for i in delivery_ids}
            if not wanted <= set(waiting["delivery_id"].astype(int)):
                raise JesrError("fieldops.error.not_waiting")
            waiting = waiting[waiting["delivery_id"].astype(int).isin(wanted)].reset_index(drop=True)
            if len(waiting) > room:
                raise JesrError("fieldops.error.capacity", capacity=VEHICLE_CAPACITY[volunteer["vehicle"]], room=room)
        if waiting.empty:
            raise JesrError("fieldops.error.no_waiting")
        if room <= 0:
            raise JesrError("fieldops.error.capacity", capacity=VEHICLE_CAPACITY[volunteer["vehicle"]], room=0)
        stops = [int(i) for i in waiting["delivery_id"].head(room)]
        route_values = {
            "organisation_id": scope,
            "volunteer_id": volunteer_id,
            "route_day": day,
            "governorate_code": governorate_code,
            "delegation": delegation or "",
            "created_by": actor.user_id,
        }
        route_id = run(cur, "insert_route", route_values)
        write_audit(cur, actor, "insert", "routes", route_id, after={**route_values, "stops": stops})
        for order, delivery_id in enumerate(stops, start=1):
            if not take_delivery(cur, delivery_id, volunteer_id, day):
                raise JesrError("fieldops.error.already_claimed", id=delivery_id)
            run(cur, "insert_route_stop", {"delivery_id": delivery_id, "route_id": route_id, "stop_order": order})
            write_audit(
                cur,
                actor,
                "assign",
                "deliveries",
                delivery_id,
                before={"volunteer_id": None},
                after={"volunteer_id": volunteer_id, "planned_on": day, "route_id": route_id, "stop": order},
            )
    return int(route_id)


def list_routes(db: Database, actor: Actor, *, day: dt.date | None = None) -> pd.DataFrame:
    """Routes the actor may see: a volunteer their own, staff their organisation's (organisers all)."""
    if actor.role == "volunteer":
        if actor.volunteer_id is None:
            raise PermissionDenied()
        scope, volunteer_id = None, actor.volunteer_id
    else:
        scope, volunteer_id = _planner_scope(actor), None
    with closing(db.cursor()) as cur:
        return run(cur, "list_routes", {"organisation_id": scope, "volunteer_id": volunteer_id, "route_day": day})


def route_positions(db: Database, actor: Actor) -> pd.DataFrame:
    """For a volunteer: the route and stop number of each of their deliveries that is on a route."""
    if actor.role != "volunteer" or actor.volunteer_id is None:
        raise PermissionDenied()
    with closing(db.cursor()) as cur:
        return run(cur, "list_route_positions", {"volunteer_id": actor.volunteer_id})


def delivery_items(db: Database, actor: Actor, delivery_ids: list[int]) -> pd.DataFrame:
    """What each delivery carries (item, quantity, unit code), so a page writes the unit in the
    reader's language; no household data, as open work already shows what is carried."""
    if actor.role not in (*PLANNERS, "volunteer"):
        raise PermissionDenied()
    with closing(db.cursor()) as cur:
        # Never an empty list (PostgreSQL cannot type it); no delivery has id 0.
        return run(cur, "list_delivery_items", {"delivery_ids": [int(i) for i in delivery_ids] or [0]})


def in_route_order(deliveries: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """A volunteer's deliveries with their route and stop, routed ones first by day and stop."""
    merged = deliveries.merge(positions, on="delivery_id", how="left")
    merged["_routed"] = merged["route_id"].isna()
    merged = merged.sort_values(["_routed", "route_day", "route_id", "stop_order", "planned_on", "delivery_id"])
    return merged.drop(columns="_routed").reset_index(drop=True)
