"""The one set of rules behind forms, imports and the command line."""

import datetime as dt
from decimal import Decimal

import pytest

from data_layer.core.errors import ValidationError
from data_layer.core.validation import (
    _Collector,
    clean_campaign,
    clean_donation,
    clean_household,
    clean_phone,
    clean_reason,
    clean_volunteer,
    delegation_key,
    fold,
)
from data_layer.store.reference import get_reference


@pytest.fixture
def ref(empty_db):
    return get_reference(empty_db)


def valid_household(**changes):
    raw = {
        "national_id": "01234567",
        "full_name": "  Fatma   Ben Ali ",
        "phone": "98 123 456",
        "governorate": "Sfax",
        "household_size": "5",
        "vulnerabilities": "elderly;lost_income",
        "needs": "food:2;hygiene:1",
    }
    raw.update(changes)
    return raw


def errors_of(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return {(e.field, e.code) for e in caught.value.errors}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("98123456", "+21698123456"),
        ("+216 98 123 456", "+21698123456"),
        ("00216-98-123-456", "+21698123456"),
        ("٩٨١٢٣٤٥٦", "+21698123456"),
        ("71 234 567", "+21671234567"),
    ],
)
def test_phone_numbers_are_normalised(raw, expected):
    errs = _Collector()
    assert clean_phone(errs, raw, required=True) == expected
    assert errs.errors == []


@pytest.mark.parametrize("raw", ["1234567", "981234567", "+33 6 12 34 56 78", "18123456", "phone"])
def test_bad_phone_numbers_are_refused(raw):
    errs = _Collector()
    assert clean_phone(errs, raw, required=True) is None
    assert [(e.field, e.code) for e in errs.errors] == [("phone", "error.phone")]


@pytest.mark.parametrize("raw", ["TN-61", "tn-61", "Sfax", "SFAX", "صفاقس", "61"])
def test_governorate_by_code_arabic_or_french_name(ref, raw):
    assert clean_household(ref, valid_household(governorate=raw))["governorate_code"] == "TN-61"


@pytest.mark.parametrize(
    "raw, code",
    [
        ("Béja", "TN-31"),
        ("beja", "TN-31"),
        ("Gabès", "TN-81"),
        ("GABES", "TN-81"),
        ("La Manouba", "TN-14"),
        ("manouba", "TN-14"),
        ("Le Kef", "TN-33"),
        ("الكاف", "TN-33"),
        ("القيروان", "TN-41"),
        ("Médenine", "TN-82"),
    ],
)
def test_governorate_ignores_case_accents_and_articles(ref, raw, code):
    assert clean_household(ref, valid_household(governorate=raw))["governorate_code"] == code


def test_all_24_governorates_resolve_by_each_name(ref):
    assert len(ref.areas) == 24
    for code, row in ref.areas.items():
        for column in ("name_ar", "name_fr", "name_en"):
            assert ref.resolve_area(row[column]) == code, (code, column)


def test_valid_household_is_cleaned(ref):
    record = clean_household(ref, valid_household())
    assert record["full_name"] == "Fatma Ben Ali"
    assert record["national_id"] == "01234567"
    assert record["phone"] == "+21698123456"
    assert record["household_size"] == 5
    assert record["vulnerabilities"] == ["elderly", "lost_income"]
    assert [(n["category_code"], n["quantity"], n["unit"]) for n in record["needs"]] == [
        ("food", Decimal("2.000"), "basket"),
        ("hygiene", Decimal("1.000"), "kit"),
    ]


def test_every_bad_field_is_reported_at_once(ref):
    found = errors_of(
        lambda: clean_household(
            ref,
            valid_household(
                national_id="123",
                full_name="  ",
                phone="12",
                governorate="Paris",
                household_size="0",
                vulnerabilities="rich",
                needs="food:1.5",
            ),
        )
    )
    assert found == {
        ("national_id", "error.national_id"),
        ("full_name", "error.required"),
        ("phone", "error.phone"),
        ("governorate", "error.governorate"),
        ("household_size", "error.range"),
        ("vulnerabilities", "error.choice"),
        ("needs", "error.whole_units"),
    }


