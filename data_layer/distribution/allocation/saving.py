"""Writing allocations: typed on the page or from a proposal, all or nothing, re-checked in the transaction.

Every allocation write runs in `db.transaction()` (one writer at a time per database)
and re-reads the available stock and the open need inside it: a save prepared on a
stale screen fails with `StockChanged` and writes nothing. DuckDB would not catch two
inserts against the same stock line on its own (write skew), hence the re-check under
the lock. Allocations are never deleted: they are cancelled or returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import FieldError, JesrError, PermissionDenied, ValidationError
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES, LIVE_ALLOCATION_STATUSES
from data_layer.core.validation import Reference, _Collector, clean_quantity, clean_reason
from data_layer.distribution.limits import check_limits, record_exceptions
from data_layer.distribution.stock import stock_scope
from data_layer.store.audit import write_audit
from data_layer.store.bulk import run_with_rows
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

if TYPE_CHECKING:
    from data_layer.distribution.allocation.suggestion import Suggestion


class StockChanged(JesrError):
    """The stock or the need moved since the screen was loaded: reload, nothing was written."""

    code = "distribution.error.stock_changed"


def _bulk_audit(
    cur: Any,
    actor: Actor,
    action: str,
    table_name: str,
    record_ids: list[int],
    befores: Sequence[dict[str, Any] | None],
    afters: Sequence[dict[str, Any] | None],
) -> None:
    """Audit many rows in one insert."""
    from data_layer.store.audit import to_json

    rows = pd.DataFrame(
        {
            "user_id": pd.array([actor.user_id] * len(record_ids), dtype="Int64"),
            "username": actor.username,
            "action": action,
            "table_name": table_name,
            "record_id": pd.array(record_ids, dtype="Int64"),
            "before": [to_json(b) for b in befores],
            "after": [to_json(a) for a in afters],
        }
    )
    run_with_rows(cur, "insert_audit_rows_from_frame", rows, table="audit_rows")


def _clean_rows(reference: Reference, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Positive quantities, whole units for goods: each row checked before the transaction."""
    errs = _Collector()
    cleaned = []
    for row in rows:
        category = reference.categories.get(str(row.get("category_code") or ""))
        quantity = clean_quantity(errs, row.get("quantity"), category)
        if quantity is not None:
            cleaned.append(
                {"donation_id": int(row["donation_id"]), "need_id": int(row["need_id"]), "quantity": quantity}
            )
    errs.raise_if_any()
    return pd.DataFrame(cleaned, columns=["donation_id", "need_id", "quantity"])


def save_allocations(
    db: Database, actor: Actor, rows: list[dict[str, Any]], *, override_reason: str | None = None
) -> list[int]:
    """Save allocations typed on the allocation page, all or none; returns their ids.

    Each row: donation_id (stock line), need_id, quantity, and category_code (for the unit rule).
    A batch that takes a household above its campaign's limit is refused (`LimitExceeded`) unless
    an organiser gives `override_reason`, which is kept with each allocation above the limit.
    """
    reference = get_reference(db)
    frame = _clean_rows(reference, [r for r in rows if r.get("quantity") not in (None, "", 0)])
    if frame.empty:
        return []
    with db.transaction() as cur:
        return _write_allocations(cur, actor, frame, reference, override_reason)


