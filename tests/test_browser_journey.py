"""The whole campaign in a real browser, once in Arabic and once in French: association staff log in,
record a donation and a household, allocate, plan the delivery and give it to a volunteer; the
volunteer marks it delivered with the household's code; the governorate's coverage goes up by one
on the dashboard. Debian's Chromium through Playwright, against `streamlit run app.py`."""

import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from data_layer.core.i18n import t
from tests.servers import ROOT, start_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
GOVERNORATE = "TN-11"  # where the demo volunteer of ATSS works
# Governorate pickers show names only; the journey types the name as a person does.
GOVERNORATE_NAME = {"ar": "تونس", "fr": "Tunis"}
CATEGORY = "clothes"
NEED = 2
TIMEOUT_MS = 30_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (make browser installs it)"),
]


def plan_journey(db_path: Path, lang: str) -> dict:
    """Read what the journey needs from the database before the app takes the file."""
    conn = duckdb.connect(str(db_path), read_only=True)
    try:
        atss = conn.execute("SELECT id FROM organisations WHERE code = 'ATSS'").fetchone()[0]
        # Enough stock for every open ATSS clothes need of the governorate, ours included, so the suggestion serves ours.
        open_need = conn.execute(
            """SELECT coalesce(sum(n.quantity), 0) FROM needs n JOIN households h ON h.id = n.household_id
               WHERE n.status = 'open' AND n.category_code = ? AND h.governorate_code = ? AND h.organisation_id = ?""",
            [CATEGORY, GOVERNORATE, atss],
        ).fetchone()[0]
        volunteer_id, volunteer_name = conn.execute(
            "SELECT v.id, v.full_name FROM volunteers v JOIN users u ON u.id = v.user_id WHERE u.username = 'volunteer'"
        ).fetchone()
        # A day of the campaign when the volunteer (on foot: 3 a day) still has room.
        busy = dict(
            conn.execute(
                "SELECT planned_on, count(*) FROM deliveries WHERE volunteer_id = ? AND status NOT IN "
                "('failed', 'cancelled') GROUP BY 1",
                [volunteer_id],
            ).fetchall()
        )
        day = next(
            d
            for d in (f"2020-05-{n:02d}" for n in range(16, 31))
            if busy.get(__import__("datetime").date.fromisoformat(d), 0) == 0
        )
        national_id = "7" + str(7000000 + (1 if lang == "ar" else 2))
        assert conn.execute("SELECT count(*) FROM households WHERE national_id = ?", [national_id]).fetchone()[0] == 0
    finally:
        conn.close()
    return {
        "quantity": int(open_need) + NEED + 3,
        "day": day,
        "volunteer": volunteer_name,
        "national_id": national_id,
        "household": "فاطمة الرحلة" if lang == "ar" else "Fatma Parcours",
        "donor": "مغازة الجسر" if lang == "ar" else "Magasin Jesr",
    }


@pytest.fixture
def app_server(tmp_path, demo_template):
    db_path = tmp_path / "journey.duckdb"
    shutil.copy(demo_template, db_path)
    server = start_app(db_path, tmp_path / "streamlit.log")
    yield server.url, db_path
    server.stop()


