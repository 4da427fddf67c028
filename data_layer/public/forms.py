"""What people send without an account: aid requests, volunteer offers and pledges.

Each submission is validated by the same rules as the staff forms, must carry consent,
passes the daily limits, and is saved with status 'submitted' for an association to
verify. The sender gets a random reference. A national ID already on file gets the
same answer as a new one (never "this ID exists"); the repeat goes to duplicate_reports
for the organisers.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_layer.core.actor import PUBLIC
from data_layer.core.errors import FieldError, ValidationError
from data_layer.core.i18n import area_name_column, normalise_lang, t
from data_layer.core.validation import (
    Reference,
    _Collector,
    clean_area,
    clean_category,
    clean_choice,
    clean_household,
    clean_phone,
    clean_quantity,
    clean_text,
    clean_unit,
    clean_volunteer,
    is_blank,
)
from data_layer.monitoring.coverage import Published, for_actor, unit_or_code_text
from data_layer.monitoring.suppression import shown_total
from data_layer.public.consent import record_consent
from data_layer.public.ratelimit import check_and_count, subject_keys
from data_layer.registry.campaigns import active_campaign_id
from data_layer.registry.donations import counted_in, gift_currency_of_area, gift_currency_of_country
from data_layer.registry.households import insert_household_row, live_households_with_national_id
from data_layer.registry.identity import national_id_key
from data_layer.registry.receipts import assign_pledge_code
from data_layer.registry.volunteers import insert_volunteer_row
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

# No 0/O or 1/I: references are read out over the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_PREFIX = {"request": "A", "volunteer": "V", "pledge": "P"}
PLEDGE_DONOR_TYPES = ("individual", "company", "association")


@dataclass(frozen=True)
class Receipt:
    """What the sender is shown: the reference, which form it was and, for a pledge, its receipt code."""

    reference: str
    kind: str
    receipt_code: str | None = None


def new_reference(kind: str) -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{REFERENCE_PREFIX[kind]}-{body[:4]}-{body[4:]}"


def _with_form_checks(clean: Any, consent_given: bool, extra: list[FieldError] | None = None) -> dict[str, Any]:
    """Run a `clean_*` function and add the public form's own refusals to the same list."""
    errors = list(extra or [])
    record: dict[str, Any] = {}
    try:
        record = clean()
    except ValidationError as exc:
        errors = exc.errors + errors
    if not consent_given:
        errors.append(FieldError("consent", "public.error.consent_required"))
    if errors:
        raise ValidationError(errors)
    return record


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now()


def _insert_receipt(
    cur: Any, kind: str, lang: str, *, record_id: int | None, duplicate_report_id: int | None = None
) -> str:
    reference = new_reference(kind)
    run(
        cur,
        "insert_public_receipt",
        {
            "reference": reference,
            "kind": kind,
            "record_id": record_id,
            "duplicate_report_id": duplicate_report_id,
            "lang": lang,
        },
    )
    return reference


def submit_aid_request(
    db: Database, raw: dict[str, Any], *, client: str, consent_given: bool, lang: str, now: dt.datetime | None = None
) -> Receipt:
    """A household registers itself; it waits as 'submitted' until an association verifies it."""
    reference_data = get_reference(db)
    missing_needs = [] if raw.get("needs") else [FieldError("needs", "public.error.need_required")]
    record = _with_form_checks(
        lambda: clean_household(
            reference_data, dict(raw, notes=None), campaign_currency=gift_currency_of_area(db, raw.get("governorate"))
        ),
        consent_given,
        missing_needs,
    )
    lang, now = normalise_lang(lang), _now(now)
    campaign_id = active_campaign_id(db, record["governorate_code"])
    with db.transaction() as cur:
        check_and_count(cur, "request", client, subject_keys([record["national_id"], record["phone"]]), now)
        existing = live_households_with_national_id(cur, record["national_id"])
        if existing:
            # The same answer as a new request; only the organisers learn of the repeat.
            report_id = run(
                cur,
                "insert_duplicate_report",
                {
                    "national_id": record["national_id"],
                    "national_id_key": national_id_key(record["national_id"]),
                    "existing_household_id": existing[0]["id"],
                    "attempted_by_org": None,
                    "source": "self",
                    "reason": "same_national_id",
                },
            )
            write_audit(
                cur,
                PUBLIC,
                "refused_duplicate",
                "households",
                existing[0]["id"],
                after={"national_id": record["national_id"], "duplicate_report_id": report_id},
            )
            reference = _insert_receipt(cur, "request", lang, record_id=None, duplicate_report_id=report_id)
            record_consent(cur, reference, "duplicate_reports", report_id, lang, now)
        else:
            household_id = insert_household_row(
                cur, PUBLIC, record, organisation_id=None, source="self", status="submitted", campaign_id=campaign_id
            )
            reference = _insert_receipt(cur, "request", lang, record_id=household_id)
            record_consent(cur, reference, "households", household_id, lang, now)
    return Receipt(reference, "request")


def submit_volunteer_offer(
    db: Database, raw: dict[str, Any], *, client: str, consent_given: bool, lang: str, now: dt.datetime | None = None
) -> Receipt:
    """Someone offers transport or distribution; an association activates them after a check."""
    reference_data = get_reference(db)
    record = _with_form_checks(lambda: clean_volunteer(reference_data, raw), consent_given)
    lang, now = normalise_lang(lang), _now(now)
    with db.transaction() as cur:
        check_and_count(cur, "volunteer", client, subject_keys([record["national_id"], record["phone"]]), now)
        volunteer_id = insert_volunteer_row(cur, PUBLIC, record, organisation_id=None, status="submitted")
        reference = _insert_receipt(cur, "volunteer", lang, record_id=volunteer_id)
        record_consent(cur, reference, "volunteers", volunteer_id, lang, now)
    return Receipt(reference, "volunteer")


