"""Two campaigns at once in one country: the figures of all campaigns, of each campaign and of the
country, as observers and the public see them, give back no hidden count by subtraction (or by
any other sum of what is shown); organisers still see every count exactly.

The literal world (Tunisia, two associations, every household registered on 2020-05-12):

| campaign | TN-11 registered / served | TN-12 registered / served | TN-13 registered / served |
| --- | --- | --- | --- |
| A (id 1) | 8 / 6 | 7 / 5 | 6 / 0 |
| B (id 2) | **2 / 2** | 9 / 6 | 0 / 0 |

B's 2 households in TN-11 (served by a second association, AIDE) are the cell to protect: were
the table of all campaigns suppressed on its own, TN-11 would read 10 there and 8 in A, and
10 - 8 would give the 2 back.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import streamlit as st
from scipy.optimize import Bounds, LinearConstraint, milp
from streamlit.testing.v1 import AppTest

from data_layer.core.actor import Actor
from data_layer.core.i18n import t
from data_layer.monitoring import suppression
from data_layer.monitoring.coverage import (
    Filters,
    aggregate_export,
    coverage_by_governorate,
    published_aggregates,
    published_summary,
    published_table,
)
from data_layer.monitoring.regional import coverage_by_country
from data_layer.monitoring.suppression import SUPPRESSED, WITHHELD, is_mark, suppress_small_counts
from data_layer.ops.bootstrap import open_database
from data_layer.store.database import Database
from tests.conftest import COOKIE_KEY, ROOT, rebuild_facts_after_raw_sql

A, B = 1, 2
# (campaign, governorate) -> (registered, served, waiting: unserved households with an open need)
WORLD = {
    (A, "TN-11"): (8, 6, 2),
    (A, "TN-12"): (7, 5, 2),
    (A, "TN-13"): (6, 0, 6),
    (B, "TN-11"): (2, 2, 0),
    (B, "TN-12"): (9, 6, 3),
}
# Who delivered: association 1 (ASSO), but B's two households in TN-11 were served by AIDE (2).
DELIVERED_BY = {(B, "TN-11"): 2}
OBSERVER = Actor(user_id=None, username="obs", role="observer", country_code="TN")
ORGANISER = Actor(user_id=None, username="org", role="organiser", country_code="TN")
# Observers, and the public (no actor): the readers whose figures are suppressed.
RESTRICTED = {"observer": OBSERVER, "public": None}
BIG = 10_000  # an upper bound for a withheld count in the attacker's programme


def build_world(db: Database) -> None:
    c = db.conn
    for campaign, name, starts in ((A, "Printemps", "2020-05-01"), (B, "Hiver", "2020-05-10")):
        c.execute(
            "INSERT INTO campaigns (id, name, country_code, starts_on, ends_on, target_households) "
            f"VALUES ({campaign}, '{name}', 'TN', DATE '{starts}', DATE '2020-06-30', 40)"
        )
    for org, code in ((1, "ASSO"), (2, "AIDE")):
        c.execute(f"INSERT INTO organisations (id, code, name, kind) VALUES ({org}, '{code}', '{code}', 'association')")
    c.execute(
        "INSERT INTO volunteers (id, full_name, phone, governorate_code, offers_transport, offers_distribution, "
        "available_from, available_to, organisation_id) VALUES "
        "(1, 'Bénévole', '98000000', 'TN-11', true, true, DATE '2020-05-01', DATE '2020-06-30', 1)"
    )
    ids = itertools.count(1)
    for (campaign, area), (registered, served, waiting) in WORLD.items():
        for n in range(registered):
            household = next(ids)
            c.execute(
                "INSERT INTO households (id, campaign_id, national_id, full_name, phone, governorate_code, "
                "address, household_size, organisation_id, status, created_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, 3, 1, 'registered', TIMESTAMP '2020-05-12 09:00:00')",
                [
                    household,
                    campaign,
                    f"{10000000 + household}",
                    f"Foulen {household}",
                    f"2{household:07d}",
                    area,
                    f"Rue {household}",
                ],
            )
            if n < served:
                c.execute(
                    "INSERT INTO deliveries (household_id, organisation_id, volunteer_id, planned_on, status, "
                    "confirmed_at, delivered_at) VALUES (?, ?, 1, DATE '2020-05-20', 'confirmed', "
                    "TIMESTAMP '2020-05-20 10:00:00', TIMESTAMP '2020-05-20 10:00:00')",
                    [household, DELIVERED_BY.get((campaign, area), 1)],
                )
            elif n < served + waiting:
                c.execute(
                    "INSERT INTO needs (household_id, category_code, quantity, unit) VALUES (?, 'food', 1, 'basket')",
                    [household],
                )
    rebuild_facts_after_raw_sql(db)


@pytest.fixture
def world(empty_db: Database) -> Database:
    build_world(empty_db)
    return empty_db


def views(db: Database, reader: Actor | None, kind: str) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Every published choice of one table: all campaigns, A, B."""
    choices = {"all": None, "A": A, "B": B}
    return {
        name: published_table(db, reader, kind, Filters(campaign_id=campaign, country_code="TN"))
        for name, campaign in choices.items()
    }


