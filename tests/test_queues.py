"""Verification queues: governorate scoping, verify/reject/merge, pledges to donations, all audited."""

from __future__ import annotations

import datetime as dt

import pytest

from data_layer.core.errors import PermissionDenied, ValidationError
from data_layer.distribution.allocation import list_open_needs
from data_layer.public import queues
from data_layer.public.forms import submit_aid_request, submit_pledge, submit_volunteer_offer
from data_layer.registry.identity import national_id_key
from tests.test_public_forms import PLEDGE, REQUEST, VOLUNTEER


def request_in(db, governorate: str, national_id: str) -> int:
    receipt = submit_aid_request(
        db,
        dict(REQUEST, governorate=governorate, national_id=national_id),
        client=national_id,
        consent_given=True,
        lang="ar",
    )
    cur = db.cursor()
    try:
        return cur.execute("SELECT record_id FROM public_receipts WHERE reference = ?", [receipt.reference]).fetchone()[
            0
        ]
    finally:
        cur.close()


def test_association_sees_only_its_governorates(db, actors):
    tunis = request_in(db, "TN-11", "01000001")
    sfax = request_in(db, "TN-61", "01000002")
    submit_volunteer_offer(db, dict(VOLUNTEER, governorate="TN-61"), client="v", consent_given=True, lang="ar")
    submit_pledge(db, dict(PLEDGE, governorate="TN-11"), client="p", consent_given=True, lang="ar")
    assert list(queues.list_request_queue(db, actors["atss"])["id"]) == [tunis]
    assert list(queues.list_request_queue(db, actors["amal"])["id"]) == [sfax]
    assert len(queues.list_volunteer_queue(db, actors["atss"])) == 0
    assert len(queues.list_volunteer_queue(db, actors["amal"])) == 1
    assert len(queues.list_pledge_queue(db, actors["atss"])) == 1
    assert len(queues.list_pledge_queue(db, actors["amal"])) == 0
    assert set(queues.list_request_queue(db, actors["organiser"])["id"]) == {tunis, sfax}
    with pytest.raises(PermissionDenied):
        queues.verify_request(db, actors["amal"], tunis)
    with pytest.raises(PermissionDenied):
        queues.list_request_queue(db, actors["observer"])


def test_verified_request_becomes_household_visible_to_allocation(db, actors):
    household_id = request_in(db, "TN-11", "01000003")
    assert household_id not in set(list_open_needs(db, actors["atss"])["household_id"])
    queues.verify_request(db, actors["atss"], household_id)
    cur = db.cursor()
    assert cur.execute("SELECT status, organisation_id FROM households WHERE id = ?", [household_id]).fetchone() == (
        "verified",
        actors["atss"].organisation_id,
    )
    assert cur.execute("SELECT status FROM needs WHERE household_id = ?", [household_id]).fetchall() == [("open",)]
    assert cur.execute(
        "SELECT decision, organisation_id FROM queue_reviews WHERE subject_id = ?", [household_id]
    ).fetchall() == [("verified", actors["atss"].organisation_id)]
    assert cur.execute(
        "SELECT username FROM audit_log WHERE action = 'verify' AND record_id = ?", [household_id]
    ).fetchall() == [("atss",)]
    cur.close()
    assert household_id in set(list_open_needs(db, actors["atss"])["household_id"])
    assert len(queues.list_request_queue(db, actors["atss"])) == 0
    with pytest.raises(queues.AlreadyReviewed):
        queues.verify_request(db, actors["organiser"], household_id)


def test_reject_needs_a_reason_and_cancels_needs(db, actors):
    household_id = request_in(db, "TN-61", "01000004")
    with pytest.raises(ValidationError):
        queues.reject_request(db, actors["amal"], household_id, "  ")
    queues.reject_request(db, actors["amal"], household_id, "Address outside Sfax; please ask in Gabès")
    cur = db.cursor()
    assert cur.execute("SELECT status FROM households WHERE id = ?", [household_id]).fetchone() == ("rejected",)
    assert cur.execute("SELECT status FROM needs WHERE household_id = ?", [household_id]).fetchall() == [("cancelled",)]
    assert cur.execute(
        "SELECT reason FROM queue_reviews WHERE subject_id = ? AND decision = 'rejected'", [household_id]
    ).fetchone() == ("Address outside Sfax; please ask in Gabès",)
    cur.close()


