"""Coverage, flows and progress aggregates checked against the raw rows and against literal cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd
import pytest

from data_layer.monitoring.coverage import (
    Filters,
    aggregate_export,
    coverage_by_governorate,
    coverage_totals,
    flows_by_category,
    flows_by_organisation,
    unmet_by_governorate_category,
    volunteer_activity,
)
from data_layer.monitoring.progress import campaign_progress
from data_layer.monitoring.suppression import SMALL_COUNT_THRESHOLD, SUPPRESSED, WITHHELD, suppress_small_counts
from data_layer.store.database import Database
from tests.conftest import rebuild_facts_after_raw_sql

REGISTERED_STATUSES = {"registered", "verified", "served", "inactive"}


def rows(db: Database, sql: str, params: dict | None = None) -> list[tuple]:
    cur = db.cursor()
    try:
        return cur.execute(sql, params or {}).fetchall()
    finally:
        cur.close()


def add_delivery(
    db: Database,
    household_id: int,
    status: str,
    when: dt.datetime | None,
    volunteer_id: int | None = None,
    organisation_id: int | None = None,
) -> int:
    cur = db.cursor()
    try:
        return cur.execute(
            "INSERT INTO deliveries (household_id, organisation_id, volunteer_id, planned_on, status, confirmed_at, "
            "delivered_at) VALUES ($h, $o, $v, $p, $s, $c, $d) RETURNING id",
            {
                "h": household_id,
                "o": organisation_id,
                "v": volunteer_id,
                "p": when.date() if when else None,
                "s": status,
                "c": when if status == "confirmed" else None,
                "d": when if status in ("delivered", "confirmed") else None,
            },
        ).fetchone()[0]
    finally:
        cur.close()


def expected_coverage(
    db: Database, *, date_from: dt.date | None = None, date_to: dt.date | None = None, governorate: str | None = None
) -> dict[str, tuple[int, int]]:
    """(registered, served) per governorate computed in Python from the raw household and delivery rows."""
    households = rows(db, "SELECT id, governorate_code, status, created_at FROM households")
    deliveries = rows(db, "SELECT household_id, status, confirmed_at FROM deliveries")
    served_ids = {
        h
        for h, status, confirmed_at in deliveries
        if status == "confirmed" and (date_to is None or confirmed_at.date() <= date_to)
    }
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for household_id, code, status, created_at in households:
        if status not in REGISTERED_STATUSES:
            continue
        if date_from and created_at.date() < date_from or date_to and created_at.date() > date_to:
            continue
        if governorate and code != governorate:
            continue
        counts[code][0] += 1
        counts[code][1] += household_id in served_ids
    return {code: (r, s) for code, (r, s) in counts.items()}


def serve_some(db: Database) -> list[int]:
    """Confirmed, failed and planned deliveries over several days; returns the households confirmed."""
    ids = [
        r[0]
        for r in rows(
            db, "SELECT id FROM households WHERE status NOT IN ('submitted','rejected','merged') ORDER BY id LIMIT 60"
        )
    ]
    confirmed = ids[:40]
    for i, household_id in enumerate(confirmed):
        add_delivery(db, household_id, "confirmed", dt.datetime(2020, 5, 20 + i % 8, 10, 0))
    add_delivery(db, confirmed[0], "confirmed", dt.datetime(2020, 5, 29, 9, 0))  # a second confirmed visit
    for household_id in ids[40:50]:
        add_delivery(db, household_id, "failed", None)
    for household_id in ids[50:60]:
        add_delivery(db, household_id, "planned", None)
    # A rejected household with a confirmed delivery is not a registered household.
    rejected = rows(db, "SELECT id FROM households ORDER BY id DESC LIMIT 1")[0][0]
    db.conn.execute("UPDATE households SET status = 'rejected' WHERE id = ?", [rejected])
    add_delivery(db, rejected, "confirmed", dt.datetime(2020, 5, 22, 10, 0))
    rebuild_facts_after_raw_sql(db)
    return confirmed


def test_coverage_equals_raw_rows(db: Database) -> None:
    serve_some(db)
    frame = coverage_by_governorate(db)
    expected = expected_coverage(db)
    populations = dict(rows(db, "SELECT code, population FROM areas"))
    assert len(frame) == 24
    for row in frame.itertuples():
        registered, served = expected.get(row.governorate_code, (0, 0))
        assert (row.households_registered, row.households_served) == (registered, served), row.governorate_code
        if registered:
            assert row.coverage_rate == pytest.approx(served / registered)
        else:
            assert pd.isna(row.coverage_rate)
        assert row.registered_per_10k == pytest.approx(registered * 10000 / populations[row.governorate_code])
    totals = coverage_totals(db)
    assert totals["households_registered"] == sum(r for r, _ in expected.values())
    # Every confirmed household of the demo plus our 40, each counted once.
    assert totals["households_served"] == sum(s for _, s in expected.values())
    assert totals["households_served"] >= 40


@pytest.mark.parametrize(
    "date_from, date_to, governorate",
    [
        (dt.date(2020, 5, 18), dt.date(2020, 5, 24), None),
        (None, dt.date(2020, 5, 21), None),
        (None, None, "TN-61"),
        (dt.date(2020, 5, 15), dt.date(2020, 5, 30), "TN-11"),
    ],
)
def test_coverage_filters_equal_raw_rows(db: Database, date_from, date_to, governorate) -> None:
    serve_some(db)
    frame = coverage_by_governorate(db, Filters(date_from=date_from, date_to=date_to, governorate_code=governorate))
    expected = expected_coverage(db, date_from=date_from, date_to=date_to, governorate=governorate)
    assert len(frame) == (1 if governorate else 24)
    got = {
        r.governorate_code: (r.households_registered, r.households_served)
        for r in frame.itertuples()
        if r.households_registered
    }
    assert got == expected


def test_category_filter_counts_households_with_that_need(db: Database) -> None:
    frame = coverage_by_governorate(db, Filters(category_code="medicine"))
    with_medicine = rows(
        db,
        "SELECT count(DISTINCT h.id) FROM households h JOIN needs n ON n.household_id = h.id "
        "WHERE n.category_code = 'medicine' AND n.status <> 'cancelled' "
        "AND h.status NOT IN ('submitted','rejected','merged')",
    )[0][0]
    assert frame["households_registered"].sum() == with_medicine
    assert 0 < with_medicine < frame.shape[0] * 1000


@pytest.fixture
def small_db(empty_db: Database) -> Database:
    """A campaign with 6 households in Tozeur (one rejected) and 1 in Tunis, literal and small."""
    c = empty_db.conn
    c.execute(
        "INSERT INTO campaigns (id, name, country_code, starts_on, ends_on, target_households) "
        "VALUES (1, 'Test', 'TN', DATE '2020-05-15', DATE '2020-05-30', 10)"
    )
    c.execute(
        "INSERT INTO organisations (id, code, name, kind) VALUES (1, 'EQ', '=HYPERLINK(\"http://x\")', 'association')"
    )
    for i in range(1, 8):
        status = "rejected" if i == 6 else "registered"
        code = "TN-11" if i == 7 else "TN-72"
        c.execute(
            "INSERT INTO households (id, campaign_id, national_id, full_name, phone, governorate_code, "
            "address, household_size, organisation_id, status, created_at) VALUES "
            "(?, 1, ?, ?, ?, ?, ?, 3, 1, ?, TIMESTAMP '2020-05-16 09:00:00')",
            [i, f"0912345{i}", f"Foulen Ben Foulen {i}", f"2212345{i}", code, f"Rue {i}", status],
        )
        c.execute(
            "INSERT INTO needs (household_id, category_code, quantity, unit) VALUES (?, 'food', 2, 'basket')", [i]
        )
    c.execute(
        "INSERT INTO donations (id, campaign_id, organisation_id, kind, category_code, item, quantity, unit, "
        "value_tnd, governorate_code, received_on) VALUES "
        "(1, 1, 1, 'in_kind', 'food', 'Couffin', 10, 'basket', 500, 'TN-72', DATE '2020-05-16')"
    )
    c.execute(
        "INSERT INTO volunteers (id, full_name, phone, governorate_code, offers_transport, offers_distribution, "
        "available_from, available_to, organisation_id) VALUES "
        "(1, 'Bénévole', '98000000', 'TN-72', true, true, DATE '2020-05-15', DATE '2020-05-30', 1)"
    )
    d1 = add_delivery(empty_db, 1, "confirmed", dt.datetime(2020, 5, 20, 10), volunteer_id=1, organisation_id=1)
    d2 = add_delivery(empty_db, 2, "confirmed", dt.datetime(2020, 5, 27, 10), volunteer_id=1, organisation_id=1)
    add_delivery(empty_db, 3, "failed", None, volunteer_id=1, organisation_id=1)
    add_delivery(empty_db, 6, "confirmed", dt.datetime(2020, 5, 28, 10), organisation_id=1)  # rejected household
    c.execute(
        "INSERT INTO allocations (donation_id, need_id, household_id, delivery_id, quantity, status, created_at)"
        " VALUES (1, 1, 1, ?, 2, 'confirmed', TIMESTAMP '2020-05-19 10:00:00'),"
        " (1, 2, 2, ?, 1, 'confirmed', TIMESTAMP '2020-05-26 10:00:00'),"
        " (1, 4, 4, NULL, 1, 'allocated', TIMESTAMP '2020-05-26 10:00:00'),"
        " (1, 5, 5, NULL, 2, 'cancelled', TIMESTAMP '2020-05-26 10:00:00')",
        [d1, d2],
    )
    rebuild_facts_after_raw_sql(empty_db)
    return empty_db


def test_literal_small_campaign(small_db: Database) -> None:
    frame = coverage_by_governorate(small_db).set_index("governorate_code")
    assert len(frame) == 24
    assert frame.loc["TN-72", "households_registered"] == 5
    assert frame.loc["TN-72", "households_served"] == 2
    assert frame.loc["TN-72", "coverage_rate"] == pytest.approx(0.4)
    assert frame.loc["TN-72", "registered_per_10k"] == pytest.approx(5 * 10000 / 107912)
    assert frame.loc["TN-11", "households_registered"] == 1
    assert frame.loc["TN-11", "households_served"] == 0
    assert frame.loc["TN-11", "coverage_rate"] == 0
    assert frame.loc["TN-83", "households_registered"] == 0
    assert pd.isna(frame.loc["TN-83", "coverage_rate"])

    unmet = unmet_by_governorate_category(small_db).set_index(["governorate_code", "category_code", "unit"])
    # Tozeur needs 5 x 2 baskets (rejected household 6 excluded); live allocations 2 + 1 + 1 (cancelled one ignored).
    assert unmet.loc[("TN-72", "food", "basket"), "unmet_quantity"] == 10 - 4
    assert unmet.loc[("TN-72", "food", "basket"), "households_waiting"] == 4
    assert unmet.loc[("TN-11", "food", "basket"), "unmet_quantity"] == 2

    flows = flows_by_category(small_db).set_index(["category_code", "unit"])
    assert flows.loc[("food", "basket")].to_dict() == {
        "currency": "TND",
        "received_quantity": 10.0,
        "allocated_quantity": 4.0,
        "delivered_quantity": 3.0,
        "received_value_tnd": 500.0,
        "allocated_value_tnd": 200.0,
        "delivered_value_tnd": 150.0,
    }
    org = flows_by_organisation(small_db).set_index("organisation_code").loc["EQ"]
    assert (org["received_value_tnd"], org["allocated_value_tnd"], org["delivered_value_tnd"]) == (500, 200, 150)
    # The rejected household's confirmed delivery still was a delivery by the organisation.
    assert org["households_served"] == 3

    volunteers = volunteer_activity(small_db).set_index("governorate_code")
    assert volunteers.loc["TN-72"].to_dict() == {
        "volunteers_active": 1,
        "volunteers_delivering": 1,
        "deliveries_done": 2,
        "deliveries_per_volunteer": 2.0,
    }
    assert volunteers.loc["TN-11", "volunteers_active"] == 0


def test_observer_exports_suppress_small_counts(small_db: Database) -> None:
    observer = _observer()
    frame = aggregate_export(small_db, observer, "coverage").set_index("governorate_code")
    assert frame.loc["TN-72", "households_registered"] == 5
    assert frame.loc["TN-72", "households_served"] == SUPPRESSED
    assert frame.loc["TN-72", "coverage_rate"] == SUPPRESSED  # 0.4 x 5 would give the 2 back
    assert frame.loc["TN-72", "registered_per_10k"] == pytest.approx(0.46)
    assert frame.loc["TN-11", "households_registered"] == SUPPRESSED
    assert frame.loc["TN-11", "registered_per_10k"] == SUPPRESSED
    assert frame.loc["TN-83", "households_registered"] == SUPPRESSED
    staff = aggregate_export(small_db, _organiser(), "coverage").set_index("governorate_code")
    assert staff.loc["TN-72", "households_served"] == 2
    assert staff.loc["TN-11", "households_registered"] == 1
    unmet = aggregate_export(small_db, observer, "unmet_needs").set_index("governorate_code")
    assert unmet.loc["TN-72", "households_waiting"] == SUPPRESSED
    assert unmet.loc["TN-72", "unmet_quantity"] == SUPPRESSED
    org = aggregate_export(small_db, observer, "flows_by_organisation").set_index("organisation_code")
    assert org.loc["EQ", "households_served"] == SUPPRESSED


def test_suppression_rule_boundaries() -> None:
    frame = pd.DataFrame({"n": [0, 4, 5, 12], "m": [10, 10, 3, 7], "rate": [0.1, 0.2, 0.3, 0.4]})
    out = suppress_small_counts(frame, ["n", "m"], {"rate": ["n", "m"]})
    assert out["n"].tolist() == [SUPPRESSED, SUPPRESSED, 5, 12]
    # One small cell in a column whose total (30) is published: the smallest other one is withheld
    # too, or 30 - 10 - 10 - 7 would give the 3 back.
    assert out["m"].tolist() == [10, 10, SUPPRESSED, WITHHELD]
    assert out["rate"].tolist() == [SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED]


def test_no_suppressed_cell_can_be_recovered_by_subtracting_from_the_total() -> None:
    """The attack of the finding: national total minus the shown cells gave Tozeur's hidden 1."""
    from data_layer.monitoring.suppression import shown_total

    frame = pd.DataFrame({"governorate": ["TN-11", "TN-61", "TN-72", "TN-83"], "served": [40, 12, 1, 30]})
    out = suppress_small_counts(frame, ["served"])
    total = shown_total(frame["served"], suppress=True)
    assert total == 83 and out["served"].tolist() == [40, WITHHELD, SUPPRESSED, 30]
    # What an attacker can work out: the hidden cells' sum, and each mark's bounds.
    hidden_sum = total - sum(v for v in out["served"] if not isinstance(v, str))
    candidates = [(a, hidden_sum - a) for a in range(SMALL_COUNT_THRESHOLD) if 5 <= hidden_sum - a <= 30]
    assert len(candidates) > 1  # Tozeur's 1 is one of several values that fit
    # Every hidden cell of every column: never a single value left.
    two = pd.DataFrame({"n": [12, 3]})
    assert suppress_small_counts(two, ["n"])["n"].tolist() == [WITHHELD, SUPPRESSED]
    # All cells hidden and still determined (4 + 4 = 8): the total is withheld too.
    assert shown_total([4, 4], suppress=True) == WITHHELD and shown_total([3, 4], suppress=True) == 7
    # Per-category groups are audited too.
    grouped = pd.DataFrame({"category": ["food", "food", "cash", "cash"], "n": [2, 20, 30, 40]})
    assert suppress_small_counts(grouped, ["n"], groups=[("category",)])["n"].tolist() == [
        SUPPRESSED,
        WITHHELD,
        30,
        40,
    ]


