"""The fairness facts (migration 0140) follow single audited writes, without a rebuild.

The `empty_db` fixture also ends each test by comparing every fact table with a recomputation
from the base tables (tests/conftest.py); these tests check the figures the views read in between.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from data_layer.distribution.allocation import cancel_allocation, save_allocations
from data_layer.monitoring.baskets import flows
from data_layer.monitoring.facts import facts_drift
from data_layer.monitoring.signals import delivery_ratios, signal_list
from data_layer.monitoring.thresholds import THRESHOLDS
from data_layer.registry.households import set_household_status, update_household
from data_layer.store.database import Database
from tests.conftest import rebuild_facts_after_raw_sql
from tests.fairness_world import ORGANISER, association, campaign, household, need_of, stock

THREE = dataclasses.replace(THRESHOLDS, households_per_phone=3, households_per_address=3)


def edit(db: Database, staff, household_id: int, national_id: str, **fields) -> None:
    raw = {
        "national_id": national_id,
        "full_name": f"Person {national_id}",
        "governorate": "TN-11",
        "household_size": 3,
    }
    update_household(db, staff, household_id, {**raw, **fields})


def shared_phones(db: Database) -> list[tuple[str, int]]:
    frame = signal_list(db, ORGANISER, "shared_phone", THREE)
    return list(zip(frame["key"], frame["households"].tolist()))


def test_a_phone_count_follows_edits_and_status(empty_db: Database) -> None:
    db = empty_db
    campaign(db)
    staff = association(db, "BRIDGE")
    ids = [household(db, staff, f"0555555{n}", "food:1", phone="98 111 222") for n in range(3)]
    assert shared_phones(db) == [("+21698111222", 3)]
    edit(db, staff, ids[2], "05555552", phone="98 333 444")  # one moves away: two left, under the threshold
    assert shared_phones(db) == []
    edit(db, staff, ids[2], "05555552", phone="98 111 222")  # and back
    assert shared_phones(db) == [("+21698111222", 3)]
    set_household_status(db, staff, ids[1], "inactive")  # out of play: no longer counted
    assert shared_phones(db) == []
    assert set(facts_drift(db).values()) == {0}


def test_basket_flows_follow_allocations_and_a_move(empty_db: Database) -> None:
    db = empty_db
    campaign_id = campaign(db)
    staff = association(db, "BRIDGE")
    salma = household(db, staff, "01234567", "food:2")
    line = stock(db, staff, "food", "10", "basket")

    def needs_rows() -> list[tuple]:
        frame = flows(db, campaign_id)
        frame = frame[frame["needs"] + frame["allocated"] > 0]
        return list(frame[["governorate_code", "households", "needs", "allocated"]].itertuples(index=False, name=None))

    assert needs_rows() == [("TN-11", 1, 2.0, 0.0)]
    [allocation] = save_allocations(
        db,
        staff,
        [{"donation_id": line, "need_id": need_of(db, salma, "food"), "quantity": 1, "category_code": "food"}],
    )
    assert needs_rows() == [("TN-11", 1, 2.0, 1.0)]
    cancel_allocation(db, staff, allocation, "Moved away")
    assert needs_rows() == [("TN-11", 1, 2.0, 0.0)]
    edit(db, staff, salma, "01234567", governorate="TN-61")  # the household's row moves to Sfax whole
    assert needs_rows() == [("TN-61", 1, 2.0, 0.0)]
    set_household_status(db, staff, salma, "inactive")
    assert flows(db, campaign_id)[["governorate_code", "households", "needs"]].values.tolist() == [
        ["TN-11", 0, 0.0],  # the stock line's row
        ["TN-61", 0, 0.0],
    ]
    assert set(facts_drift(db).values()) == {0}


def test_an_allocation_counts_as_settled_from_its_seventh_date_on(empty_db: Database) -> None:
    db = empty_db
    campaign(db)
    staff = association(db, "BRIDGE")
    salma = household(db, staff, "01234567", "food:2")
    line = stock(db, staff, "food", "10", "basket")
    save_allocations(
        db,
        staff,
        [{"donation_id": line, "need_id": need_of(db, salma, "food"), "quantity": 1, "category_code": "food"}],
    )
    db.conn.execute("UPDATE allocations SET created_at = TIMESTAMP '2020-05-10 23:59:00'")
    rebuild_facts_after_raw_sql(db)

    def settled(as_of: str) -> list[int]:
        return delivery_ratios(db, THRESHOLDS, dt.datetime.fromisoformat(as_of))["allocations"].tolist()

    assert settled("2020-05-16 23:59:00") == []  # six dates on: not yet settled
    assert settled("2020-05-17 00:01:00") == [1]  # seven dates on, though barely six days
