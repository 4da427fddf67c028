"""Verification queues: what the public sent, waiting for an association to check it.

An association sees the submissions in the governorates it covers (organisation_areas)
and verifies, rejects with a reason the person can be told, or merges a request into a
household already on file. Organisers and admins see every governorate, and the queue
sizes and waiting times. Every decision is a queue_reviews row plus an audit row, in
the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.statuses import CLOSED_HOUSEHOLD_STATUSES, NOT_MERGEABLE_HOUSEHOLD_STATUSES
from data_layer.core.validation import _Collector, clean_quantity, clean_text
from data_layer.registry.campaigns import active_campaigns_by_area
from data_layer.registry.donations import CASH, clean_gift, gift_currencies, insert_donation_row
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference


class AlreadyReviewed(JesrError):
    """Someone decided on this submission first; the queue is shown again without it."""

    code = "queues.error.already_reviewed"


def covered_areas(db: Database, actor: Actor) -> list[str]:
    """The governorates whose queues the actor works: its organisation's, or all for organisers."""
    with db.reading() as cur:
        if actor.sees_all_organisations:
            return [row["code"] for row in run(cur, "list_all_area_codes")]
        if actor.role == "association" and actor.organisation_id is not None:
            return _own_areas(cur, actor)
    raise PermissionDenied()


def _own_areas(cur: Any, actor: Actor) -> list[str]:
    return [row["area_code"] for row in run(cur, "list_covered_areas", {"organisation_id": actor.organisation_id})]


def _queue(
    db: Database, actor: Actor, name: str, governorate_code: str | None, now: dt.datetime | None, **params: Any
) -> pd.DataFrame:
    """The named queue query over the actor's governorates (or the one asked for, if it is among them)."""
    areas = covered_areas(db, actor)
    if governorate_code:
        areas = [a for a in areas if a == governorate_code]
    with db.reading() as cur:
        return run(cur, name, dict(params, areas=areas, now=now or dt.datetime.now()))


def list_request_queue(
    db: Database, actor: Actor, governorate_code: str | None = None, now: dt.datetime | None = None
) -> pd.DataFrame:
    """Submitted aid requests in the actor's governorates, oldest first, with how many repeats of the ID exist."""
    return _queue(db, actor, "list_request_queue", governorate_code, now, closed=list(CLOSED_HOUSEHOLD_STATUSES))


def list_volunteer_queue(
    db: Database, actor: Actor, governorate_code: str | None = None, now: dt.datetime | None = None
) -> pd.DataFrame:
    return _queue(db, actor, "list_volunteer_queue", governorate_code, now)


def list_pledge_queue(
    db: Database, actor: Actor, governorate_code: str | None = None, now: dt.datetime | None = None
) -> pd.DataFrame:
    """Submitted pledges in the actor's governorates, and those its organisation accepted but not yet received."""
    return _queue(
        db,
        actor,
        "list_pledge_queue",
        governorate_code,
        now,
        organisation_id=actor.organisation_id,
        all_organisations=actor.sees_all_organisations,
    )


def queue_summary(db: Database, actor: Actor, now: dt.datetime | None = None) -> pd.DataFrame:
    """Per governorate: waiting requests, offers, pledges, repeats, oldest wait and median time to decide (hours)."""
    areas = covered_areas(db, actor)
    with db.reading() as cur:
        return run(cur, "list_queue_summary", {"areas": areas, "now": now or dt.datetime.now()})


def merge_candidates(db: Database, actor: Actor, household_id: int) -> pd.DataFrame:
    """Live households with the request's national ID: id, governorate, status, organisation (no personal data)."""
    request = _get_submitted(db, actor, "get_queue_household", household_id)
    with db.reading() as cur:
        return run(
            cur,
            "list_merge_candidates",
            {
                "id": household_id,
                "national_id_key": request["national_id_key"],
                "not_mergeable": list(NOT_MERGEABLE_HOUSEHOLD_STATUSES),
            },
        )


def _require_reviewer(actor: Actor) -> None:
    if not actor.may_enter_records or (actor.role == "association" and actor.organisation_id is None):
        raise PermissionDenied()


def _check_area(cur: Any, actor: Actor, governorate_code: str) -> None:
    if actor.sees_all_organisations:
        return
    if governorate_code not in _own_areas(cur, actor):
        raise PermissionDenied()


def _get_submitted(db: Database, actor: Actor, name: str, record_id: int) -> dict[str, Any]:
    _require_reviewer(actor)
    with db.reading() as cur:
        row = run(cur, name, {"id": record_id})
        if row is None:
            raise NotFound()
        _check_area(cur, actor, row["governorate_code"])
    return row


def _load_for_review(cur: Any, actor: Actor, name: str, record_id: int, expected_status: str) -> dict[str, Any]:
    _require_reviewer(actor)
    row = run(cur, name, {"id": record_id})
    if row is None:
        raise NotFound()
    _check_area(cur, actor, row["governorate_code"])
    if row["status"] != expected_status:
        raise AlreadyReviewed()
    return row