def test_progress_literal(small_db: Database) -> None:
    small_db.conn.execute("UPDATE households SET created_at = TIMESTAMP '2020-05-15 08:00:00'")
    rebuild_facts_after_raw_sql(small_db)
    progress = campaign_progress(small_db, 1, as_of=dt.date(2020, 5, 27))
    assert progress.target == 10
    assert progress.served == 2  # 20 and 27 May; the rejected household does not count
    assert progress.days_left == 3  # 28, 29, 30 May
    assert progress.remaining == 8
    assert progress.required_per_day == pytest.approx(8 / 3)
    assert progress.recent_pace == pytest.approx(1 / 3)  # one household served on 25-27 May
    assert progress.projected_on == dt.date(2020, 5, 27) + dt.timedelta(days=24)
    assert progress.on_track is False
    assert progress.reached_on is None
    daily = progress.daily.set_index("day")
    assert len(daily) == 13
    assert daily.loc[dt.date(2020, 5, 20), "households_served"] == 1
    assert daily.loc[dt.date(2020, 5, 27), "cumulative_served"] == 2
    gov = progress.governorates.set_index("governorate_code")
    # Targets shared by registered households: Tozeur 5/6 of 10, Tunis 1/6 of 10.
    assert gov.loc["TN-72", "target_households"] == pytest.approx(8.3)
    assert gov.loc["TN-11", "target_households"] == pytest.approx(1.7)
    assert gov.loc["TN-72", "projected_at_deadline"] == pytest.approx(2 + 1 / 3 * 3)
    assert bool(gov.loc["TN-72", "will_miss"]) and bool(gov.loc["TN-11", "will_miss"])
    assert not gov.loc["TN-83", "will_miss"]  # no household registered, no target
    assert len(gov) == 24


