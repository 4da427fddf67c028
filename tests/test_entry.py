"""Saving households, donations and volunteers through the data layer: rows, audit, refusals.

Each test starts from a migrated database without data and the two associations below.
"""

import json

import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import PermissionDenied, ValidationError
from data_layer.distribution.allocation import save_allocations
from data_layer.registry.donations import list_donations, register_donation
from data_layer.registry.households import (
    DuplicateHousehold,
    get_household,
    list_households,
    register_household,
    update_household,
)
from data_layer.registry.organisations import create_organisation
from data_layer.registry.volunteers import register_volunteer
from tests.fairness_world import ORGANISER


def count(db, sql, *params):
    return db.conn.execute(sql, list(params)).fetchone()[0]


HOUSEHOLD = {
    "national_id": "87654321",
    "full_name": "Hind Trabelsi",
    "phone": "+216 55 000 111",
    "governorate": "قفصة",
    "delegation": "Gafsa Nord",
    "address": "Rue 5",
    "household_size": 6,
    "vulnerabilities": ["single_parent"],
    "needs": [{"category": "food", "quantity": 2, "urgency": "high"}],
}
# Two associations of the one database: ATSS in Tunis and Gafsa, AMAL in Sfax and Gafsa.
ASSOCIATIONS = {"atss": ("ATSS", "TN-11", ["TN-11", "TN-71"]), "amal": ("AMAL", "TN-61", ["TN-61", "TN-71"])}


@pytest.fixture
def actors(empty_db):
    """A staff member of each association, the organiser, an observer and a volunteer."""
    staff = {}
    for name, (code, seat, areas) in ASSOCIATIONS.items():
        org = create_organisation(
            empty_db,
            SYSTEM,
            {"code": code, "name": code.title(), "kind": "association", "governorate": seat, "areas": areas},
        )
        staff[name] = Actor(user_id=None, username=name, role="association", organisation_id=org)
    return {
        **staff,
        "organiser": ORGANISER,
        "observer": Actor(user_id=None, username="observer", role="observer"),
        "volunteer": Actor(user_id=None, username="volunteer", role="volunteer"),
    }


@pytest.fixture
def db(empty_db):
    """This file's database: migrated and without data, not the demo copy."""
    return empty_db


def food(quantity, governorate="Tunis", **fields):
    """A gift of food baskets received on 20 May 2020."""
    return {
        "donor_name": "Donor",
        "category": "food",
        "quantity": quantity,
        "governorate": governorate,
        "received_on": "2020-05-20",
        **fields,
    }


def test_household_with_needs_is_saved_and_audited(db, actors):
    household_id = register_household(db, actors["atss"], HOUSEHOLD)
    row = db.conn.execute(
        "SELECT national_id, full_name, phone, governorate_code, household_size, vulnerabilities, "
        "organisation_id, status FROM households WHERE id = ?",
        [household_id],
    ).fetchone()
    assert row == (
        "87654321",
        "Hind Trabelsi",
        "+21655000111",
        "TN-71",
        6,
        ["single_parent"],
        actors["atss"].organisation_id,
        "registered",
    )
    assert db.conn.execute(
        "SELECT category_code, quantity, urgency FROM needs WHERE household_id = ?", [household_id]
    ).fetchall() == [("food", 2, "high")]
    # The household and its need: the only rows of the registers the log holds.
    audit = db.conn.execute(
        "SELECT username, action, table_name, record_id, after FROM audit_log "
        "WHERE table_name IN ('households', 'needs') ORDER BY id"
    ).fetchall()
    assert len(audit) == 2
    assert audit[0][:4] == ("atss", "insert", "households", household_id)
    assert json.loads(audit[0][4])["full_name"] == "Hind Trabelsi"
    assert audit[1][1:3] == ("insert", "needs")


def test_invalid_household_writes_nothing(db, actors):
    with pytest.raises(ValidationError):
        register_household(db, actors["atss"], dict(HOUSEHOLD, needs="food:2;medicine:0"))
    assert (
        count(db, "SELECT count(*) FROM households"),
        count(db, "SELECT count(*) FROM needs"),
        count(db, "SELECT count(*) FROM audit_log WHERE table_name IN ('households', 'needs')"),
    ) == (0, 0, 0)


def test_same_national_id_from_another_association_is_refused_without_details(db, actors):
    first = register_household(db, actors["atss"], HOUSEHOLD)
    with pytest.raises(DuplicateHousehold) as caught:
        register_household(db, actors["amal"], dict(HOUSEHOLD, full_name="Someone else"))
    assert caught.value.code == "error.duplicate_household_other"
    assert caught.value.household_id is None  # the second association learns nothing of the first record
    assert count(db, "SELECT count(*) FROM households WHERE national_id = '87654321'") == 1
    assert db.conn.execute(
        "SELECT existing_household_id, attempted_by_org, status FROM duplicate_reports"
    ).fetchall() == [(first, actors["amal"].organisation_id, "open")]
    with pytest.raises(DuplicateHousehold) as again:
        register_household(db, actors["atss"], HOUSEHOLD)
    assert again.value.code == "error.duplicate_household_own" and again.value.household_id == first


def test_observer_and_volunteer_cannot_enter_records(db, actors):
    for role in ("observer", "volunteer"):
        with pytest.raises(PermissionDenied):
            register_household(db, actors[role], dict(HOUSEHOLD, national_id="11112222"))
        with pytest.raises(PermissionDenied):
            list_households(db, actors[role])
    assert count(db, "SELECT count(*) FROM households WHERE national_id = '11112222'") == 0


