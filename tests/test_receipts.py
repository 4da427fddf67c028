"""Receipt codes and the public receipt trail: codes on every donation and pledge, a trail without
personal data, request status by reference, lookups throttled in the database, bad input refused."""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import psycopg
import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import PermissionDenied
from data_layer.core.receipt_codes import ALPHABET, MalformedCode, compact, is_valid, new_codes, parse_code
from data_layer.distribution.allocation import save_allocations
from data_layer.distribution.deliveries import advance_delivery, create_deliveries
from data_layer.ops.bootstrap import open_database
from data_layer.public import queues
from data_layer.public.forms import submit_aid_request, submit_pledge
from data_layer.public.receipts import (
    LOOKUP_HOURLY_LIMIT,
    NOT_FOUND_DAILY_LIMIT,
    DonationTrail,
    LookupLimited,
    RequestStatus,
    look_up,
)
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from data_layer.registry.receipts import donation_receipt_code
from tests.conftest import assert_facts_match_base_tables
from tests.test_public_forms import PLEDGE, REQUEST

NOW = dt.datetime(2026, 12, 3, 10, 0)


def rows(db, sql: str, params: list | None = None) -> list[tuple]:
    cur = db.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


def lookups(db) -> int:
    return rows(db, "SELECT count(*) FROM public_lookups")[0][0]


# --- the code itself --------------------------------------------------------------------------------


def test_codes_are_grouped_checked_and_tolerant_of_how_they_are_typed():
    codes = new_codes(2000)
    assert len(set(codes)) == 2000
    assert all(len(c) == 14 and c[4] == c[9] == "-" and is_valid(compact(c)) for c in codes)
    code = codes[0]
    assert parse_code(code.lower().replace("-", " ")) == code
    assert parse_code(compact(code).replace("0", "o").replace("1", "l")) == code
    # Every single mistyped character is caught, and every swap of two different neighbours but
    # "0Z" / "Z0" (Luhn mod 32's one blind pair, as 09 / 90 is for Luhn's digits).
    body = compact(code)
    for i in range(len(body)):
        for ch in ALPHABET.replace(body[i], ""):
            assert not is_valid(body[:i] + ch + body[i + 1 :])
    for i in range(len(body) - 1):
        if body[i] != body[i + 1] and {body[i], body[i + 1]} != {"0", "Z"}:
            assert not is_valid(body[:i] + body[i + 1] + body[i] + body[i + 2 :])
    assert is_valid("0Z" + _checked("0Z")[2:]) and is_valid("Z0" + _checked("0Z")[2:])


def _checked(prefix: str) -> str:
    """`prefix` and ten zeros with their check character: the smallest valid code starting so."""
    for ch in ALPHABET:
        if is_valid(prefix + "0" * 9 + ch):
            return prefix + "0" * 9 + ch
    raise AssertionError(prefix)


@pytest.mark.parametrize(
    ("typed", "message"), [("", "malformed"), ("7KQ2-M9XD", "malformed"), ("7KQ2-M9XD-4HT!", "malformed")]
)
def test_malformed_codes_are_refused_by_shape(typed, message):
    with pytest.raises(MalformedCode) as refused:
        parse_code(typed)
    assert refused.value.code == f"receipt.error.{message}"


# --- every donation and pledge has one --------------------------------------------------------------


def test_every_demo_donation_has_a_unique_code_and_old_rows_get_theirs_on_opening(db_path):
    without_code = (
        "SELECT count(*) FROM donations d LEFT JOIN receipt_codes r ON r.donation_id = d.id WHERE r.code IS NULL"
    )
    db = open_database(db_path)
    try:
        assert rows(db, without_code) == [(0,)]
        assert rows(db, "SELECT count(*) = count(DISTINCT code) FROM receipt_codes") == [(True,)]
        # As in a database from before the codes: half the donations lack one until it is next opened.
        cur = db.cursor()
        cur.execute("DELETE FROM receipt_codes WHERE donation_id % 2 = 0")
        cur.close()
        missing = rows(db, "SELECT count(*) FROM donations WHERE id % 2 = 0")[0][0]
        kept = rows(db, "SELECT code FROM receipt_codes")
    finally:
        db.close()
    db = open_database(db_path)
    try:
        assert rows(db, without_code) == [(0,)]
        assert rows(db, "SELECT count(*) FROM receipt_codes")[0][0] == len(kept) + missing
        assert set(kept) <= set(rows(db, "SELECT code FROM receipt_codes"))
        assert rows(db, "SELECT count(*) FROM audit_log WHERE action = 'assign_receipt_codes'")[0][0] >= 1
        assert_facts_match_base_tables(db)
    finally:
        db.close()


