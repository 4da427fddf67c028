"""A record's phone and national ID follow the rules of the country its governorate lies in."""

from __future__ import annotations

import pytest

from data_layer.core.actor import SYSTEM
from data_layer.core.errors import ValidationError
from data_layer.core.validation import clean_donation, clean_household, clean_volunteer
from data_layer.registry.countries import add_country
from data_layer.store.database import Database
from data_layer.store.reference import get_reference
from tests.conftest import ROOT

JORDAN = (ROOT / "sql" / "reference" / "areas" / "JO.csv").read_bytes()


def jordanian_household(**changes: str) -> dict:
    raw = {
        "national_id": "9861012345",
        "full_name": "Layla Haddad",
        "phone": "+962 79 123 4567",
        "governorate": "Irbid",
        "household_size": "4",
        "needs": "food:1",
    }
    return {**raw, **changes}


def errors_of(call) -> set[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        call()
    return {(e.field, e.code) for e in caught.value.errors}


@pytest.fixture
def with_jordan(empty_db: Database) -> Database:
    add_country(empty_db, SYSTEM, JORDAN, currency="JOD", id_pattern="[0-9]{10}")
    return empty_db


def test_a_jordanian_household_is_refused_before_jordan_is_added(empty_db: Database) -> None:
    assert ("governorate", "error.governorate") in errors_of(
        lambda: clean_household(get_reference(empty_db), jordanian_household())
    )


def test_a_jordanian_household_with_a_10_digit_id_and_a_962_phone_is_accepted_once_jordan_is_added(
    with_jordan: Database,
) -> None:
    record = clean_household(get_reference(with_jordan), jordanian_household())
    assert (record["governorate_code"], record["national_id"], record["phone"]) == (
        "JO-IR",
        "9861012345",
        "+962791234567",
    )
    # A local number without the country prefix, in Arabic-Indic digits, is read in Jordan's plan.
    local = clean_household(get_reference(with_jordan), jordanian_household(phone="٠٧٩١٢٣٤٥٦٧"))
    assert local["phone"] == "+962791234567"


def test_jordans_rules_refuse_a_tunisian_id_and_phone_and_tunisias_are_unchanged(with_jordan: Database) -> None:
    ref = get_reference(with_jordan)
    refused = errors_of(lambda: clean_household(ref, jordanian_household(national_id="01234567", phone="71234567")))
    assert refused == {("national_id", "countries.error.national_id"), ("phone", "countries.error.phone")}
    tunisian = jordanian_household(governorate="Sfax", national_id="01234567", phone="98 123 456")
    record = clean_household(ref, tunisian)
    assert (record["national_id"], record["phone"]) == ("01234567", "+21698123456")
    assert errors_of(lambda: clean_household(ref, {**tunisian, "national_id": "9861012345"})) == {
        ("national_id", "error.national_id")
    }


def test_volunteers_and_donors_follow_their_governorates_country(with_jordan: Database) -> None:
    ref = get_reference(with_jordan)
    volunteer = clean_volunteer(
        ref,
        {
            "full_name": "Omar",
            "phone": "0791234567",
            "governorate": "Amman",
            "services": "distribution",
            "available_from": "2025-05-01",
            "available_to": "2025-06-01",
        },
    )
    assert volunteer["phone"] == "+962791234567"
    donation = {
        "category": "food",
        "quantity": "3",
        "donor_name": "Sami",
        "donor_phone": "71 234 567",
        "governorate": "Zarqa",
        "received_on": "2025-05-02",
    }
    assert errors_of(lambda: clean_donation(ref, donation)) == {("donor_phone", "countries.error.phone")}
    # A number written with its country prefix is kept as it is: a household may use a foreign line.
    assert clean_donation(ref, {**donation, "donor_phone": "+216 71 234 567"})["donor_phone"] == "+21671234567"