def test_progress_target_reached_and_projection(small_db: Database) -> None:
    small_db.conn.execute("UPDATE campaigns SET target_households = 2")
    reached = campaign_progress(small_db, 1, as_of=dt.date(2020, 5, 30))
    assert reached.reached_on == dt.date(2020, 5, 27)
    assert reached.on_track is True
    small_db.conn.execute("UPDATE campaigns SET target_households = 3")
    projected = campaign_progress(small_db, 1, as_of=dt.date(2020, 5, 27))
    # 1 left at 1/3 per day: 3 days, on the deadline itself.
    assert projected.projected_on == dt.date(2020, 5, 30)
    assert projected.on_track is True


def test_empty_database_has_24_empty_governorates(empty_db: Database) -> None:
    frame = coverage_by_governorate(empty_db)
    assert len(frame) == 24
    assert frame["households_registered"].sum() == 0
    assert frame["coverage_rate"].isna().all()
    assert campaign_progress(empty_db) is None


def _observer():
    from data_layer.core.actor import Actor

    return Actor(user_id=None, username="obs", role="observer")


def _organiser():
    from data_layer.core.actor import Actor

    return Actor(user_id=None, username="org", role="organiser")


def test_progress_exports_suppressed_for_observers(small_db: Database) -> None:
    from data_layer.monitoring.progress import progress_export

    observer = progress_export(small_db, _observer(), "progress_governorates", as_of=dt.date(2020, 5, 27))
    tozeur = observer.set_index("governorate_code").loc["TN-72"]
    assert tozeur["households_registered"] == 5
    assert tozeur["target_households"] == pytest.approx(8.3)
    assert (tozeur["households_served"], tozeur["served_last_3_days"], tozeur["projected_at_deadline"]) == (
        SUPPRESSED,
        SUPPRESSED,
        SUPPRESSED,
    )
    staff = progress_export(small_db, _organiser(), "progress_governorates", as_of=dt.date(2020, 5, 27))
    assert staff.set_index("governorate_code").loc["TN-72", "households_served"] == 2
    # An observer's day is the campaign's own (two days' outlooks differ by what was served
    # between them); staff pick theirs.
    daily = progress_export(small_db, _observer(), "progress_daily", as_of=dt.date(2020, 5, 27))
    assert daily["cumulative_served"].tolist()[-1] == 2 and len(daily) == 16
    staff_daily = progress_export(small_db, _organiser(), "progress_daily", as_of=dt.date(2020, 5, 27))
    assert len(staff_daily) == 13


