"""What the entry forms offer before a save: the governorate to start from, a date inside the
active campaign, and a warning when the household looks already registered.

The warning is a hint for staff at the door, not a refusal: the registry's own duplicate rules
(same national ID, the organisers' Duplicates page) still decide. Another association's
household is never described, only counted, so the hint reveals no one's personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein

from data_layer.core.actor import Actor
from data_layer.core.statuses import CLOSED_HOUSEHOLD_STATUSES
from data_layer.core.validation import _Collector, clean_phone, delegation_key, fold
from data_layer.registry.campaigns import get_active_campaign
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

# Names at most this many letters apart (after folding case, accents and Arabic letter forms).
NAME_DISTANCE = 1


def default_governorate(db: Database, actor: Actor | None) -> str | None:
    """The governorate of the actor's organisation; None for organisers, who work everywhere."""
    if actor is None or actor.organisation_id is None or actor.sees_all_organisations:
        return None
    with db.reading() as cur:
        return run(cur, "get_organisation_home_area", {"organisation_id": actor.organisation_id})


def date_within(starts_on: dt.date | None, ends_on: dt.date | None, today: dt.date) -> dt.date:
    """Today, or the campaign's last day once it is over; never a day after today."""
    if ends_on is not None and today > ends_on:
        return ends_on
    if starts_on is not None and today < starts_on:
        return today  # a campaign not started yet: a gift received today still counts today
    return today


def default_entry_date(db: Database, today: dt.date | None = None, country_code: str | None = None) -> dt.date:
    """Today, kept within the dates of the active campaign of `country_code` (the entering staff's)."""
    campaign = get_active_campaign(db, country_code)
    today = today or dt.date.today()
    if not campaign:
        return today
    return date_within(campaign.get("starts_on"), campaign.get("ends_on"), today)


def _stored_phone(db: Database, phone: str | None, governorate: str | None) -> str | None:
    if not phone or not phone.strip():
        return None
    errs = _Collector()
    stored = clean_phone(errs, phone, required=False, settings=get_reference(db).settings_for(governorate))
    return None if errs.errors else stored


@dataclass(frozen=True)
class LikelyDuplicate:
    """One household that looks like the one being entered.

    `own` households (of the actor's organisation) carry their id, name and delegation; for
    another association's only the reason is known.
    """

    reason: str  # "phone" or "name"
    own: bool
    household_id: int | None = None
    full_name: str | None = None
    delegation: str | None = None
    household_size: int | None = None


def likely_duplicates(
    db: Database,
    actor: Actor,
    *,
    full_name: str | None,
    phone: str | None,
    governorate: str | None,
    delegation: str | None,
    exclude_id: int | None = None,
) -> list[LikelyDuplicate]:
    """Households of the same governorate with the same phone, or a name one letter apart in the
    same delegation. `phone` as typed: compared in its stored form (+216…)."""
    phone = _stored_phone(db, phone, governorate)
    if not governorate or not (phone or (full_name and delegation)):
        return []
    name_key = fold(full_name) if full_name else ""
    place_key = delegation_key(delegation)
    params: dict[str, Any] = {
        "governorate_code": governorate,
        "closed": list(CLOSED_HOUSEHOLD_STATUSES),
        "phone": phone or "",
        "name_length": len(full_name or ""),
    }
    with db.reading() as cur:
        candidates = run(cur, "list_likely_duplicate_candidates", params)
    found: list[LikelyDuplicate] = []
    for row in candidates:
        if exclude_id is not None and row["id"] == exclude_id:
            continue
        if phone and row["phone"] == phone:
            reason = "phone"
        elif (
            name_key
            and place_key is not None
            and delegation_key(row["delegation"]) == place_key
            and Levenshtein.distance(fold(row["full_name"]), name_key, score_cutoff=NAME_DISTANCE) <= NAME_DISTANCE
        ):
            reason = "name"
        else:
            continue
        own = actor.organisation_id is not None and row["organisation_id"] == actor.organisation_id
        if actor.sees_all_organisations:
            own = True  # organisers read every household already
        if own:
            found.append(
                LikelyDuplicate(
                    reason, True, int(row["id"]), row["full_name"], row["delegation"], int(row["household_size"])
                )
            )
        else:
            found.append(LikelyDuplicate(reason, False))
    return found