def test_association_sees_only_its_own_households(db, actors):
    atss_first = register_household(db, actors["atss"], dict(HOUSEHOLD, national_id="11000001"))
    register_household(db, actors["atss"], dict(HOUSEHOLD, national_id="11000002"))
    amal_own = register_household(db, actors["amal"], dict(HOUSEHOLD, national_id="61000001"))
    frame, total = list_households(db, actors["amal"], page_size=200)
    assert (total, list(frame["id"]), set(frame["organisation_code"])) == (1, [amal_own], {"AMAL"})
    with pytest.raises(PermissionDenied):
        get_household(db, actors["amal"], atss_first)
    _, everyone = list_households(db, actors["organiser"])
    assert everyone == 3


def test_list_is_paginated_and_filtered(db, actors):
    # Twelve households in Tunis (11000000 to 11000011), one in Gafsa.
    for number in range(12):
        register_household(db, actors["atss"], dict(HOUSEHOLD, national_id=f"110000{number:02d}", governorate="TN-11"))
    register_household(db, actors["atss"], HOUSEHOLD)
    page1, total = list_households(db, actors["organiser"], governorate_code="TN-11", page=1, page_size=10)
    page2, _ = list_households(db, actors["organiser"], governorate_code="TN-11", page=2, page_size=10)
    assert total == 12
    assert (len(page1), len(page2)) == (10, 2) and set(page1["governorate_code"]) == {"TN-11"}
    assert not set(page1["id"]) & set(page2["id"])
    found, n = list_households(db, actors["organiser"], text="11000007")
    assert (n, list(found["national_id"])) == (1, ["11000007"])


def test_edit_is_audited_with_before_and_after(db, actors):
    household_id = register_household(db, actors["atss"], HOUSEHOLD)
    update_household(
        db, actors["atss"], household_id, dict(HOUSEHOLD, full_name="Hind Trabelsi Jlassi", household_size=7)
    )
    before, after = db.conn.execute(
        "SELECT before, after FROM audit_log WHERE action = 'update' AND table_name = 'households' AND record_id = ?",
        [household_id],
    ).fetchone()
    assert json.loads(before)["full_name"] == "Hind Trabelsi" and json.loads(before)["household_size"] == 6
    assert json.loads(after)["full_name"] == "Hind Trabelsi Jlassi" and json.loads(after)["household_size"] == 7
    with pytest.raises(PermissionDenied):
        update_household(db, actors["amal"], household_id, HOUSEHOLD)


def test_donation_is_saved_for_the_staff_members_own_organisation(db, actors):
    donation_id = register_donation(
        db,
        actors["amal"],
        {
            "donor_name": "UTICA Sfax",
            "donor_type": "company",
            "category": "food",
            "item": "Semoule",
            "quantity": "250",
            "unit": "kg",
            "value_tnd": "500",
            "governorate": "Sfax",
            "received_on": "2020-05-20",
        },
        organisation_id=actors["atss"].organisation_id,
    )  # ignored: staff record for their own organisation
    row = db.conn.execute(
        "SELECT organisation_id, kind, category_code, quantity, unit, governorate_code FROM donations WHERE id = ?",
        [donation_id],
    ).fetchone()
    assert row == (actors["amal"].organisation_id, "in_kind", "food", 250, "kg", "TN-61")
    assert (
        count(db, "SELECT count(*) FROM audit_log WHERE table_name = 'donations' AND record_id = ?", donation_id) == 1
    )
    frame, _ = list_donations(db, actors["atss"], page_size=200)
    assert donation_id not in set(frame["id"])


def test_volunteer_is_saved_and_bad_one_refused(db, actors):
    raw = {
        "full_name": "Walid Mejri",
        "phone": "22 333 444",
        "governorate": "TN-51",
        "services": ["transport"],
        "vehicle": "car",
        "available_from": "2020-05-15",
        "available_to": "2020-05-30",
    }
    volunteer_id = register_volunteer(db, actors["organiser"], raw)
    assert db.conn.execute(
        "SELECT phone, offers_transport, offers_distribution FROM volunteers WHERE id = ?", [volunteer_id]
    ).fetchone() == ("+21622333444", True, False)
    with pytest.raises(ValidationError):
        register_volunteer(db, actors["organiser"], dict(raw, vehicle="none"))
    assert count(db, "SELECT count(*) FROM volunteers") == 1


def test_cancel_donation_refused_while_allocated_and_leaves_history(db, actors):
    from data_layer.registry.donations import DonationInUse, cancel_donation

    atss = actors["atss"]
    allocated = register_donation(db, atss, food(10))
    household_id = register_household(db, atss, HOUSEHOLD)
    need = count(db, "SELECT id FROM needs WHERE household_id = ?", household_id)
    save_allocations(db, atss, [{"donation_id": allocated, "need_id": need, "quantity": 2, "category_code": "food"}])
    with pytest.raises(DonationInUse):
        cancel_donation(db, atss, allocated)
    donation_id = register_donation(db, atss, food(5, donor_name="Mistake"))
    with pytest.raises(PermissionDenied):
        cancel_donation(db, actors["amal"], donation_id)
    cancel_donation(db, actors["atss"], donation_id)
    assert count(db, "SELECT count(*) FROM donations WHERE id = ? AND status = 'cancelled'", donation_id) == 1
    assert count(db, "SELECT count(*) FROM stock_lines WHERE donation_id = ?", donation_id) == 0
    assert (
        count(db, "SELECT count(*) FROM audit_log WHERE table_name = 'donations' AND record_id = ?", donation_id) == 2
    )