class Journey:
    """Small helpers over Playwright that speak in Streamlit's terms (widget keys, visible text)."""

    def __init__(self, page, base: str, lang: str) -> None:
        self.page, self.base, self.lang = page, base, lang
        self.page_switch_retries = 0

    def tr(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    def settle(self) -> None:
        """Wait until the script rerun triggered by the last action has finished.

        The app root carries the run state; a widget event sets it to rerunRequested on the client
        before the server runs the script, so "notRunning" means the run for that event is done.
        """
        self.page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(timeout=TIMEOUT_MS)

    def widget(self, key: str):
        return self.page.locator(f".st-key-{key}")

    def fill(self, key: str, value: str) -> None:
        field = self.widget(key).locator("input, textarea").first
        field.fill(value)
        field.press("Tab")

    def type_date(self, key: str, day: str) -> None:
        """Type an ISO date into a date field: its day, month and year are separate spin buttons."""
        self.widget(key).locator("[role='spinbutton'][data-type='day']").click()
        for part, width in ((day[8:], 2), (day[5:7], 2), (day[:4], 4)):
            self.page.keyboard.type(part.zfill(width), delay=30)
        self.page.keyboard.press("Tab")
        self.settle()

    def choose(self, key: str, typed: str) -> None:
        """Pick in a selectbox by typing part of the option shown and taking the first match."""
        box = self.widget(key).locator("input").first
        box.click()
        box.fill(typed)
        self.page.locator("[role='option']").first.wait_for(timeout=TIMEOUT_MS)
        box.press("Enter")
        self.settle()

    def click(self, text: str, within=None) -> None:
        (within or self.page).get_by_role("button", name=text, exact=True).click()
        self.settle()

    def see(self, text: str):
        found = self.page.get_by_text(text, exact=False).first
        found.wait_for(timeout=TIMEOUT_MS)
        return found

    def open(self, page_name: str, shows: str | None = None) -> None:
        """Open a page from the sidebar; with `shows`, until that widget of the page is on screen."""
        link = self.page.locator(f"[data-testid='stSidebarNav'] a[href$='/{page_name}']")
        more = self.page.locator("[data-testid='stSidebarNavViewButton']")
        for _attempt in range(3):
            if link.count() == 0 and more.count() > 0:  # Streamlit folds long page lists behind "View more"
                more.first.click()
            link.click()
            self.settle()
            # The cookie component's own rerun right after a login can swallow a page switch:
            # click again until the address is the page's.
            # Seen once in a full local run: the address changed but the page never drew (30 s).
            try:
                self.page.wait_for_url(re.compile(f"/{page_name}(\\?|$)"), timeout=5_000)
                if shows is not None:
                    self.widget(shows).wait_for(timeout=10_000)
                return
            except PlaywrightTimeout:
                self.page_switch_retries += 1
        raise AssertionError(f"could not open {page_name}")

    def log_in(self, username: str, password: str) -> None:
        self.page.goto(f"{self.base}/?lang={self.lang}")
        self.widget("login_username").locator("input").wait_for(timeout=TIMEOUT_MS)
        self.fill("login_username", username)
        self.fill("login_password", password)
        role = self.tr(f"role.{'association' if username == 'atss' else username}")
        signed_in = self.page.get_by_text(self.tr("app.signed_in_as", username=username, role=role))
        # One press: a second one is never needed (tests/test_login_once.py).
        self.click(self.tr("login.submit"))
        signed_in.wait_for(timeout=TIMEOUT_MS)

    def log_out(self) -> None:
        self.widget("app_logout").locator("button").click()
        self.settle()
        self.widget("login_username").wait_for(timeout=TIMEOUT_MS)

    def served_in_governorate(self) -> int:
        # The area picker is keyed by country: a choice left in one country is never another's.
        self.open("dashboard", shows="dashboard_governorate_TN")
        self.choose("dashboard_governorate_TN", GOVERNORATE_NAME[self.lang])
        self.click(self.tr("common.apply"))
        # The page drawn before the filter applies stays on screen until the filtered run replaces it,
        # and settle() can miss a run that starts late (seen in CI: the unfiltered 104 read for 9).
        # The filtered run is the one that reaches at most one governorate; its metrics come together.
        reached = self.page.locator("[data-testid='stMetric']").filter(
            has_text=self.tr("dashboard.governorates_reached")
        )
        expect(reached.locator("[data-testid='stMetricValue']")).to_have_text(
            re.compile(r"^[^0-9\u0660-\u0669]*[01\u0660\u0661][^0-9\u0660-\u0669]*$"), timeout=TIMEOUT_MS
        )
        return self.metric_number("dashboard.served")

    def metric_number(self, label_key: str) -> int:
        metric = self.page.locator("[data-testid='stMetric']").filter(has_text=self.tr(label_key))
        value = metric.locator("[data-testid='stMetricValue']").inner_text(timeout=TIMEOUT_MS)
        return int(re.sub(r"\D", "", value))


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_campaign_journey_in_the_browser(app_server, lang, tmp_path):
    from playwright.sync_api import sync_playwright

    base, db_path = app_server
    plan = plan_journey(db_path, lang)
    results = ROOT / "test-results"
    results.mkdir(exist_ok=True)
    started = time.monotonic()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="ar-TN" if lang == "ar" else "fr-FR")
        page.set_default_timeout(TIMEOUT_MS)
        go = Journey(page, base, lang)
        try:
            # 1. Association staff log in; the interface is in the chosen language and direction.
            go.log_in("atss", "jesr-assoc-2020")
            direction = page.locator("[data-testid='stMain']").evaluate("el => getComputedStyle(el).direction")
            assert direction == ("rtl" if lang == "ar" else "ltr")
            served_before = go.served_in_governorate()

            # 2. A donation of clothes received in the governorate.
            go.open("donation_new")
            go.choose("donation_new_category", go.tr(f"category.{CATEGORY}"))
            go.fill("donation_new_donor_name", plan["donor"])
            go.fill("donation_new_item", go.tr(f"category.{CATEGORY}"))
            go.fill("donation_new_quantity", str(plan["quantity"]))
            go.choose("donation_new_governorate", GOVERNORATE_NAME[lang])
            go.click(go.tr("common.save"))
            go.see(go.tr("donation_new.saved", id=0).split("0")[0])

            # 3. A household that needs clothes.
            go.open("household_new")
            go.fill("household_new_national_id", plan["national_id"])
            go.fill("household_new_full_name", plan["household"])
            go.choose("household_new_governorate", GOVERNORATE_NAME[lang])
            go.fill("household_new_delegation", "Bab Souika")
            go.page.get_by_role("button", name=go.tr(f"category.{CATEGORY}"), exact=True).click()
            go.settle()
            go.fill(f"household_new_need_{CATEGORY}", str(NEED))
            go.click(go.tr("common.save"))
            go.see(go.tr("household_new.saved", id=0).split("0")[0])

            # 4. The suggested allocation for the governorate and category, applied.
            go.open("allocation")
            go.choose("allocation_governorate", GOVERNORATE_NAME[lang])
            go.choose("allocation_category", go.tr(f"category.{CATEGORY}"))
            go.click(go.tr("allocation.suggest"))
            go.click(go.tr("allocation.apply"))
            page.locator("[data-testid='stAlertContentSuccess']").first.wait_for()

            # 5. Deliveries planned on a campaign day, ours given to the volunteer; its code read off the page.
            go.open("deliveries")
            go.type_date("deliveries_group_day", plan["day"])
            go.click(go.tr("deliveries.group"))
            page.locator("[data-testid='stAlertContentSuccess']").first.wait_for()
            go.choose("deliveries_delivery", plan["household"])
            shown = re.compile(r"#(\d+) — " + re.escape(plan["household"]))
            box = go.widget("deliveries_delivery")
            seen = " ".join(
                [box.inner_text()]
                + [i.input_value() for i in box.locator("input").all()]
                + [i.get_attribute("aria-label") or "" for i in box.locator("input").all()]
            )
            found = shown.search(seen)
            assert found, seen
            delivery_id = int(found.group(1))
            # The caption names its delivery, so a caption still showing the previous choice is not read.
            code_line = re.compile(
                f"#{delivery_id} · " + re.escape(go.tr("deliveries.code", code="").strip()) + r"\s*(\d{6})"
            )
            page.get_by_text(code_line).first.wait_for()
            code = code_line.search(page.locator("[data-testid='stMain']").inner_text()).group(1)
            go.choose(f"deliveries_assign_volunteer_{delivery_id}", plan["volunteer"].split()[-1])
            go.click(go.tr("deliveries.assign"))
            go.see(go.tr("deliveries.assigned"))
            go.log_out()

            # 6. The volunteer, at the door, types the household's code and marks it delivered.
            go.log_in("volunteer", "jesr-volunteer-2020")
            go.open("my_deliveries", shows=f"my_deliveries_code_{delivery_id}")
            go.see(plan["household"])
            go.fill(f"my_deliveries_code_{delivery_id}", code)
            form = page.locator("[data-testid='stForm']").filter(has=go.widget(f"my_deliveries_code_{delivery_id}"))
            go.click(go.tr("my_deliveries.delivered"), within=form)
            go.see(go.tr("deliveries.moved", status=go.tr("delivery_status.confirmed")))
            go.log_out()

            # 7. Back on the dashboard, the governorate has one more household served.
            go.log_in("atss", "jesr-assoc-2020")
            served_after = go.served_in_governorate()
            assert served_after == served_before + 1
            if lang == "ar":
                assert page.locator("[data-testid='stMain']").evaluate("el => getComputedStyle(el).direction") == "rtl"
        finally:
            page.screenshot(path=str(results / f"journey-{lang}.png"), full_page=True)
            browser.close()
    elapsed = time.monotonic() - started
    print(
        f"journey in {lang}: {elapsed:.1f} s, served in {GOVERNORATE} {served_before} -> {served_after}, "
        f"page links clicked again: {go.page_switch_retries}"
    )
    assert elapsed < 180
