"""Rescheduling: deliveries that did not reach the household come back to a list to plan again.

On the list: every failed delivery, and every delivery still not confirmed `UNCONFIRMED_AFTER_DAYS`
days after its day, until it is re-planned. Each shows its reason and the household's earlier
attempts; a household with `CALL_AFTER_FAILURES` failures or more is flagged for a call before the
next try. Re-planning fails an overdue delivery first (its stock returns, reason `not_confirmed`),
then allocates the same stock lines to the same needs again — re-checked as any allocation is —
on a new delivery with the household's code kept, so what the household was told stays true.
The link old -> new has the old delivery as its key: a delivery is re-planned once, whichever
server asks first.
"""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES
from data_layer.distribution.allocation.saving import _write_allocations
from data_layer.distribution.deliveries import _delivery_for, _set_status
from data_layer.distribution.stock import stock_scope
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

UNCONFIRMED_AFTER_DAYS = 2
CALL_AFTER_FAILURES = 2
NOT_CONFIRMED = "not_confirmed"


def _scope(actor: Actor) -> int | None:
    if not actor.may_enter_records:
        raise PermissionDenied()
    return stock_scope(actor)


def _params(actor: Actor, today: dt.date | None) -> dict[str, Any]:
    day = today or dt.date.today()
    return {
        "organisation_id": _scope(actor),
        "overdue_before": day - dt.timedelta(days=UNCONFIRMED_AFTER_DAYS),
        "inactive_statuses": list(INACTIVE_HOUSEHOLD_STATUSES),
    }


def list_to_reschedule(db: Database, actor: Actor, *, today: dt.date | None = None, limit: int = 500) -> pd.DataFrame:
    """The reschedule list: reason, failures so far and whether to call the household first."""
    with closing(db.cursor()) as cur:
        frame = run(cur, "list_to_reschedule", {**_params(actor, today), "limit": limit})
    frame["call_first"] = frame["failures"] >= CALL_AFTER_FAILURES
    return frame


def count_to_reschedule(db: Database, actor: Actor, *, today: dt.date | None = None) -> int:
    """How many deliveries wait on the reschedule list (for the dashboard)."""
    with closing(db.cursor()) as cur:
        return int(run(cur, "count_to_reschedule", _params(actor, today)))


def delivery_history(db: Database, actor: Actor, household_id: int) -> pd.DataFrame:
    """Every delivery of the household, with its outcome and what re-planned it."""
    with closing(db.cursor()) as cur:
        return run(cur, "list_household_deliveries", {"household_id": household_id, "organisation_id": _scope(actor)})


def replan_delivery(db: Database, actor: Actor, delivery_id: int, day: dt.date, *, today: dt.date | None = None) -> int:
    """Plan a listed delivery again for `day`; returns the new delivery's id."""
    _scope(actor)
    params = _params(actor, today)
    with db.transaction() as cur:
        delivery = _delivery_for(cur, actor, delivery_id)
        if run(cur, "get_reschedule", {"delivery_id": delivery_id}) is not None:
            raise JesrError("fieldops.error.already_replanned", id=delivery_id)
        overdue = (
            delivery["status"] in ("planned", "out_for_delivery", "delivered")
            and delivery["planned_on"] is not None
            and delivery["planned_on"] < params["overdue_before"]
        )
        if delivery["status"] != "failed" and not overdue:
            raise JesrError("fieldops.error.not_to_reschedule", id=delivery_id)
        if overdue:
            _set_status(cur, actor, delivery, "failed", failure_reason=NOT_CONFIRMED)
        carried = run(cur, "list_returned_allocations", {"delivery_id": delivery_id})
        if not carried:
            raise JesrError("fieldops.error.nothing_to_replan", id=delivery_id)
        frame = pd.DataFrame(carried, columns=["donation_id", "need_id", "quantity"])
        allocation_ids = _write_allocations(cur, actor, frame, get_reference(db))
        values = {
            "household_id": delivery["household_id"],
            "organisation_id": delivery["organisation_id"],
            "planned_on": day,
            "confirmation_code": delivery["confirmation_code"],
            "created_by": actor.user_id,
        }
        new_id = run(cur, "insert_delivery", values)
        # The same code with a fresh count would give a guesser five more tries per re-plan.
        wrong_tries = int(delivery.get("code_wrong_tries") or 0)
        if wrong_tries:
            run(cur, "carry_delivery_code_tries", {"id": new_id, "wrong_tries": wrong_tries})
        run(cur, "attach_allocations_to_delivery", {"delivery_id": new_id, "allocation_ids": allocation_ids})
        pickup = run(cur, "get_delivery_pickup", {"delivery_id": delivery_id})
        if pickup is not None:
            run(cur, "insert_delivery_pickup", {"delivery_id": new_id, "point_id": pickup["point_id"]})
        # The old delivery is the key: a second server re-planning it at once fails here (a conflict).
        run(
            cur,
            "insert_reschedule",
            {"delivery_id": delivery_id, "new_delivery_id": new_id, "replanned_by": actor.user_id},
        )
        write_audit(
            cur,
            actor,
            "insert",
            "deliveries",
            new_id,
            after={
                **{k: v for k, v in values.items() if k != "confirmation_code"},
                "replans": delivery_id,
                "allocation_ids": allocation_ids,
            },
        )
    return int(new_id)