def test_merge_adds_missing_needs_to_the_registered_household(db, actors):
    cur = db.cursor()
    target, national_id, governorate = cur.execute(
        "SELECT h.id, h.national_id, h.governorate_code FROM households h WHERE h.governorate_code = 'TN-11' "
        "AND NOT EXISTS (SELECT 1 FROM needs n WHERE n.household_id = h.id AND n.category_code = 'medicine' "
        "AND n.status = 'open') ORDER BY h.id LIMIT 1"
    ).fetchone()
    cur.close()
    # A repeat ID on the public form gets no record; a staff-side submitted duplicate is merged instead.
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO households (national_id, national_id_key, full_name, governorate_code, household_size, "
            "source, status) VALUES (?, ?, 'Repeat', ?, 3, 'self', 'submitted')",
            [national_id, national_id_key(national_id), governorate],
        )
        request = tx.execute("SELECT max(id) FROM households").fetchone()[0]
        tx.execute(
            "INSERT INTO needs (household_id, category_code, quantity, unit) VALUES (?, 'medicine', 2, 'box')",
            [request],
        )
    assert list(queues.merge_candidates(db, actors["atss"], request)["id"]) == [target]
    queues.merge_request(db, actors["atss"], request, target)
    cur = db.cursor()
    assert cur.execute("SELECT status FROM households WHERE id = ?", [request]).fetchone() == ("merged",)
    assert cur.execute(
        "SELECT CAST(quantity AS INTEGER), status FROM needs WHERE household_id = ? "
        "AND category_code = 'medicine' AND status = 'open'",
        [target],
    ).fetchall() == [(2, "open")]
    cur.close()


def test_pledge_accepted_then_received_becomes_a_donation(db, actors):
    submit_pledge(
        db,
        dict(
            PLEDGE,
            governorate="TN-61",
            delegation="Sakiet Ezzit",
            category="food",
            quantity="30",
            unit="kg",
            item="Semoule",
        ),
        client="p",
        consent_given=True,
        lang="fr",
    )
    pledge_id = int(queues.list_pledge_queue(db, actors["amal"])["id"][0])
    queues.accept_pledge(db, actors["amal"], pledge_id)
    with pytest.raises(PermissionDenied):
        queues.receive_pledge(db, actors["atss"], pledge_id, received_on=dt.date(2026, 11, 20))
    donation_id = queues.receive_pledge(db, actors["amal"], pledge_id, received_on=dt.date(2026, 11, 20), quantity="25")
    cur = db.cursor()
    # The goods are held where they were pledged, down to the delegation.
    assert cur.execute(
        "SELECT organisation_id, category_code, CAST(quantity AS INTEGER), unit, governorate_code, "
        "delegation, status FROM donations WHERE id = ?",
        [donation_id],
    ).fetchone() == (actors["amal"].organisation_id, "food", 25, "kg", "TN-61", "Sakiet Ezzit", "received")
    assert cur.execute("SELECT status, donation_id FROM pledges WHERE id = ?", [pledge_id]).fetchone() == (
        "received",
        donation_id,
    )
    cur.close()


def test_organiser_summary_counts_waiting_and_repeats(db, actors):
    request_in(db, "TN-61", "01000005")
    request_in(db, "TN-61", "01000006")
    cur = db.cursor()
    known = cur.execute(
        "SELECT national_id, governorate_code FROM households WHERE governorate_code = 'TN-12' ORDER BY id LIMIT 1"
    ).fetchone()
    cur.close()
    submit_aid_request(db, dict(REQUEST, national_id=known[0]), client="r", consent_given=True, lang="ar")
    now = dt.datetime.now() + dt.timedelta(hours=5)
    summary = queues.queue_summary(db, actors["organiser"], now=now).set_index("governorate_code")
    assert summary.loc["TN-61", "requests"] == 2
    assert summary.loc["TN-61", "oldest_waiting_hours"] >= 4.9
    assert summary.loc["TN-12", "repeats"] == 1
    assert len(summary) == 24
    assert set(queues.queue_summary(db, actors["amal"])["governorate_code"]) == {"TN-61", "TN-53", "TN-81"}