def test_the_database_refuses_a_second_row_with_the_same_code(empty_db):
    cur = empty_db.cursor()
    cur.execute("INSERT INTO receipt_codes (code, pledge_id) VALUES ('0000-0000-0000', 1)")
    with pytest.raises((duckdb.ConstraintException, psycopg.errors.UniqueViolation)):
        cur.execute("INSERT INTO receipt_codes (code, pledge_id) VALUES ('0000-0000-0000', 2)")
    cur.close()


# --- a literal campaign: one association in Tunis, seven households ----------------------------------


@pytest.fixture
def campaign(empty_db):
    org = create_organisation(
        empty_db,
        SYSTEM,
        {
            "code": "RCP",
            "name": "Association Reçu",
            "kind": "association",
            "governorate": "TN-11",
            "areas": ["TN-11", "TN-12"],
        },
    )
    staff = Actor(user_id=None, username="staff", role="association", organisation_id=org)
    households = [
        register_household(
            empty_db,
            staff,
            {
                "national_id": f"2000000{i}",
                "full_name": f"Famille Secrète {i}",
                "phone": f"9800000{i}",
                "governorate": "TN-12" if i == 6 else "TN-11",
                "delegation": "Bab Souika",
                "address": "Rue Cachée",
                "household_size": 3,
                "vulnerabilities": "",
                "needs": "food:2",
            },
        )
        for i in range(7)
    ]
    return empty_db, org, staff, households


def _donate(db, staff, quantity: str) -> int:
    return register_donation(
        db,
        staff,
        {
            "donor_type": "individual",
            "donor_name": "Donateur Discret",
            "donor_phone": "22111222",
            "category": "food",
            "kind": "in_kind",
            "item": "Colis",
            "quantity": quantity,
            "unit": "basket",
            "governorate": "TN-11",
            "received_on": dt.date(2026, 11, 20),
        },
    )


def _allocate(db, staff, donation_id: int, household_ids: list[int]) -> None:
    needs = {h: rows(db, "SELECT min(id) FROM needs WHERE household_id = ?", [h])[0][0] for h in household_ids}
    save_allocations(
        db,
        staff,
        [{"donation_id": donation_id, "need_id": n, "quantity": 2, "category_code": "food"} for n in needs.values()],
    )


def _trail_text(found) -> str:
    return repr(dataclasses.asdict(found)) + found.governorates.to_csv()


def test_staff_see_the_code_of_their_donation_and_the_trail_counts_without_personal_data(campaign):
    db, org, staff, households = campaign
    donation = _donate(db, staff, "20")
    code = donation_receipt_code(db, staff, donation)
    assert is_valid(compact(code))
    with pytest.raises(PermissionDenied):
        donation_receipt_code(db, Actor(None, "obs", "observer"), donation)
    with pytest.raises(PermissionDenied):
        donation_receipt_code(db, Actor(None, "other", "association", organisation_id=org + 1000), donation)

    found = look_up(db, code.lower(), client="41.0.0.1", now=NOW)
    assert isinstance(found, DonationTrail)
    assert [(s.key, s.done) for s in found.steps] == [
        ("received", True),
        ("allocated", False),
        ("delivered", False),
        ("confirmed", False),
    ]
    assert found.steps[0].on == dt.date(2026, 11, 20)

    _allocate(db, staff, donation, households)  # six in Tunis, one in Ariana
    for delivery in create_deliveries(db, staff, planned_on=dt.date(2026, 11, 25))[:5]:
        advance_delivery(db, staff, delivery, "delivered")
    found = look_up(db, code, client="41.0.0.1", now=NOW)
    assert (found.allocated, found.households, found.delivered, found.households_delivered) == (14.0, 7, 10.0, 5)
    assert (found.confirmed, found.households_confirmed) == (0.0, "<5")
    assert list(found.governorates["governorate"]) == ["تونس", "أريانة"]
    assert list(found.governorates["allocated"]) == [12.0, 2.0]
    assert [s.done for s in found.steps] == [True, True, True, False]
    text = _trail_text(found)
    for secret in ("Secrète", "Cachée", "9800000", "2000000", "Donateur", "22111222", "Bab Souika"):
        assert secret not in text
    assert not {str(h) for h in households} & set(found.governorates.to_numpy().ravel().astype(str))