@pytest.mark.parametrize(
    "needs, code",
    [
        ("food", "error.needs_format"),
        ("food:-1", "error.positive"),
        ("food:abc", "error.number"),
        ("toys:1", "error.choice"),
        ("food:1:litres", "error.unit"),
        ("food:1;food:2", "error.need_repeated"),
    ],
)
def test_needs_must_be_category_and_positive_quantity_in_a_fitting_unit(ref, needs, code):
    assert ("needs", code) in errors_of(lambda: clean_household(ref, valid_household(needs=needs)))


def test_text_is_trimmed_and_length_limited(ref):
    record = clean_household(ref, valid_household(full_name="\u200f  Ali\x00 \t Ben  Salah  "))
    assert record["full_name"] == "Ali Ben Salah"
    assert ("full_name", "error.too_long") in errors_of(
        lambda: clean_household(ref, valid_household(full_name="x" * 121))
    )


def test_donation_units_fit_category_and_cash_value_defaults_to_amount(ref):
    cash = clean_donation(
        ref,
        {
            "donor_name": "X",
            "category": "cash",
            "quantity": "1 500,5",
            "governorate": "Tunis",
            "received_on": "15/05/2020",
        },
    )
    assert (cash["kind"], cash["unit"], cash["quantity"], cash["value_tnd"]) == (
        "cash",
        "TND",
        Decimal("1500.500"),
        Decimal("1500.500"),
    )
    assert cash["received_on"] == dt.date(2020, 5, 15)
    assert ("unit", "error.unit") in errors_of(
        lambda: clean_donation(
            ref,
            {
                "donor_name": "X",
                "category": "food",
                "quantity": "3",
                "unit": "box",
                "governorate": "Tunis",
                "received_on": "2020-05-15",
            },
        )
    )
    assert ("kind", "error.kind_category") in errors_of(
        lambda: clean_donation(
            ref,
            {
                "donor_name": "X",
                "category": "food",
                "kind": "cash",
                "quantity": "3",
                "governorate": "Tunis",
                "received_on": "2020-05-15",
            },
        )
    )


def test_donation_delegation_is_optional_trimmed_and_limited_like_a_household_one(ref):
    base = {"donor_name": "X", "category": "food", "quantity": "3", "governorate": "Tunis", "received_on": "2020-05-15"}
    assert clean_donation(ref, base)["delegation"] is None
    assert clean_donation(ref, dict(base, delegation="   "))["delegation"] is None
    assert clean_donation(ref, dict(base, delegation="  Bab \t Souika \u200f"))["delegation"] == "Bab Souika"
    assert clean_donation(ref, dict(base, delegation="x" * 80))["delegation"] == "x" * 80
    assert ("delegation", "error.too_long") in errors_of(lambda: clean_donation(ref, dict(base, delegation="x" * 81)))


def test_delegations_match_ignoring_case_spaces_and_accents():
    assert delegation_key("Bab Souika") == delegation_key("  bab   SOUIKA") == delegation_key("Bab-Souïka")
    assert delegation_key("Sfax 1") != delegation_key("Sfax 11")
    assert delegation_key("المرسى") == delegation_key("المرسي")
    assert delegation_key(None) is None and delegation_key(" ") is None and delegation_key(float("nan")) is None


@pytest.mark.parametrize("date", ["2020-02-30", "31/04/2020", "yesterday", "1899-01-01"])
def test_dates_must_be_real(ref, date):
    found = errors_of(
        lambda: clean_donation(
            ref, {"donor_name": "X", "category": "food", "quantity": "3", "governorate": "Tunis", "received_on": date}
        )
    )
    assert found & {("received_on", "error.date"), ("received_on", "error.date_range")}


def test_volunteer_needs_a_service_and_transport_needs_a_vehicle(ref):
    base = {
        "full_name": "Sami",
        "phone": "22333444",
        "governorate": "Sousse",
        "available_from": "2020-05-15",
        "available_to": "2020-05-30",
    }
    assert ("services", "error.services_required") in errors_of(lambda: clean_volunteer(ref, base))
    assert ("vehicle", "error.transport_needs_vehicle") in errors_of(
        lambda: clean_volunteer(ref, dict(base, services="transport"))
    )
    assert ("available_to", "error.date_order") in errors_of(
        lambda: clean_volunteer(ref, dict(base, services="distribution", available_to="2020-05-01"))
    )
    ok = clean_volunteer(ref, dict(base, services="transport;distribution", vehicle="van"))
    assert (ok["offers_transport"], ok["offers_distribution"], ok["vehicle"]) == (True, True, "van")


