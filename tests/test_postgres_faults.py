"""Faults of the shared store: the PostgreSQL server restarted or stopped while the app runs, and an
app server killed in the middle of its writes. On a server these tests start and stop themselves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import psycopg
import pytest

from data_layer.core.actor import SYSTEM
from data_layer.core.i18n import t
from data_layer.ops.bootstrap import open_database
from data_layer.registry.households import register_household
from data_layer.store.errors import DatabaseUnreachable
from tests.conftest import ROOT
from tests.pg_server import PostgresServer, PostgresUnavailable, start_postgres

HOUSEHOLD = {
    "national_id": "41234567",
    "full_name": "Mabrouka Jlassi",
    "phone": "98 111 222",
    "governorate": "TN-51",
    "delegation": "Sousse Médina",
    "address": "نهج الحرية 3",
    "household_size": 5,
    "vulnerabilities": ["elderly"],
    "needs": "food:2;medicine:1:box",
}


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A server of this module's own: stopping it must not touch the other tests' server."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL could not start: {exc}")
        pytest.skip(f"PostgreSQL could not start: {exc}")
    yield server
    server.stop()


@pytest.fixture
def url(own_server: PostgresServer) -> Iterator[str]:
    name = f"f_{time.monotonic_ns()}"
    own_server.psql(f"CREATE DATABASE {name}")
    # The test servers run with synchronous_commit off; a crash test needs commits on disk at COMMIT.
    own_server.psql(f"ALTER DATABASE {name} SET synchronous_commit = on")
    target = own_server.url(name)
    open_database(target).close()  # the schema
    yield target
    if not _answers(own_server):
        own_server.resume()
    own_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _answers(server: PostgresServer) -> bool:
    try:
        psycopg.connect(server.url(), connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def households(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM households").fetchone()[0]


def test_a_restarted_server_costs_the_pool_nothing_and_a_stopped_one_a_clear_refusal(own_server, url):
    db = open_database(url)
    try:
        register_household(db, SYSTEM, HOUSEHOLD)
        own_server.halt("fast")
        own_server.resume()
        # Every pooled connection died with the old server: the pool checks and replaces them.
        assert register_household(db, SYSTEM, dict(HOUSEHOLD, national_id="42222222")) > 0

        own_server.halt("immediate")
        started = time.monotonic()
        with pytest.raises(DatabaseUnreachable) as refused:
            register_household(db, SYSTEM, dict(HOUSEHOLD, national_id="43333333"))
        assert refused.value.saved is False
        assert refused.value.code == "error.database_unreachable"
        with pytest.raises(DatabaseUnreachable):
            with db.reading() as cur:
                cur.execute("SELECT 1")
        assert time.monotonic() - started < 15  # told, not left waiting on the pool

        own_server.resume()
        with db.reading() as cur:
            assert cur.execute("SELECT count(*) FROM households").fetchone() == (2,)
    finally:
        db.close()
    assert households(url) == 2


def test_a_write_cut_by_the_server_going_away_is_not_saved_at_all(own_server, url):
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE fault_probe (note text)")
    db = open_database(url)
    try:
        with pytest.raises(DatabaseUnreachable) as refused:
            with db.transaction() as cur:
                cur.execute("INSERT INTO fault_probe VALUES ('first half')")
                own_server.halt("immediate")  # a crash between two statements of one write
                cur.execute("INSERT INTO fault_probe VALUES ('second half')")
        assert refused.value.saved is False
        assert t(refused.value.code, "en").endswith("once the server is back.")
    finally:
        own_server.resume()
        db.close()
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM fault_probe").fetchone() == (0,)


WRITER = """
import sys
from data_layer.core.actor import SYSTEM
from data_layer.ops.bootstrap import open_database
from data_layer.registry.households import register_household
db = open_database(sys.argv[1])
base = dict(national_id="", full_name="Hedi Trabelsi", phone="98 111 222", governorate="TN-51",
            delegation="Sousse Médina", address="x", household_size=3, vulnerabilities=["elderly"],
            needs="food:2;medicine:1:box")
for n in range(10_000):
    hid = register_household(db, SYSTEM, dict(base, national_id=f"5{n:07d}"))
    print(hid, flush=True)