def by_key(table: pd.DataFrame, keys: list[str], column: str) -> dict[tuple, object]:
    return {tuple(row[k] for k in keys): row[column] for row in table.to_dict("records")}


def attacker_ranges(published: dict[str, tuple[pd.DataFrame, dict]], keys: list[str], column: str) -> dict:
    """What an attacker can work out of one count column from every published figure: the least
    and the most each hidden count (of A, of B, of all campaigns) can be, by integer programming
    over every relation between them (all = A + B per cell and for the total; each table's total
    = the sum of its cells) and the bounds each mark gives ("<5" 0-4, "<9" 0-8, "x" at least 5)."""
    cells = sorted(set(by_key(published["all"][0], keys, column)) | set(by_key(published["A"][0], keys, column)))
    index = {(part, cell): i for i, (part, cell) in enumerate(itertools.product("AB", cells))}
    rows, low, high = [], [], []

    def constrain(coefficients: dict[int, float], value: object) -> None:
        row = np.zeros(len(index))
        for i, coefficient in coefficients.items():
            row[i] = coefficient
        if not is_mark(value):
            bounds = (float(value), float(value))  # type: ignore[arg-type]
        elif value == WITHHELD:
            bounds = (float(suppression.SMALL_COUNT_THRESHOLD), np.inf)
        else:
            bounds = (0.0, float(str(value)[1:]) - 1)
        rows.append(row)
        low.append(bounds[0])
        high.append(bounds[1])

    for part in "AB":
        shown = by_key(published[part][0], keys, column)
        for cell in cells:
            constrain({index[(part, cell)]: 1}, shown.get(cell, 0))
        constrain({index[(part, cell)]: 1 for cell in cells}, published[part][1][column])
    everything = by_key(published["all"][0], keys, column)
    for cell in cells:
        constrain({index[("A", cell)]: 1, index[("B", cell)]: 1}, everything.get(cell, 0))
    constrain(dict.fromkeys(index.values(), 1), published["all"][1][column])
    constraint = LinearConstraint(np.array(rows), low, high)

    def extreme(target: dict[int, float], sign: int) -> float:
        cost = np.zeros(len(index))
        for i in target:
            cost[i] = sign
        result = milp(cost, constraints=constraint, integrality=np.ones(len(index)), bounds=Bounds(0, BIG))
        assert result.success, result.message
        return sign * result.fun

    ranges = {}
    for cell in cells:
        for part, table in (("A", published["A"][0]), ("B", published["B"][0]), ("all", published["all"][0])):
            if not is_mark(by_key(table, keys, column).get(cell, 0)):
                continue
            target = {index[(p, cell)]: 1 for p in ("AB" if part == "all" else part)}
            ranges[(part, cell)] = (extreme(target, 1), extreme(target, -1))
    return ranges


TABLES = {
    "coverage": (["governorate_code"], ["households_registered", "households_served"]),
    "unmet_needs": (["governorate_code", "category_code", "unit"], ["households_waiting"]),
    "flows_by_organisation": (["organisation_code"], ["households_served"]),
}


def test_the_organiser_sees_every_campaign_exactly(world: Database) -> None:
    coverage = views(world, ORGANISER, "coverage")
    shown = {name: table.set_index("governorate_code") for name, (table, _) in coverage.items()}
    assert shown["B"].loc["TN-11", "households_registered"] == 2
    assert shown["B"].loc["TN-11", "households_served"] == 2
    assert shown["A"].loc["TN-11", "households_registered"] == 8
    assert shown["all"].loc["TN-11", ["households_registered", "households_served"]].tolist() == [10, 8]
    assert shown["all"].loc["TN-13", "households_registered"] == 6
    assert shown["all"].loc["TN-21", "households_registered"] == 0
    assert {name: totals for name, (_, totals) in coverage.items()} == {
        "all": {"households_registered": 32, "households_served": 19},
        "A": {"households_registered": 21, "households_served": 11},
        "B": {"households_registered": 11, "households_served": 8},
    }
    unmet = views(world, ORGANISER, "unmet_needs")["all"][0].set_index("governorate_code")
    assert unmet["households_waiting"].to_dict() == {"TN-11": 2, "TN-12": 5, "TN-13": 6}


