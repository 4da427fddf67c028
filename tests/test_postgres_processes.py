"""Rules that must hold across app servers, held by PostgreSQL: two processes race for the same
last unit of stock, or register the same national ID at the same moment."""

from __future__ import annotations

import datetime as dt
import multiprocessing
from typing import Any

import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import JesrError
from data_layer.ops.bootstrap import open_database

SPAWN = multiprocessing.get_context("spawn")
TIMEOUT_S = 120


def _household(national_id: str, name: str) -> dict[str, Any]:
    return {
        "national_id": national_id,
        "full_name": name,
        "phone": "",
        "governorate": "TN-11",
        "delegation": "Bab Souika",
        "address": "نهج 1",
        "household_size": 3,
        "vulnerabilities": "",
        "needs": "food:1",
    }


def _in_a_process(url: str, task: str, args: dict[str, Any], start: Any, results: Any) -> None:
    """One app server: its own pool, waiting for the other before its save."""
    from data_layer.distribution.allocation import save_allocations
    from data_layer.registry.households import register_household

    db = open_database(url)
    try:
        actor = Actor(user_id=None, username=args["username"], role="association", organisation_id=args["org"])
        start.wait(timeout=TIMEOUT_S)
        try:
            if task == "allocate":
                row = {"donation_id": args["line"], "need_id": args["need"], "quantity": 1, "category_code": "food"}
                results.put(("saved", save_allocations(db, actor, [row])))
            else:
                results.put(("saved", register_household(db, actor, _household(args["national_id"], args["name"]))))
        except JesrError as exc:
            results.put(("refused", exc.code))
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails saying why
            results.put(("crashed", f"{type(exc).__name__}: {exc}"))
    finally:
        db.close()


def _race(url: str, task: str, argss: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    start, results = SPAWN.Barrier(len(argss)), SPAWN.Queue()
    processes = [SPAWN.Process(target=_in_a_process, args=(url, task, a, start, results)) for a in argss]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=TIMEOUT_S) for _ in processes]
    for process in processes:
        process.join(timeout=TIMEOUT_S)
        assert process.exitcode == 0
    return sorted(outcomes, key=lambda o: o[0])


@pytest.fixture
def association(pg_empty_url: str) -> tuple[str, int]:
    from data_layer.registry.organisations import create_organisation

    db = open_database(pg_empty_url)
    try:
        org = create_organisation(
            db,
            SYSTEM,
            {"code": "TST", "name": "Test", "kind": "association", "governorate": "TN-11", "areas": ["TN-11"]},
        )
    finally:
        db.close()
    return pg_empty_url, org


def _scalar(url: str, sql: str, params: dict[str, Any]) -> Any:
    db = open_database(url)
    try:
        with db.reading() as cur:
            return cur.execute(sql, params).fetchone()[0]
    finally:
        db.close()


def test_two_processes_taking_the_last_unit_one_gets_it_the_other_is_told(association) -> None:
    from data_layer.registry.donations import register_donation
    from data_layer.registry.households import register_household

    url, org = association
    staff = Actor(user_id=None, username="staff", role="association", organisation_id=org)
    db = open_database(url)
    try:
        line = register_donation(
            db,
            staff,
            {
                "donor_type": "individual",
                "donor_name": "Donor",
                "category": "food",
                "kind": "in_kind",
                "item": "Couffin",
                "quantity": "1",
                "unit": "basket",
                "governorate": "TN-11",
                "received_on": dt.date(2020, 5, 20),
            },
            organisation_id=org,
        )
        households = [register_household(db, staff, _household(f"1000000{i}", f"Person {i}")) for i in range(2)]
        with db.reading() as cur:
            needs = [
                cur.execute("SELECT min(id) FROM needs WHERE household_id = $h", {"h": h}).fetchone()[0]
                for h in households
            ]
    finally:
        db.close()
    outcomes = _race(url, "allocate", [{"username": "staff", "org": org, "line": line, "need": need} for need in needs])
    assert [o[0] for o in outcomes] == ["refused", "saved"], outcomes
    assert outcomes[0][1] == "distribution.error.stock_changed"
    assert _scalar(url, "SELECT count(*) FROM allocations WHERE donation_id = $line", {"line": line}) == 1
    assert _scalar(url, "SELECT available FROM stock_lines WHERE donation_id = $line", {"line": line}) == 0


def test_two_processes_registering_one_national_id_leave_one_household_and_one_report(association) -> None:
    url, org = association
    outcomes = _race(
        url,
        "register",
        [{"username": "staff", "org": org, "national_id": "12345678", "name": name} for name in ("Amel", "Amal")],
    )
    assert [o[0] for o in outcomes] == ["refused", "saved"]
    assert outcomes[0][1] == "error.duplicate_household_own"
    assert _scalar(url, "SELECT count(*) FROM households WHERE national_id = $n", {"n": "12345678"}) == 1
    assert _scalar(url, "SELECT count(*) FROM duplicate_reports WHERE national_id = $n", {"n": "12345678"}) == 1
