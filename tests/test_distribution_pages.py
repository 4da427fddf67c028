"""AppTest of the distribution pages: each renders for each allowed role, other roles cannot reach them,
and the volunteer page shows only the volunteer's own deliveries."""

from __future__ import annotations

import re

import pytest

from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database

PAGES = {
    "pages/stock.py": {"admin", "organiser", "atss"},
    "pages/allocation.py": {"admin", "organiser", "atss"},
    "pages/deliveries.py": {"admin", "organiser", "atss"},
    "pages/traceability.py": {"admin", "organiser", "atss"},
    "pages/duplicates.py": {"admin", "organiser"},
    "pages/my_deliveries.py": {"volunteer"},
}
USERS = ("admin", "organiser", "atss", "observer", "volunteer")


def _count(db_path, sql: str) -> int:
    database = open_database(db_path)
    try:
        return int(database.conn.execute(sql).fetchall()[0][0])
    finally:
        database.close()


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_render_for_allowed_roles_only(make_app, page: str) -> None:
    for username in USERS:
        at = make_app(username)
        at.run()
        assert not at.exception
        if username in PAGES[page]:
            at.switch_page(page)
            at.run()
            assert not at.exception, (page, username, at.exception)
            assert not any("[" in e.value and "]" in e.value and "." in e.value for e in at.title)
        else:
            # AppTest refuses to switch to a page st.navigation did not register for this role.
            with pytest.raises(ValueError):
                at.switch_page(page)


def test_allocation_page_saves_from_the_editor(make_app, db_path) -> None:
    at = make_app("organiser", lang="en")
    at.run()
    at.switch_page("pages/allocation.py")
    at.run()
    database = open_database(db_path)
    try:
        governorate, category = database.conn.execute(
            "SELECT h.governorate_code, n.category_code FROM needs n JOIN households h ON h.id = n.household_id "
            "JOIN stock_lines s ON s.governorate_code = h.governorate_code AND s.category_code = n.category_code "
            "AND s.unit = n.unit WHERE n.status = 'open' AND s.available > 5 AND n.category_code <> 'cash' "
            "ORDER BY n.id LIMIT 1"
        ).fetchall()[0]
    finally:
        database.close()
    at.selectbox(key="allocation_governorate").set_value(governorate)
    at.selectbox(key="allocation_category").set_value(category)
    at.run()
    assert not at.exception
    before = _count(db_path, "SELECT count(*) FROM allocations")
    at.button(key="allocation_suggest").click()
    at.run()
    assert not at.exception
    # The summary says where the proposed stock is held, and the table says it per row, translated.
    proposal = next(d.value for d in at.dataframe if t("column.tier", "en") in d.value.columns)
    tiers = proposal[t("column.tier", "en")]
    summary = next(m.value for m in at.markdown if m.value.startswith("Where the stock is held"))
    counts = [int(n) for n in re.findall(r"(\d+) (?:allocations from|from elsewhere|lent by)", summary)]
    assert counts == [
        int((tiers == t(f"allocation.tier.{tier}", "en")).sum()) for tier in ("delegation", "governorate", "lent")
    ]
    assert sum(counts) == len(proposal) > 0
    # Who gets what, by name and place, not by household and stock numbers.
    assert {t(f"column.{c}", "en") for c in ("full_name", "delegation", "household_size", "from_line")} <= set(
        proposal.columns
    )
    assert t("column.household_id", "en") not in proposal.columns and proposal[t("column.full_name", "en")].all()
    assert not proposal[t("column.from_line", "en")].str.startswith("#").any()
    at.button(key="allocation_apply").click()
    at.run()
    assert not at.exception
    assert any("allocations saved" in s.value for s in at.success)
    database = open_database(db_path)
    try:
        open_left = database.conn.execute(
            "SELECT count(*) FROM needs n JOIN households h ON h.id = n.household_id WHERE n.status = 'open' "
            "AND h.governorate_code = ? AND n.category_code = ? AND h.status NOT IN ('merged', 'rejected', "
            "'inactive')",
            [governorate, category],
        ).fetchall()[0][0]
        negative = database.conn.execute("SELECT count(*) FROM stock_lines WHERE available < 0").fetchall()[0][0]
    finally:
        database.close()
    assert negative == 0
    assert _count(db_path, "SELECT count(*) FROM allocations") > before
    assert open_left < _count(db_path, "SELECT count(*) FROM needs")


def test_volunteer_page_lists_only_own_deliveries(make_app, db_path) -> None:
    database = open_database(db_path)
    try:
        mine = database.conn.execute(
            "SELECT d.id, h.full_name FROM deliveries d JOIN volunteers v ON v.id = d.volunteer_id "
            "JOIN households h ON h.id = d.household_id JOIN users u ON u.id = v.user_id "
            "WHERE u.username = 'volunteer' AND d.status IN ('planned', 'out_for_delivery') ORDER BY d.id"
        ).fetchall()
        others = database.conn.execute(
            "SELECT d.id FROM deliveries d LEFT JOIN volunteers v ON v.id = d.volunteer_id "
            "WHERE v.user_id IS NULL AND d.status IN ('planned', 'out_for_delivery')"
        ).fetchall()
    finally:
        database.close()
    at = make_app("volunteer", lang="en")
    at.run()
    at.switch_page("pages/my_deliveries.py")
    at.run()
    assert not at.exception
    shown = {e.value for e in at.markdown}
    for delivery_id, _ in mine:
        assert any(f"**#{delivery_id} —" in text for text in shown)
    for (delivery_id,) in others:
        assert not any(f"**#{delivery_id} —" in text for text in shown)
    if mine:
        delivery_id = mine[0][0]
        at.button(key=f"FormSubmitter:my_deliveries_form_{delivery_id}-Delivered").click()
        at.run()
        assert not at.exception
        database = open_database(db_path)
        try:
            status = database.conn.execute("SELECT status FROM deliveries WHERE id = ?", [delivery_id]).fetchall()
        finally:
            database.close()
        assert status == [("delivered",)]
