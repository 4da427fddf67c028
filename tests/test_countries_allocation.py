"""Stock is never allocated across a border: not by the suggestion, not by a typed allocation."""

from __future__ import annotations

import datetime as dt

import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import JesrError
from data_layer.distribution.allocation import save_allocations, suggest_allocations
from data_layer.registry.countries import add_country
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from data_layer.store.database import Database
from tests.conftest import ROOT

JORDAN = (ROOT / "sql" / "reference" / "areas" / "JO.csv").read_bytes()
ORGANISER = Actor(user_id=None, username="organiser", role="organiser", organisation_id=None)


def basket(governorate: str) -> dict:
    return {
        "donor_type": "individual",
        "donor_name": "Donor",
        "category": "food",
        "item": "Couffin",
        "quantity": "1",
        "unit": "basket",
        "governorate": governorate,
        "received_on": dt.date(2020, 5, 20),
    }


@pytest.fixture
def two_countries(empty_db: Database) -> dict[str, int]:
    add_country(empty_db, SYSTEM, JORDAN, currency="JOD", id_pattern="[0-9]{10}")
    org = create_organisation(
        empty_db,
        SYSTEM,
        {"code": "BRIDGE", "name": "Bridge", "kind": "association", "governorate": "TN-11", "areas": ["TN-11"]},
    )
    staff = Actor(user_id=None, username="staff", role="association", organisation_id=org)
    household = register_household(
        empty_db,
        staff,
        {
            "national_id": "01234567",
            "full_name": "Salma",
            "governorate": "TN-11",
            "household_size": 3,
            "needs": "food:1",
        },
    )
    amman = register_donation(empty_db, ORGANISER, basket("JO-AM"), organisation_id=org)
    need = empty_db.conn.execute("SELECT id FROM needs WHERE household_id = ?", [household]).fetchone()[0]
    return {"org": org, "household": household, "amman": amman, "need": need}


def test_the_suggestion_does_not_lend_stock_held_in_another_country(empty_db, two_countries):
    assert suggest_allocations(empty_db, ORGANISER).allocations.empty
    tunis = register_donation(empty_db, ORGANISER, basket("TN-11"), organisation_id=two_countries["org"])
    suggested = suggest_allocations(empty_db, ORGANISER).allocations
    assert list(suggested["donation_id"]) == [tunis]


def test_a_typed_allocation_across_the_border_is_refused_and_writes_nothing(empty_db, two_countries):
    row = {
        "donation_id": two_countries["amman"],
        "need_id": two_countries["need"],
        "quantity": 1,
        "category_code": "food",
    }
    with pytest.raises(JesrError) as refused:
        save_allocations(empty_db, ORGANISER, [row])
    assert refused.value.code == "distribution.error.across_border"
    assert refused.value.params == {"stock": "JO-AM", "need": "TN-11"}
    assert empty_db.conn.execute("SELECT count(*) FROM allocations").fetchone()[0] == 0