@pytest.mark.parametrize("reader", list(RESTRICTED))
def test_no_sum_of_published_figures_gives_back_a_hidden_count(world: Database, reader: str) -> None:
    actor = RESTRICTED[reader]
    coverage = views(world, actor, "coverage")
    shown = {name: table.set_index("governorate_code") for name, (table, _) in coverage.items()}
    # B's 2 households in TN-11 are hidden in B, and the figure of all campaigns there does not
    # read 10 beside A's 8: it is withheld, since A's part is at least 5.
    assert shown["B"].loc["TN-11", "households_registered"] == SUPPRESSED
    assert shown["A"].loc["TN-11", "households_registered"] == 8
    assert shown["all"].loc["TN-11", "households_registered"] == WITHHELD
    # Where every campaign's cell is shown, so is their sum; where both are under 5, the sum is
    # only known to be under 9; a derived rate goes with its counts.
    assert shown["all"].loc["TN-12", "households_registered"] == 16
    assert shown["all"].loc["TN-21", "households_registered"] == "<9"
    assert shown["all"].loc["TN-11", "coverage_rate"] == SUPPRESSED
    population = coverage_by_governorate(world, Filters(country_code="TN")).set_index("governorate_code")["population"]
    assert shown["all"].loc["TN-12", "registered_per_10k"] == pytest.approx(16 * 10000 / population["TN-12"], abs=0.01)
    assert coverage["all"][1] == {"households_registered": 32, "households_served": 19}

    for kind, (keys, columns) in TABLES.items():
        published = views(world, actor, kind)
        for column in columns:
            ranges = attacker_ranges(published, keys, column)
            assert ranges, (kind, column)
            determined = {cell: span for cell, span in ranges.items() if span[0] == span[1]}
            assert determined == {}, (kind, column)
    # The cell of the finding: anything from 0 to 2 as far as every published figure tells.
    keys, _ = TABLES["coverage"]
    ranges = attacker_ranges(coverage, keys, "households_registered")
    assert ranges[("B", ("TN-11",))] == (0, 2)
    assert ranges[("all", ("TN-11",))][0] == 8


def test_the_all_campaign_table_suppressed_on_its_own_would_give_the_two_back(world: Database) -> None:
    """The attack of the finding: the exact table of all campaigns suppressed on its own beside the
    campaigns' tables. The same attacker finds B's 2 (so the attacker above can succeed)."""
    published = views(world, OBSERVER, "coverage")
    exact = coverage_by_governorate(world, Filters(country_code="TN"))
    on_its_own = suppress_small_counts(exact[["governorate_code", "households_registered"]], ["households_registered"])
    assert on_its_own.set_index("governorate_code").loc["TN-11", "households_registered"] == 10
    published["all"] = (on_its_own, {"households_registered": 32})
    ranges = attacker_ranges(published, ["governorate_code"], "households_registered")
    assert ranges[("B", ("TN-11",))] == (2, 2)


def test_the_dashboard_country_row_and_volunteers_follow_the_published_tables(world: Database) -> None:
    published = published_aggregates(world, OBSERVER, Filters(country_code="TN"))
    summary = published_summary(published, suppress=True)
    # Areas reached: the served cells shown at least 5 (TN-11 and TN-12 withheld: "x"), never a "<5"/"<9".
    assert summary == {
        "households_registered": 32,
        "households_served": 19,
        "coverage_rate": 19 / 32,
        "governorates_reached": 2,
    }
    regional = coverage_by_country(world, Actor(user_id=None, username="obs", role="observer"))
    tunisia = regional.set_index("country_code").loc["TN"]
    assert (tunisia["households_registered"], tunisia["households_served"], tunisia["areas_reached"]) == (32, 19, 2)
    # A volunteer may deliver for both campaigns: observers get one volunteer table, whatever the campaign.
    tables = [
        aggregate_export(world, OBSERVER, "volunteer_activity", Filters(c, country_code="TN")) for c in (None, A, B)
    ]
    assert tables[0].equals(tables[1]) and tables[0].equals(tables[2])
    staff = [aggregate_export(world, ORGANISER, "volunteer_activity", Filters(c, country_code="TN")) for c in (A, B)]
    assert [int(t.set_index("governorate_code").loc["TN-11", "deliveries_done"]) for t in staff] == [11, 8]


