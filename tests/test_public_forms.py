"""Public submissions in the data layer: stored as 'submitted', refused with messages, neutral on repeats."""

from __future__ import annotations

import datetime as dt

import pytest

from data_layer.core.errors import ValidationError
from data_layer.public.forms import submit_aid_request, submit_pledge, submit_volunteer_offer
from data_layer.public.ratelimit import (
    CLIENT_DAILY_LIMIT,
    SUBJECT_DAILY_LIMIT,
    RateLimited,
    client_address,
    trusted_proxies,
)
from ui.captcha import captcha_matches

REQUEST = {
    "national_id": "07123456",
    "full_name": "Salma Trabelsi",
    "phone": "+216 98 765 432",
    "governorate": "Sfax",
    "delegation": "Sakiet Ezzit",
    "address": "Route de Tunis km 5",
    "household_size": 5,
    "vulnerabilities": ["lost_income"],
    "needs": [{"category": "food", "quantity": 2}],
}
VOLUNTEER = {
    "full_name": "Youssef Gharbi",
    "phone": "22 333 444",
    "governorate": "TN-11",
    "services": ["transport"],
    "vehicle": "car",
    "available_from": "2026-12-01",
    "available_to": "2026-12-20",
}
PLEDGE = {
    "donor_name": "Épicerie Ben Ammar",
    "donor_type": "company",
    "phone": "71 222 333",
    "category": "cash",
    "quantity": "250",
    "unit": "TND",
    "governorate": "Nabeul",
}


def count(db, sql: str) -> int:
    cur = db.cursor()
    try:
        return cur.execute(sql).fetchone()[0]
    finally:
        cur.close()


def test_request_is_stored_submitted_with_consent_and_needs(db):
    receipt = submit_aid_request(db, REQUEST, client="41.226.1.1", consent_given=True, lang="ar")
    cur = db.cursor()
    row = cur.execute(
        "SELECT h.id, h.status, h.source, h.organisation_id, h.governorate_code, h.phone "
        "FROM households h JOIN public_receipts r ON r.record_id = h.id AND r.kind = 'request' "
        "WHERE r.reference = ?",
        [receipt.reference],
    ).fetchone()
    assert row[1:] == ("submitted", "self", None, "TN-61", "+21698765432")
    assert cur.execute(
        "SELECT category_code, quantity, status FROM needs WHERE household_id = ?", [row[0]]
    ).fetchall() == [("food", 2, "open")]
    assert cur.execute(
        "SELECT subject_table, lang FROM consents WHERE receipt_reference = ?", [receipt.reference]
    ).fetchall() == [("households", "ar")]
    assert cur.execute(
        "SELECT username, action FROM audit_log WHERE table_name = 'households' AND record_id = ?", [row[0]]
    ).fetchall() == [("public", "insert")]
    cur.close()
    assert receipt.reference[0] == "A" and len(receipt.reference) == 11


@pytest.mark.parametrize(
    ("submit", "raw", "table"),
    [
        (submit_aid_request, REQUEST, "households"),
        (submit_volunteer_offer, VOLUNTEER, "volunteers"),
        (submit_pledge, PLEDGE, "pledges"),
    ],
)
def test_bad_input_is_refused_with_messages_and_no_row(db, submit, raw, table):
    before = count(db, f"SELECT count(*) FROM {table}")
    bad = dict(raw, phone="12", governorate="Atlantis", full_name="x" * 121, donor_name="x" * 161)
    with pytest.raises(ValidationError) as refused:
        submit(db, bad, client="c", consent_given=False, lang="fr")
    fields = {e.field: e.code for e in refused.value.errors}
    assert fields["phone"] == "error.phone"
    assert fields["governorate"] == "error.governorate"
    assert fields["consent"] == "public.error.consent_required"
    assert fields.get("full_name", fields.get("donor_name")) == "error.too_long"
    assert count(db, f"SELECT count(*) FROM {table}") == before
    assert count(db, "SELECT count(*) FROM public_submissions") == 0


def test_request_without_needs_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        submit_aid_request(db, dict(REQUEST, needs=[]), client="c", consent_given=True, lang="en")
    assert [(e.field, e.code) for e in refused.value.errors] == [("needs", "public.error.need_required")]


def test_volunteer_and_pledge_are_stored_submitted(db):
    volunteer = submit_volunteer_offer(db, VOLUNTEER, client="c", consent_given=True, lang="fr")
    pledge = submit_pledge(db, PLEDGE, client="c", consent_given=True, lang="en")
    cur = db.cursor()
    assert cur.execute(
        "SELECT v.status, v.organisation_id, v.vehicle FROM volunteers v JOIN public_receipts r "
        "ON r.record_id = v.id AND r.kind = 'volunteer' WHERE r.reference = ?",
        [volunteer.reference],
    ).fetchone() == ("submitted", None, "car")
    assert cur.execute(
        "SELECT p.status, p.category_code, CAST(p.quantity AS DOUBLE PRECISION), p.unit, p.governorate_code "
        "FROM pledges p JOIN public_receipts r ON r.record_id = p.id AND r.kind = 'pledge' "
        "WHERE r.reference = ?",
        [pledge.reference],
    ).fetchone() == ("submitted", "cash", 250.0, "TND", "TN-21")
    cur.close()


