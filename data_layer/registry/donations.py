"""Donations received by organisations, cash and in kind, and their donors."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.paging import search_text
from data_layer.core.statuses import LIVE_ALLOCATION_STATUSES
from data_layer.core.validation import clean_donation
from data_layer.registry.campaigns import active_campaign_id
from data_layer.registry.listing import read_page
from data_layer.registry.organisations import require_active_organisation
from data_layer.registry.receipts import assign_donation_code, link_pledge_code
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference


def _receiving_organisation(actor: Actor, organisation_id: int | None) -> int:
    if not actor.may_enter_records:
        raise PermissionDenied()
    if actor.role == "association":
        if actor.organisation_id is None:
            raise PermissionDenied("error.organisation_required")
        return actor.organisation_id  # staff record for their own organisation only
    if organisation_id is None:
        raise PermissionDenied("error.organisation_required")
    return organisation_id


def find_or_create_donor(cur: Any, actor: Actor, name: str, donor_type: str, phone: str | None) -> int:
    found = run(cur, "find_donor", {"name": name, "donor_type": donor_type})
    if found is not None:
        return found
    values = {"name": name, "donor_type": donor_type, "phone": phone}
    donor_id = run(cur, "insert_donor", values)
    write_audit(cur, actor, "insert", "donors", donor_id, after=values)
    return donor_id


def insert_donation_row(
    cur: Any,
    actor: Actor,
    record: dict[str, Any],
    organisation_id: int,
    campaign_id: int | None,
    *,
    pledge_id: int | None = None,
) -> int:
    """Insert one cleaned donation, its donor if new and its receipt code (the pledge's, for a pledge
    that arrived), audited; the caller holds the transaction."""
    donor_id = find_or_create_donor(cur, actor, record["donor_name"], record["donor_type"], record["donor_phone"])
    values = {
        k: record[k]
        for k in (
            "kind",
            "category_code",
            "item",
            "quantity",
            "unit",
            "value_tnd",
            "governorate_code",
            "delegation",
            "storage_location",
            "received_on",
            "notes",
        )
    }
    values.update(campaign_id=campaign_id, organisation_id=organisation_id, donor_id=donor_id, created_by=actor.user_id)
    donation_id = run(cur, "insert_donation", values)
    write_audit(cur, actor, "insert", "donations", donation_id, after=values)
    if pledge_id is not None:
        link_pledge_code(cur, pledge_id, donation_id)
    else:
        assign_donation_code(cur, donation_id)
    return donation_id


def register_donation(db: Database, actor: Actor, raw: dict[str, Any], *, organisation_id: int | None = None) -> int:
    """Validate and save a donation (and its donor if new), audited; return its id."""
    org_id = _receiving_organisation(actor, organisation_id)
    record = clean_donation(get_reference(db), raw)
    campaign_id = active_campaign_id(db, record["governorate_code"])
    with db.transaction() as cur:
        require_active_organisation(cur, org_id)
        return insert_donation_row(cur, actor, record, org_id, campaign_id)


def list_donations(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str | None = None,
    category: str | None = None,
    status: str | None = None,
    text: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[pd.DataFrame, int]:
    organisation_id = organisation_scope(actor)
    params = {
        "organisation_id": organisation_id,
        "governorate_code": governorate_code or None,
        "category": category or None,
        "status": status or None,
        "text": search_text(text),
    }
    return read_page(db, "count_donations_filtered", "list_donations_page", params, page, page_size)


def get_donation(db: Database, actor: Actor, donation_id: int) -> dict[str, Any]:
    with db.reading() as cur:
        row = run(cur, "get_donation", {"id": donation_id})
    if row is None:
        raise NotFound()
    if not actor.sees_all_organisations and row["organisation_id"] != actor.organisation_id:
        raise PermissionDenied()
    return row


def update_donation_details(db: Database, actor: Actor, donation_id: int, raw: dict[str, Any]) -> None:
    """Correct a donation's description, value, delegation where held, storage, date or notes (not its
    quantity nor its governorate: allocations already made from it stay where they were made)."""
    current = get_donation(db, actor, donation_id)
    if not actor.may_enter_records:
        raise PermissionDenied()
    merged = {
        "category": current["category_code"],
        "kind": current["kind"],
        "quantity": current["quantity"],
        "unit": current["unit"],
        "donor_name": current["donor_name"],
        "donor_type": current["donor_type"],
        "governorate": current["governorate_code"],
        "delegation": current["delegation"],
        **raw,
    }
    record = clean_donation(get_reference(db), merged)
    with db.transaction() as cur:
        before = run(cur, "get_donation", {"id": donation_id})
        run(
            cur,
            "update_donation_details",
            {
                "id": donation_id,
                "item": record["item"],
                "value_tnd": record["value_tnd"],
                "delegation": record["delegation"],
                "storage_location": record["storage_location"],
                "received_on": record["received_on"],
                "notes": record["notes"],
            },
        )
        after = run(cur, "get_donation", {"id": donation_id})
        write_audit(cur, actor, "update", "donations", donation_id, before=before, after=after)


class DonationInUse(JesrError):
    code = "error.donation_in_use"


def cancel_donation(db: Database, actor: Actor, donation_id: int) -> None:
    """Withdraw a donation recorded by mistake; refused while allocations still hold its stock."""
    get_donation(db, actor, donation_id)  # existence and organisation checks
    if not actor.may_enter_records:
        raise PermissionDenied()
    with db.transaction() as cur:
        if run(cur, "count_live_allocations_of_donation", {"id": donation_id, "live": list(LIVE_ALLOCATION_STATUSES)}):
            raise DonationInUse()
        before = run(cur, "get_donation", {"id": donation_id})
        run(cur, "cancel_donation", {"id": donation_id})
        write_audit(
            cur,
            actor,
            "update",
            "donations",
            donation_id,
            before={"status": before["status"]},
            after={"status": "cancelled"},
        )
