"""Shared fixtures: a real database per test, copied from one demo database built once per
session (so bcrypt and demo generation are paid once), and AppTest runs against it with a strong
cookie key.

`JESR_TEST_BACKEND=postgres` runs the same tests on PostgreSQL: the session starts a server, builds
the templates there through the same migrations and demo code, and each test gets a database of
its own made by `CREATE DATABASE ... TEMPLATE` (a file copy on the server). The default is a
DuckDB file in the test's temporary directory.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from data_layer.access.accounts import get_user
from data_layer.core.actor import Actor
from data_layer.monitoring.facts import GROUPS, ensure_facts_current, facts_drift, mark_facts_stale
from data_layer.ops.bootstrap import open_database
from data_layer.ops.demo import generate_demo
from data_layer.store.database import Database
from tests.pg_server import PostgresServer, PostgresUnavailable, start_postgres
from ui.navigation import ANONYMOUS

ROOT = Path(__file__).resolve().parent.parent
DEMO_HOUSEHOLDS = 300
COOKIE_KEY = secrets.token_hex(32)
# The key of keyed hashes (data_layer/core/secrets.py) for this run: set before any database is
# opened, and inherited by the command-line processes the tests start.
os.environ.setdefault("JESR_HASH_KEY", secrets.token_hex(32))

TEST_BACKEND = os.environ.get("JESR_TEST_BACKEND", "duckdb")
ON_POSTGRES = TEST_BACKEND == "postgres"
if TEST_BACKEND not in ("duckdb", "postgres"):
    raise RuntimeError(f"JESR_TEST_BACKEND must be duckdb or postgres, not {TEST_BACKEND!r}")
database_numbers = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "duckdb_only(reason): about the DuckDB file itself (its lock, path, CHECKPOINT); skipped on PostgreSQL",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES:
        return
    for item in items:
        marker = item.get_closest_marker("duckdb_only")
        if marker is not None:
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "about the DuckDB file")
            item.add_marker(pytest.mark.skip(reason=f"DuckDB only: {reason}"))


def _build_template(target: str | Path, *, demo: bool) -> None:
    db = open_database(target)
    try:
        if demo:
            generate_demo(db, households=DEMO_HOUSEHOLDS, seed=7)
        for group in GROUPS:  # settled now, so a copy that nobody writes keeps its facts' watermarks
            ensure_facts_current(db, group)
        db.checkpoint()
    finally:
        db.close()


def _postgres_template(request: pytest.FixtureRequest, name: str, *, demo: bool) -> str:
    server = request.getfixturevalue("pg_server")
    server.psql(f"CREATE DATABASE {name}")
    # Closed before use: PostgreSQL copies a template only while nobody is connected to it.
    _build_template(server.url(name), demo=demo)
    return name


def _postgres_copy(request: pytest.FixtureRequest, template: str) -> Iterator[str]:
    """A database of this test's own, copied from `template`, dropped when the test ends."""
    server = request.getfixturevalue("pg_server")
    name = f"t_{next(database_numbers)}"
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield server.url(name)
    with psycopg.connect(server.url(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_demo_template(request: pytest.FixtureRequest) -> str:
    """The demo data generated on PostgreSQL by the same demo code, as a template database."""
    return _postgres_template(request, "jesr_template_demo", demo=True)


@pytest.fixture(scope="session")
def pg_empty_template(request: pytest.FixtureRequest) -> str:
    """A migrated PostgreSQL database without data, as a template database."""
    return _postgres_template(request, "jesr_template_empty", demo=False)


@pytest.fixture
def pg_empty_url(request: pytest.FixtureRequest, pg_empty_template: str) -> Iterator[str]:
    """A migrated, empty PostgreSQL database of this test's own, whatever JESR_TEST_BACKEND says."""
    yield from _postgres_copy(request, pg_empty_template)


@pytest.fixture(scope="session")
def demo_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The demo database every `db` starts from: a DuckDB file, or a PostgreSQL template's name."""
    if ON_POSTGRES:
        return request.getfixturevalue("pg_demo_template")
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    _build_template(path, demo=True)
    return path


@pytest.fixture(scope="session")
def empty_template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    if ON_POSTGRES:
        return request.getfixturevalue("pg_empty_template")
    path = tmp_path_factory.mktemp("template") / "empty.duckdb"
    _build_template(path, demo=False)
    return path


@pytest.fixture
def db_path(request: pytest.FixtureRequest, tmp_path: Path, demo_template: Path | str) -> Iterator[Path | str]:
    """A private copy of the demo database for this test: a file path, or a PostgreSQL URL."""
    if ON_POSTGRES:
        yield from _postgres_copy(request, demo_template)
        return
    target = tmp_path / "jesr.duckdb"
    shutil.copy(demo_template, target)
    yield target


def assert_facts_match_base_tables(database: Database) -> None:
    """The dashboard facts, caught up from the audit log, equal a recomputation from scratch (data_layer/facts.py)."""
    drift = facts_drift(database)
    assert drift == dict.fromkeys(drift, 0), f"dashboard facts out of step after this test: {drift}"


def facts_inputs(database: Database) -> tuple[object, ...]:
    """What the facts follow: the newest audit row and the two watermarks (NULL once a rebuild is asked).

    Every write of the product adds an audit row; a test's raw rows must ask for a rebuild
    (`rebuild_facts_after_raw_sql`). When neither happened the facts cannot have moved, and the
    recomputation (about half a second a test) is skipped."""
    with database.reading() as cur:
        row = cur.execute(
            "SELECT (SELECT max(id) FROM audit_log), (SELECT min(audit_id) FROM facts_state),"
            " (SELECT count(*) FROM facts_state WHERE audit_id IS NULL),"
            " (SELECT min(audit_id) FROM facts_fairness_state),"
            " (SELECT count(*) FROM facts_fairness_state WHERE audit_id IS NULL)"
        ).fetchone()
    return tuple(row)


def assert_facts_right_if_written(database: Database, before: tuple[object, ...]) -> None:
    if facts_inputs(database) != before:
        assert_facts_match_base_tables(database)


def rebuild_facts_after_raw_sql(database: Database) -> None:
    """Tests that lay out literal rows with raw SQL write no audit rows: rebuild the facts from them."""
    with database.transaction() as cur:
        mark_facts_stale(cur)


@pytest.fixture
def db(db_path: Path | str) -> Iterator[Database]:
    """The demo copy; after the test, whatever it wrote must have kept the dashboard facts right."""
    database = open_database(db_path)
    before = facts_inputs(database)
    yield database
    try:
        assert_facts_right_if_written(database, before)
    finally:
        database.close()


@pytest.fixture
def empty_db_path(request: pytest.FixtureRequest, tmp_path: Path, empty_template: Path | str) -> Iterator[Path | str]:
    """A private copy of a migrated database without data."""
    if ON_POSTGRES:
        yield from _postgres_copy(request, empty_template)
        return
    target = tmp_path / "empty.duckdb"
    shutil.copy(empty_template, target)
    yield target


@pytest.fixture
def empty_db(empty_db_path: Path | str) -> Iterator[Database]:
    database = open_database(empty_db_path)
    before = facts_inputs(database)
    yield database
    try:
        assert_facts_right_if_written(database, before)
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


@pytest.fixture(scope="session")
def demo_facts_inputs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[object, ...]:
    """`facts_inputs` of an untouched demo copy once opened: what a test that wrote nothing leaves."""
    template = request.getfixturevalue("demo_template")
    if ON_POSTGRES:
        copies = _postgres_copy(request, template)
        target: Path | str = next(copies)
    else:
        target = tmp_path_factory.mktemp("untouched") / "demo.duckdb"
        shutil.copy(template, target)
    database = open_database(target)
    try:
        return facts_inputs(database)
    finally:
        database.close()
        if ON_POSTGRES:
            next(copies, None)


@pytest.fixture
def make_app(
    db_path: Path | str, monkeypatch: pytest.MonkeyPatch, demo_facts_inputs: tuple[object, ...]
) -> Callable[..., AppTest]:
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
        assert_facts_right_if_written(database, demo_facts_inputs)
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


def run_cli(db_path: Path | str, *args: object) -> subprocess.CompletedProcess[str]:
    """`python -m data_layer --db DB ARGS…` as an operator runs it, with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "data_layer", "--db", str(db_path), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def fresh(tmp_path: Path, empty_template: Path) -> Path:
    """A copy of a database that `init` made: migrated, no demo data, no accounts."""
    path = tmp_path / "jesr.duckdb"
    shutil.copy(empty_template, path)
    return path
