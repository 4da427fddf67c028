"""Distribution points edited, closed and reopened: in the data layer (audited before and after, a
closed point refused by name for every new pick-up, its pending pick-ups named and still handed
over) and on the page under AppTest."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from data_layer.core.errors import JesrError, PermissionDenied, ValidationError
from data_layer.core.i18n import t
from data_layer.distribution.pickup import (
    add_point,
    assign_pickup,
    confirm_pickup,
    list_points,
    plan_pickups,
    point_closing_effects,
    point_pickups,
    set_handover,
    set_point_open,
    update_point,
)
from data_layer.store.database import Database
from tests.conftest import open_page
from tests.test_field_operations import field  # noqa: F401 (the fixture)
from tests.test_field_pages import code_of, one, submit

MONDAY = dt.date(2020, 5, 18)
WEDNESDAY = dt.date(2020, 5, 20)


def audit_rows(db: Database, point_id: int) -> list[tuple[str, Any, Any]]:
    def parsed(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    rows = db.conn.execute(
        "SELECT action, before, after FROM audit_log WHERE table_name = 'distribution_points' AND record_id = ?"
        " ORDER BY id",
        [point_id],
    ).fetchall()
    return [(action, parsed(before), parsed(after)) for action, before, after in rows]


@pytest.fixture
def point(db: Database, actors) -> int:
    return add_point(
        db, actors["atss"], name="Local Menzah", governorate_code="TN-11", opening_days=[3, 6], address="نهج 5"
    )


def test_an_edit_is_audited_and_names_the_pickups_no_longer_on_an_opening_day(db, actors, field, point) -> None:  # noqa: F811
    atss = actors["atss"]
    rim = field["deliveries"]["91000005"]
    set_handover(db, atss, field["households"]["91000005"], "pickup", point)
    assert plan_pickups(db, atss, today=MONDAY) == [rim]  # on Wednesday 20
    # A bad edit changes nothing.
    with pytest.raises(ValidationError) as refused:
        update_point(db, atss, point, name=" ", address="x", opening_days=[])
    assert sorted(e.field for e in refused.value.errors) == ["opening_days", "point_name"]
    assert one(db, "SELECT name FROM distribution_points WHERE id = ?", point) == "Local Menzah"
    # Saturdays only now: Rim's Wednesday pick-up is named, and keeps its day.
    off_day = update_point(db, atss, point, name=" Local El Menzah ", address=" نهج 7 ", opening_days=[6])
    assert list(off_day["delivery_id"]) == [rim] and list(off_day["full_name"]) == ["Rim Saidi"]
    assert db.conn.execute(
        "SELECT name, address, opening_days, is_active FROM distribution_points WHERE id = ?", [point]
    ).fetchall() == [("Local El Menzah", "نهج 7", "6", True)]
    assert one(db, "SELECT planned_on FROM deliveries WHERE id = ?", rim) == WEDNESDAY
    [(action, before, after)] = audit_rows(db, point)[1:]
    assert action == "update"
    assert before == {"name": "Local Menzah", "address": "نهج 5", "opening_days": "36", "is_active": True}
    assert after == {"name": "Local El Menzah", "address": "نهج 7", "opening_days": "6", "is_active": True}
    # The same values again: nothing to audit; Wednesday again: nothing off its day.
    assert update_point(db, atss, point, name="Local El Menzah", address="نهج 7", opening_days=[6]).shape[0] == 1
    assert len(audit_rows(db, point)) == 2
    assert update_point(db, atss, point, name="Local El Menzah", address="نهج 7", opening_days=[3, 6]).empty
    # Another association's staff may not touch it.
    with pytest.raises(PermissionDenied):
        update_point(db, actors["amal"], point, name="Mine", address=None, opening_days=[1])
    with pytest.raises(PermissionDenied):
        set_point_open(db, actors["amal"], point, False)


def test_a_closed_point_takes_no_new_pickup_keeps_its_pending_ones_and_reopens(db, actors, field, point) -> None:  # noqa: F811
    atss, organiser = actors["atss"], actors["organiser"]
    rim, salma = field["deliveries"]["91000005"], field["deliveries"]["91000001"]
    set_handover(db, atss, field["households"]["91000005"], "pickup", point)
    plan_pickups(db, atss, today=MONDAY)
    set_handover(db, atss, field["households"]["91000002"], "pickup", point)  # Hedi chose it too, not yet planned
    pending, households = point_closing_effects(db, atss, point)
    assert list(pending["delivery_id"]) == [rim] and households == 2

    assert set_point_open(db, organiser, point, False) is True
    assert set_point_open(db, organiser, point, False) is False  # closed already: no second audit row
    assert [(a, b, c) for a, b, c in audit_rows(db, point)[1:]] == [
        ("close", {"is_active": True}, {"is_active": False})
    ]
    assert point not in set(list_points(db, atss)["point_id"])
    assert list_points(db, atss, include_closed=True).set_index("point_id").loc[point, "is_active"] == False  # noqa: E712
    # Every new pick-up at it is refused by name, and nothing is written.
    handovers = db.conn.execute("SELECT household_id, mode, point_id FROM household_handover ORDER BY 1").fetchall()
    for attempt in (
        lambda: set_handover(db, atss, field["households"]["91000001"], "pickup", point),
        lambda: assign_pickup(db, atss, salma, point, WEDNESDAY),
    ):
        with pytest.raises(JesrError) as refused:
            attempt()
        assert (refused.value.code, refused.value.params) == ("pickup.error.point_shut", {"name": "Local Menzah"})
        assert t(refused.value.code, "ar", **refused.value.params).startswith("نقطة التوزيع «Local Menzah» مغلقة")
    assert db.conn.execute("SELECT household_id, mode, point_id FROM household_handover ORDER BY 1").fetchall() == (
        handovers
    )
    assert one(db, "SELECT count(*) FROM delivery_pickups WHERE delivery_id = ?", salma) == 0
    # Planning skips the households whose point is closed (Hedi's delivery waits), and fails nothing.
    assert plan_pickups(db, atss, today=MONDAY) == []
    # Rim's pick-up, planned before the closing, is still handed over at its desk.
    assert list(point_pickups(db, atss, point)["delivery_id"]) == [rim]
    assert confirm_pickup(db, atss, rim, code_of(db, rim)) == "confirmed"

    assert set_point_open(db, atss, point, True) is True
    assert audit_rows(db, point)[-1] == ("reopen", {"is_active": False}, {"is_active": True})
    assert plan_pickups(db, atss, today=MONDAY) == [field["deliveries"]["91000002"]]


def test_the_page_edits_warns_before_closing_closes_refuses_and_reopens(make_app, db, actors, field, point) -> None:  # noqa: F811
    atss = actors["atss"]
    rim = field["deliveries"]["91000005"]
    set_handover(db, atss, field["households"]["91000005"], "pickup", point)
    plan_pickups(db, atss, today=MONDAY)
    at = open_page(make_app, "atss", "pages/pickup_points.py", lang="fr")
    at.selectbox(key="pickup_points_edit_point").set_value(point)
    at.run()
    # Before closing, the page names what stays behind.
    warnings = [w.value for w in at.warning]
    assert any(w.startswith(t("pickup_points.closing_pending", "fr", count=1)) and "Rim Saidi" in w for w in warnings)
    assert t("pickup_points.closing_households", "fr", count=1) in warnings
    assert at.text_input(key=f"pickup_points_edit_name_{point}").value == "Local Menzah"
    assert at.button_group(key=f"pickup_points_edit_days_{point}").value == [3, 6]

    # An empty name is refused, translated; then a good edit is saved and the off-day pick-up named.
    at.text_input(key=f"pickup_points_edit_name_{point}").input("")
    submit(at, f"pickup_points_edit_form_{point}", "common.save", "fr")
    assert t("fieldops.error.point_name", "fr") in at.error[0].value
    at.text_input(key=f"pickup_points_edit_name_{point}").input("Local El Menzah")
    at.button_group(key=f"pickup_points_edit_days_{point}").set_value([6])
    submit(at, f"pickup_points_edit_form_{point}", "common.save", "fr")
    assert [s.value for s in at.success] == [t("pickup_points.edited", "fr", name="Local El Menzah")]
    assert any(
        w.value.startswith(t("pickup_points.off_day_warning", "fr", count=1)) and f"#{rim}" in w.value
        for w in at.warning
    )
    assert one(db, "SELECT name || '/' || opening_days FROM distribution_points WHERE id = ?", point) == (
        "Local El Menzah/6"
    )

    at.button(key=f"pickup_points_close_{point}").click()
    at.run()
    assert not at.exception
    assert [s.value for s in at.success] == [t("pickup_points.closed_done", "fr", name="Local El Menzah")]
    assert one(db, "SELECT is_active FROM distribution_points WHERE id = ?", point) is False
    assert "Local El Menzah (fermé)" in at.selectbox(key="pickup_points_edit_point").options
    # A closed point chosen for a household: refused by name, translated, nothing written.
    salma = field["households"]["91000001"]
    at.number_input(key="pickup_points_handover_household").set_value(salma)
    at.selectbox(key="pickup_points_handover_point").set_value(point)
    submit(at, "pickup_points_handover_form", "common.save", "fr")
    assert [e.value for e in at.error] == [t("pickup.error.point_shut", "fr", name="Local El Menzah")]
    assert one(db, "SELECT count(*) FROM household_handover WHERE household_id = ?", salma) == 0

    at.button(key=f"pickup_points_reopen_{point}").click()
    at.run()
    assert [s.value for s in at.success] == [t("pickup_points.reopened", "fr", name="Local El Menzah")]
    assert one(db, "SELECT is_active FROM distribution_points WHERE id = ?", point) is True
    assert "Local El Menzah" in at.selectbox(key="pickup_points_handover_point").options
