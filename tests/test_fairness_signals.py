"""Each signal fires on a planted case and stays silent on clean data; scoping follows the dashboard."""

from __future__ import annotations

import dataclasses

import pytest

from data_layer.core.actor import Actor
from data_layer.core.errors import PermissionDenied
from data_layer.distribution.allocation import save_allocations
from data_layer.distribution.limits import set_limit
from data_layer.monitoring.signals import SIGNALS, signal_list, signal_records, signal_summary
from data_layer.monitoring.thresholds import THRESHOLDS
from data_layer.store.database import Database
from tests.conftest import rebuild_facts_after_raw_sql
from tests.fairness_world import ORGANISER, association, campaign, household, need_of, stock

OBSERVER = Actor(user_id=None, username="observer", role="observer")
# Small thresholds, so a handful of literal rows can cross them.
SMALL = dataclasses.replace(
    THRESHOLDS,
    households_per_phone=3,
    households_per_address=3,
    registrations_per_delegation_day=3,
    registrations_per_account_hour=3,
    settle_days=0,
    min_allocations_for_ratio=2,
)


def clean_world(db: Database) -> dict:
    """Two households each of Bridge and Hope, one of Amal: own phones and addresses, three delegations,
    typed by five accounts; food allocated to every one (delivered slowly, by the `clean` fixture)."""
    campaign_id = campaign(db)
    orgs = [association(db, "BRIDGE"), association(db, "HOPE"), association(db, "AMAL")]
    for number, (staff, delegation) in enumerate(
        [
            (orgs[0], "Bab Souika"),
            (orgs[0], "La Marsa"),
            (orgs[1], "Bab Souika"),
            (orgs[1], "Le Bardo"),
            (orgs[2], "La Marsa"),
        ]
    ):
        user = 100 + number
        db.conn.execute(
            "INSERT INTO users (id, username, full_name, role, organisation_id, password_hash) "
            "VALUES (?, ?, 'Staff', 'association', ?, 'x')",
            [user, f"user{user}", staff.organisation_id],
        )
        typist = dataclasses.replace(staff, user_id=user)
        household(
            db,
            typist,
            f"0123456{number}",
            "food:1",
            phone=f"9800000{number}",
            address=f"{number} Rue",
            delegation=delegation,
        )
    for staff in orgs:
        line = stock(db, staff, "food", "10", "basket")
        ids = db.conn.execute(
            "SELECT n.id FROM needs n JOIN households h ON h.id = n.household_id WHERE h.organisation_id = ?",
            [staff.organisation_id],
        ).fetchall()
        save_allocations(
            db, staff, [{"donation_id": line, "need_id": i, "quantity": 1, "category_code": "food"} for (i,) in ids]
        )
    return {"db": db, "campaign": campaign_id, "orgs": orgs}


def deliver(db: Database, allocation_ids: list[int], minutes: int) -> None:
    """Put allocations on delivered deliveries that took `minutes` from planning to the doorstep."""
    for allocation_id in allocation_ids:
        household_id, org = db.conn.execute(
            "SELECT a.household_id, d.organisation_id FROM allocations a JOIN donations d ON d.id = a.donation_id "
            "WHERE a.id = ?",
            [allocation_id],
        ).fetchone()
        db.conn.execute(
            "INSERT INTO deliveries (id, household_id, organisation_id, status, created_at, delivered_at) VALUES "
            "(?, ?, ?, 'delivered', TIMESTAMP '2020-05-10 09:00:00', "
            "TIMESTAMP '2020-05-10 09:00:00' + CAST(? AS INTEGER) * INTERVAL '1 minute')",
            [allocation_id, household_id, org, minutes],
        )
        db.conn.execute(
            "UPDATE allocations SET status = 'delivered', delivery_id = ? WHERE id = ?", [allocation_id, allocation_id]
        )


@pytest.fixture
def clean(empty_db: Database) -> dict:
    world = clean_world(empty_db)
    deliver(empty_db, [a for (a,) in empty_db.conn.execute("SELECT id FROM allocations ORDER BY id").fetchall()], 180)
    rebuild_facts_after_raw_sql(empty_db)
    return world


def test_clean_data_raises_no_signal(clean) -> None:
    for signal in SIGNALS:
        assert signal_list(clean["db"], ORGANISER, signal, SMALL).empty, signal


def test_one_phone_and_one_address_behind_many_households(clean) -> None:
    db, staff = clean["db"], clean["orgs"][0]
    for number in range(3):
        household(
            db, staff, f"0999999{number}", "food:1", phone="98 111 222", address=f"  {'RUE' if number else 'rue'} 5 "
        )
    [phone] = signal_list(db, ORGANISER, "shared_phone", SMALL).to_dict("records")
    assert (phone["key"], phone["households"]) == ("+21698111222", 3)
    assert len(signal_records(db, ORGANISER, "shared_phone", phone)) == 3
    [address] = signal_list(db, ORGANISER, "shared_address", SMALL).to_dict("records")
    assert (address["key"], address["households"]) == ("rue 5", 3)
    # The other association's staff do not see these households, nor the group.
    assert signal_list(db, clean["orgs"][1], "shared_phone", SMALL).empty


