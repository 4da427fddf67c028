"""Open work nearby: a volunteer takes planned deliveries nobody carries, in the delegations they cover.

A volunteer covers their own delegation and those listed for them (`volunteer_delegations`); one
with neither covers their governorate. Before a claim they see the delegation, the day and what is
carried, never the household's name, address or number.

Two volunteers claiming the same delivery at once: the claim is one conditional UPDATE (`WHERE
volunteer_id IS NULL`), so the database lets exactly one of them have it, on DuckDB and on a
PostgreSQL shared by several servers alike; the other is told it was taken. The vehicle's room
for the day is re-read inside the same transaction, which on PostgreSQL runs under the store's
write lock, so two claims of one volunteer cannot both pass the last free place either.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.distribution.deliveries import VEHICLE_CAPACITY
from data_layer.distribution.routes import take_delivery, volunteer_room
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

# A list parameter is never sent empty (PostgreSQL cannot type an empty array of unknown kind).
_NO_DELEGATION = "\x00"


def _volunteer_id(actor: Actor) -> int:
    if actor.role != "volunteer" or actor.volunteer_id is None:
        raise PermissionDenied()
    return actor.volunteer_id


def coverage(cur: Any, volunteer_id: int) -> tuple[str, list[str] | None]:
    """The volunteer's governorate and the delegations they cover (None: the whole governorate)."""
    volunteer = run(cur, "get_volunteer_place", {"volunteer_id": volunteer_id})
    if volunteer is None:
        raise NotFound()
    extra = [
        r["delegation"]
        for r in run(cur, "list_volunteer_delegations", {"volunteer_id": volunteer_id})
        if r["governorate_code"] == volunteer["governorate_code"]
    ]
    own = [volunteer["delegation"]] if volunteer["delegation"] else []
    delegations = sorted(set(own + extra))
    return volunteer["governorate_code"], (delegations or None)


def add_covered_delegation(
    db: Database, actor: Actor, volunteer_id: int, governorate_code: str, delegation: str
) -> None:
    """Staff let a volunteer see open work in one more delegation."""
    if not actor.may_enter_records:
        raise PermissionDenied()
    delegation = (delegation or "").strip()
    if not delegation:
        raise JesrError("fieldops.error.delegation_required")
    values = {"volunteer_id": volunteer_id, "governorate_code": governorate_code, "delegation": delegation}
    with db.transaction() as cur:
        run(cur, "insert_volunteer_delegation", values)
        write_audit(cur, actor, "insert", "volunteer_delegations", volunteer_id, after=values)


def open_work(db: Database, actor: Actor, *, today: dt.date | None = None) -> pd.DataFrame:
    """Deliveries the volunteer may claim: nobody carries them, in delegations they cover, from today on."""
    volunteer_id = _volunteer_id(actor)
    with closing(db.cursor()) as cur:
        governorate, delegations = coverage(cur, volunteer_id)
        return run(
            cur,
            "list_open_work",
            {
                "governorate_code": governorate,
                "all_delegations": delegations is None,
                "delegations": delegations or [_NO_DELEGATION],
                "today": today or dt.date.today(),
            },
        )


def claim_delivery(db: Database, actor: Actor, delivery_id: int, *, day: dt.date | None = None) -> dt.date:
    """Take an open delivery; returns its day. Refused when someone took it first, when it lies
    outside the delegations covered, or when the vehicle is full that day — nothing is saved then."""
    volunteer_id = _volunteer_id(actor)
    with db.transaction() as cur:
        delivery = run(cur, "get_delivery", {"id": delivery_id})
        if delivery is None:
            raise NotFound()
        if delivery["status"] != "planned" or delivery["volunteer_id"] is not None:
            raise JesrError("fieldops.error.already_claimed", id=delivery_id)
        governorate, delegations = coverage(cur, volunteer_id)
        if delivery["governorate_code"] != governorate or (
            delegations is not None and (delivery["delegation"] or "") not in delegations
        ):
            raise PermissionDenied()
        claimed_day = delivery["planned_on"] or day or dt.date.today()
        volunteer, room = volunteer_room(cur, volunteer_id, claimed_day)
        if room <= 0:
            raise JesrError("fieldops.error.capacity", capacity=VEHICLE_CAPACITY[volunteer["vehicle"]], room=0)
        if not take_delivery(cur, delivery_id, volunteer_id, claimed_day):
            raise JesrError("fieldops.error.already_claimed", id=delivery_id)
        write_audit(
            cur,
            actor,
            "claim",
            "deliveries",
            delivery_id,
            before={"volunteer_id": None, "planned_on": delivery["planned_on"]},
            after={"volunteer_id": volunteer_id, "planned_on": claimed_day},
        )
    return claimed_day
