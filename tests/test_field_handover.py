"""What the field pages add to the data layer, on a real database: a household registered with its
pick-up point in one transaction (a point that cannot serve it saves nothing), and the volunteers a
route may go to with the room left in their vehicle."""

from __future__ import annotations

import pytest

from data_layer.core.errors import JesrError, PermissionDenied, ValidationError
from data_layer.distribution.claims import claim_delivery
from data_layer.distribution.pickup import add_point, register_with_handover
from data_layer.distribution.routes import delivery_items, route_volunteers
from tests.test_field_operations import DAY, field  # noqa: F401 (the fixture)

HOUSEHOLD = {
    "national_id": "07654321",
    "full_name": "Mouna Hamdi",
    "phone": "98765111",
    "governorate": "TN-11",
    "delegation": "Bab Souika",
    "address": "نهج 4",
    "household_size": 2,
    "vulnerabilities": "",
    "needs": "food:1",
}


def _count(db, sql: str, *params: object) -> int:
    return int(db.conn.execute(sql, list(params)).fetchall()[0][0])


def test_a_household_is_registered_with_its_point_or_not_at_all(db, actors) -> None:
    atss = actors["atss"]
    tunis = add_point(db, atss, name="Local Bab Souika", governorate_code="TN-11", opening_days=[3])
    ariana = add_point(db, atss, name="Local Ariana", governorate_code="TN-12", opening_days=[6])
    households = _count(db, "SELECT count(*) FROM households")
    with pytest.raises(JesrError) as elsewhere:
        register_with_handover(db, atss, HOUSEHOLD, "pickup", ariana)
    assert elsewhere.value.code == "fieldops.error.point_elsewhere"
    with pytest.raises(ValidationError) as no_point:
        register_with_handover(db, atss, HOUSEHOLD, "pickup", None)
    assert [(e.field, e.code) for e in no_point.value.errors] == [("point", "error.required")]
    assert _count(db, "SELECT count(*) FROM households") == households
    assert _count(db, "SELECT count(*) FROM needs WHERE household_id NOT IN (SELECT id FROM households)") == 0

    household_id = register_with_handover(db, atss, HOUSEHOLD, "pickup", tunis)
    assert db.conn.execute(
        "SELECT mode, point_id FROM household_handover WHERE household_id = ?", [household_id]
    ).fetchall() == [("pickup", tunis)]
    assert (
        _count(
            db,
            "SELECT count(*) FROM audit_log WHERE table_name = 'household_handover' AND record_id = ?",
            household_id,
        )
        == 1
    )


def test_route_volunteers_show_the_room_left_and_drop_a_full_vehicle(db, actors, field) -> None:  # noqa: F811
    volunteer = actors["volunteer"]

    def room() -> int | None:
        frame = route_volunteers(db, actors["organiser"], "TN-11", DAY)
        mine = frame[frame["volunteer_id"] == volunteer.volunteer_id]
        return None if mine.empty else int(mine["room"].iloc[0])

    assert room() == 3  # on foot, nothing carried that day
    claim_delivery(db, volunteer, field["deliveries"]["91000001"], day=DAY)
    assert room() == 2
    for national_id in ("91000002", "91000003"):
        claim_delivery(db, volunteer, field["deliveries"][national_id], day=DAY)
    assert room() is None


def test_delivery_items_give_the_unit_code_for_the_page_to_translate(db, actors, field) -> None:  # noqa: F811
    d = field["deliveries"]
    items = delivery_items(db, actors["volunteer"], [d["91000001"], d["91000002"]])
    assert [(int(r.delivery_id), r.item, float(r.quantity), r.unit) for r in items.itertuples()] == [
        (d["91000001"], "Coats", 1.0, "piece"),
        (d["91000002"], "Coats", 1.0, "piece"),
    ]
    assert delivery_items(db, actors["atss"], []).empty
    with pytest.raises(PermissionDenied):
        delivery_items(db, actors["observer"], [d["91000001"]])
