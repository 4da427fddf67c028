"""Donations received by organisations, cash and in kind, and their donors.

A cash gift is counted in the currency of the campaign it takes, else in its country's
(core/countries.py `gift_currency`): that currency is its unit, whether it comes from the form, a
file (`import`, in the app or on the command line) or a correction. A gift said to be in another
currency is refused: no exchange rate is applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.countries import gift_currency
from data_layer.core.errors import FieldError, JesrError, NotFound, PermissionDenied, ValidationError
from data_layer.core.paging import search_text
from data_layer.core.statuses import LIVE_ALLOCATION_STATUSES
from data_layer.core.validation import Reference, clean_donation, is_blank
from data_layer.registry.campaigns import active_campaign_id, get_active_campaign
from data_layer.registry.listing import read_page
from data_layer.registry.organisations import require_active_organisation
from data_layer.registry.receipts import assign_donation_code, link_pledge_code
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

CASH = "cash"


def gift_currency_of_country(db: Database, country_code: str | None) -> str | None:
    """The currency a new gift held in `country_code` is counted in: that of the campaign it takes
    (the country's active campaign, registry/campaigns.py), else the country's own."""
    if country_code is None:
        return None
    campaign = get_active_campaign(db, country_code)
    return gift_currency(campaign["currency"] if campaign else None, get_reference(db).settings.get(country_code))


def gift_currency_of_area(db: Database, governorate: Any) -> str | None:
    """The currency of a new gift or cash need held in `governorate` (as written: code or name), by
    gift_currency_of_country; None for a blank or unknown governorate (refused for it)."""
    reference = get_reference(db)
    area = None if is_blank(governorate) else reference.resolve_area(str(governorate))
    return gift_currency_of_country(db, reference.country_of(area)) if area else None


def gift_currencies_by_country(db: Database) -> dict[str, str | None]:
    """The currency of a new gift or cash need in each country (one campaign look-up per country)."""
    return {code: gift_currency_of_country(db, code) for code in get_reference(db).settings}


def gift_currencies(db: Database) -> dict[str, str | None]:
    """For a file of gifts of many areas: the currency of a gift held in each area (one campaign
    look-up per country)."""
    reference = get_reference(db)
    by_country: dict[str, str | None] = {}
    out: dict[str, str | None] = {}
    for code, row in reference.areas.items():
        country = row["country_code"]
        if country not in by_country:
            by_country[country] = gift_currency_of_country(db, country)
        out[code] = by_country[country]
    return out


def form_currency(db: Database, actor: Actor) -> str | None:
    """The currency the donation form counts cash in before its governorate is chosen: that of the
    actor's country, or of the only country while the database has one; None for a reader of no
    country among several (the gift's governorate decides when it is saved)."""
    settings = get_reference(db).settings
    country = actor.country_code or (next(iter(settings)) if len(settings) == 1 else None)
    return gift_currency_of_country(db, country)


def _is_cash(raw: dict[str, Any]) -> bool:
    # As clean_category reads it: "Cash", " cash " are the cash category.
    return not is_blank(raw.get("category")) and str(raw.get("category")).strip().casefold() == CASH


def counted_in(reference: Reference, currency: str) -> Reference:
    """The reference as one gift of `currency` is checked against: cash counted in that currency alone."""
    cash = reference.categories[CASH]
    return dataclasses.replace(
        reference, categories={**reference.categories, CASH: dataclasses.replace(cash, units=(currency,))}
    )


def clean_gift(
    reference: Reference, raw: dict[str, Any], currency: str | None, *, counted: Reference | None = None
) -> dict[str, Any]:
    """clean_donation, with a cash gift counted in `currency` (gift_currency_of_country): its unit
    is that currency, a blank unit reads as it, and any other currency is refused with a message
    naming both. Gifts in kind, and cash of an unknown area (refused for its area), are as
    clean_donation leaves them. `counted`: counted_in(reference, currency), when the caller keeps it."""
    if currency is None or CASH not in reference.categories or not _is_cash(raw):
        return clean_donation(reference, raw)
    errors: list[FieldError] = []
    given = raw.get("unit")
    if not is_blank(given) and str(given).strip().upper() != currency:
        errors.append(
            FieldError("unit", "currency.error.cash_currency", {"unit": str(given).strip()[:20], "currency": currency})
        )
    try:
        record = clean_donation(counted or counted_in(reference, currency), {**raw, "unit": None})
    except ValidationError as exc:
        raise ValidationError(errors + exc.errors) from None
    if errors:
        raise ValidationError(errors)
    return record


def donation_cleaner(db: Database) -> Callable[[Reference, dict[str, Any]], dict[str, Any]]:
    """The cleaner of a file of donations: clean_gift with the currency of each row's area, the
    currencies looked up, and the references they are checked against built, once for the file."""
    currencies = gift_currencies(db)
    counted: dict[tuple[int, str], tuple[Reference, Reference]] = {}

    def clean(reference: Reference, raw: dict[str, Any]) -> dict[str, Any]:
        area = None if is_blank(raw.get("governorate")) else reference.resolve_area(str(raw["governorate"]))
        currency = currencies.get(area) if area else None
        if currency is None or CASH not in reference.categories:
            return clean_gift(reference, raw, currency)
        key = (id(reference), currency)  # the reference kept beside its id, so the id stays its own
        if key not in counted:
            counted[key] = (reference, counted_in(reference, currency))
        return clean_gift(reference, raw, currency, counted=counted[key][1])

    return clean


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
    record = clean_gift(get_reference(db), raw, gift_currency_of_area(db, raw.get("governorate")))
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
    # A cash gift keeps the currency it was saved in (its campaign's, else its country's).
    record = clean_gift(get_reference(db), merged, current["unit"] if current["kind"] == CASH else None)
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
