"""Basket equivalents and the shortfall projection, against figures computed by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.distribution.allocation import save_allocations
from data_layer.monitoring.baskets import basket_view, baskets_by_governorate, set_basket_equivalent
from data_layer.monitoring.projection import shortfall_projection
from data_layer.store.database import Database
from tests.conftest import rebuild_facts_after_raw_sql
from tests.fairness_world import ORGANISER, association, campaign, household, need_of, stock

OBSERVER = Actor(user_id=None, username="observer", role="observer")


@pytest.fixture
def world(empty_db: Database) -> dict:
    """Tunis: Salma needs food 2 baskets and cash 300 TND, Amine 3 hygiene kits; stock food 10, cash 600,
    hygiene 5; Salma got her 2 baskets (delivered) and 120 TND, Amine his kits. Sfax: Hedi needs 3 baskets,
    none in stock, one pledged. One basket = 1 food basket = 60 TND = 1/0.3 hygiene kits."""
    db = empty_db
    campaign_id = campaign(db, "2020-05-01", "2020-05-31")
    staff = association(db, "BRIDGE")
    salma = household(db, staff, "01234567", "food:2;cash:300")
    amine = household(db, staff, "01234568", "hygiene:3")
    household(db, staff, "01234569", "food:3", governorate="TN-61")
    food, cash, kits = (
        stock(db, staff, "food", "10", "basket"),
        stock(db, staff, "cash", "600", "TND"),
        stock(db, staff, "hygiene", "5", "kit"),
    )
    [delivered, *_] = save_allocations(
        db,
        staff,
        [
            {"donation_id": food, "need_id": need_of(db, salma, "food"), "quantity": 2, "category_code": "food"},
            {"donation_id": cash, "need_id": need_of(db, salma, "cash"), "quantity": 120, "category_code": "cash"},
            {"donation_id": kits, "need_id": need_of(db, amine, "hygiene"), "quantity": 3, "category_code": "hygiene"},
        ],
    )
    db.conn.execute("UPDATE allocations SET status = 'delivered' WHERE id = ?", [delivered])
    db.conn.execute(
        "INSERT INTO pledges (id, campaign_id, donor_name, donor_type, phone, category_code, item, quantity, unit, "
        "governorate_code, status) VALUES (1, ?, 'Donor', 'individual', '+21698000000', 'food', 'Couffin', 1, "
        "'basket', 'TN-61', 'accepted')",
        [campaign_id],
    )
    rebuild_facts_after_raw_sql(db)
    set_basket_equivalent(db, ORGANISER, campaign_id, "food", "basket", "1", "1")
    set_basket_equivalent(db, ORGANISER, campaign_id, "cash", "TND", "60", "1")
    set_basket_equivalent(db, ORGANISER, campaign_id, "hygiene", "kit", "1", "0.3")
    return {"db": db, "campaign": campaign_id, "staff": staff}


def test_every_flow_in_baskets_beside_native_units(world) -> None:
    view = basket_view(world["db"], ORGANISER, world["campaign"])
    rows = {
        (r.governorate_code, r.category_code): (
            r.needs,
            r.needs_baskets,
            r.stock_baskets,
            r.allocated_baskets,
            r.delivered_baskets,
            r.pledged_baskets,
        )
        for r in view.itertuples()
    }
    assert rows == {
        ("TN-11", "cash"): (300.0, 5.0, 10.0, 2.0, 0.0, 0.0),
        ("TN-11", "food"): (2.0, 2.0, 10.0, 2.0, 2.0, 0.0),
        ("TN-11", "hygiene"): (3.0, 0.9, 1.5, 0.9, 0.0, 0.0),
        ("TN-61", "food"): (3.0, 3.0, 0.0, 0.0, 0.0, 1.0),
    }


def test_governorates_compared_in_baskets(world) -> None:
    totals = baskets_by_governorate(world["db"], ORGANISER, world["campaign"]).set_index("governorate_code")
    assert totals.loc[
        "TN-11", ["needs_baskets", "stock_baskets", "allocated_baskets", "delivered_baskets"]
    ].tolist() == [
        7.9,
        21.5,
        4.9,
        2.0,
    ]
    assert totals.loc["TN-61", ["needs_baskets", "pledged_baskets"]].tolist() == [3.0, 1.0]


def test_observers_see_small_governorates_suppressed(world) -> None:
    view = basket_view(world["db"], OBSERVER, world["campaign"])
    assert set(view["needs_baskets"]) == {"<5"}  # one or two households per row


def test_shortfall_projected_at_the_campaign_end(world) -> None:
    # 10 days in (1 to 10 May), 21 days left.
    frame = shortfall_projection(world["db"], ORGANISER, world["campaign"], today=dt.date(2020, 5, 10))
    rows = {
        (r.governorate_code, r.category_code): (
            r.pace_per_day,
            r.projected_shortfall,
            r.supply_gap,
            r.projected_shortfall_baskets,
        )
        for r in frame.itertuples()
    }
    assert rows == {
        ("TN-11", "cash"): (0.0, 300.0, 0.0, 5.0),
        ("TN-11", "food"): (0.2, 0.0, 0.0, 0.0),
        ("TN-11", "hygiene"): (0.0, 3.0, 0.0, 0.9),
        ("TN-61", "food"): (0.0, 3.0, 2.0, 3.0),
    }


def test_only_organisers_set_a_basket_and_only_in_a_unit_of_the_category(world) -> None:
    with pytest.raises(PermissionDenied):
        set_basket_equivalent(world["db"], world["staff"], world["campaign"], "food", "basket", "1", "1")
    with pytest.raises(JesrError):
        set_basket_equivalent(world["db"], ORGANISER, world["campaign"], "food", "kit", "1", "1")