def test_bursts_from_one_delegation_and_from_one_account(clean) -> None:
    db, staff = clean["db"], clean["orgs"][0]
    typist = dataclasses.replace(staff, user_id=100)
    for number in range(3):
        household(db, typist, f"0888888{number}", "food:1", delegation="Carthage")
    [burst] = signal_list(db, ORGANISER, "delegation_burst", SMALL).to_dict("records")
    assert (burst["delegation"], burst["households"]) == ("Carthage", 3)
    [account] = signal_list(db, ORGANISER, "account_burst", SMALL).to_dict("records")
    assert (account["username"], account["households"]) == ("user100", 4)
    assert len(signal_records(db, ORGANISER, "account_burst", account)) == 4


def test_an_association_far_from_the_others_in_deliveries(empty_db: Database) -> None:
    world = clean_world(empty_db)
    db, amal = world["db"], world["orgs"][2]
    delivered = db.conn.execute(
        "SELECT a.id FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE d.organisation_id <> ?",
        [amal.organisation_id],
    ).fetchall()
    deliver(db, [a for (a,) in delivered], 180)
    extra = household(db, amal, "07777777", "food:1", delegation="Le Bardo")
    line = db.conn.execute("SELECT id FROM donations WHERE organisation_id = ?", [amal.organisation_id]).fetchone()[0]
    save_allocations(
        db, amal, [{"donation_id": line, "need_id": need_of(db, extra, "food"), "quantity": 1, "category_code": "food"}]
    )
    rebuild_facts_after_raw_sql(db)
    [far] = signal_list(db, ORGANISER, "delivery_ratio", SMALL).to_dict("records")
    assert (far["organisation_id"], far["ratio"], far["median_ratio"]) == (amal.organisation_id, 0.0, 1.0)
    assert len(signal_records(db, amal, "delivery_ratio", far, SMALL)) == 2
    with pytest.raises(PermissionDenied):  # another association may not open Amal's allocations
        signal_records(db, world["orgs"][0], "delivery_ratio", far, SMALL)


def test_deliveries_confirmed_implausibly_fast(empty_db: Database) -> None:
    world = clean_world(empty_db)
    db = world["db"]
    first, *rest = [a for (a,) in db.conn.execute("SELECT id FROM allocations ORDER BY id").fetchall()]
    deliver(db, [first], 2)
    deliver(db, rest, 180)
    rebuild_facts_after_raw_sql(db)
    [fast] = signal_list(db, ORGANISER, "fast_delivery", SMALL).to_dict("records")
    assert (fast["delivery_id"], fast["minutes"]) == (first, 2)


def test_households_served_above_their_limit(clean) -> None:
    db = clean["db"]
    set_limit(db, ORGANISER, clean["campaign"], "food", {"period_days": 14, "max_times": 1})
    salma = db.conn.execute("SELECT min(id) FROM households").fetchone()[0]
    new_need = db.conn.execute("SELECT max(id) + 1 FROM needs").fetchone()[0]
    db.conn.execute(
        "INSERT INTO needs (id, household_id, category_code, quantity, unit) VALUES (?, ?, 'food', 1, 'basket')",
        [new_need, salma],
    )
    rebuild_facts_after_raw_sql(db)
    line = db.conn.execute("SELECT min(id) FROM donations").fetchone()[0]
    save_allocations(
        db,
        ORGANISER,
        [{"donation_id": line, "need_id": new_need, "quantity": 1, "category_code": "food"}],
        override_reason="Fire at home",
    )
    [above] = signal_list(db, ORGANISER, "above_limit", SMALL).to_dict("records")
    assert (above["household_id"], above["times"], above["max_times"]) == (salma, 2, 1)
    assert len(signal_records(db, ORGANISER, "above_limit", above)) == 2


def test_observers_get_counts_only_with_small_counts_hidden(clean) -> None:
    db, staff = clean["db"], clean["orgs"][0]
    for number in range(3):
        household(db, staff, f"0999999{number}", "food:1", phone="98 111 222")
    with pytest.raises(PermissionDenied):
        signal_list(db, OBSERVER, "shared_phone", SMALL)
    summary = signal_summary(db, OBSERVER, SMALL)
    assert summary[summary["signal"] == "shared_phone"][["groups", "records"]].values.tolist() == [["<5", "<5"]]
    assert signal_summary(db, ORGANISER, SMALL).query("signal == 'shared_phone'")["records"].tolist() == [3]
