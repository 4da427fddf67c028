"""Limits per household and period: both allocation paths respect them; only an organiser with a
reason may go above one, and that exception is kept and audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import PermissionDenied, ValidationError
from data_layer.distribution.allocation import apply_suggestion, save_allocations, suggest_allocations
from data_layer.distribution.limits import LimitExceeded, list_limits, remove_limit, set_limit
from data_layer.registry.campaigns import create_campaign
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from data_layer.store.database import Database
from tests.conftest import rebuild_facts_after_raw_sql, run_cli
from tests.fairness_world import ORGANISER, donation


@pytest.fixture
def world(empty_db: Database) -> dict:
    """One campaign, one association, household Salma (food 1 basket, cash 300 TND), stock of both."""
    campaign = create_campaign(
        empty_db,
        SYSTEM,
        {"name": "Ramadan", "starts_on": "2020-04-01", "ends_on": "2030-06-30", "target_households": 100},
    )
    org = create_organisation(
        empty_db,
        SYSTEM,
        {"code": "BRIDGE", "name": "Bridge", "kind": "association", "governorate": "TN-11", "areas": ["TN-11"]},
    )
    staff = Actor(user_id=None, username="staff", role="association", organisation_id=org)
    salma = register_household(
        empty_db,
        staff,
        {
            "national_id": "01234567",
            "full_name": "Salma",
            "governorate": "TN-11",
            "household_size": 3,
            "needs": "food:1;cash:300",
        },
    )
    food = register_donation(empty_db, staff, donation("food", "10", "basket"))
    cash = register_donation(empty_db, staff, donation("cash", "1000", "TND"))
    needs = dict(
        empty_db.conn.execute("SELECT category_code, id FROM needs WHERE household_id = ?", [salma]).fetchall()
    )
    return {
        "db": empty_db,
        "campaign": campaign,
        "org": org,
        "staff": staff,
        "salma": salma,
        "food": food,
        "cash": cash,
        "needs": needs,
    }


def second_food_need(w: dict, days_ago: int) -> int:
    """Salma's first food need was served `days_ago` days ago; she now asks for food again."""
    db = w["db"]
    save_allocations(
        db,
        w["staff"],
        [{"donation_id": w["food"], "need_id": w["needs"]["food"], "quantity": 1, "category_code": "food"}],
    )
    db.conn.execute(
        "UPDATE allocations SET created_at = localtimestamp - CAST(? AS INTEGER) * INTERVAL '1 day' WHERE need_id = ?",
        [days_ago, w["needs"]["food"]],
    )
    new_id = db.conn.execute("SELECT max(id) + 1 FROM needs").fetchone()[0]
    db.conn.execute(
        "INSERT INTO needs (id, household_id, category_code, quantity, unit) VALUES (?, ?, 'food', 1, 'basket')",
        [new_id, w["salma"]],
    )
    rebuild_facts_after_raw_sql(db)
    return int(new_id)


def food_row(w: dict, need_id: int) -> list[dict]:
    return [{"donation_id": w["food"], "need_id": need_id, "quantity": 1, "category_code": "food"}]


def test_food_once_per_14_days_refuses_a_typed_allocation(world) -> None:
    set_limit(world["db"], ORGANISER, world["campaign"], "food", {"period_days": 14, "max_times": 1})
    need = second_food_need(world, days_ago=3)
    with pytest.raises(LimitExceeded) as refused:
        save_allocations(world["db"], world["staff"], food_row(world, need))
    assert [(b.household_id, b.category_code, b.times, b.max_times) for b in refused.value.breaches] == [
        (world["salma"], "food", 2, 1)
    ]
    assert world["db"].conn.execute("SELECT count(*) FROM allocations WHERE need_id = ?", [need]).fetchone()[0] == 0


def test_food_once_per_14_days_lets_the_next_period_through(world) -> None:
    set_limit(world["db"], ORGANISER, world["campaign"], "food", {"period_days": 14, "max_times": 1})
    need = second_food_need(world, days_ago=15)
    assert len(save_allocations(world["db"], world["staff"], food_row(world, need))) == 1