def test_repeat_national_id_gets_neutral_receipt_and_is_reported(db):
    cur = db.cursor()
    known_id, known_household = cur.execute("SELECT national_id, id FROM households ORDER BY id LIMIT 1").fetchone()
    households_before = cur.execute("SELECT count(*) FROM households").fetchone()[0]
    cur.close()
    receipt = submit_aid_request(db, dict(REQUEST, national_id=known_id), client="c", consent_given=True, lang="ar")
    assert receipt.kind == "request" and receipt.reference[0] == "A"  # the same shape as a new request's
    cur = db.cursor()
    assert cur.execute("SELECT count(*) FROM households").fetchone()[0] == households_before
    assert cur.execute(
        "SELECT existing_household_id, source, status FROM duplicate_reports WHERE national_id = ?", [known_id]
    ).fetchall() == [(known_household, "self", "open")]
    assert cur.execute(
        "SELECT record_id IS NULL, duplicate_report_id IS NOT NULL FROM public_receipts WHERE reference = ?",
        [receipt.reference],
    ).fetchone() == (True, True)
    cur.close()


def test_eleventh_submission_from_one_client_is_refused(db):
    for number in range(CLIENT_DAILY_LIMIT):
        submit_pledge(db, dict(PLEDGE, phone=f"5{number:07d}"), client="197.0.0.9", consent_given=True, lang="ar")
    with pytest.raises(RateLimited) as refused:
        submit_pledge(db, dict(PLEDGE, phone="59999999"), client="197.0.0.9", consent_given=True, lang="ar")
    assert refused.value.code == "public.error.limit_client"
    assert count(db, "SELECT count(*) FROM pledges") == CLIENT_DAILY_LIMIT
    # Another client, and the same client the next day, are not affected.
    submit_pledge(db, dict(PLEDGE, phone="59999999"), client="197.0.0.10", consent_given=True, lang="ar")
    tomorrow = dt.datetime.now() + dt.timedelta(days=1)
    submit_pledge(db, dict(PLEDGE, phone="59999998"), client="197.0.0.9", consent_given=True, lang="ar", now=tomorrow)
    assert count(db, "SELECT count(*) FROM pledges") == CLIENT_DAILY_LIMIT + 2


def test_same_phone_is_limited_per_day_across_clients(db):
    for number in range(SUBJECT_DAILY_LIMIT):
        submit_volunteer_offer(db, VOLUNTEER, client=f"client-{number}", consent_given=True, lang="fr")
    with pytest.raises(RateLimited) as refused:
        submit_volunteer_offer(db, VOLUNTEER, client="client-x", consent_given=True, lang="fr")
    assert refused.value.code == "public.error.limit_subject"
    assert count(db, "SELECT count(*) FROM public_submissions WHERE client_key LIKE '%.%'") == 0  # hashes only


def test_captcha_check_is_case_insensitive_and_refuses_blank_or_wrong():
    assert captcha_matches("AB3K9", "ab3k9")
    assert captcha_matches("AB3K9", " AB3 K9 ")
    assert not captcha_matches("AB3K9", "AB3K8")
    assert not captcha_matches("AB3K9", "")
    assert not captcha_matches(None, "AB3K9")


LOOPBACK_PROXY = trusted_proxies("127.0.0.1/32,::1/128")


@pytest.mark.parametrize(
    "peer, forwarded, expected",
    [
        (None, "203.0.113.9", "203.0.113.9"),  # the proxy on loopback says who connected
        ("127.0.0.1", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the visitor wrote 1.2.3.4 itself
        ("127.0.0.1", "203.0.113.9, 127.0.0.1", "203.0.113.9"),  # two proxies: skip the trusted one
        ("198.51.100.7", "1.2.3.4", "198.51.100.7"),  # not from a trusted proxy: the header is ignored
        ("127.0.0.1", None, "127.0.0.1"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_the_client_is_the_right_most_address_no_trusted_proxy_wrote(peer, forwarded, expected):
    assert client_address(peer, forwarded, LOOPBACK_PROXY) == expected


def test_forged_forwarded_headers_do_not_lift_the_daily_limit(db):
    # Behind the proxy every request arrives from loopback with the visitor's address appended;
    # a visitor who writes a new address of their own each time is still one client.
    for number in range(CLIENT_DAILY_LIMIT):
        client = client_address(None, f"10.{number}.0.1, 203.0.113.9", LOOPBACK_PROXY)
        submit_pledge(db, dict(PLEDGE, phone=f"5{number:07d}"), client=client, consent_given=True, lang="ar")
    forged = client_address(None, "8.8.8.8, 203.0.113.9", LOOPBACK_PROXY)
    with pytest.raises(RateLimited):
        submit_pledge(db, dict(PLEDGE, phone="59999999"), client=forged, consent_given=True, lang="ar")
    other = client_address(None, "8.8.8.8, 203.0.113.10", LOOPBACK_PROXY)
    submit_pledge(db, dict(PLEDGE, phone="59999999"), client=other, consent_given=True, lang="ar")


def test_trusted_proxies_come_from_the_setting(monkeypatch):
    monkeypatch.setenv("JESR_TRUSTED_PROXIES", "10.0.0.0/8")
    assert client_address("10.1.2.3", "203.0.113.9", trusted_proxies()) == "203.0.113.9"
    assert client_address("127.0.0.1", "203.0.113.9", trusted_proxies()) == "127.0.0.1"
