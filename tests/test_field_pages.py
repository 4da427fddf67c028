"""The field pages under AppTest: routes built within the vehicle, a volunteer's route worked through
by code, open work claimed (a lost race and a full vehicle said so), pick-up points and their desk,
the reschedule list, the household's hand-over choice and the dashboard's count. Every refusal is a
translated message and leaves the database as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from data_layer.core.i18n import t
from data_layer.distribution.claims import claim_delivery
from data_layer.distribution.deliveries import advance_delivery
from data_layer.distribution.pickup import add_point
from data_layer.distribution.reschedule import count_to_reschedule
from data_layer.distribution.routes import build_route
from tests.conftest import open_page
from tests.test_field_operations import DAY, _second_volunteer, field  # noqa: F401 (the fixture)

PAGES = {
    "pages/routes.py": {"admin", "organiser", "atss"},
    "pages/pickup_points.py": {"admin", "organiser", "atss"},
    "pages/reschedule.py": {"admin", "organiser", "atss"},
    "pages/open_work.py": {"volunteer"},
}
USERS = ("admin", "organiser", "atss", "observer", "volunteer")


def one(db, sql: str, *params: object) -> object:
    return db.conn.execute(sql, list(params)).fetchall()[0][0]


def submit(at, form: str, label_key: str, lang: str = "en"):
    at.button(key=f"FormSubmitter:{form}-{t(label_key, lang)}").click()
    at.run()
    assert not at.exception, at.exception
    return at


def code_of(db, delivery_id: int) -> str:
    return str(one(db, "SELECT confirmation_code FROM deliveries WHERE id = ?", delivery_id))


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


@pytest.mark.parametrize("username", USERS)
def test_each_page_opens_for_its_roles_and_no_other(make_app, username: str) -> None:
    at = make_app(username, lang="en")
    at.run()
    for page in sorted(p for p, allowed in PAGES.items() if username not in allowed):
        # AppTest refuses to switch to a page st.navigation did not register for this role.
        with pytest.raises(ValueError):
            at.switch_page(page)
    for page in sorted(p for p, allowed in PAGES.items() if username in allowed):
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, username, at.exception)
        assert at.title and "[" not in at.title[0].value


def test_a_route_beyond_the_vehicle_is_refused_whole_then_built_within_it(make_app, db, actors, field) -> None:  # noqa: F811
    volunteer_id = actors["volunteer"].volunteer_id
    d = field["deliveries"]
    at = open_page(make_app, "organiser", "pages/routes.py", lang="en")
    at.selectbox(key="routes_governorate").set_value("TN-11")
    at.date_input(key="routes_day").set_value(DAY)
    at.run()
    at.selectbox(key="routes_delegation").set_value("Bab Souika")
    at.run()
    at.selectbox(key="routes_volunteer").set_value(volunteer_id)
    # The four Bab Souika stops are offered in address order: نهج 2, 9, 10, 30.
    assert at.button_group(key="routes_stops").options[0].startswith(f"1 · #{d['91000002']}")
    four = [d[n] for n in ("91000001", "91000002", "91000003", "91000004")]
    at.button_group(key="routes_stops").set_value(four)
    submit(at, "routes_build_form", "routes.build")
    assert [e.value for e in at.error] == [t("fieldops.error.capacity", "en", capacity=3, room=3)]
    assert one(db, "SELECT count(*) FROM routes") == 0

    at.button_group(key="routes_stops").set_value([])
    submit(at, "routes_build_form", "routes.build")
    route_id = one(db, "SELECT max(id) FROM routes")
    assert [s.value for s in at.success] == [t("routes.built", "en", id=route_id)]
    stops = db.conn.execute("SELECT delivery_id FROM route_stops WHERE route_id = ? ORDER BY stop_order", [route_id])
    assert [s for (s,) in stops.fetchall()] == [d["91000002"], d["91000004"], d["91000001"]]
    # Full that day: the volunteer is no longer offered, and the routes table lists the new route.
    assert volunteer_id not in at.selectbox(key="routes_volunteer").options
    assert route_id in list(at.dataframe[-1].value[t("column.route_id", "en")])


def test_a_volunteer_works_through_the_route_in_order_and_a_wrong_code_loses_nothing(
    make_app,
    db,
    actors,
    field,  # noqa: F811
) -> None:
    volunteer = actors["volunteer"]
    d = field["deliveries"]
    build_route(
        db,
        actors["organiser"],
        governorate_code="TN-11",
        delegation="Bab Souika",
        volunteer_id=volunteer.volunteer_id,
        day=DAY,
    )
    at = open_page(make_app, "volunteer", "pages/my_deliveries.py", lang="ar")
    stops = [c.value for c in at.caption if c.value.startswith("المحطّة")]
    assert stops[:3] == [t("my_deliveries.stop", "ar", stop=n, stops=3, delegation="Bab Souika") for n in (1, 2, 3)]
    # What is carried, with the unit in Arabic: "Coats × 1 قطعة".
    assert any(f"Coats × 1 {t('unit.piece', 'ar')}" in c.value for c in at.caption)
    first = d["91000002"]
    at.text_input(key=f"my_deliveries_code_{first}").input(wrong(code_of(db, first)))
    submit(at, f"my_deliveries_form_{first}", "my_deliveries.delivered", "ar")
    assert [e.value for e in at.error] == [t("distribution.error.wrong_code_left", "ar", left=4)]
    assert one(db, "SELECT status FROM deliveries WHERE id = ?", first) == "planned"

    at.text_input(key=f"my_deliveries_code_{first}").input(code_of(db, first))
    submit(at, f"my_deliveries_form_{first}", "my_deliveries.delivered", "ar")
    assert one(db, "SELECT status FROM deliveries WHERE id = ?", first) == "confirmed"
    assert at.success[0].value.startswith(f"#{first} ·")
    # The card is gone; the next stop now leads.
    assert not any(key == f"my_deliveries_code_{first}" for key in [w.key for w in at.text_input])
    assert [w.key for w in at.text_input][0] == f"my_deliveries_code_{d['91000004']}"


def test_open_work_claim_a_lost_race_and_a_full_vehicle_each_say_so(make_app, db, actors, field) -> None:  # noqa: F811
    volunteer = actors["volunteer"]
    d = field["deliveries"]
    at = open_page(make_app, "volunteer", "pages/open_work.py", lang="en")
    at.date_input(key="open_work_day").set_value(DAY)
    at.run()
    # No name or address before a claim.
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Salma" not in shown and "نهج" not in shown
    at.button(key=f"open_work_claim_{d['91000001']}").click()
    at.run()
    assert [s.value for s in at.success] == [
        t("open_work.claimed", "en", id=d["91000001"], day=f"{DAY.day} May {DAY.year}")
    ]
    assert one(db, "SELECT volunteer_id FROM deliveries WHERE id = ?", d["91000001"]) == volunteer.volunteer_id
    assert not [b for b in at.button if b.key == f"open_work_claim_{d['91000001']}"]

    # Sami takes 91000003 between the drawing of the page and the tap.
    sami = _second_volunteer(db)
    claim_delivery(db, sami, d["91000003"], day=DAY)
    at.button(key=f"open_work_claim_{d['91000003']}").click()
    at.run()
    assert [e.value for e in at.error] == [t("fieldops.error.already_claimed", "en", id=d["91000003"])]
    assert one(db, "SELECT volunteer_id FROM deliveries WHERE id = ?", d["91000003"]) == sami.volunteer_id

    # On foot: three a day. The fourth is refused and stays open.
    for national_id in ("91000002", "91000004", "91000005"):
        at.button(key=f"open_work_claim_{d[national_id]}").click()
        at.run()
    assert [e.value for e in at.error] == [t("fieldops.error.capacity", "en", capacity=3, room=0)]
    assert one(db, "SELECT volunteer_id FROM deliveries WHERE id = ?", d["91000005"]) is None
    assert any(b.key == f"open_work_claim_{d['91000005']}" for b in at.button)


def test_a_point_is_added_its_pickups_planned_and_handed_over_by_code(make_app, db, actors, field) -> None:  # noqa: F811
    points_before = one(db, "SELECT count(*) FROM distribution_points")
    at = open_page(make_app, "atss", "pages/pickup_points.py", lang="fr")
    at.text_input(key="pickup_points_add_name").input("Local ATSS Bab Souika")
    at.selectbox(key="pickup_points_add_governorate").set_value("TN-11")
    submit(at, "pickup_points_add_form", "common.save", "fr")
    # No opening day: refused, nothing saved, the name kept.
    assert t("fieldops.error.opening_days", "fr") in at.error[0].value
    assert one(db, "SELECT count(*) FROM distribution_points") == points_before
    assert at.text_input(key="pickup_points_add_name").value == "Local ATSS Bab Souika"
    at.button_group(key="pickup_points_add_days").set_value([3, 6])
    submit(at, "pickup_points_add_form", "common.save", "fr")
    point_id = one(db, "SELECT max(id) FROM distribution_points")
    assert at.success[0].value == t("pickup_points.added", "fr", id=point_id)
    assert one(db, "SELECT opening_days FROM distribution_points WHERE id = ?", point_id) == "36"

    # A household number nobody has: refused; then Rim Saidi's household chooses the point.
    at.number_input(key="pickup_points_handover_household").set_value(999999)
    at.selectbox(key="pickup_points_handover_point").set_value(point_id)
    submit(at, "pickup_points_handover_form", "common.save", "fr")
    assert [e.value for e in at.error] == [t("error.not_found", "fr")]
    assert one(db, "SELECT count(*) FROM household_handover") == 0
    household = field["households"]["91000005"]
    at.number_input(key="pickup_points_handover_household").set_value(household)
    submit(at, "pickup_points_handover_form", "common.save", "fr")
    assert at.success[0].value == t("pickup_points.handover_saved", "fr", id=household)
    assert db.conn.execute("SELECT mode, point_id FROM household_handover").fetchall() == [("pickup", point_id)]
    at.button(key="pickup_points_plan").click()
    at.run()
    assert [s.value for s in at.success] == [t("pickup_points.planned", "fr", count=1)]
    delivery_id = field["deliveries"]["91000005"]
    at.selectbox(key="pickup_points_desk_point").set_value(point_id)
    at.run()
    at.selectbox(key="pickup_points_confirm_delivery").set_value(delivery_id)
    at.text_input(key="pickup_points_confirm_code").input(wrong(code_of(db, delivery_id)))
    submit(at, "pickup_points_confirm_form", "pickup_points.confirm", "fr")
    assert [e.value for e in at.error] == [t("distribution.error.wrong_code_left", "fr", left=4)]
    assert one(db, "SELECT status FROM deliveries WHERE id = ?", delivery_id) == "planned"
    at.text_input(key="pickup_points_confirm_code").input(code_of(db, delivery_id))
    submit(at, "pickup_points_confirm_form", "pickup_points.confirm", "fr")
    assert one(db, "SELECT status FROM deliveries WHERE id = ?", delivery_id) == "confirmed"
    assert at.success[0].value == t(
        "pickup_points.confirmed", "fr", id=delivery_id, status=t("delivery_status.confirmed", "fr")
    )


def test_the_reschedule_list_flags_a_call_after_two_failures_and_replans(make_app, db, actors, field) -> None:  # noqa: F811
    organiser, volunteer = actors["organiser"], actors["volunteer"]
    first = field["deliveries"]["91000002"]
    claim_delivery(db, volunteer, first, day=DAY)
    advance_delivery(db, volunteer, first, "failed", failure_reason="not_home")
    at = open_page(make_app, "organiser", "pages/reschedule.py", lang="en")
    at.selectbox(key="reschedule_delivery").set_value(first)
    at.run()
    assert not at.warning  # one failure: no call yet
    # Planned again for a day the demo volunteer works, and failed a second time.
    at.date_input(key=f"reschedule_day_{first}").set_value(dt.date(2020, 5, 19))
    submit(at, f"reschedule_replan_{first}", "reschedule.replan")
    second = one(db, "SELECT new_delivery_id FROM delivery_reschedules WHERE delivery_id = ?", first)
    assert at.success[0].value == t("reschedule.replanned", "en", id=first, new_id=second, day="19 May 2020")
    assert code_of(db, second) == code_of(db, first)
    assert first not in at.selectbox(key="reschedule_delivery").options
    claim_delivery(db, volunteer, second)
    advance_delivery(db, volunteer, second, "failed", failure_reason="wrong_address")

    at.run()
    at.selectbox(key="reschedule_delivery").set_value(second)
    at.run()
    assert [w.value for w in at.warning] == [t("reschedule.call_first", "en", failures=2, phone="\\+21650000002")]
    history = at.dataframe[-1].value
    assert list(history[t("column.delivery_id", "en")]) == [first, second]
    listed = count_to_reschedule(db, organiser)
    next_week = dt.date.today() + dt.timedelta(days=7)
    at.date_input(key=f"reschedule_day_{second}").set_value(next_week)
    submit(at, f"reschedule_replan_{second}", "reschedule.replan")
    assert count_to_reschedule(db, organiser) == listed - 1


def test_a_household_registered_for_pickup_keeps_its_point_and_no_point_saves_nothing(
    make_app,
    db,
    actors,
    field,  # noqa: F811
) -> None:
    point_id = add_point(db, actors["atss"], name="Local Bab Souika", governorate_code="TN-11", opening_days=[3])
    before = one(db, "SELECT count(*) FROM households")
    at = open_page(make_app, "atss", "pages/household_new.py", lang="en")
    at.text_input(key="household_new_national_id").input("09876543")
    at.text_input(key="household_new_full_name").input("Mouna Hamdi")
    at.text_input(key="household_new_phone").input("98765111")
    at.selectbox(key="household_new_governorate").set_value("TN-12")
    at.button_group(key="household_new_needs_pick").set_value(["food"])
    at.button_group(key="household_new_handover").set_value("pickup")
    at.run()
    # Ariana has no point of ATSS: the choice cannot be saved, and nothing is.
    assert [i.value for i in at.info] == [t("household_new.no_point", "en")]
    next(b for b in at.button if b.key == "household_new_save").click()
    at.run()
    assert one(db, "SELECT count(*) FROM households") == before
    assert t("error.required", "en") in " ".join(e.value for e in at.error)

    at.selectbox(key="household_new_governorate").set_value("TN-11")
    at.run()
    at.selectbox(key="household_new_point").set_value(point_id)
    next(b for b in at.button if b.key == "household_new_save").click()
    at.run()
    assert not at.exception
    household_id = one(db, "SELECT id FROM households WHERE national_id = '09876543'")
    assert db.conn.execute(
        "SELECT mode, point_id FROM household_handover WHERE household_id = ?", [household_id]
    ).fetchall() == [("pickup", point_id)]


def test_the_dashboard_counts_deliveries_to_reschedule_for_staff(make_app, db, actors, field) -> None:  # noqa: F811
    volunteer = actors["volunteer"]
    delivery_id = field["deliveries"]["91000001"]
    claim_delivery(db, volunteer, delivery_id, day=DAY)
    advance_delivery(db, volunteer, delivery_id, "failed", failure_reason="refused")
    expected = count_to_reschedule(db, actors["atss"])
    at = open_page(make_app, "atss", "pages/dashboard.py", lang="en")
    metric = next(m for m in at.metric if m.label == t("dashboard.to_reschedule", "en"))
    assert metric.value == str(expected) and expected >= 1
    observer = open_page(make_app, "observer", "pages/dashboard.py", lang="en")
    assert not [m for m in observer.metric if m.label == t("dashboard.to_reschedule", "en")]
