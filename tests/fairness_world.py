"""Literal data the fairness tests share: a campaign, associations, households, stock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from data_layer.core.actor import SYSTEM, Actor
from data_layer.registry.campaigns import create_campaign
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from data_layer.store.database import Database

ORGANISER = Actor(user_id=None, username="organiser", role="organiser")


def donation(category: str, quantity: str, unit: str, governorate: str = "TN-11") -> dict[str, Any]:
    return {
        "donor_type": "individual",
        "donor_name": "Donor",
        "category": category,
        "item": category,
        "quantity": quantity,
        "unit": unit,
        "governorate": governorate,
        "received_on": dt.date(2020, 5, 2),
    }


def campaign(db: Database, starts_on: str = "2020-04-01", ends_on: str = "2030-06-30") -> int:
    return create_campaign(
        db, SYSTEM, {"name": "Ramadan", "starts_on": starts_on, "ends_on": ends_on, "target_households": 100}
    )


def association(db: Database, code: str) -> Actor:
    """An association working in Tunis and Sfax, and a member of its staff."""
    org = create_organisation(
        db,
        SYSTEM,
        {
            "code": code,
            "name": code.title(),
            "kind": "association",
            "governorate": "TN-11",
            "areas": ["TN-11", "TN-61"],
        },
    )
    return Actor(user_id=None, username=f"staff_{code.lower()}", role="association", organisation_id=org)


def household(db: Database, staff: Actor, national_id: str, needs: str, **fields: Any) -> int:
    raw = {
        "national_id": national_id,
        "full_name": f"Person {national_id}",
        "governorate": "TN-11",
        "household_size": 3,
        "needs": needs,
        **fields,
    }
    return register_household(db, staff, raw)


def need_of(db: Database, household_id: int, category: str) -> int:
    return int(
        db.conn.execute(
            "SELECT id FROM needs WHERE household_id = ? AND category_code = ?", [household_id, category]
        ).fetchone()[0]
    )


def stock(db: Database, staff: Actor, category: str, quantity: str, unit: str, governorate: str = "TN-11") -> int:
    return register_donation(db, staff, donation(category, quantity, unit, governorate))
