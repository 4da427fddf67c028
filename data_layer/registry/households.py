"""Households in need and what they need: registration, duplicates, browsing, edits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.columns import HOUSEHOLD_FIELDS
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.paging import search_text
from data_layer.core.statuses import CLOSED_HOUSEHOLD_STATUSES
from data_layer.core.validation import clean_household
from data_layer.registry.campaigns import active_campaign_id
from data_layer.registry.donations import gift_currency_of_area
from data_layer.registry.identity import national_id_key, national_id_search_key
from data_layer.registry.listing import read_page
from data_layer.registry.organisations import require_active_organisation
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

# The household's own columns, written by entry and edits (its needs are rows of their own).
HOUSEHOLD_COLUMNS = tuple(f for f in HOUSEHOLD_FIELDS if f != "needs")


class DuplicateHousehold(JesrError):
    """The national ID is already registered; says only whether it was by the same association."""

    code = "error.duplicate_household"

    def __init__(self, same_organisation: bool, household_id: int | None) -> None:
        super().__init__(
            "error.duplicate_household_own" if same_organisation else "error.duplicate_household_other",
            id=household_id if same_organisation else None,
        )
        self.same_organisation = same_organisation
        self.household_id = household_id if same_organisation else None


def _require_entry_rights(actor: Actor) -> None:
    if not actor.may_enter_records:
        raise PermissionDenied()


def live_households_with_national_id(cur: Any, national_id: str) -> list[dict[str, Any]]:
    """Registrations of a national ID that still count (not rejected or merged away), oldest first."""
    return run(
        cur,
        "find_households_by_national_id",
        {"national_id_key": national_id_key(national_id), "closed": list(CLOSED_HOUSEHOLD_STATUSES)},
    )


def _get_in_scope(cur: Any, actor: Actor, household_id: int) -> dict[str, Any]:
    """A household the actor may work on, or NotFound / PermissionDenied."""
    row = run(cur, "get_household", {"id": household_id})
    if row is None:
        raise NotFound()
    scope = organisation_scope(actor)
    if scope is not None and row["organisation_id"] != scope:
        raise PermissionDenied()
    return row


def register_household(
    db: Database,
    actor: Actor,
    raw: dict[str, Any],
    *,
    source: str = "association",
    status: str = "registered",
    then: Callable[[Any, int], None] | None = None,
) -> int:
    """Validate and save a household with its needs and audit rows; return its id.

    A national ID already registered is refused, and the repeat is recorded for organisers.
    `then(cur, household_id)` writes what a higher layer adds to the new household in the same
    transaction (its hand-over choice), so a refusal there saves nothing.
    """
    if source != "self":
        _require_entry_rights(actor)
    # Cash needs in the currency of the campaign of the household's country, as its cash stock.
    record = clean_household(
        get_reference(db), raw, campaign_currency=gift_currency_of_area(db, raw.get("governorate"))
    )
    organisation_id = actor.organisation_id if source != "self" else None
    # Read before the transaction, as the other writers do: on PostgreSQL a read inside it would
    # take a second pooled connection while holding the write lock, and a full pool then deadlocks.
    campaign_id = active_campaign_id(db, record["governorate_code"])
    duplicate: DuplicateHousehold | None = None
    with db.transaction() as cur:
        require_active_organisation(cur, organisation_id)
        existing = live_households_with_national_id(cur, record["national_id"])
        if existing:
            first_id, first_org = existing[0]["id"], existing[0]["organisation_id"]
            same = organisation_id is not None and first_org == organisation_id
            run(
                cur,
                "insert_duplicate_report",
                {
                    "national_id": record["national_id"],
                    "national_id_key": national_id_key(record["national_id"]),
                    "existing_household_id": first_id,
                    "attempted_by_org": organisation_id,
                    "source": source,
                    "reason": "same_national_id",
                },
            )
            write_audit(
                cur,
                actor,
                "refused_duplicate",
                "households",
                first_id,
                after={"national_id": record["national_id"], "attempted_by_org": organisation_id},
            )
            duplicate = DuplicateHousehold(same, first_id)
        else:
            household_id = insert_household_row(
                cur,
                actor,
                record,
                organisation_id=organisation_id,
                source=source,
                status=status,
                campaign_id=campaign_id,
            )
            if then is not None:
                then(cur, household_id)
    if duplicate is not None:
        raise duplicate
    return household_id


def insert_household_row(
    cur: Any,
    actor: Actor,
    record: dict[str, Any],
    *,
    organisation_id: int | None,
    source: str,
    status: str,
    campaign_id: int | None,
) -> int:
    """Insert one cleaned household and its needs, auditing each row (caller holds the transaction)."""
    values = {k: record[k] for k in HOUSEHOLD_COLUMNS}
    values.update(
        organisation_id=organisation_id, source=source, status=status, created_by=actor.user_id, campaign_id=campaign_id
    )
    # The keyed hash is stored for matching but not audited: it is no value anyone reads.
    household_id = run(cur, "insert_household", dict(values, national_id_key=national_id_key(record["national_id"])))
    write_audit(cur, actor, "insert", "households", household_id, after=values)
    for need in record["needs"]:
        need_values = dict(need, household_id=household_id)
        need_id = run(cur, "insert_need", need_values)
        write_audit(cur, actor, "insert", "needs", need_id, after=need_values)
    return household_id


def list_households(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str | None = None,
    status: str | None = None,
    category: str | None = None,
    text: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[pd.DataFrame, int]:
    """One page of the households the actor may see, and how many match in all."""
    params = {
        "organisation_id": organisation_scope(actor),
        "governorate_code": governorate_code or None,
        "status": status or None,
        "category": category or None,
        "text": search_text(text),
        "text_key": national_id_search_key(text),
    }
    return read_page(db, "count_households_filtered", "list_households_page", params, page, page_size)


def get_household(db: Database, actor: Actor, household_id: int) -> dict[str, Any]:
    with db.reading() as cur:
        row = _get_in_scope(cur, actor, household_id)
        row["needs"] = run(cur, "list_needs_of_household", {"household_id": household_id})
    return row


def update_household(db: Database, actor: Actor, household_id: int, raw: dict[str, Any]) -> None:
    """Save edits to a household's own fields (needs are edited separately), audited before/after."""
    _require_entry_rights(actor)
    record = clean_household(get_reference(db), dict(raw, needs=None))
    with db.transaction() as cur:
        before = _get_in_scope(cur, actor, household_id)
        if record["national_id"] != before["national_id"]:
            others = [
                r for r in live_households_with_national_id(cur, record["national_id"]) if r["id"] != household_id
            ]
            if others:
                raise DuplicateHousehold(others[0]["organisation_id"] == before["organisation_id"], others[0]["id"])
        values = {k: record[k] for k in HOUSEHOLD_COLUMNS}
        run(
            cur,
            "update_household",
            dict(values, id=household_id, national_id_key=national_id_key(record["national_id"])),
        )
        after = run(cur, "get_household", {"id": household_id})
        write_audit(cur, actor, "update", "households", household_id, before=before, after=after)


def set_household_status(db: Database, actor: Actor, household_id: int, status: str) -> None:
    _require_entry_rights(actor)
    with db.transaction() as cur:
        before = _get_in_scope(cur, actor, household_id)
        run(cur, "set_household_status", {"id": household_id, "status": status})
        write_audit(
            cur,
            actor,
            "update",
            "households",
            household_id,
            before={"status": before["status"]},
            after={"status": status},
        )