def test_fold_normalises_arabic_letter_variants():
    assert fold("أريانة") == fold("اريانه")
    assert fold("Médenine") == fold("MEDENINE")


@pytest.mark.parametrize("unit", ["TND", "tnd", "Tnd"])
def test_cash_unit_is_accepted_in_any_case_and_stored_as_spelled(ref, unit):
    record = clean_donation(
        ref,
        {
            "donor_name": "X",
            "category": "cash",
            "quantity": "100",
            "unit": unit,
            "governorate": "Tunis",
            "received_on": "2020-05-15",
        },
    )
    assert record["unit"] == "TND"
    needs = clean_household(ref, valid_household(needs=f"cash:150:{unit};food:1:KG"))["needs"]
    assert [(n["category_code"], n["unit"]) for n in needs] == [("cash", "TND"), ("food", "kg")]


@pytest.mark.parametrize(
    "typed",
    ["01234567", "٠١٢٣٤٥٦٧", "۰۱۲۳۴۵۶۷", "０１２３４５６７", "⁰¹²³⁴⁵⁶⁷", "𝟎𝟏𝟐𝟑𝟒𝟓𝟔𝟕", "０１２ ３４５ ６７"],
    ids=["ascii", "arabic-indic", "persian", "fullwidth", "superscript", "math-bold", "fullwidth-spaced"],
)
def test_an_identity_number_in_any_digit_spelling_is_stored_in_ascii(ref, typed):
    assert clean_household(ref, valid_household(national_id=typed))["national_id"] == "01234567"


@pytest.mark.parametrize("typed", ["०१२३४५६७", "০১২৩৪৫৬৭", "๐๑๒๓๔๕๖๗"], ids=["devanagari", "bengali", "thai"])
def test_digits_of_other_scripts_are_refused(ref, typed):
    assert errors_of(lambda: clean_household(ref, valid_household(national_id=typed))) == {
        ("national_id", "error.national_id")
    }
    assert errors_of(lambda: clean_household(ref, valid_household(phone=typed))) == {("phone", "error.phone")}


def test_a_phone_in_fullwidth_digits_is_the_same_phone(ref):
    assert clean_household(ref, valid_household(phone="９８ １２３ ４５６"))["phone"] == "+21698123456"


def test_a_campaign_is_cleaned_by_the_same_rules_for_the_page_and_the_command_line(ref):
    raw = {
        "name": " حملة رمضان ",
        "starts_on": "01/06/2020",
        "ends_on": "2020-06-30",
        "target_households": "800",
        "currency": "eur",
        "governorate_targets": "Sfax:300;TN-11:200",
    }
    record = clean_campaign(ref, raw)
    assert (record["name"], record["starts_on"], record["currency"]) == ("حملة رمضان", dt.date(2020, 6, 1), "EUR")
    assert record["governorate_targets"] == {"TN-61": 300, "TN-11": 200}
    assert errors_of(lambda: clean_campaign(ref, dict(raw, ends_on="2020-05-31"))) == {
        ("ends_on", "campaigns.error.ends_before_start")
    }
    assert errors_of(lambda: clean_campaign(ref, dict(raw, governorate_targets="TN-61:500;TN-11:400"))) == {
        ("governorate_targets", "campaigns.error.governorates_over_total")
    }
    assert errors_of(lambda: clean_campaign(ref, dict(raw, name=" ", currency="E1R"))) == {
        ("name", "error.required"),
        ("currency", "campaigns.error.currency"),
    }


def test_a_reason_is_required_and_kept_on_one_line():
    assert clean_reason(" Wrong\nhousehold ") == "Wrong household"
    assert errors_of(lambda: clean_reason("  ")) == {("reason", "error.required")}