def test_governorates_with_their_own_target_keep_it_and_the_rest_is_shared(small_db: Database) -> None:
    small_db.conn.execute("UPDATE households SET created_at = TIMESTAMP '2020-05-15 08:00:00'")
    small_db.conn.execute("INSERT INTO campaign_targets VALUES (1, 'TN-11', 4)")
    rebuild_facts_after_raw_sql(small_db)
    gov = campaign_progress(small_db, 1, as_of=dt.date(2020, 5, 27)).governorates.set_index("governorate_code")
    # Tunis has its own 4; the 10 - 4 = 6 left go to Tozeur, the only other governorate with households.
    assert gov.loc["TN-11", "target_households"] == 4
    assert gov.loc["TN-72", "target_households"] == 6
    assert gov.loc["TN-83", "target_households"] == 0
    assert gov["target_households"].sum() == 10


def test_outlook_shares_the_target_by_households_where_none_is_set() -> None:
    from data_layer.monitoring.progress import governorate_outlook

    areas = pd.DataFrame({"governorate_code": ["TN-11", "TN-12", "TN-13"]})
    registered = pd.DataFrame({"governorate_code": ["TN-11", "TN-12", "TN-13"], "households_registered": [10, 30, 10]})
    served = pd.DataFrame({"served_on": [], "governorate_code": [], "households_served": []})
    day = dt.date(2020, 5, 20)
    shared = governorate_outlook(areas, registered, served, 100, {}, 10, day, day)
    assert shared["target_households"].tolist() == [20.0, 60.0, 20.0]
    own = governorate_outlook(areas, registered, served, 100, {"TN-12": 80}, 10, day, day)
    assert own["target_households"].tolist() == [10.0, 80.0, 10.0]
    over = governorate_outlook(areas, registered, served, 100, {"TN-11": 60, "TN-12": 50}, 10, day, day)
    assert over["target_households"].tolist() == [60.0, 50.0, 0.0]