def _clean_reason(reason: Any) -> str:
    errs = _Collector()
    text = clean_text(errs, "reason", reason, required=True)
    errs.raise_if_any()
    return text or ""


def _owner(actor: Actor, organisation_id: int | None) -> int | None:
    """The organisation that takes charge: the association itself, or the one an organiser names."""
    return actor.organisation_id if actor.role == "association" else organisation_id


def _review(
    cur: Any,
    actor: Actor,
    table: str,
    record_id: int,
    decision: str,
    *,
    reason: str | None = None,
    merged_into: int | None = None,
    organisation_id: int | None = None,
) -> None:
    run(
        cur,
        "insert_queue_review",
        {
            "subject_table": table,
            "subject_id": record_id,
            "decision": decision,
            "reason": reason,
            "merged_into": merged_into,
            "organisation_id": organisation_id,
            "reviewed_by": actor.user_id,
        },
    )


# Per queue: the query that loads a record for review, the one that sets its status, and the
# status a verification gives it.
_REVIEWED = {
    "households": ("get_queue_household", "set_request_status", "verified"),
    "volunteers": ("get_queue_volunteer", "set_volunteer_review_status", "active"),
}


def _verify(db: Database, actor: Actor, table: str, record_id: int, organisation_id: int | None) -> None:
    load, set_status, verified = _REVIEWED[table]
    with db.transaction() as cur:
        before = _load_for_review(cur, actor, load, record_id, "submitted")
        owner = _owner(actor, organisation_id)
        run(cur, set_status, {"id": record_id, "status": verified, "organisation_id": owner})
        _review(cur, actor, table, record_id, "verified", organisation_id=owner)
        write_audit(
            cur,
            actor,
            "verify",
            table,
            record_id,
            before={"status": before["status"], "organisation_id": before["organisation_id"]},
            after={"status": verified, "organisation_id": owner},
        )


def _reject(db: Database, actor: Actor, table: str, record_id: int, reason: str) -> None:
    text = _clean_reason(reason)
    load, set_status, _verified = _REVIEWED[table]
    with db.transaction() as cur:
        before = _load_for_review(cur, actor, load, record_id, "submitted")
        run(cur, set_status, {"id": record_id, "status": "rejected", "organisation_id": None})
        after: dict[str, Any] = {"status": "rejected", "reason": text}
        if table == "households":  # a refused request's needs are cancelled, never deleted
            after["cancelled_needs"] = [r["id"] for r in run(cur, "cancel_open_needs", {"household_id": record_id})]
        _review(cur, actor, table, record_id, "rejected", reason=text, organisation_id=_owner(actor, None))
        write_audit(cur, actor, "reject", table, record_id, before={"status": before["status"]}, after=after)


def verify_request(db: Database, actor: Actor, household_id: int, *, organisation_id: int | None = None) -> None:
    """The association checked the request: the household becomes 'verified', its needs open for allocation."""
    _verify(db, actor, "households", household_id, organisation_id)


def reject_request(db: Database, actor: Actor, household_id: int, reason: str) -> None:
    """Refuse a request with a reason the person can be told; its needs are cancelled, nothing is deleted."""
    _reject(db, actor, "households", household_id, reason)


def merge_request(db: Database, actor: Actor, household_id: int, into_household_id: int) -> None:
    """Fold a request into a household already on file: needs it lacks are added there, the request is 'merged'."""
    if household_id == into_household_id:
        raise JesrError("queues.error.merge_into_itself")
    with db.transaction() as cur:
        request = _load_for_review(cur, actor, "get_queue_household", household_id, "submitted")
        target = run(cur, "get_queue_household", {"id": into_household_id})
        if target is None or target["status"] in NOT_MERGEABLE_HOUSEHOLD_STATUSES:
            raise JesrError("queues.error.merge_target", id=into_household_id)
        if target["national_id_key"] != request["national_id_key"]:
            raise JesrError("queues.error.merge_other_person", id=into_household_id)
        open_categories = {
            r["category_code"] for r in run(cur, "list_open_need_categories", {"household_id": into_household_id})
        }
        added = []
        for need in run(cur, "list_needs_to_merge", {"household_id": household_id}):
            if need["status"] != "open" or need["category_code"] in open_categories:
                continue
            values = {
                "household_id": into_household_id,
                "category_code": need["category_code"],
                "quantity": need["quantity"],
                "unit": need["unit"],
                "urgency": need["urgency"],
            }
            need_id = run(cur, "insert_need", values)
            write_audit(cur, actor, "insert", "needs", need_id, after=dict(values, merged_from=household_id))
            added.append(need_id)
        run(cur, "set_request_status", {"id": household_id, "status": "merged", "organisation_id": None})
        run(cur, "cancel_open_needs", {"household_id": household_id})
        run(cur, "close_duplicate_reports", {"national_id_key": request["national_id_key"]})
        _review(
            cur,
            actor,
            "households",
            household_id,
            "merged",
            merged_into=into_household_id,
            organisation_id=_owner(actor, None),
        )
        write_audit(
            cur,
            actor,
            "merge",
            "households",
            household_id,
            before={"status": request["status"]},
            after={"status": "merged", "merged_into": into_household_id, "needs_added": added},
        )


