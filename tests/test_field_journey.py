"""A volunteer's day on a 390-px phone in Arabic, in a real browser: the organiser builds the route of
one delegation on the Routes page at 1280 px (the vehicle's room taken, stops in address order); on
the phone it is a list of cards in stop order; a wrong household code is refused in the card and changes nothing;
the right one confirms the stop and the next stop leads; an open delivery nearby is claimed.

Each screen passes the phone journey's checks (no horizontal scrolling, right-to-left, no English
word) and is photographed into docs/screenshots/field-*.png; the seconds from tap to result are printed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

import pytest

from data_layer.distribution.allocation import save_allocations
from data_layer.distribution.deliveries import create_deliveries
from data_layer.ops.bootstrap import open_database
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from tests.conftest import ROOT, actor_for
from tests.test_browser_journey import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.test_phone_journey import PROPER_NAMES, WORD, Phone, streamlit_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make browser installs it)"),
]
# Two stops in Bab Souika (addresses out of order) and one open delivery in El Menzah, all of ATSS.
HOUSEHOLDS = [
    ("92000001", "سلمى بن علي", "باب سويقة", "نهج 10"),
    ("92000002", "الهادي الطرابلسي", "باب سويقة", "نهج 2"),
    ("92000003", "ريم الساعدي", "المنزه", "نهج 1"),
]


def seed(db_path) -> dict[str, object]:
    """Two deliveries waiting in Bab Souika for a route of today, and one open delivery in El Menzah;
    the demo volunteer made available today."""
    today = dt.date.today()
    db = open_database(db_path)
    try:
        atss, volunteer = (actor_for(db, name) for name in ("atss", "volunteer"))
        with db.transaction() as cur:
            cur.execute(
                "UPDATE volunteers SET available_to = ? WHERE id = ?",
                [today + dt.timedelta(days=30), volunteer.volunteer_id],
            )
        donation = register_donation(
            db,
            atss,
            {
                "donor_type": "individual",
                "donor_name": "متبرّع",
                "category": "clothes",
                "kind": "in_kind",
                "item": "معاطف",
                "quantity": "10",
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
                    "phone": "+21651000" + national_id[-3:],
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
            n: int(db.conn.execute("SELECT id FROM deliveries WHERE household_id = ?", [h]).fetchall()[0][0])
            for n, h in households.items()
        }
        # Names, delegations and items typed in Latin letters in the demo data are data, not English.
        typed = db.conn.execute(
            "SELECT full_name FROM households UNION ALL SELECT delegation FROM households"
            " UNION ALL SELECT item FROM donations UNION ALL SELECT full_name FROM volunteers"
        ).fetchall()
        PROPER_NAMES.update(w for (text,) in typed if text for w in WORD.findall(text))
        codes = {
            n: str(db.conn.execute("SELECT confirmation_code FROM deliveries WHERE id = ?", [i]).fetchall()[0][0])
            for n, i in deliveries.items()
        }
        volunteer_name = str(
            db.conn.execute("SELECT full_name FROM volunteers WHERE id = ?", [volunteer.volunteer_id]).fetchall()[0][0]
        )
    finally:
        db.close()
    return {"deliveries": deliveries, "codes": codes, "volunteer": volunteer_name}


def test_a_volunteer_works_through_the_route_on_a_phone_in_arabic(tmp_path, demo_template):
    from playwright.sync_api import sync_playwright

    db_path = tmp_path / "field.duckdb"
    shutil.copy(demo_template, db_path)
    seeded = seed(db_path)
    d, codes = seeded["deliveries"], seeded["codes"]
    # The server holds the file while it runs: the database is read after it has stopped.
    with streamlit_server(db_path, tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # 0. At the office, 1280 px: the organiser builds today's route of Bab Souika for the volunteer.
        office_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar-TN")
        office_page = office_context.new_page()
        office_page.set_default_timeout(TIMEOUT_MS)
        office = Phone(office_page, base, "ar", 1280, shot_prefix="field-office")
        office_started = time.monotonic()
        try:
            # The login screen is the volunteer's to check below; here it is only passed through.
            office_page.goto(f"{base}/?lang=ar")
            office.widget("login_username").locator("input").wait_for()
            office.settle()
            office.fill("login_username", "organiser")
            office.fill("login_password", "jesr-organiser-2020")
            routes_link = office_page.locator("[data-testid='stSidebarNav'] a[href$='/routes']")
            office.tap(office.tr("login.submit"))
            routes_link.wait_for(state="attached")
            office.settle()
            signed_in = time.monotonic()
            office.timings.append(("log in", signed_in - office_started))
            routes_form = office.widget("routes_governorate")
            routes_link.click()
            routes_form.wait_for()
            office.settle()
            office.timings.append(("open routes", time.monotonic() - signed_in))
            office.choose("routes_governorate", "تونس")
            office.choose("routes_delegation", "باب سويقة")
            office.choose("routes_volunteer", seeded["volunteer"])
            built = office_page.locator("[data-testid='stAlertContentSuccess']")
            office.timed("save route", lambda: office.tap(office.tr("routes.build")), lambda: built.wait_for())
            assert office.tr("routes.built", id="\0").split("\0")[0] in built.inner_text()
            office.check_screen("route-built")
        finally:
            (ROOT / "test-results").mkdir(exist_ok=True)
            office_page.screenshot(path=str(ROOT / "test-results" / "field-office-ar.png"), full_page=True)
            office_context.close()
        office_seconds = time.monotonic() - office_started
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ar-TN")
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        go = Phone(page, base, "ar", 390, shot_prefix="field")
        try:
            page.goto(f"{base}/?lang=ar")
            go.widget("login_username").locator("input").wait_for()
            go.settle()
            # As the phone journey does: look at the screen (its frame pass done) before typing.
            go.check_screen("login")
            go.fill("login_username", "volunteer")
            go.fill("login_password", "jesr-volunteer-2020")
            menu = page.locator("[data-testid='stSidebarNav'] a[href$='/my_deliveries']")
            started = time.monotonic()
            # One tap: a second one is never needed (tests/test_login_once.py).
            go.tap(go.tr("login.submit"))
            menu.wait_for(state="attached")
            go.timings.append(("log in", time.monotonic() - started))
            go.settle()

            # 1. The route: نهج 2 is stop 1, نهج 10 stop 2, before any other delivery.
            first, second = d["92000002"], d["92000001"]
            go.open("my_deliveries", shows=f"my_deliveries_card_{first}")
            cards = page.locator("[class*='st-key-my_deliveries_card_']")
            keys = [c.get_attribute("class") for c in cards.all()]
            assert f"st-key-my_deliveries_card_{first}" in keys[0] and f"st-key-my_deliveries_card_{second}" in keys[1]
            card = go.widget(f"my_deliveries_card_{first}")
            assert go.tr("my_deliveries.stop", stop=1, stops=2, delegation="باب سويقة") in card.inner_text()
            assert "نهج 2" in card.inner_text() and go.tr("unit.piece") in card.inner_text()
            go.check_screen("route")

            # 2. A wrong code: refused in the card, the stop still open.
            wrong = "000000" if codes["92000002"] != "000000" else "111111"
            go.fill(f"my_deliveries_code_{first}", wrong)
            refused = card.locator("[data-testid='stAlertContentError']")
            go.timed(
                "wrong code", lambda: go.tap(go.tr("my_deliveries.delivered"), within=card), lambda: refused.wait_for()
            )
            assert go.tr("distribution.error.wrong_code_left", left=4) in refused.inner_text()
            go.check_screen("wrong-code")

            # 3. The right code: confirmed, and the next stop leads.
            go.fill(f"my_deliveries_code_{first}", codes["92000002"])
            done = page.locator("[data-testid='stAlertContentSuccess']")
            go.timed(
                "save confirmed stop",
                lambda: go.tap(go.tr("my_deliveries.delivered"), within=card),
                lambda: done.wait_for(),
            )
            assert go.tr("delivery_status.confirmed") in done.inner_text()
            go.widget(f"my_deliveries_card_{first}").wait_for(state="detached")
            assert f"st-key-my_deliveries_card_{second}" in (cards.first.get_attribute("class") or "")
            go.check_screen("next-stop")

            # 4. Open work nearby: El Menzah's delivery, without its address until taken.
            open_one = d["92000003"]
            go.open("open_work", shows=f"open_work_card_{open_one}")
            offer = go.widget(f"open_work_card_{open_one}")
            assert "المنزه" in offer.inner_text() and "نهج 1" not in offer.inner_text()
            go.check_screen("open-work")
            go.timed(
                "save claim",
                lambda: go.tap(go.tr("open_work.claim"), within=offer),
                lambda: done.wait_for(),
            )
            assert go.tr("open_work.claimed", id=open_one, day="\0").split("\0")[0] in done.inner_text()
            go.check_screen("claimed")
        finally:
            (ROOT / "test-results").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "test-results" / "field-ar.png"), full_page=True)
            browser.close()
    lines = [f"office, from its login to the route built: {office_seconds:.2f} s"]
    lines += [f"office {step}: {seconds:.2f} s" for step, seconds in office.timings]
    lines += [f"{step}: {seconds:.2f} s" for step, seconds in go.timings]
    print("\nfield journey in ar at 390 px\n" + "\n".join(lines))
    database = open_database(db_path)
    try:
        statuses = dict(
            database.conn.execute(
                "SELECT id, status FROM deliveries WHERE list_contains(?, id)", [list(d.values())]
            ).fetchall()
        )
        route_stops = [
            int(i)
            for (i,) in database.conn.execute(
                "SELECT delivery_id FROM route_stops ORDER BY route_id, stop_order"
            ).fetchall()
            if int(i) in d.values()
        ]
    finally:
        database.close()
    assert statuses == {first: "confirmed", second: "planned", open_one: "planned"}
    assert route_stops == [first, second]  # the organiser's route: both Bab Souika stops, in address order
    saves = [seconds for step, seconds in go.timings + office.timings if step.startswith("save")]
    assert saves and max(saves) < 3, go.timings
