"""Field operations on a real database: routes within capacity in address order, open work claimed
by exactly one volunteer, pick-ups confirmed by code, failed deliveries re-planned."""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd
import pytest

from data_layer.core.actor import Actor
from data_layer.core.errors import ConflictError, JesrError, PermissionDenied
from data_layer.distribution.allocation import save_allocations
from data_layer.distribution.claims import claim_delivery, open_work
from data_layer.distribution.deliveries import advance_delivery, create_deliveries
from data_layer.distribution.pickup import add_point, confirm_pickup, plan_pickups, point_pickups, set_handover
from data_layer.distribution.reschedule import (
    count_to_reschedule,
    delivery_history,
    list_to_reschedule,
    replan_delivery,
)
from data_layer.distribution.routes import build_route, in_route_order, natural_key, route_positions
from data_layer.ops.bootstrap import open_database
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.store.database import Database
from tests.conftest import ON_POSTGRES, rebuild_facts_after_raw_sql

DAY = dt.date(2020, 5, 17)  # the demo volunteer (on foot: 3 a day) carries nothing that day
# Five households of ATSS in Tunis: four in Bab Souika (addresses out of order), one in El Menzah.
HOUSEHOLDS = [
    ("91000001", "Salma Ben Ali", "Bab Souika", "نهج 10"),
    ("91000002", "Hedi Trabelsi", "Bab Souika", "نهج 2"),
    ("91000003", "Amel Gharbi", "Bab Souika", "نهج 30"),
    ("91000004", "Nabil Jaziri", "Bab Souika", "نهج 9"),
    ("91000005", "Rim Saidi", "El Menzah", "نهج 1"),
]


def _one(db: Database, sql: str, params: object = None) -> object:
    return db.conn.execute(sql, params or []).fetchall()[0][0]


@pytest.fixture
def field(db: Database, actors: dict[str, Actor]) -> dict[str, object]:
    """The five households, each with one piece of clothes allocated from one donation, on a
    planned delivery nobody carries yet; returns their delivery ids by national ID."""
    atss = actors["atss"]
    donation = register_donation(
        db,
        atss,
        {
            "donor_type": "individual",
            "donor_name": "Donor",
            "category": "clothes",
            "kind": "in_kind",
            "item": "Coats",
            "quantity": "20",
            "unit": "piece",
            "governorate": "TN-11",
            "received_on": dt.date(2020, 5, 10),
        },
    )
    households = {}
    for national_id, name, delegation, address in HOUSEHOLDS:
        households[national_id] = register_household(
            db,
            atss,
            {
                "national_id": national_id,
                "full_name": name,
                "phone": "+21650000" + national_id[-3:],
                "governorate": "TN-11",
                "delegation": delegation,
                "address": address,
                "household_size": 3,
                "vulnerabilities": "",
                "needs": "clothes:1",
            },
        )
    needs = dict(
        db.conn.execute(
            "SELECT household_id, id FROM needs WHERE list_contains(?, household_id)", [list(households.values())]
        ).fetchall()
    )
    save_allocations(
        db,
        atss,
        [
            {"donation_id": donation, "need_id": needs[h], "quantity": 1, "category_code": "clothes"}
            for h in households.values()
        ],
    )
    create_deliveries(db, atss, governorate_code="TN-11")
    deliveries = {
        national_id: int(_one(db, "SELECT id FROM deliveries WHERE household_id = ?", [household_id]))
        for national_id, household_id in households.items()
    }
    return {"donation": donation, "households": households, "deliveries": deliveries}


def _status(db: Database, delivery_id: int) -> tuple:
    return db.conn.execute(
        "SELECT status, volunteer_id, planned_on FROM deliveries WHERE id = ?", [delivery_id]
    ).fetchall()[0]


def test_addresses_sort_as_a_person_reads_them() -> None:
    assert sorted(["نهج 10", "نهج 9", "نهج 2"], key=natural_key) == ["نهج 2", "نهج 9", "نهج 10"]