def verify_volunteer(db: Database, actor: Actor, volunteer_id: int, *, organisation_id: int | None = None) -> None:
    """The association met or called the volunteer: they become 'active' and can be sent on deliveries."""
    _verify(db, actor, "volunteers", volunteer_id, organisation_id)


def reject_volunteer(db: Database, actor: Actor, volunteer_id: int, reason: str) -> None:
    _reject(db, actor, "volunteers", volunteer_id, reason)


def accept_pledge(db: Database, actor: Actor, pledge_id: int, *, organisation_id: int | None = None) -> None:
    """The association will collect the pledge; it records the donation when it arrives."""
    owner = _owner(actor, organisation_id)
    if owner is None:
        raise PermissionDenied("error.organisation_required")
    with db.transaction() as cur:
        before = _load_for_review(cur, actor, "get_queue_pledge", pledge_id, "submitted")
        run(
            cur,
            "set_pledge_status",
            {
                "id": pledge_id,
                "status": "accepted",
                "from_status": "submitted",
                "organisation_id": owner,
                "donation_id": None,
            },
        )
        _review(cur, actor, "pledges", pledge_id, "accepted", organisation_id=owner)
        write_audit(
            cur,
            actor,
            "accept",
            "pledges",
            pledge_id,
            before={"status": before["status"]},
            after={"status": "accepted", "organisation_id": owner},
        )


def reject_pledge(db: Database, actor: Actor, pledge_id: int, reason: str) -> None:
    text = _clean_reason(reason)
    with db.transaction() as cur:
        before = _load_for_review(cur, actor, "get_queue_pledge", pledge_id, "submitted")
        run(
            cur,
            "set_pledge_status",
            {
                "id": pledge_id,
                "status": "rejected",
                "from_status": "submitted",
                "organisation_id": None,
                "donation_id": None,
            },
        )
        _review(cur, actor, "pledges", pledge_id, "rejected", reason=text, organisation_id=_owner(actor, None))
        write_audit(
            cur,
            actor,
            "reject",
            "pledges",
            pledge_id,
            before={"status": before["status"]},
            after={"status": "rejected", "reason": text},
        )


def receive_pledge(db: Database, actor: Actor, pledge_id: int, *, received_on: dt.date, quantity: Any = None) -> int:
    """The pledged goods or money arrived: record the donation (stock) and mark the pledge received."""
    ref = get_reference(db)
    # Read before the transaction (see households.py): the campaign of each governorate's country.
    campaigns = active_campaigns_by_area(db)
    # And the currency cash is counted in, in each governorate (its campaign's, else its country's).
    currencies = gift_currencies(db)
    with db.transaction() as cur:
        pledge = _load_for_review(cur, actor, "get_queue_pledge", pledge_id, "accepted")
        if actor.role == "association" and pledge["organisation_id"] != actor.organisation_id:
            raise PermissionDenied()
        if quantity is not None and str(quantity).strip():
            errs = _Collector()
            clean_quantity(errs, quantity, ref.categories.get(pledge["category_code"]))
            errs.raise_if_any()
        is_cash = pledge["category_code"] == CASH
        record = clean_gift(
            ref,
            {
                "category": pledge["category_code"],
                "quantity": quantity if quantity not in (None, "") else Decimal(pledge["quantity"]),
                # Pledged cash is the amount the donor gave in the currency the form counted it in:
                # it arrives in the governorate's, whatever unit an older pledge was saved with.
                "unit": None if is_cash else pledge["unit"],
                "item": pledge["item"],
                "donor_name": pledge["donor_name"],
                "donor_type": pledge["donor_type"],
                "donor_phone": pledge["phone"],
                "governorate": pledge["governorate_code"],
                "delegation": pledge["delegation"],
                "received_on": received_on,
                "notes": f"pledge {pledge['reference'] or pledge_id}",
            },
            currencies.get(pledge["governorate_code"]),
        )
        donation_id = insert_donation_row(
            cur,
            actor,
            record,
            pledge["organisation_id"],
            campaigns.get(record["governorate_code"]),
            pledge_id=pledge_id,
        )
        run(
            cur,
            "set_pledge_status",
            {
                "id": pledge_id,
                "status": "received",
                "from_status": "accepted",
                "organisation_id": None,
                "donation_id": donation_id,
            },
        )
        _review(cur, actor, "pledges", pledge_id, "received", organisation_id=pledge["organisation_id"])
        write_audit(
            cur,
            actor,
            "receive",
            "pledges",
            pledge_id,
            before={"status": "accepted"},
            after={"status": "received", "donation_id": donation_id},
        )
    return donation_id
