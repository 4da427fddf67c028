"""The public receipt page: a donor follows a gift by its receipt code, a household its request.

A receipt code shows the donation's trail: received, then allocated (how much, to how many
households, in which governorates), then delivered and confirmed, with the date of each step. No
household, donor or volunteer is named, and a count of households under SMALL_COUNT_THRESHOLD
reads "<5" (data_layer/monitoring/suppression.py). A public request reference shows only how far
the request has come: received, verified, aid planned, delivered (or closed).

Lookups are counted in the database like the public forms: LOOKUP_HOURLY_LIMIT an hour from one
client address, and at most NOT_FOUND_DAILY_LIMIT codes that match nothing a day, after which the
address is refused until the next day; guessing codes is throttled across every app server. A
code or reference that matches nothing gets the same neutral answer whatever the reason. A typing
error (wrong length or letters, failed check character) is told at once and neither looked up nor
counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column
from data_layer.core.receipt_codes import MalformedCode, compact, parse_code
from data_layer.core.statuses import DELIVERED_STATUSES, LIVE_ALLOCATION_STATUSES
from data_layer.monitoring.suppression import shown_count
from data_layer.public.forms import REFERENCE_ALPHABET, REFERENCE_PREFIX
from data_layer.public.ratelimit import limit_key
from data_layer.store.database import Database
from data_layer.store.queries import run

LOOKUP_HOURLY_LIMIT = 30
NOT_FOUND_DAILY_LIMIT = 10
REQUEST_STEPS = ("received", "verified", "aid_planned", "delivered")
_REFERENCE_BODY = 8


class LookupLimited(JesrError):
    """Too many lookups from this connection (or too many that matched nothing today)."""

    code = "receipt.error.limit_hour"


@dataclass(frozen=True)
class Step:
    """One step of a trail: its name, whether it was reached, and when."""

    key: str
    done: bool
    on: dt.date | None = None


@dataclass(frozen=True)
class DonationTrail:
    """What a receipt code shows: the gift, its steps, and where it went (quantities and counts only)."""

    code: str
    status: str  # the pledge's (submitted, accepted, received, rejected, cancelled) or the donation's
    category_code: str
    quantity: float
    unit: str
    governorate_code: str
    organisation_name: str | None
    steps: list[Step]
    allocated: float = 0.0
    households: int | str = 0
    delivered: float = 0.0
    households_delivered: int | str = 0
    confirmed: float = 0.0
    households_confirmed: int | str = 0
    governorates: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class RequestStatus:
    """What a request reference shows: the step reached, nothing more."""

    reference: str
    status: str  # one of REQUEST_STEPS, or "closed"


Lookup = DonationTrail | RequestStatus


def parse_lookup(text: str) -> tuple[str, str]:
    """("code", grouped code) or ("reference", reference) from what was typed; MalformedCode otherwise."""
    typed = compact(text or "")
    if not typed:
        raise MalformedCode("receipt.error.malformed")
    prefixes = set(REFERENCE_PREFIX.values())
    body = typed[1:]
    if len(typed) == _REFERENCE_BODY + 1 and typed[0] in prefixes and all(ch in REFERENCE_ALPHABET for ch in body):
        return "reference", f"{typed[0]}-{body[:4]}-{body[4:]}"
    return "code", parse_code(typed)


def look_up(db: Database, text: str, *, client: str, lang: str = "ar", now: dt.datetime | None = None) -> Lookup | None:
    """The trail or status `text` names, or None when it names nothing (the neutral answer).

    Malformed input raises MalformedCode and writes nothing; past the limits LookupLimited.
    """
    kind, key = parse_lookup(text)
    now = now or dt.datetime.now()
    client_key = limit_key(client)
    with db.transaction() as cur:
        counted = run(
            cur,
            "count_public_lookups_today",
            {"day": now.date(), "client_key": client_key, "hour_ago": now - dt.timedelta(hours=1)},
        )
        if counted["not_found"] >= NOT_FOUND_DAILY_LIMIT:
            raise LookupLimited("receipt.error.limit_day", limit=NOT_FOUND_DAILY_LIMIT)
        if counted["last_hour"] >= LOOKUP_HOURLY_LIMIT:
            raise LookupLimited("receipt.error.limit_hour", limit=LOOKUP_HOURLY_LIMIT)
        found = _find_code(cur, key, lang) if kind == "code" else _find_reference(cur, key, lang)
        run(
            cur,
            "insert_public_lookup",
            {"client_key": client_key, "found": found is not None, "looked_up_on": now.date(), "looked_up_at": now},
        )
    return found


def _find_reference(cur: Any, reference: str, lang: str) -> Lookup | None:
    receipt = run(cur, "get_public_receipt", {"reference": reference})
    if receipt is None:
        return None
    if receipt["kind"] == "request":
        # A repeat of a national ID on file has no record of its own: it stays "received", as a new
        # request would read, and never shows the status of the household already registered.
        status = "received" if receipt["record_id"] is None else _request_status(cur, receipt["record_id"])
        return RequestStatus(reference, status)
    if receipt["kind"] == "pledge" and receipt["record_id"] is not None:
        code = run(cur, "get_receipt_code_of_pledge", {"pledge_id": receipt["record_id"]})
        return _find_code(cur, code, lang) if code else None
    return None  # volunteer offers have no trail here


def _request_status(cur: Any, household_id: int) -> str:
    row = run(
        cur,
        "get_request_progress",
        {"id": household_id, "live": list(LIVE_ALLOCATION_STATUSES), "delivered": list(DELIVERED_STATUSES)},
    )
    if row is None:
        return "received"
    if row["delivered"] or row["status"] == "served":
        return "delivered"
    if row["status"] in ("rejected", "inactive"):
        return "closed"
    if row["aid_planned"]:
        return "aid_planned"
    if row["status"] in ("verified", "registered"):
        return "verified"
    return "received"


def _find_code(cur: Any, code: str, lang: str) -> DonationTrail | None:
    named = run(cur, "get_receipt_code", {"code": code})
    if named is None:
        return None
    pledge = run(cur, "get_pledge_trail", {"id": named["pledge_id"]}) if named["pledge_id"] is not None else None
    donation_id = named["donation_id"] if named["donation_id"] is not None else (pledge or {}).get("donation_id")
    donation = run(cur, "get_donation_trail", {"id": donation_id}) if donation_id is not None else None
    if pledge is None and donation is None:
        return None
    steps: list[Step] = []
    if pledge is not None:
        steps.append(Step("pledged", True, pledge["pledged_on"]))
        accepted = pledge["accepted_on"] is not None
        steps.append(Step("accepted", accepted, pledge["accepted_on"]))
    if donation is None:
        assert pledge is not None
        steps.append(Step("received", False))
        steps += [Step(key, False) for key in ("allocated", "delivered", "confirmed")]
        return DonationTrail(
            code=code,
            status=pledge["status"],
            category_code=pledge["category_code"],
            quantity=float(pledge["quantity"]),
            unit=pledge["unit"],
            governorate_code=pledge["governorate_code"],
            organisation_name=None,
            steps=steps,
            governorates=_governorates(pd.DataFrame(), lang),
        )
    steps.append(Step("received", donation["status"] == "received", donation["received_on"]))
    places = run(
        cur,
        "list_donation_trail",
        {"donation_id": donation_id, "live": list(LIVE_ALLOCATION_STATUSES), "delivered": list(DELIVERED_STATUSES)},
    )
    households = int(places["households"].sum()) if len(places) else 0
    delivered = int(places["households_delivered"].sum()) if len(places) else 0
    confirmed = int(places["households_confirmed"].sum()) if len(places) else 0
    steps += [
        Step("allocated", households > 0, _last(places, "last_allocated_on")),
        Step("delivered", delivered > 0, _last(places, "last_delivered_on")),
        Step("confirmed", confirmed > 0, _last(places, "last_confirmed_on")),
    ]
    return DonationTrail(
        code=code,
        status=donation["status"],
        category_code=donation["category_code"],
        quantity=float(donation["quantity"]),
        unit=donation["unit"],
        governorate_code=donation["governorate_code"],
        organisation_name=donation["organisation_name"],
        steps=steps,
        allocated=float(places["allocated"].sum()) if len(places) else 0.0,
        households=shown_count(households, suppress=True),
        delivered=float(places["delivered"].sum()) if len(places) else 0.0,
        households_delivered=shown_count(delivered, suppress=True),
        confirmed=float(places["confirmed"].sum()) if len(places) else 0.0,
        households_confirmed=shown_count(confirmed, suppress=True),
        governorates=_governorates(places, lang),
    )


def _last(places: pd.DataFrame, column: str) -> dt.date | None:
    values = places[column].dropna() if len(places) else pd.Series(dtype=object)
    return pd.Timestamp(values.max()).date() if len(values) else None


def _governorates(places: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Per governorate: its name and the quantities allocated, delivered and confirmed there.

    Household counts are given for the whole donation only: per governorate they would often be
    under the threshold, and hiding one while showing the total would let it be computed back.
    """
    columns = ["governorate", "allocated", "delivered", "confirmed"]
    if not len(places):
        return pd.DataFrame(columns=columns)
    return pd.DataFrame(
        {
            "governorate": places[area_name_column(lang)],
            "allocated": places["allocated"],
            "delivered": places["delivered"],
            "confirmed": places["confirmed"],
        }
    )[columns]
