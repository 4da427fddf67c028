"""Shared fixtures: a real DuckDB file per test (copied from one demo database built
once per session, so bcrypt and demo generation are paid once), and AppTest runs
against that file with a strong cookie key."""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_layer.access.accounts import get_user
from data_layer.core.actor import Actor
from data_layer.monitoring.facts import facts_drift, mark_facts_stale
from data_layer.ops.bootstrap import open_database
from data_layer.ops.demo import generate_demo
from data_layer.store.database import Database
from tests.pg_server import PostgresServer, PostgresUnavailable, start_postgres
from ui.navigation import ANONYMOUS

ROOT = Path(__file__).resolve().parent.parent
DEMO_HOUSEHOLDS = 300
COOKIE_KEY = secrets.token_hex(32)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    db = open_database(path)
    generate_demo(db, households=DEMO_HOUSEHOLDS, seed=7)
    db.conn.execute("CHECKPOINT")
    db.close()
    return path


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    db = open_database(path)
    db.conn.execute("CHECKPOINT")
    db.close()
    return path


@pytest.fixture
def db_path(tmp_path: Path, demo_template: Path) -> Path:
    """A private copy of the demo database for this test."""
    target = tmp_path / "jesr.duckdb"
    shutil.copy(demo_template, target)
    return target


def assert_facts_match_base_tables(database: Database) -> None:
    """The dashboard facts, caught up from the audit log, equal a recomputation from scratch (data_layer/facts.py)."""
    drift = facts_drift(database)
    assert drift == dict.fromkeys(drift, 0), f"dashboard facts out of step after this test: {drift}"


def rebuild_facts_after_raw_sql(database: Database) -> None:
    """Tests that lay out literal rows with raw SQL write no audit rows: rebuild the facts from them."""
    with database.transaction() as cur:
        mark_facts_stale(cur)


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    """The demo copy; after the test, whatever it wrote must have kept the dashboard facts right."""
    database = open_database(db_path)
    yield database
    try:
        assert_facts_match_base_tables(database)
    finally:
        database.close()


@pytest.fixture
def empty_db(tmp_path: Path, empty_template: Path) -> Iterator[Database]:
    target = tmp_path / "empty.duckdb"
    shutil.copy(empty_template, target)
    database = open_database(target)
    yield database
    try:
        assert_facts_match_base_tables(database)
    finally:
        database.close()


def actor_for(db: Database, username: str) -> Actor:
    from data_layer.access.accounts import actor_from_user_row

    user = get_user(db, username)
    assert user is not None, f"demo account {username} missing"
    return actor_from_user_row(user)


@pytest.fixture
def actors(db: Database) -> dict[str, Actor]:
    return {name: actor_for(db, name) for name in ("admin", "organiser", "observer", "atss", "amal", "volunteer")}


@pytest.fixture
def make_app(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """An AppTest of app.py on this test's database, logged in as `username` (or anonymous)."""
    monkeypatch.setenv("JESR_DB", str(db_path))
    st.cache_resource.clear()
    st.cache_data.clear()

    def factory(username: str | None = None, lang: str = "ar") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
        at.secrets["auth"] = {"cookie_key": COOKIE_KEY}
        at.query_params["lang"] = lang
        if username is not None:
            database = open_database(db_path)
            try:
                at.session_state["actor"] = actor_for(database, username)
            finally:
                database.close()
        return at

    yield factory
    st.cache_resource.clear()
    st.cache_data.clear()
    database = open_database(db_path)
    try:
        assert_facts_match_base_tables(database)
    finally:
        database.close()


# A demo account for each role; None is the anonymous visitor.
DEMO_USER_OF_ROLE = {
    "admin": "admin",
    "organiser": "organiser",
    "association": "atss",
    "observer": "observer",
    "volunteer": "volunteer",
    ANONYMOUS: None,
}


def open_page(make_app: Callable[..., AppTest], username: str | None, page: str, lang: str = "ar") -> AppTest:
    """The app as `username` in `lang`, switched to `page` ("pages/x.py"), drawn without an exception."""
    at = make_app(username, lang=lang)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the run. On CI a server that cannot start fails the tests."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL could not start: {exc}")
        pytest.skip(f"PostgreSQL could not start: {exc}")
    yield server
    server.stop()
