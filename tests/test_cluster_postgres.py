"""Two app replicas behind HAProxy sharing one PostgreSQL database, driven the way browsers drive them:
each tab speaks Streamlit's websocket protocol through the proxy, its affinity cookie naming its
replica. The same stock, allocated from both replicas at the same moment, is given out once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from data_layer.access.accounts import create_user
from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.i18n import area_name_column, t
from data_layer.ops.bootstrap import open_database
from data_layer.registry.donations import register_donation
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from data_layer.store.reference import get_reference
from scripts.cluster import Cluster
from tests.conftest import _postgres_copy
from tests.servers import HAPROXY, cluster_command, start_cluster
from tests.streamlit_client import Tab, login_cookie

pytestmark = pytest.mark.skipif(HAPROXY is None, reason="haproxy missing: `make test` installs Debian's package")

LANG = "en"
GOVERNORATE = "TN-11"
STOCK = 3  # baskets, for two households asking 2 each: not enough for both
PAGE = "allocation"


def _household(national_id: str, name: str) -> dict[str, object]:
    return {
        "national_id": national_id,
        "full_name": name,
        "phone": "",
        "governorate": GOVERNORATE,
        "delegation": "Bab Souika",
        "address": "نهج 1",
        "household_size": 4,
        "vulnerabilities": "",
        "needs": "food:2",
    }


@pytest.fixture(scope="module")
def store(request: pytest.FixtureRequest, pg_empty_template: str) -> Iterator[str]:
    """A database of this module's own: an association, its staff account, one stock line, two needs."""
    for url in _postgres_copy(request, pg_empty_template):
        db = open_database(url)
        try:
            org = create_organisation(
                db,
                SYSTEM,
                {
                    "code": "CLU",
                    "name": "Cluster",
                    "kind": "association",
                    "governorate": GOVERNORATE,
                    "areas": [GOVERNORATE],
                },
            )
            raw = {"username": "staff", "full_name": "Staff", "role": "association", "organisation_id": org}
            create_user(db, SYSTEM, {**raw, "password": "long-enough-pw"})
            staff = Actor(user_id=None, username="staff", role="association", organisation_id=org)
            donation = {
                "donor_type": "individual",
                "donor_name": "Donor",
                "category": "food",
                "kind": "in_kind",
                "item": "Couffin",
                "quantity": str(STOCK),
                "unit": "basket",
                "governorate": GOVERNORATE,
                "received_on": dt.date(2020, 5, 20),
            }
            register_donation(db, staff, donation, organisation_id=org)
            for i, name in enumerate(("Amel Cluster", "Sami Cluster")):
                register_household(db, staff, _household(f"3300000{i}", name))
        finally:
            db.close()
        yield url


@pytest.fixture(scope="module")
def cluster(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    run_dir = tmp_path_factory.mktemp("pg-cluster")
    start_cluster(run_dir, store)
    yield Cluster.load(run_dir)
    cluster_command(run_dir, "stop")


def _tab(cluster: Cluster, replica: str) -> Tab:
    tab = Tab(cluster.url, f"{login_cookie('staff')}; JESR_REPLICA={replica}", lang=LANG)
    assert tab.replica == replica
    first = tab.rerun("")  # app.py first: it registers the pages and logs the tab in from its cookie
    assert first.exceptions == []
    return tab


def _choose(tab: Tab, store: str) -> None:
    """Open the allocation page and pick the governorate and the category, as the staff member does."""
    db = open_database(store)
    try:
        governorate = get_reference(db).areas[GOVERNORATE][area_name_column(LANG)]
    finally:
        db.close()
    drawn = tab.rerun(PAGE)
    assert drawn.exceptions == [] and "allocation_governorate" in drawn.widgets, drawn
    tab.set("allocation_governorate", governorate)
    tab.set("allocation_category", t("category.food", LANG))


def _allocated(store: str) -> tuple[float, float]:
    db = open_database(store)
    try:
        with db.reading() as cur:
            row = cur.execute(
                "SELECT sum(received) AS received, sum(allocated) AS allocated FROM stock_lines"
            ).fetchone()
    finally:
        db.close()
    return float(row[0]), float(row[1])


def test_each_replica_serves_the_page_from_the_one_store(cluster: Cluster, store: str) -> None:
    for replica in ("r1", "r2"):
        tab = _tab(cluster, replica)
        try:
            _choose(tab, store)
            shown = tab.rerun(PAGE)
            assert shown.exceptions == []
            assert t("allocation.no_stock", LANG) not in shown.texts("info")  # the stock line saved before start
            assert "allocation_suggest" in shown.widgets
        finally:
            tab.close()


def test_the_same_stock_allocated_from_both_replicas_at_once_is_given_out_once(cluster: Cluster, store: str) -> None:
    tabs = [_tab(cluster, replica) for replica in ("r1", "r2")]
    try:
        for tab in tabs:
            _choose(tab, store)
            assert "allocation_suggest" in tab.rerun(PAGE).widgets
            proposed = tab.rerun(PAGE, press="allocation_suggest")
            assert proposed.exceptions == [] and "allocation_apply" in proposed.widgets, proposed
        # Both proposals were made from the same stock; both are sent before either answer is read.
        for tab in tabs:
            tab.send(PAGE, press="allocation_apply")
        outcomes = {tab.replica: tab.receive() for tab in tabs}
        assert [run.exceptions for run in outcomes.values()] == [[], []]
        saved = [replica for replica, run in outcomes.items() if run.texts("success")]
        refused = [replica for replica, run in outcomes.items() if run.texts("error")]
        assert len(saved) == 1 and sorted(saved + refused) == ["r1", "r2"], outcomes
        assert outcomes[refused[0]].texts("error") == [t("distribution.error.stock_changed", LANG)]
        assert _allocated(store) == (STOCK, STOCK)
        # The other replica's next rerun reads what the first one saved: no stock left to give.
        for tab in tabs:
            assert t("allocation.no_stock", LANG) in tab.rerun(PAGE).texts("info")
    finally:
        for tab in tabs:
            tab.close()