@pytest.fixture
def two_campaigns(small_db: Database) -> Database:
    """small_db's campaign 1 and a closed campaign 2 with one household (Tunis) and one donation."""
    c = small_db.conn
    c.execute(
        "INSERT INTO campaigns (id, name, country_code, starts_on, ends_on, target_households, is_active) "
        "VALUES (2, 'حملة الشتاء', 'TN', DATE '2020-01-01', DATE '2020-01-31', 5, false)"
    )
    c.execute("INSERT INTO campaign_settings (campaign_id, name_fr, status) VALUES (2, 'Hiver', 'closed')")
    c.execute(
        "INSERT INTO households (id, campaign_id, national_id, full_name, phone, governorate_code, address, "
        "household_size, organisation_id, status, created_at) VALUES (8, 2, '09123458', 'Foulen 8', '22123458', "
        "'TN-11', 'Rue 8', 2, 1, 'registered', TIMESTAMP '2020-01-05 09:00:00')"
    )
    c.execute(
        "INSERT INTO donations (id, campaign_id, organisation_id, kind, category_code, item, quantity, unit, "
        "value_tnd, governorate_code, received_on) VALUES "
        "(2, 2, 1, 'in_kind', 'food', 'Couffin', 4, 'basket', 200, 'TN-11', DATE '2020-01-06')"
    )
    rebuild_facts_after_raw_sql(small_db)
    return small_db