def test_a_route_of_one_delegation_takes_what_the_vehicle_carries_in_address_order(db, actors, field) -> None:
    organiser, volunteer = actors["organiser"], actors["volunteer"]
    d = field["deliveries"]
    route_id = build_route(
        db, organiser, governorate_code="TN-11", delegation="Bab Souika", volunteer_id=volunteer.volunteer_id, day=DAY
    )
    stops = db.conn.execute(
        "SELECT delivery_id FROM route_stops WHERE route_id = ? ORDER BY stop_order", [route_id]
    ).fetchall()
    # On foot: three stops, نهج 2, 9, 10; نهج 30 and El Menzah wait.
    assert [s for (s,) in stops] == [d["91000002"], d["91000004"], d["91000001"]]
    assert _status(db, d["91000002"]) == ("planned", volunteer.volunteer_id, DAY)
    assert _status(db, d["91000003"])[1] is None and _status(db, d["91000005"])[1] is None
    positions = route_positions(db, volunteer)
    assert set(positions["delivery_id"]) >= {d["91000002"], d["91000004"], d["91000001"]}
    # The vehicle is full that day: a second route is refused and nothing changes.
    routes_before = _one(db, "SELECT count(*) FROM routes")
    with pytest.raises(JesrError) as refused:
        build_route(
            db,
            organiser,
            governorate_code="TN-11",
            delegation="Bab Souika",
            volunteer_id=volunteer.volunteer_id,
            day=DAY,
        )
    assert refused.value.code == "fieldops.error.capacity"
    assert _one(db, "SELECT count(*) FROM routes") == routes_before
    assert _status(db, d["91000003"])[1] is None


def test_chosen_stops_beyond_the_room_left_are_refused_whole(db, actors, field) -> None:
    d = field["deliveries"]
    chosen = [d[n] for n in ("91000001", "91000002", "91000003", "91000004")]
    with pytest.raises(JesrError) as refused:
        build_route(
            db,
            actors["organiser"],
            governorate_code="TN-11",
            delegation="Bab Souika",
            volunteer_id=actors["volunteer"].volunteer_id,
            day=DAY,
            delivery_ids=chosen,
        )
    assert (refused.value.code, refused.value.params) == ("fieldops.error.capacity", {"capacity": 3, "room": 3})
    assert _one(db, "SELECT count(*) FROM routes") == 0
    assert all(_status(db, i)[1] is None for i in chosen)


def test_the_volunteers_list_follows_the_route(db, actors, field) -> None:
    from data_layer.distribution.deliveries import list_deliveries

    volunteer = actors["volunteer"]
    build_route(
        db,
        actors["organiser"],
        governorate_code="TN-11",
        delegation="Bab Souika",
        volunteer_id=volunteer.volunteer_id,
        day=DAY,
    )
    ordered = in_route_order(list_deliveries(db, volunteer), route_positions(db, volunteer))
    d = field["deliveries"]
    routed = ordered[ordered["route_id"].notna()]
    assert list(routed["delivery_id"]) == [d["91000002"], d["91000004"], d["91000001"]]
    assert list(routed["stop_order"]) == [1, 2, 3]
    assert {pd.Timestamp(d).date() for d in routed["route_day"]} == {DAY}
    assert list(routed["address"]) == ["نهج 2", "نهج 9", "نهج 10"]


def _second_volunteer(db: Database) -> Actor:
    with db.transaction() as cur:
        [(volunteer_id,)] = cur.execute(
            "INSERT INTO volunteers (full_name, phone, governorate_code, delegation, offers_transport,"
            " offers_distribution, vehicle, available_from, available_to, organisation_id)"
            " VALUES ('Sami Khelifi', '+21698000111', 'TN-11', 'Bab Souika', true, false, 'car',"
            " DATE '2020-05-15', DATE '2020-05-30', 3) RETURNING id"
        ).fetchall()
    return Actor(user_id=None, username="sami", role="volunteer", volunteer_id=int(volunteer_id))


def test_open_work_shows_covered_delegations_without_personal_data(db, actors, field) -> None:
    sami = _second_volunteer(db)
    work = open_work(db, sami, today=dt.date(2020, 5, 15))
    d = field["deliveries"]
    # Sami covers Bab Souika only; the demo volunteer (no delegation) the whole governorate.
    assert set(work["delivery_id"]) == {d[n] for n in ("91000001", "91000002", "91000003", "91000004")}
    assert {"full_name", "address", "phone"}.isdisjoint(work.columns)
    assert d["91000005"] in set(open_work(db, actors["volunteer"], today=dt.date(2020, 5, 15))["delivery_id"])
    with pytest.raises(PermissionDenied):
        claim_delivery(db, sami, d["91000005"], day=DAY)


