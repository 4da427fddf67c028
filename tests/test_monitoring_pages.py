"""The dashboard and progress pages under AppTest: figures equal the raw rows, observers see
"<5" and no personal data, filters apply, and a save on an entry page refreshes the dashboard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data_layer.core.i18n import format_number, format_percent, t
from data_layer.ops.bootstrap import open_database
from data_layer.ops.demo import CAMPAIGN_END
from tests.conftest import open_page


def raw_counts(db_path: Path, governorate: str | None = None) -> tuple[int, int]:
    """(registered, served) straight from the household and delivery rows."""
    db = open_database(db_path)
    try:
        households = db.conn.execute("SELECT id, governorate_code, status FROM households").fetchall()
        served = {
            r[0] for r in db.conn.execute("SELECT household_id FROM deliveries WHERE status = 'confirmed'").fetchall()
        }
    finally:
        db.close()
    kept = [
        h
        for h, code, status in households
        if status not in ("submitted", "rejected", "merged") and (governorate is None or code == governorate)
    ]
    return len(kept), sum(h in served for h in kept)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


DASHBOARD_TABS = [
    "dashboard.by_governorate",
    "dashboard.tab_unmet",
    "dashboard.tab_flows",
    "dashboard.volunteers_title",
    "dashboard.tab_downloads",
]


def open_tab(at, label_key: str, lang: str):
    """Click a dashboard tab: the tabs track the open one in session state under their key."""
    at.session_state["dashboard_tab"] = t(label_key, lang)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("username", ["organiser", "atss"])
def test_dashboard_headline_equals_raw_rows(make_app, db_path: Path, username: str) -> None:
    registered, served = raw_counts(db_path)
    at = open_page(make_app, username, "pages/dashboard.py", lang="fr")
    shown = metrics(at)
    assert shown["Ménages inscrits"] == format_number(registered, "fr")
    assert shown["Ménages servis"] == format_number(served, "fr")
    assert shown["Taux de couverture"] == format_percent(served / registered, "fr")


def test_dashboard_governorate_filter(make_app, db_path: Path) -> None:
    registered, served = raw_counts(db_path, "TN-61")
    at = open_page(make_app, "organiser", "pages/dashboard.py", lang="en")
    at.selectbox(key="dashboard_governorate_TN").set_value("TN-61")
    next(b for b in at.button if b.label == t("common.apply", "en")).click()
    at.run()
    assert not at.exception
    assert metrics(at)["Households registered"] == format_number(registered, "en")
    assert metrics(at)["Households served"] == format_number(served, "en")


def test_observer_dashboard_shows_suppressed_cells_and_no_personal_data(make_app, db_path: Path) -> None:
    db = open_database(db_path)
    try:
        people = {
            r[0]
            for r in db.conn.execute(
                "SELECT full_name FROM households UNION SELECT national_id FROM households "
                "UNION SELECT phone FROM households WHERE phone IS NOT NULL"
            ).fetchall()
        }
        small = db.conn.execute(
            "SELECT count(*) FROM areas a WHERE (SELECT count(*) FROM households h WHERE "
            "h.governorate_code = a.code AND h.status NOT IN ('submitted','rejected','merged'))"
            " < 5"
        ).fetchone()[0]
    finally:
        db.close()
    at = open_page(make_app, "observer", "pages/dashboard.py", lang="ar")
    table = at.dataframe[0].value
    registered_column = t("column.households_registered", "ar")
    served_column = t("column.households_served", "ar")
    assert (table[registered_column] == "<5").sum() == small
    # With 300 demo households most governorates have fewer than 5 served.
    assert (table[served_column] == "<5").sum() >= 1
    assert any("<5" in c.value for c in at.caption)
    cells = set()
    for label_key in DASHBOARD_TABS:
        open_tab(at, label_key, "ar")
        cells |= {str(v) for frame in at.dataframe for column in frame.value.columns for v in frame.value[column]}
    assert table[registered_column].astype(str).isin(cells).all()  # the first tab's table was read too
    assert not cells & people


def test_progress_page(make_app) -> None:
    at = open_page(make_app, "observer", "pages/progress.py", lang="en")
    assert metrics(at)["Days left"] == "0"
    assert [b.proto.label for b in at.get("download_button")] == ["CSV", "XLSX"]
    # Observers see one day only (two days' outlooks differ by what was served between them).
    assert [d.key for d in at.date_input] == []
    at = open_page(make_app, "organiser", "pages/progress.py", lang="en")
    assert at.date_input(key="progress_as_of").value == CAMPAIGN_END
    at.date_input(key="progress_as_of").set_value(dt.date(2020, 5, 20))
    next(b for b in at.button if b.label == t("common.apply", "en")).click()
    at.run()
    assert not at.exception
    assert metrics(at)["Days left"] == "10"


def test_saving_a_household_refreshes_the_dashboard(make_app, db_path: Path) -> None:
    registered, _ = raw_counts(db_path)
    at = open_page(make_app, "organiser", "pages/dashboard.py", lang="en")
    assert metrics(at)["Households registered"] == format_number(registered, "en")
    at.switch_page("pages/household_new.py")
    at.run()
    at.text_input(key="household_new_national_id").input("07123456")
    at.text_input(key="household_new_full_name").input("Test Household")
    at.selectbox(key="household_new_governorate").set_value("TN-42")
    at.number_input(key="household_new_household_size").set_value(3)
    at.button_group(key="household_new_needs_pick").set_value(["food"])
    at.run()
    at.number_input(key="household_new_need_food").set_value(1)
    next(b for b in at.button if b.label == t("common.save", "en")).click()
    at.run()
    assert not at.exception
    assert raw_counts(db_path)[0] == registered + 1
    at.switch_page("pages/dashboard.py")
    at.run()
    assert metrics(at)["Households registered"] == format_number(registered + 1, "en")


def test_dashboard_lays_out_only_the_open_tab(make_app) -> None:
    at = open_page(make_app, "organiser", "pages/dashboard.py", lang="ar")
    assert [tab.label for tab in at.tabs] == [t(key, "ar") for key in DASHBOARD_TABS]
    laid_out = {}
    for label_key in DASHBOARD_TABS:
        open_tab(at, label_key, "ar")
        shown = metrics(at)
        assert t("dashboard.served", "ar") in shown  # the headline metrics stay above the tabs
        laid_out[label_key] = (
            len(at.get("plotly_chart")),
            len(at.dataframe),
            len(at.get("download_button")),
            t("dashboard.deliveries_done", "ar") in shown,
        )
    assert laid_out == {
        "dashboard.by_governorate": (4, 1, 0, False),
        "dashboard.tab_unmet": (1, 0, 0, False),
        "dashboard.tab_flows": (2, 2, 0, False),
        "dashboard.volunteers_title": (2, 0, 0, True),
        "dashboard.tab_downloads": (0, 0, 11, False),
    }
    labels = [button.proto.label for button in open_tab(at, "dashboard.tab_downloads", "ar").get("download_button")]
    # Coverage, unmet needs, both flow tables and volunteers: CSV and XLSX each, HXL for coverage.
    assert (labels.count("CSV"), labels.count("XLSX"), labels.count("HXL")) == (5, 5, 1)


def test_raising_the_small_count_threshold_suppresses_more_on_the_public_page(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pandas as pd

    from data_layer.monitoring import suppression
    from data_layer.public.forms import transparency_coverage, transparency_totals

    coverage = pd.DataFrame(
        {
            "governorate_code": ["TN-11", "TN-12"],
            "name_en": ["Tunis", "Ariana"],
            "households_registered": [12, 3],
            "households_served": [7, 0],
            "coverage_rate": [7 / 12, 0.0],
            "registered_per_10k": [1.2, 0.5],
        }
    )
    volunteers = pd.DataFrame({"deliveries_done": [7, 0], "volunteers_active": [8, 1]})
    table = transparency_coverage(coverage, "en")
    # The totals are published (15 and 7): a single hidden cell would be their difference, so the
    # other cell is withheld too ("x").
    assert list(table["registered"]) == [suppression.WITHHELD, "<5"]
    assert list(table["served"]) == [suppression.WITHHELD, "<5"]
    assert transparency_totals(coverage, volunteers) == {
        "households_registered": 15,
        "households_served": 7,
        "deliveries": 7,
        "volunteers": 9,
    }

    monkeypatch.setattr(suppression, "SMALL_COUNT_THRESHOLD", 10)
    table = transparency_coverage(coverage, "en")
    assert list(table["registered"]) == [suppression.WITHHELD, suppression.SUPPRESSED]
    assert list(table["served"]) == [suppression.SUPPRESSED] * 2
    assert list(table["coverage"]) == [suppression.SUPPRESSED] * 2
    assert transparency_totals(coverage, volunteers) == {
        "households_registered": 15,
        "households_served": suppression.SUPPRESSED,
        "deliveries": suppression.SUPPRESSED,
        "volunteers": suppression.SUPPRESSED,
    }

    # The page itself: the demo shows its figures and progress; with a threshold above every
    # count, none of them.
    def transparency_page():
        at = make_app(lang="en")
        at.run()
        at.switch_page("pages/transparency.py")
        at.run()
        assert not at.exception
        figures = {m.value for m in at.metric if m.label != t("transparency.days_left", "en")}
        return at.dataframe[1].value, figures, [bar.value for bar in at.get("progress")]

    table, figures, bars = transparency_page()
    assert set(table["Registered"]) != {suppression.SUPPRESSED} and figures != {suppression.SUPPRESSED}
    assert len(bars) == 1 and bars[0] > 0
    monkeypatch.setattr(suppression, "SMALL_COUNT_THRESHOLD", 10**9)
    table, figures, bars = transparency_page()
    assert set(table["Registered"]) == set(table["Served"]) == {suppression.SUPPRESSED}
    assert figures == {suppression.SUPPRESSED}
    assert bars == [0.0]