def test_exports_keep_one_campaign_and_a_closed_one_stays_readable(two_campaigns: Database) -> None:
    from data_layer.core.errors import JesrError
    from data_layer.monitoring.exports import export_table

    organiser = _organiser()

    def ids(kind: str, campaign_id: int | None) -> list[int]:
        return export_table(two_campaigns, organiser, kind, campaign_id=campaign_id)["id"].tolist()

    assert ids("households", 2) == [8]
    assert ids("households", 1) == [1, 2, 3, 4, 5, 6, 7]
    assert ids("households", None) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ids("donations", 2) == [2]
    assert export_table(two_campaigns, organiser, "allocations", campaign_id=2).empty
    assert len(export_table(two_campaigns, organiser, "allocations", campaign_id=1)) == 4
    coverage = export_table(two_campaigns, organiser, "coverage", campaign_id=2).set_index("governorate_code")
    assert (coverage.loc["TN-11", "households_registered"], coverage["households_registered"].sum()) == (1, 1)
    flows = export_table(two_campaigns, organiser, "flows_by_category", campaign_id=2)
    assert flows["received_quantity"].tolist() == [4.0]
    closed = export_table(two_campaigns, organiser, "progress_governorates", campaign_id=2)
    assert closed.set_index("governorate_code").loc["TN-11", "target_households"] == 5
    for kind, code in (("volunteers", "error.export_no_campaign"), ("households", "error.unknown_campaign")):
        with pytest.raises(JesrError) as refused:
            export_table(two_campaigns, organiser, kind, campaign_id=2 if kind == "volunteers" else 99)
        assert refused.value.code == code


def test_campaign_pickers_name_the_campaign_in_the_reader_s_language(two_campaigns: Database) -> None:
    from data_layer.monitoring.coverage import list_campaigns
    from data_layer.registry.campaigns import campaign_name

    campaigns = list_campaigns(two_campaigns).set_index("id")
    assert [campaign_name(campaigns.loc[2], lang) for lang in ("ar", "fr", "en")] == [
        "حملة الشتاء",
        "Hiver",
        "حملة الشتاء",
    ]
    assert campaign_name(campaigns.loc[1], "fr") == "Test"