def test_the_dashboard_of_all_campaigns_draws_what_is_published(world: Database) -> None:
    from ui.dashboard_view import build_view

    filters = Filters(country_code="TN")
    observer = build_view({}, OBSERVER, "en", published_aggregates(world, OBSERVER, filters))
    organiser = build_view({}, ORGANISER, "en", published_aggregates(world, ORGANISER, filters))
    assert [value for _, value in observer.metrics] == ["32", "19", "59.4 %", "2"]
    assert [value for _, value in organiser.metrics] == ["32", "19", "59.4 %", "2"]
    registered = {d.kind: d.table for d in observer.downloads}["coverage"].iloc[:, 3].tolist()
    assert registered[:3] == [WITHHELD, 16, WITHHELD] and set(registered[3:]) == {"<9"}
    exact = {d.kind: d.table for d in organiser.downloads}["coverage"].iloc[:, 3].tolist()
    assert exact[:3] == [10, 16, 6]


def test_a_higher_threshold_is_followed_by_the_figures_of_all_campaigns(
    world: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(suppression, "SMALL_COUNT_THRESHOLD", 10)
    monkeypatch.setattr(suppression, "SUPPRESSED", "<10")
    monkeypatch.setattr(suppression, "HIDDEN_MARKS", ("<10", WITHHELD))
    coverage = views(world, OBSERVER, "coverage")
    shown = coverage["all"][0].set_index("governorate_code")["households_registered"]
    # A's 8 and B's 9 are under 10 now: TN-12 (7 + 9) is known only to be under 19.
    assert shown["TN-12"] == "<19" and shown["TN-21"] == "<19"
    ranges = attacker_ranges(coverage, ["governorate_code"], "households_registered")
    assert ranges and all(low < high for low, high in ranges.values())


def test_households_of_no_campaign_are_one_more_part(world: Database) -> None:
    world.conn.execute(
        "INSERT INTO households (id, campaign_id, national_id, full_name, phone, governorate_code, address, "
        "household_size, organisation_id, status, created_at) VALUES (100, NULL, '19999999', 'Sans campagne', "
        "'29999999', 'TN-13', 'Rue 100', 3, 1, 'registered', TIMESTAMP '2020-05-12 09:00:00')"
    )
    rebuild_facts_after_raw_sql(world)
    exact, exact_totals = published_table(world, ORGANISER, "coverage", Filters(country_code="TN"))
    assert exact.set_index("governorate_code").loc["TN-13", "households_registered"] == 7
    assert exact_totals["households_registered"] == 33
    table, totals = published_table(world, OBSERVER, "coverage", Filters(country_code="TN"))
    shown = table.set_index("governorate_code")["households_registered"]
    # Three parts now (A, B, and the household of no campaign, "<5" in every area): TN-12 is 7 + 9
    # and under 5 more, so at least 5; TN-21 is three counts under 5 each, so under 13.
    assert (shown["TN-11"], shown["TN-12"], shown["TN-13"], shown["TN-21"]) == (WITHHELD, WITHHELD, WITHHELD, "<13")
    # 33 beside A's 21 and B's 11 would give the lone household away.
    assert totals["households_registered"] == WITHHELD


def test_the_home_page_figures_are_the_dashboard_totals(world: Database) -> None:
    from data_layer.monitoring.overview import overview_for

    exact = overview_for(world, ORGANISER, country_code="TN")
    shown = overview_for(world, OBSERVER, country_code="TN")
    assert (exact["households"], exact["volunteers"]) == (32, 1)
    assert (shown["households"], shown["volunteers"]) == (32, SUPPRESSED)
    every_country = overview_for(world, Actor(user_id=None, username="obs", role="observer"))
    assert every_country["households"] == 32  # the database's one country


@pytest.fixture
def world_path(empty_db_path: Path | str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path | str]:
    database = open_database(empty_db_path)
    try:
        build_world(database)
    finally:
        database.close()
    monkeypatch.setenv("JESR_DB", str(empty_db_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    yield empty_db_path
    st.cache_resource.clear()
    st.cache_data.clear()


def transparency_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["auth"] = {"cookie_key": COOKIE_KEY}
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/transparency.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_public_page_shows_all_campaigns_as_built_from_each(
    world_path: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = transparency_page()
    coverage = at.dataframe[1].value.set_index("Governorate")
    assert coverage.loc["Tunis", "Registered"] == WITHHELD  # not 10, which less A's 8 was B's 2
    assert coverage.loc["Tunis", "Served"] == WITHHELD
    assert coverage.loc["Ariana", "Registered"] == "16"
    assert "<9" in set(coverage["Registered"])  # two campaigns under 5 each, and the caption says so
    assert t("privacy.transparency.marks", "en") in [caption.value for caption in at.caption]
    figures = {m.label: m.value for m in at.metric}
    assert figures["Households registered"] == "32" and figures["Households served"] == "19"
    # The bar is the latest campaign's (B), its served count as B's own table shows it.
    assert [bar.proto.text for bar in at.get("progress")] == ["8 of a target of 40 households"]
