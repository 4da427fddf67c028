"""Campaign records, duplicate reports from imports, cancelling an allocation in the app, and the
pages when the database cannot be opened."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from data_layer.core.errors import JesrError, PermissionDenied, ValidationError
from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from data_layer.registry.campaigns import active_campaign_id, close_campaign, create_campaign, update_campaign
from data_layer.registry.duplicates import list_duplicate_reports
from data_layer.registry.imports import import_frame
from tests.conftest import actor_for
from ui.navigation import specs_for

RAW = {"name": "حملة", "starts_on": "2020-06-01", "ends_on": "2020-06-30", "target_households": 10}


def test_the_latest_started_active_campaign_takes_new_records_and_a_closed_one_is_frozen(db, actors):
    demo = active_campaign_id(db)
    later = create_campaign(db, actors["organiser"], RAW)
    assert active_campaign_id(db) == later
    close_campaign(db, actors["organiser"], later)
    assert active_campaign_id(db) == demo
    with pytest.raises(JesrError) as refused:
        update_campaign(db, actors["organiser"], later, dict(RAW, name="x"))
    assert refused.value.code == "campaigns.error.closed"
    with pytest.raises(PermissionDenied):
        create_campaign(db, actors["atss"], RAW)
    with pytest.raises(ValidationError):
        create_campaign(db, actors["organiser"], dict(RAW, ends_on="2020-05-01"))


def test_an_import_reports_each_clash_once_without_the_other_association_s_data(db, actors):
    on_file = db.conn.execute(
        "SELECT national_id FROM households WHERE organisation_id <> ? AND status = 'registered' LIMIT 1",
        [actors["atss"].organisation_id],
    ).fetchone()[0]
    frame = pd.DataFrame(
        [
            {"national_id": on_file, "full_name": "X", "governorate": "Tunis", "household_size": "2"},
            {"national_id": "07000001", "full_name": "Y", "governorate": "Tunis", "household_size": "2"},
        ]
    )
    before = len(list_duplicate_reports(db, actors["organiser"]))
    first = import_frame(db, actors["atss"], "households", frame, skip_invalid=True)
    assert [(e.row, e.code, e.params) for e in first.errors] == [(2, "error.duplicate_household_other", {})]
    own_id = db.conn.execute("SELECT id FROM households WHERE national_id = '07000001'").fetchone()[0]
    # The same file again: the other association's clash is not reported twice; the row imported
    # the first time is now the importer's own repeat, named by its number as the form does.
    again = import_frame(db, actors["atss"], "households", frame, skip_invalid=True)
    assert [(e.row, e.code, e.params) for e in again.errors] == [
        (2, "error.duplicate_household_other", {}),
        (3, "error.duplicate_household_own", {"id": own_id}),
    ]
    reports = list_duplicate_reports(db, actors["organiser"])
    assert len(reports) == before + 2
    assert sorted(reports.head(2)[["national_id", "attempted_by", "source"]].values.tolist()) == sorted(
        [[on_file, "ATSS", "import"], ["07000001", "ATSS", "import"]]
    )
    # The importer's rejected file holds only what the importer sent.
    assert set(again.rejected_table("ar")["full_name"]) == {"X", "Y"}


def test_an_organiser_cancels_an_allocation_from_the_deliveries_page(make_app, db_path):
    from data_layer.distribution.allocation import apply_suggestion, suggest_allocations

    setup = open_database(db_path)
    try:
        organiser = actor_for(setup, "organiser")
        allocation_id = apply_suggestion(setup, organiser, suggest_allocations(setup, organiser))[0]
    finally:
        setup.close()
    at = make_app("organiser", lang="en")
    at.run()
    at.switch_page("pages/deliveries.py")
    at.run()
    at.selectbox(key="deliveries_cancel_id").set_value(allocation_id)
    next(b for b in at.button if b.label == t("allocation.cancel", "en")).click()
    at.run()
    assert [e.value for e in at.error] and "required" in at.error[0].value.lower()
    at.text_input(key="deliveries_cancel_reason").input("Wrong household")
    next(b for b in at.button if b.label == t("allocation.cancel", "en")).click()
    at.run()
    assert not at.exception
    assert t("allocation.cancelled", "en", id=allocation_id) in [s.value for s in at.success]
    check = open_database(db_path)
    try:
        assert check.conn.execute("SELECT status FROM allocations WHERE id = ?", [allocation_id]).fetchone() == (
            "cancelled",
        )
        assert check.conn.execute(
            "SELECT username, action, after->>'reason' FROM audit_log WHERE table_name = 'allocations' "
            "AND record_id = ? AND action LIKE 'cancel%'",
            [allocation_id],
        ).fetchall() == [("organiser", "cancel", "Wrong household")]
    finally:
        check.close()


@pytest.mark.parametrize("username", ["organiser", None])
def test_with_the_database_held_elsewhere_every_page_says_so_and_the_navigation_stays(make_app, db_path, username):
    at = make_app(username, lang="fr")  # reads the account before the file is taken
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db_path)!r}); print('held', flush=True); time.sleep(90)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        at.run()
        assert not at.exception
        role = "organiser" if username else "anonymous"
        expected = t("app.database_unavailable", "fr") + "\n\n" + t("app.database_unavailable_busy", "fr")
        for spec in specs_for(role):
            at.switch_page(spec.path)
            at.run()
            assert not at.exception, spec.path
            assert [e.value for e in at.error] == [expected], spec.path
    finally:
        holder.kill()
        holder.wait()