def test_the_suggestion_leaves_out_a_need_the_limit_holds(world) -> None:
    set_limit(world["db"], ORGANISER, world["campaign"], "food", {"period_days": 14, "max_times": 1})
    need = second_food_need(world, days_ago=3)
    suggestion = suggest_allocations(world["db"], ORGANISER, category_code="food")
    assert need not in set(suggestion.allocations["need_id"])
    assert suggestion.totals["needs_held_by_limits"] == 1
    remove_limit(world["db"], ORGANISER, world["campaign"], "food")
    assert need in set(suggest_allocations(world["db"], ORGANISER, category_code="food").allocations["need_id"])


def test_cash_at_most_200_per_month_in_both_paths(world) -> None:
    set_limit(world["db"], ORGANISER, world["campaign"], "cash", {"period_days": 30, "max_quantity": "200"})
    row = {"donation_id": world["cash"], "need_id": world["needs"]["cash"], "category_code": "cash"}
    with pytest.raises(LimitExceeded):
        save_allocations(world["db"], world["staff"], [{**row, "quantity": "250"}])
    suggestion = suggest_allocations(world["db"], ORGANISER, category_code="cash")
    assert suggestion.allocations["quantity"].tolist() == [200.0]
    assert suggestion.totals["needs_held_by_limits"] == 1
    apply_suggestion(world["db"], ORGANISER, suggestion)
    with pytest.raises(LimitExceeded):  # 200 already this month: not one millime more
        save_allocations(world["db"], world["staff"], [{**row, "quantity": "0.5"}])


def test_only_an_organiser_with_a_reason_goes_above_a_limit(world) -> None:
    db = world["db"]
    set_limit(db, ORGANISER, world["campaign"], "food", {"period_days": 14, "max_times": 1})
    need = second_food_need(world, days_ago=3)
    with pytest.raises(PermissionDenied):  # association staff may not grant an exception
        save_allocations(db, world["staff"], food_row(world, need), override_reason="Flooded home")
    with pytest.raises(LimitExceeded):  # an organiser without a reason is refused like anyone
        save_allocations(db, ORGANISER, food_row(world, need), override_reason="  ")
    [allocation] = save_allocations(db, ORGANISER, food_row(world, need), override_reason="Flooded home")
    assert db.conn.execute(
        "SELECT household_id, category_code, reason FROM limit_exceptions WHERE allocation_id = ?", [allocation]
    ).fetchall() == [(world["salma"], "food", "Flooded home")]
    audited = db.conn.execute(
        "SELECT username FROM audit_log WHERE action = 'limit_exception' AND record_id = ?", [allocation]
    ).fetchall()
    assert audited == [("organiser",)]


def test_a_limit_needs_a_period_and_times_or_quantity(world) -> None:
    db = world["db"]
    with pytest.raises(ValidationError):
        set_limit(db, ORGANISER, world["campaign"], "food", {"period_days": 14})
    with pytest.raises(ValidationError):
        set_limit(db, ORGANISER, world["campaign"], "food", {"period_days": 0, "max_times": 1})
    with pytest.raises(PermissionDenied):
        set_limit(db, world["staff"], world["campaign"], "food", {"period_days": 14, "max_times": 1})
    set_limit(db, ORGANISER, world["campaign"], "cash", {"period_days": 30, "max_quantity": "200"})
    set_limit(db, ORGANISER, world["campaign"], "cash", {"period_days": 31, "max_quantity": "150"})
    limits = list_limits(db, world["campaign"])
    assert limits[["category_code", "period_days", "max_quantity"]].values.tolist() == [["cash", 31, 150.0]]
    assert Decimal(str(limits["max_quantity"][0])) == Decimal("150")


@pytest.mark.duckdb_only(reason="the command line opens a DuckDB file")
def test_limits_and_baskets_from_the_command_line(fresh) -> None:
    steps = [
        (
            "campaigns",
            "add",
            "--name",
            "Ramadan",
            "--start",
            "2020-04-01",
            "--end",
            "2020-06-30",
            "--target-households",
            "100",
        ),
        ("campaigns", "limit", "1", "food", "--period-days", "14", "--max-times", "1"),
        ("campaigns", "basket", "1", "cash", "TND", "--quantity", "60", "--baskets", "1"),
        ("campaigns", "fairness", "1"),
    ]
    outputs = []
    for step in steps:
        done = run_cli(fresh, *step)
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert "food" in outputs[-1] and "14" in outputs[-1]
    refused = run_cli(fresh, "campaigns", "limit", "1", "food", "--period-days", "14")
    assert refused.returncode != 0 and "max_times" in refused.stderr + refused.stdout