def test_a_pledge_keeps_its_code_from_promise_to_delivery(campaign):
    db, org, staff, households = campaign
    sent = submit_pledge(
        db,
        dict(PLEDGE, governorate="TN-11", category="food", quantity="6", unit="basket"),
        client="41.0.0.2",
        consent_given=True,
        lang="fr",
    )
    assert sent.receipt_code and is_valid(compact(sent.receipt_code))
    found = look_up(db, sent.receipt_code, client="41.0.0.2", now=NOW)
    assert found.status == "submitted" and [s.done for s in found.steps] == [True, False, False, False, False, False]
    assert found.organisation_name is None  # no association has taken it yet

    pledge_id = rows(db, "SELECT record_id FROM public_receipts WHERE reference = ?", [sent.reference])[0][0]
    queues.accept_pledge(db, staff, pledge_id)
    donation = queues.receive_pledge(db, staff, pledge_id, received_on=dt.date(2026, 11, 22))
    assert donation_receipt_code(db, staff, donation) == sent.receipt_code
    _allocate(db, staff, donation, households[:2])

    # The pledge reference leads to the same trail.
    for typed in (sent.receipt_code, sent.reference.lower()):
        found = look_up(db, typed, client="41.0.0.2", now=NOW)
        assert found.code == sent.receipt_code
        assert [(s.key, s.done) for s in found.steps] == [
            ("pledged", True),
            ("accepted", True),
            ("received", True),
            ("allocated", True),
            ("delivered", False),
            ("confirmed", False),
        ]
        assert (found.households, found.organisation_name) == ("<5", "Association Reçu")
        assert PLEDGE["donor_name"] not in _trail_text(found) and "71 222 333" not in _trail_text(found)


def test_imported_donations_get_codes(campaign):
    import pandas as pd

    from data_layer.registry.imports import import_frame

    db, org, staff, _ = campaign
    frame = pd.DataFrame(
        [
            {
                "donor_name": "A",
                "donor_type": "individual",
                "kind": "in_kind",
                "category": "food",
                "item": "Colis",
                "quantity": "3",
                "unit": "basket",
                "value_tnd": "30",
                "governorate": "TN-11",
                "delegation": "",
                "received_on": "2026-11-20",
            }
        ]
        * 3
    )
    report = import_frame(db, staff, "donations", frame)
    assert report.imported == 3
    assert rows(db, "SELECT count(DISTINCT r.code) FROM donations d JOIN receipt_codes r ON r.donation_id = d.id") == [
        (3,)
    ]


# --- requests ----------------------------------------------------------------------------------------


