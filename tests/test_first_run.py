"""The first run of a real campaign, page by page, on a database made by `init` alone (no demo):
the admin (command line), then in the app an organisation, a campaign, an association account,
a household registered by that association, and the household on the progress page."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys

import streamlit as st
from streamlit.testing.v1 import AppTest

from data_layer.access.accounts import actor_from_user_row, get_user
from data_layer.core.i18n import t
from data_layer.monitoring.progress import campaign_progress
from data_layer.ops.bootstrap import open_database
from tests.conftest import COOKIE_KEY, ROOT


def app_as(db_path, username: str, lang: str = "en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["auth"] = {"cookie_key": COOKIE_KEY}
    at.query_params["lang"] = lang
    st.cache_resource.clear()  # the app opens the file itself; the test's own handle is closed
    database = open_database(db_path)
    try:
        at.session_state["actor"] = actor_from_user_row(get_user(database, username))
    finally:
        database.close()
    return at


def open_page(db_path, username: str, page: str) -> AppTest:
    at = app_as(db_path, username)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def submit(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def test_first_run_from_an_empty_database(tmp_path, empty_template, monkeypatch):
    db_path = tmp_path / "jesr.duckdb"
    shutil.copy(empty_template, db_path)
    monkeypatch.setenv("JESR_DB", str(db_path))
    created = subprocess.run(
        [sys.executable, "-m", "data_layer", "--db", str(db_path), "users", "add", "boss", "--role", "admin"]
        + ["--full-name", "First Admin", "--password", "a-long-admin-passphrase"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    save = t("common.save", "en")
    try:
        at = open_page(db_path, "boss", "pages/admin_organisations.py")
        at.text_input(key="admin_organisations_code").input("JASMIN")
        at.text_input(key="admin_organisations_name").input("Association Jasmin")
        at.multiselect(key="admin_organisations_areas").set_value(["TN-11"])
        submit(at, save)

        today = dt.date.today()
        at = open_page(db_path, "boss", "pages/campaigns.py")
        at.text_input(key="campaigns_new_name").input("حملة الربيع")
        at.text_input(key="campaigns_new_name_en").input("Spring campaign")
        at.date_input(key="campaigns_new_starts_on").set_value(today)
        at.date_input(key="campaigns_new_ends_on").set_value(today + dt.timedelta(days=20))
        at.number_input(key="campaigns_new_target_households").set_value(50)
        submit(at, save)

        database = open_database(db_path)
        try:
            org_id = database.conn.execute("SELECT id FROM organisations WHERE code = 'JASMIN'").fetchone()[0]
        finally:
            database.close()
        at = open_page(db_path, "boss", "pages/admin_users.py")
        at.text_input(key="admin_users_username").input("salma")
        at.text_input(key="admin_users_full_name").input("Salma J.")
        at.selectbox(key="admin_users_role").set_value("association")
        at.selectbox(key="admin_users_org").set_value(org_id)
        at.text_input(key="admin_users_password").input("another-long-passphrase")
        submit(at, save)

        at = open_page(db_path, "salma", "pages/household_new.py")
        at.text_input(key="household_new_national_id").input("09876543")
        at.text_input(key="household_new_full_name").input("Mounir Ben Salah")
        at.selectbox(key="household_new_governorate").set_value("TN-11")
        at.button_group(key="household_new_needs_pick").set_value(["food"])
        at.run()
        at.number_input(key="household_new_need_food").set_value(1)
        submit(at, save)

        at = open_page(db_path, "boss", "pages/progress.py")
        campaign_box = at.selectbox(key="progress_campaign_TN")  # one picker per country
        assert campaign_box.options == ["Spring campaign"]  # its English name, on a page in English
    finally:
        st.cache_resource.clear()

    database = open_database(db_path)
    try:
        rows = database.conn.execute(
            "SELECT h.full_name, c.name, h.organisation_id FROM households h JOIN campaigns c ON c.id = h.campaign_id"
        ).fetchall()
        progress = campaign_progress(database)
    finally:
        database.close()
    assert rows == [("Mounir Ben Salah", "حملة الربيع", org_id)]
    assert progress.target == 50
    registered = progress.governorates.set_index("governorate_code")["households_registered"]
    assert registered["TN-11"] == 1
    # The progress page showed this campaign's table, with its one registered household.
    shown = at.dataframe[-1].value.set_index(t("column.governorate_code", "en"))
    assert 1 in shown.loc["TN-11"].tolist()