def test_two_volunteers_claiming_one_delivery_at_once_one_wins(db, db_path, actors, field) -> None:
    sami = _second_volunteer(db)
    volunteer = actors["volunteer"]
    delivery_id = field["deliveries"]["91000003"]
    # On PostgreSQL each claimant has a pool of its own, as two app servers would.
    other = open_database(db_path) if ON_POSTGRES else db
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def claim(name: str, database: Database, actor: Actor) -> None:
        start.wait()
        try:
            outcomes[name] = claim_delivery(database, actor, delivery_id, day=DAY)
        except JesrError as exc:
            outcomes[name] = exc

    try:
        threads = [
            threading.Thread(target=claim, args=("volunteer", db, volunteer)),
            threading.Thread(target=claim, args=("sami", other, sami)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        if other is not db:
            other.close()
    winners = [name for name, outcome in outcomes.items() if outcome == DAY]
    losers = [outcome for outcome in outcomes.values() if isinstance(outcome, JesrError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert losers[0].code == "fieldops.error.already_claimed" or isinstance(losers[0], ConflictError)
    winner = volunteer if winners == ["volunteer"] else sami
    assert _status(db, delivery_id) == ("planned", winner.volunteer_id, DAY)
    assert (
        _one(
            db,
            "SELECT count(*) FROM audit_log WHERE table_name = 'deliveries' AND action = 'claim' AND record_id = ?",
            [delivery_id],
        )
        == 1
    )


def test_a_claim_beyond_the_vehicle_is_refused(db, actors, field) -> None:
    volunteer = actors["volunteer"]
    d = field["deliveries"]
    for national_id in ("91000001", "91000002", "91000003"):
        claim_delivery(db, volunteer, d[national_id], day=DAY)
    with pytest.raises(JesrError) as refused:
        claim_delivery(db, volunteer, d["91000004"], day=DAY)
    assert refused.value.code == "fieldops.error.capacity"
    assert _status(db, d["91000004"])[1] is None


def test_a_pickup_at_the_point_is_confirmed_with_the_household_code(db, actors, field) -> None:
    atss = actors["atss"]
    point = add_point(
        db,
        atss,
        name="Local ATSS Bab Souika",
        governorate_code="TN-11",
        opening_days=[3, 6],
        address="نهج الجزيرة 5",
        opening_hours="9:00–13:00",
    )
    household = field["households"]["91000005"]
    delivery_id = field["deliveries"]["91000005"]
    set_handover(db, atss, household, "pickup", point)
    assert plan_pickups(db, atss, today=dt.date(2020, 5, 18)) == [delivery_id]  # Monday -> Wednesday 20
    assert _status(db, delivery_id) == ("planned", None, dt.date(2020, 5, 20))
    due = point_pickups(db, atss, point)
    assert list(due["delivery_id"]) == [delivery_id] and list(due["full_name"]) == ["Rim Saidi"]
    code = str(_one(db, "SELECT confirmation_code FROM deliveries WHERE id = ?", [delivery_id]))
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(JesrError) as refused:
        confirm_pickup(db, atss, delivery_id, wrong)
    # At the point as at the door: a wrong code counts against the code's tries.
    assert (refused.value.code, refused.value.params) == ("distribution.error.wrong_code_left", {"left": 4})
    assert _status(db, delivery_id)[0] == "planned"
    assert confirm_pickup(db, atss, delivery_id, code) == "confirmed"
    assert _one(db, "SELECT status FROM households WHERE id = ?", [household]) == "served"
    # Another association's staff cannot work this point.
    with pytest.raises(PermissionDenied):
        point_pickups(db, actors["amal"], point)


def test_a_failed_delivery_is_listed_replanned_and_flagged_after_two_failures(db, actors, field) -> None:
    organiser, volunteer = actors["organiser"], actors["volunteer"]
    delivery_id = field["deliveries"]["91000002"]
    household = field["households"]["91000002"]
    claim_delivery(db, volunteer, delivery_id, day=DAY)
    before = count_to_reschedule(db, organiser, today=DAY)
    advance_delivery(db, volunteer, delivery_id, "failed", failure_reason="not_home")
    assert count_to_reschedule(db, organiser, today=DAY) == before + 1
    listed = list_to_reschedule(db, organiser, today=DAY)
    row = listed[listed["delivery_id"] == delivery_id].iloc[0]
    assert (row["reason"], int(row["failures"]), bool(row["call_first"])) == ("not_home", 1, False)
    code = _one(db, "SELECT confirmation_code FROM deliveries WHERE id = ?", [delivery_id])

    new_id = replan_delivery(db, organiser, delivery_id, dt.date(2020, 5, 19), today=DAY)
    assert _status(db, new_id) == ("planned", None, dt.date(2020, 5, 19))
    assert _one(db, "SELECT confirmation_code FROM deliveries WHERE id = ?", [new_id]) == code
    assert _one(db, "SELECT count(*) FROM allocations WHERE delivery_id = ? AND status = 'allocated'", [new_id]) == 1
    assert delivery_id not in set(list_to_reschedule(db, organiser, today=DAY)["delivery_id"])
    assert count_to_reschedule(db, organiser, today=DAY) == before
    history = delivery_history(db, organiser, household)
    assert list(history["delivery_id"]) == [delivery_id, new_id]
    assert list(history["replanned_as"].fillna(0).astype(int)) == [new_id, 0]
    with pytest.raises(JesrError) as again:
        replan_delivery(db, organiser, delivery_id, dt.date(2020, 5, 19), today=DAY)
    assert again.value.code == "fieldops.error.already_replanned"

    claim_delivery(db, volunteer, new_id)
    advance_delivery(db, volunteer, new_id, "failed", failure_reason="wrong_address")
    listed = list_to_reschedule(db, organiser, today=DAY)
    row = listed[listed["delivery_id"] == new_id].iloc[0]
    assert (row["reason"], int(row["failures"]), bool(row["call_first"])) == ("wrong_address", 2, True)


def test_a_delivery_not_confirmed_in_time_is_listed_and_failed_when_replanned(db, actors, field) -> None:
    organiser, volunteer = actors["organiser"], actors["volunteer"]
    delivery_id = field["deliveries"]["91000004"]
    claim_delivery(db, volunteer, delivery_id, day=DAY)
    assert delivery_id not in set(list_to_reschedule(db, organiser, today=DAY + dt.timedelta(days=2))["delivery_id"])
    late = DAY + dt.timedelta(days=3)
    listed = list_to_reschedule(db, organiser, today=late)
    assert listed.loc[listed["delivery_id"] == delivery_id, "reason"].tolist() == ["not_confirmed"]
    new_id = replan_delivery(db, organiser, delivery_id, late, today=late)
    assert db.conn.execute("SELECT status, failure_reason FROM deliveries WHERE id = ?", [delivery_id]).fetchall() == [
        ("failed", "not_confirmed")
    ]
    assert _status(db, new_id)[0] == "planned"


def test_replanning_without_stock_left_loses_nothing(db, actors, field) -> None:
    organiser, volunteer = actors["organiser"], actors["volunteer"]
    delivery_id = field["deliveries"]["91000001"]
    claim_delivery(db, volunteer, delivery_id, day=DAY)
    advance_delivery(db, volunteer, delivery_id, "failed", failure_reason="refused")
    # The returned stock went to someone else meanwhile.
    with db.transaction() as cur:
        cur.execute("UPDATE donations SET status = 'cancelled' WHERE id = ?", [field["donation"]])
    rebuild_facts_after_raw_sql(db)
    deliveries = _one(db, "SELECT count(*) FROM deliveries")
    with pytest.raises(JesrError):
        replan_delivery(db, organiser, delivery_id, DAY, today=DAY)
    assert _one(db, "SELECT count(*) FROM deliveries") == deliveries
    assert delivery_id in set(list_to_reschedule(db, organiser, today=DAY)["delivery_id"])