def test_a_request_reference_tells_its_step_and_nothing_more(campaign):
    db, org, staff, _ = campaign
    sent = submit_aid_request(
        db, dict(REQUEST, governorate="TN-11", national_id="07999999"), client="41.0.0.3", consent_given=True, lang="ar"
    )
    assert look_up(db, sent.reference, client="41.0.0.3", now=NOW) == RequestStatus(sent.reference, "received")
    household = rows(db, "SELECT record_id FROM public_receipts WHERE reference = ?", [sent.reference])[0][0]
    queues.verify_request(db, staff, household)
    assert look_up(db, sent.reference, client="41.0.0.3", now=NOW).status == "verified"
    donation = _donate(db, staff, "5")
    _allocate(db, staff, donation, [household])
    assert look_up(db, sent.reference, client="41.0.0.3", now=NOW).status == "aid_planned"
    [delivery] = create_deliveries(db, staff, planned_on=dt.date(2026, 11, 25))
    advance_delivery(db, staff, delivery, "delivered")
    assert look_up(db, sent.reference, client="41.0.0.3", now=NOW).status == "delivered"

    # A repeat of the same ID reads "received", as a new request would, never the first one's status.
    repeat = submit_aid_request(
        db, dict(REQUEST, governorate="TN-11", national_id="07999999"), client="41.0.0.4", consent_given=True, lang="ar"
    )
    assert look_up(db, repeat.reference, client="41.0.0.4", now=NOW).status == "received"
    other = submit_aid_request(
        db, dict(REQUEST, governorate="TN-11", national_id="07999990"), client="41.0.0.5", consent_given=True, lang="ar"
    )
    refused = rows(db, "SELECT record_id FROM public_receipts WHERE reference = ?", [other.reference])[0][0]
    queues.reject_request(db, staff, refused, "Hors critères")
    assert look_up(db, other.reference, client="41.0.0.5", now=NOW).status == "closed"


# --- limits and bad input -----------------------------------------------------------------------------


def test_guessing_codes_is_throttled_per_client_and_a_miss_is_neutral(campaign):
    db, _, staff, _ = campaign
    real = donation_receipt_code(db, staff, _donate(db, staff, "3"))
    guesses = [c for c in new_codes(NOT_FOUND_DAILY_LIMIT + 1) if c != real]
    for guess in guesses[: NOT_FOUND_DAILY_LIMIT - 1]:
        assert look_up(db, guess, client="41.9.9.9", now=NOW) is None
    # An unknown request reference gets the same answer as an unknown code, and counts the same.
    assert look_up(db, "A-2345-6789", client="41.9.9.9", now=NOW) is None
    with pytest.raises(LookupLimited) as limited:
        look_up(db, real, client="41.9.9.9", now=NOW)  # even a real code, for the rest of the day
    assert limited.value.code == "receipt.error.limit_day"
    assert isinstance(look_up(db, real, client="41.9.9.8", now=NOW), DonationTrail)  # another client
    assert isinstance(look_up(db, real, client="41.9.9.9", now=NOW + dt.timedelta(days=1)), DonationTrail)
    assert rows(db, "SELECT count(*) FROM public_lookups WHERE client_key = '41.9.9.9'") == [(0,)]  # hashed


def test_many_lookups_in_an_hour_are_refused(campaign):
    db, _, staff, _ = campaign
    real = donation_receipt_code(db, staff, _donate(db, staff, "3"))
    for minute in range(LOOKUP_HOURLY_LIMIT):
        look_up(db, real, client="41.8.8.8", now=NOW + dt.timedelta(seconds=minute))
    with pytest.raises(LookupLimited) as limited:
        look_up(db, real, client="41.8.8.8", now=NOW + dt.timedelta(minutes=5))
    assert limited.value.code == "receipt.error.limit_hour"
    assert look_up(db, real, client="41.8.8.8", now=NOW + dt.timedelta(minutes=61)) is not None


@pytest.mark.parametrize("typed", ["", "   ", "hello", "7KQ2-M9XD-4HT", "A-ABCD-234", "Z-ABCD-2345"])
def test_malformed_input_is_refused_and_writes_nothing(campaign, typed):
    db = campaign[0]
    with pytest.raises(MalformedCode):
        look_up(db, typed, client="41.7.7.7", now=NOW)
    assert lookups(db) == 0


def test_a_mistyped_character_is_told_and_not_counted(campaign):
    db, _, staff, _ = campaign
    real = compact(donation_receipt_code(db, staff, _donate(db, staff, "3")))
    wrong = real[:-1] + ALPHABET[(ALPHABET.index(real[-1]) + 1) % 32]
    with pytest.raises(MalformedCode) as refused:
        look_up(db, wrong, client="41.7.7.7", now=NOW)
    assert refused.value.code == "receipt.error.check"
    assert lookups(db) == 0