"""


def test_an_app_server_killed_mid_write_keeps_every_commit_and_no_half_record(url):
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url], cwd=ROOT, stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    assert writer.stdout is not None
    confirmed = [int(writer.stdout.readline()) for _ in range(20)]
    writer.send_signal(signal.SIGKILL)
    confirmed += [int(line) for line in writer.stdout.read().split()]
    writer.wait()
    with psycopg.connect(url) as conn:
        saved = {row[0] for row in conn.execute("SELECT id FROM households")}
        assert set(confirmed) <= saved  # every commit it reported survives
        # Each saved household is whole: its two needs and its audit row, nothing without the others.
        halves = conn.execute(
            "SELECT h.id FROM households h WHERE (SELECT count(*) FROM needs n WHERE n.household_id = h.id) <> 2"
            " OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.table_name = 'households' AND a.record_id = h.id)"
        ).fetchall()
        assert halves == []
        assert conn.execute(
            "SELECT count(*) FROM needs WHERE household_id NOT IN (SELECT id FROM households)"
        ).fetchone() == (0,)
        # The killed server's lock went with its connection: the next writer is not blocked.
    db = open_database(url)
    try:
        assert register_household(db, SYSTEM, dict(HOUSEHOLD, national_id="49999999")) > max(saved)
    finally:
        db.close()


def _vanishing(server: PostgresServer, original):  # noqa: ANN001, ANN202 - wraps any data-layer read
    """`original`, called once the database server has crashed: the page has begun drawing by then."""

    def read(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if _answers(server):
            server.halt("immediate")
        return original(*args, **kwargs)

    return read


def test_a_page_whose_database_vanishes_while_it_draws_says_so_and_recovers(own_server, url, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from data_layer.access.accounts import create_user
    from data_layer.distribution import stock
    from tests.conftest import COOKIE_KEY, actor_for

    db = open_database(url)
    try:
        create_user(
            db, SYSTEM, {"username": "org", "full_name": "Org", "role": "organiser", "password": "long-enough-pw"}
        )
        organiser = actor_for(db, "org")
    finally:
        db.close()
    monkeypatch.setenv("JESR_DB", url)
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"cookie_key": COOKIE_KEY}
    at.query_params["lang"] = "fr"
    at.session_state["actor"] = organiser
    at.run()
    at.switch_page("pages/allocation.py").run()
    at.selectbox(key="allocation_category").set_value("food")
    chosen = at.selectbox(key="allocation_governorate").set_value("TN-11")
    # The page has drawn its title and pickers when the server crashes, just before it reads the stock.
    crash = pytest.MonkeyPatch()  # undone alone: JESR_DB must stay set for the rerun after it
    crash.setattr(stock, "list_stock_lines", _vanishing(own_server, stock.list_stock_lines))
    try:
        chosen.run()
        assert not _answers(own_server)
        assert not at.exception, at.exception
        assert [e.value for e in at.error] == [t("error.database_unreachable", "fr")]
        assert at.title[0].value == t("allocation.title", "fr")
    finally:
        crash.undo()
        if not _answers(own_server):
            own_server.resume()
    # Back by itself at the next rerun: no restart, nothing left of the refusal.
    at.run()
    assert not at.exception and [e.value for e in at.error] == []
    assert t("allocation.no_stock", "fr") in [i.value for i in at.info]
    st.cache_resource.clear()
    st.cache_data.clear()


def test_a_served_page_whose_database_is_gone_shows_the_frames_message_not_a_traceback(own_server, url, tmp_path):
    """The dashboard guards none of its reads itself: the app's frame (app.py) turns the loss into its
    message. AppTest runs a page without app.py around it, so this runs the real server."""
    from data_layer.access.accounts import create_user
    from tests.servers import start_app
    from tests.streamlit_client import Tab, login_cookie

    db = open_database(url)
    try:
        create_user(
            db, SYSTEM, {"username": "org", "full_name": "Org", "role": "organiser", "password": "long-enough-pw"}
        )
    finally:
        db.close()
    server = start_app(url, tmp_path / "streamlit.log")
    tab = Tab(server.url, login_cookie("org"), lang="fr")
    try:
        assert tab.rerun("").exceptions == []  # app.py first, as a browser's first visit
        assert tab.rerun("dashboard").exceptions == []
        own_server.halt("immediate")
        gone = tab.rerun("dashboard")
        assert gone.exceptions == []
        assert [text for text in gone.texts("error") if t("app.database_unavailable_unreachable", "fr") in text] != []
        own_server.resume()
        back = tab.rerun("dashboard")
        assert back.exceptions == [] and back.texts("error") == []
    finally:
        tab.close()
        server.stop()
