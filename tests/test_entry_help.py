"""Help the entry forms give before a save: defaults from the organisation and the campaign, the
one decimal rule, and the likely-duplicate hint that names only the actor's own households."""

import datetime as dt

import pytest

from data_layer.core.validation import _Collector, clean_amount, is_ambiguous_number
from data_layer.registry.entry_help import date_within, default_governorate, likely_duplicates
from data_layer.registry.households import register_household


def test_default_governorate_is_the_organisations_own(db, actors):
    assert default_governorate(db, actors["amal"]) == "TN-61"
    assert default_governorate(db, actors["organiser"]) is None  # organisers work everywhere


def test_entry_date_stays_inside_the_campaign():
    start, end = dt.date(2020, 5, 1), dt.date(2020, 5, 31)
    assert date_within(start, end, dt.date(2020, 5, 18)) == dt.date(2020, 5, 18)
    assert date_within(start, end, dt.date(2026, 12, 3)) == end
    assert date_within(start, end, dt.date(2020, 4, 20)) == dt.date(2020, 4, 20)  # never a future day


@pytest.mark.parametrize(
    "typed, ambiguous",
    [
        ("150,500", True),
        ("1,250,000", True),
        ("١٥٠,٥٠٠", True),
        ("150,5", False),
        ("150.5", False),
        ("150500", False),
        ("1 500", False),
    ],
)
def test_a_comma_before_three_digits_is_refused_with_what_to_type(typed, ambiguous):
    assert is_ambiguous_number(typed) is ambiguous
    errs = _Collector()
    clean_amount(errs, "value_tnd", typed)
    assert [e.code for e in errs.errors] == (["error.ambiguous_decimal"] if ambiguous else [])
    if typed == "150,500":
        assert errs.errors[0].params == {"value": "150,500", "decimal": "150.5", "whole": "150500"}


def household(name, phone, delegation="Sakiet Ezzit"):
    return {
        "national_id": None,
        "full_name": name,
        "phone": phone,
        "governorate": "TN-61",
        "delegation": delegation,
        "household_size": 5,
        "needs": [{"category": "food", "quantity": 1}],
    }


def test_likely_duplicates_name_own_households_and_only_count_others(db, actors):
    own = register_household(db, actors["amal"], dict(household("Salwa Ayari", "97 111 222"), national_id="05550001"))
    register_household(db, actors["atss"], dict(household("Nabil Trabelsi", "97 333 444"), national_id="05550002"))
    # Same phone as amal's household, typed differently.
    found = likely_duplicates(
        db, actors["amal"], full_name="Someone Else", phone="+216 97111222", governorate="TN-61", delegation=""
    )
    assert [(f.reason, f.own, f.household_id, f.full_name, f.household_size) for f in found] == [
        ("phone", True, own, "Salwa Ayari", 5)
    ]
    # One letter apart, same delegation (spelt another way): found; another delegation: not.
    found = likely_duplicates(
        db, actors["amal"], full_name="Nabil Trabelsy", phone="", governorate="TN-61", delegation="sakiet  ezzit"
    )
    assert [(f.reason, f.own, f.household_id, f.full_name, f.delegation) for f in found] == [
        ("name", False, None, None, None)
    ]
    assert (
        likely_duplicates(
            db, actors["amal"], full_name="Nabil Trabelsy", phone="", governorate="TN-61", delegation="Sfax Ville"
        )
        == []
    )
    assert (
        likely_duplicates(
            db, actors["amal"], full_name="Nabil Trabelsy", phone="", governorate="TN-11", delegation="Sakiet Ezzit"
        )
        == []
    )