def pledge_currency(db: Database, governorate: Any) -> str | None:
    """The currency pledged cash is counted in: the governorate's (gift_currency_of_area), else,
    before one is chosen, the only country's while the database has one."""
    currency = gift_currency_of_area(db, governorate)
    countries = list(get_reference(db).settings)
    if currency is None and is_blank(governorate) and len(countries) == 1:
        currency = gift_currency_of_country(db, countries[0])
    return currency


def clean_pledge(ref: Reference, raw: dict[str, Any], *, currency: str | None = None) -> dict[str, Any]:
    """A promise to give: what, how much, where, and how to reach the donor (the staff donation
    rules). Pledged cash is counted in `currency` (gift_currency_of_area of its governorate): a
    blank unit reads as it, and only it fits."""
    if currency is not None and "cash" in ref.categories:
        ref = counted_in(ref, currency)
    errs = _Collector()
    category = clean_category(errs, ref, raw.get("category"))
    record = {
        "donor_name": clean_text(errs, "donor_name", raw.get("donor_name"), required=True),
        "donor_type": clean_choice(
            errs, "donor_type", raw.get("donor_type"), PLEDGE_DONOR_TYPES, required=False, default="individual"
        ),
        # Read by the numbering plan of the country the pledge is for.
        "phone": clean_phone(errs, raw.get("phone"), required=True, settings=ref.settings_for(raw.get("governorate"))),
        "category_code": category.code if category else None,
        "item": clean_text(errs, "item", raw.get("item"), required=False),
        "quantity": clean_quantity(errs, raw.get("quantity"), category),
        "unit": clean_unit(errs, raw.get("unit"), category),
        "governorate_code": clean_area(errs, ref, raw.get("governorate")),
        "delegation": clean_text(errs, "delegation", raw.get("delegation"), required=False),
        "notes": clean_text(errs, "notes", raw.get("notes"), required=False, multiline=True),
    }
    record["item"] = record["item"] or record["category_code"]
    errs.raise_if_any()
    return record


def submit_pledge(
    db: Database, raw: dict[str, Any], *, client: str, consent_given: bool, lang: str, now: dt.datetime | None = None
) -> Receipt:
    """A promise to give; an association accepts it and records the donation when it arrives."""
    reference_data = get_reference(db)
    currency = gift_currency_of_area(db, raw.get("governorate"))
    record = _with_form_checks(lambda: clean_pledge(reference_data, raw, currency=currency), consent_given)
    lang, now = normalise_lang(lang), _now(now)
    campaign_id = active_campaign_id(db, record["governorate_code"])
    with db.transaction() as cur:
        check_and_count(cur, "pledge", client, subject_keys([record["phone"]]), now)
        values = dict(record, campaign_id=campaign_id)
        pledge_id = run(cur, "insert_pledge", values)
        write_audit(cur, PUBLIC, "insert", "pledges", pledge_id, after=values)
        reference = _insert_receipt(cur, "pledge", lang, record_id=pledge_id)
        record_consent(cur, reference, "pledges", pledge_id, lang, now)
        receipt_code = assign_pledge_code(cur, pledge_id)
    return Receipt(reference, "pledge", receipt_code)


def transparency_totals(coverage: pd.DataFrame, volunteers: pd.DataFrame) -> dict[str, int | str]:
    """Campaign-wide counts for the public page from the exact tables of one campaign, each under
    5 shown as "<5"; a household total that would give away a suppressed governorate even with
    every cell hidden, as "x"."""
    return {
        "households_registered": shown_total(coverage["households_registered"], suppress=True),
        "households_served": shown_total(coverage["households_served"], suppress=True),
        "deliveries": shown_total(volunteers["deliveries_done"], suppress=True),
        "volunteers": shown_total(volunteers["volunteers_active"], suppress=True),
    }


def transparency_figures(published: Published) -> dict[str, int | str]:
    """The public page's headline counts, as the tables' totals are shown to the public (of all
    campaigns: built from each campaign's, `monitoring.coverage.published_table`)."""
    return {
        "households_registered": published.totals["coverage"]["households_registered"],
        "households_served": published.totals["coverage"]["households_served"],
        "deliveries": published.totals["volunteer_activity"]["deliveries_done"],
        "volunteers": published.totals["volunteer_activity"]["volunteers_active"],
    }


def transparency_received(flows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """What was received, per category and unit, in words: goods summed over the currencies their
    value was counted in (a quantity has none); cash per currency, the currency as its unit."""
    if flows.empty:
        return pd.DataFrame({"category": [], "unit": [], "quantity": []})
    received = (
        flows.groupby(["category_code", "unit"], as_index=False, sort=True)["received_quantity"]
        .sum()
        .reset_index(drop=True)
    )
    return pd.DataFrame(
        {
            "category": [t(f"category.{c}", lang) for c in received["category_code"]],
            "unit": [unit_or_code_text("unit", u, lang) for u in received["unit"]],
            "quantity": received["received_quantity"],
        }
    )


def transparency_coverage(coverage: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per governorate: name, registered, served, coverage rate, small counts (and their rates) as "<5"."""
    public = for_actor(coverage, "coverage", None)
    return _coverage_rows(public[area_name_column(lang)], public)


def transparency_table(published: Published) -> pd.DataFrame:
    """The public page's coverage table from the coverage table as shown to the public."""
    public = published.tables["coverage"]
    return _coverage_rows(public["governorate_name"], public)


def _coverage_rows(names: pd.Series, public: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "governorate": names,
            "registered": public["households_registered"],
            "served": public["households_served"],
            "coverage": [v if isinstance(v, str) or pd.isna(v) else f"{float(v):.0%}" for v in public["coverage_rate"]],
        }
    )