def _write_allocations(
    cur: Any, actor: Actor, frame: pd.DataFrame, reference: Reference, override_reason: str | None = None
) -> list[int]:
    """Re-check stock and needs under the write lock, then insert and audit (caller holds the transaction)."""
    scope = stock_scope(actor)
    frame = frame.copy()
    frame["quantity"] = [Decimal(str(q)).quantize(Decimal("0.001")) for q in frame["quantity"]]
    line_ids = sorted({int(i) for i in frame["donation_id"]})
    need_ids = sorted({int(i) for i in frame["need_id"]})
    live = {"live_statuses": list(LIVE_ALLOCATION_STATUSES)}
    lines = {r["donation_id"]: r for r in run(cur, "get_stock_available", {"donation_ids": line_ids})}
    needs = {r["need_id"]: r for r in run(cur, "get_needs_for_allocation", {"need_ids": need_ids, **live})}
    asked_per_line: dict[int, Decimal] = {}
    asked_per_need: dict[int, Decimal] = {}
    for donation_id, need_id, quantity in frame[["donation_id", "need_id", "quantity"]].itertuples(index=False):
        line, need = lines.get(int(donation_id)), needs.get(int(need_id))
        if line is None or need is None:
            raise StockChanged()
        if scope is not None and (line["organisation_id"] != scope or need["organisation_id"] != scope):
            raise PermissionDenied()
        if reference.country_of(line["governorate_code"]) != reference.country_of(need["governorate_code"]):
            raise JesrError(
                "distribution.error.across_border", stock=line["governorate_code"], need=need["governorate_code"]
            )
        if (line["category_code"], line["unit"]) != (need["category_code"], need["unit"]):
            raise JesrError(
                "distribution.error.unit_mismatch",
                stock=f"{line['category_code']}/{line['unit']}",
                need=f"{need['category_code']}/{need['unit']}",
            )
        if not reference.categories[line["category_code"]].divisible and quantity != quantity.to_integral_value():
            raise ValidationError([FieldError("quantity", "error.whole_units")])
        if need["status"] != "open" or need["household_status"] in INACTIVE_HOUSEHOLD_STATUSES:
            raise StockChanged()
        asked_per_line[int(donation_id)] = asked_per_line.get(int(donation_id), Decimal(0)) + quantity
        asked_per_need[int(need_id)] = asked_per_need.get(int(need_id), Decimal(0)) + quantity
    for donation_id, asked in asked_per_line.items():
        if asked > lines[donation_id]["available"]:
            raise StockChanged()
    for need_id, asked in asked_per_need.items():
        if asked > needs[need_id]["remaining"]:
            raise JesrError("distribution.error.more_than_needed", need_id=need_id)

    frame["household_id"] = [needs[int(n)]["household_id"] for n in frame["need_id"]]
    frame["category_code"] = [needs[int(n)]["category_code"] for n in frame["need_id"]]
    breaches = check_limits(cur, actor, frame, override_reason)

    count = len(frame)
    ids = [r["id"] for r in run(cur, "list_new_allocation_ids", {"count": count})]
    frame["id"] = ids
    record_exceptions(cur, actor, frame, breaches, override_reason)
    frame = frame.drop(columns=["category_code"])
    frame["created_by"] = pd.array([actor.user_id] * count, dtype="Int64")
    frame["quantity"] = frame["quantity"].astype(str)
    run_with_rows(cur, "insert_allocations_from_frame", frame, table="new_allocations")
    afters = [
        {"donation_id": int(d), "need_id": int(n), "household_id": int(h), "quantity": q, "status": "allocated"}
        for d, n, h, q in frame[["donation_id", "need_id", "household_id", "quantity"]].itertuples(index=False)
    ]
    _bulk_audit(cur, actor, "allocate", "allocations", ids, [None] * count, afters)
    covered = [r["id"] for r in run(cur, "set_needs_covered", {"need_ids": need_ids, **live})]
    if covered:
        _bulk_audit(
            cur,
            actor,
            "update",
            "needs",
            covered,
            [{"status": "open"}] * len(covered),
            [{"status": "covered"}] * len(covered),
        )
    return ids


def list_cancellable_allocations(db: Database, actor: Actor, governorate_code: str | None = None) -> pd.DataFrame:
    """Allocations not yet on a delivery that the actor may cancel (its own stock's, or all for organisers)."""
    with db.reading() as cur:
        return run(
            cur,
            "list_cancellable_allocations",
            {"organisation_id": stock_scope(actor), "governorate_code": governorate_code or None},
        )


def cancel_allocation(db: Database, actor: Actor, allocation_id: int, reason: str | None) -> None:
    """Give back the stock of an allocation that is not yet on a delivery (the row stays, cancelled).

    Who cancelled and why go into the same audit entry as the cancellation, in its transaction:
    there is never a cancellation without its reason.
    """
    text = clean_reason(reason)
    scope = stock_scope(actor)
    with db.transaction() as cur:
        before = run(cur, "get_allocation", {"id": allocation_id})
        if before is None:
            raise JesrError("error.not_found")
        if scope is not None and before["stock_organisation_id"] != scope:
            raise PermissionDenied()
        if before["status"] != "allocated" or before["delivery_id"] is not None:
            raise StockChanged()
        run(cur, "cancel_allocation", {"id": allocation_id})
        write_audit(
            cur,
            actor,
            "cancel",
            "allocations",
            allocation_id,
            before={"status": "allocated"},
            after={"status": "cancelled", "reason": text},
        )
        reopened = run(
            cur, "reopen_needs", {"need_ids": [before["need_id"]], "live_statuses": list(LIVE_ALLOCATION_STATUSES)}
        )
        for row in reopened:
            write_audit(
                cur, actor, "update", "needs", row["id"], before={"status": "covered"}, after={"status": "open"}
            )


def apply_suggestion(
    db: Database, actor: Actor, suggestion: Suggestion, *, override_reason: str | None = None
) -> list[int]:
    """Save a proposal in one transaction; stock that moved since it was computed refuses it whole."""
    frame = suggestion.allocations
    if frame.empty:
        return []
    reference = get_reference(db)
    with db.transaction() as cur:
        return _write_allocations(cur, actor, frame[["donation_id", "need_id", "quantity"]], reference, override_reason)
