"""Dashboard facts (data_layer/facts.py): caught up from the audit log before each read, built on upgrade.

Every test using the `db`, `empty_db` or `make_app` fixtures also ends by comparing the facts with a
recomputation from the base tables (tests/conftest.py); these tests follow single writes closely.
"""

from __future__ import annotations

import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.distribution.allocation import cancel_allocation, save_allocations
from data_layer.monitoring.coverage import Filters, coverage_by_governorate, flows_by_category, unmet_by_category
from data_layer.monitoring.facts import facts_drift
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main
from data_layer.ops.demo import generate_demo
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household, update_household
from data_layer.store.database import Database
from data_layer.store.queries import Q

HOUSEHOLD = {
    "national_id": "87654321",
    "full_name": "Hind Trabelsi",
    "phone": "+216 55 000 111",
    "governorate": "TN-71",
    "delegation": "Gafsa Nord",
    "address": "Rue 5",
    "household_size": 6,
    "vulnerabilities": [],
    "needs": [{"category": "food", "quantity": 3, "unit": "basket"}],
}


@pytest.fixture
def staff(empty_db: Database) -> Actor:
    from data_layer.registry.organisations import create_organisation

    org = create_organisation(
        empty_db,
        SYSTEM,
        {"code": "TST", "name": "Test", "kind": "association", "governorate": "TN-11", "areas": ["TN-11", "TN-71"]},
    )
    return Actor(user_id=None, username="staff", role="association", organisation_id=org)


def registered(db: Database, governorate: str) -> int:
    frame = coverage_by_governorate(db).set_index("governorate_code")
    return int(frame.loc[governorate, "households_registered"])


def unmet(db: Database, governorate: str) -> float:
    frame = unmet_by_category(db, Filters(governorate_code=governorate))
    return float(frame["unmet_quantity"].sum())


def allocated_in(db: Database, governorate: str) -> float:
    frame = flows_by_category(db, Filters(governorate_code=governorate))
    return float(frame["allocated_quantity"].sum())


def test_dashboard_follows_a_household_through_allocation_move_and_cancel(empty_db: Database, staff: Actor) -> None:
    household = register_household(empty_db, staff, HOUSEHOLD)
    assert (registered(empty_db, "TN-71"), unmet(empty_db, "TN-71")) == (1, 3.0)

    line = register_donation(
        empty_db,
        staff,
        {
            "donor_type": "individual",
            "donor_name": "Donor",
            "category": "food",
            "kind": "in_kind",
            "item": "Couffin",
            "quantity": "10",
            "unit": "basket",
            "governorate": "TN-71",
            "received_on": "2020-05-20",
        },
    )
    need = int(empty_db.conn.execute("SELECT id FROM needs WHERE household_id = ?", [household]).fetchone()[0])
    [allocation] = save_allocations(
        empty_db, staff, [{"donation_id": line, "need_id": need, "quantity": 2, "category_code": "food"}]
    )
    assert (unmet(empty_db, "TN-71"), allocated_in(empty_db, "TN-71")) == (1.0, 2.0)

    # The household moves: its registration, what it waits for and what was allocated to it follow.
    update_household(empty_db, staff, household, dict(HOUSEHOLD, governorate="TN-11", needs=None))
    assert (registered(empty_db, "TN-71"), registered(empty_db, "TN-11")) == (0, 1)
    assert (unmet(empty_db, "TN-71"), unmet(empty_db, "TN-11")) == (0.0, 1.0)
    assert (allocated_in(empty_db, "TN-71"), allocated_in(empty_db, "TN-11")) == (0.0, 2.0)

    cancel_allocation(empty_db, staff, allocation, "Wrong household")
    assert (unmet(empty_db, "TN-11"), allocated_in(empty_db, "TN-11")) == (3.0, 0.0)


def test_saves_leave_the_facts_to_the_next_read_which_catches_up_all_of_them(empty_db: Database, staff: Actor) -> None:
    coverage_by_governorate(empty_db)
    for number in range(3):
        register_household(empty_db, staff, dict(HOUSEHOLD, national_id=f"8765432{number}"))
    behind = empty_db.conn.execute(Q.count_unreflected_audit_rows).fetchone()[0]
    assert behind == 6  # three households and their needs
    assert (registered(empty_db, "TN-71"), unmet(empty_db, "TN-71")) == (3, 9.0)
    assert empty_db.conn.execute(Q.count_unreflected_audit_rows).fetchone()[0] == 0


def test_a_transaction_that_fails_leaves_the_facts_as_they_were(empty_db: Database, staff: Actor) -> None:
    register_household(empty_db, staff, HOUSEHOLD)
    with pytest.raises(RuntimeError), empty_db.transaction() as cur:
        cur.execute("UPDATE households SET governorate_code = 'TN-11'")
        cur.execute(
            "INSERT INTO audit_log (username, action, table_name, record_id) "
            "SELECT 'staff', 'update', 'households', id FROM households"
        )
        raise RuntimeError("the save failed after its rows were written")
    assert (registered(empty_db, "TN-71"), registered(empty_db, "TN-11")) == (1, 0)


def test_facts_drift_finds_a_fact_row_out_of_step(empty_db: Database, staff: Actor) -> None:
    register_household(empty_db, staff, HOUSEHOLD)
    assert set(facts_drift(empty_db).values()) == {0}
    empty_db.conn.execute("UPDATE fact_waiting SET unmet_quantity = unmet_quantity + 1")
    assert facts_drift(empty_db)["fact_waiting"] == 2  # the stored row, and the recomputed one
    assert main(["--db", empty_db.path, "facts"]) == 1
    assert main(["--db", empty_db.path, "facts", "--rebuild"]) == 0
    assert set(facts_drift(empty_db).values()) == {0}


def test_a_database_of_the_schema_before_the_facts_gets_them_on_open(tmp_path) -> None:
    path = tmp_path / "old.duckdb"
    old = open_database(path)
    generate_demo(old, households=400, seed=3)
    served = int(
        old.conn.execute("SELECT count(DISTINCT household_id) FROM deliveries WHERE status = 'confirmed'").fetchone()[0]
    )
    # Back to the schema before migration 0040.
    for table in (
        "facts_state",
        "facts_pending_households",
        "facts_pending_donations",
        "fact_households",
        "fact_waiting",
        "fact_stock_moves",
        "fact_served_by",
        "fact_deliveries_done",
    ):
        old.conn.execute(f"DROP TABLE {table}")
    old.conn.execute("DELETE FROM schema_migrations WHERE version = 40")
    old.close()

    upgraded = open_database(path)
    try:
        assert set(facts_drift(upgraded).values()) == {0}
        frame = coverage_by_governorate(upgraded)
        assert int(frame["households_registered"].sum()) == 400
        assert int(frame["households_served"].sum()) == served > 0
    finally:
        upgraded.close()
