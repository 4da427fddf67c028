"""Undoing a wrong allocation with the reason the organiser gives.

`cancel_allocation` (distribution) gives the stock back and audits the cancellation; the reason
is audited here, in a second row written under the same write lock so no other write of this
process comes between the two.
"""

from __future__ import annotations

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import FieldError, PermissionDenied, ValidationError
from data_layer.core.validation import is_blank
from data_layer.distribution.allocation import cancel_allocation
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

MAX_REASON = 300


def _require_organiser(actor: Actor) -> None:
    if actor.role not in ("admin", "organiser"):
        raise PermissionDenied()


def list_cancellable_allocations(db: Database, actor: Actor, governorate_code: str | None = None) -> pd.DataFrame:
    """Allocations not yet on a delivery, which an organiser may cancel."""
    _require_organiser(actor)
    cur = db.cursor()
    try:
        return run(cur, "list_cancellable_allocations", {"organisation_id": None, "governorate_code": governorate_code})
    finally:
        cur.close()


def cancel_allocation_with_reason(db: Database, actor: Actor, allocation_id: int, reason: str | None) -> None:
    """Cancel an allocation (its stock returns, its need reopens) and record who did it and why."""
    _require_organiser(actor)
    text = " ".join(str(reason or "").split())
    if is_blank(text):
        raise ValidationError([FieldError("reason", "error.required")])
    if len(text) > MAX_REASON:
        raise ValidationError([FieldError("reason", "error.too_long", {"max": MAX_REASON, "length": len(text)})])
    with db.write_lock:
        cancel_allocation(db, actor, int(allocation_id))
        with db.transaction() as cur:
            write_audit(cur, actor, "cancel_reason", "allocations", int(allocation_id), after={"reason": text})
