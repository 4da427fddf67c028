"""Each role reaches only its pages; a page not registered for a role cannot be opened, not even by URL."""

import pytest

from tests.conftest import DEMO_USER_OF_ROLE
from ui.navigation import ANONYMOUS, PAGES, specs_for

FOUNDATION_PAGES = {
    "admin": {
        "pages/home.py",
        "pages/donation_new.py",
        "pages/household_new.py",
        "pages/volunteer_new.py",
        "pages/import_data.py",
        "pages/records.py",
        "pages/admin_organisations.py",
        "pages/admin_users.py",
        "pages/account.py",
    },
    "association": {
        "pages/home.py",
        "pages/donation_new.py",
        "pages/household_new.py",
        "pages/volunteer_new.py",
        "pages/import_data.py",
        "pages/records.py",
        "pages/account.py",
    },
    "observer": {"pages/home.py", "pages/account.py"},
    "volunteer": {"pages/home.py", "pages/account.py"},
    ANONYMOUS: {"pages/login.py"},
}


@pytest.mark.parametrize("role", sorted(FOUNDATION_PAGES))
def test_role_gets_the_foundation_pages_it_should_and_no_admin_or_entry_page_it_should_not(role):
    reachable = {spec.path for spec in specs_for(role)}
    foundation = {p for pages in FOUNDATION_PAGES.values() for p in pages}
    assert reachable & foundation == FOUNDATION_PAGES[role]


@pytest.mark.parametrize("role", sorted(DEMO_USER_OF_ROLE))
def test_pages_outside_the_role_cannot_be_opened(make_app, role):
    at = make_app(DEMO_USER_OF_ROLE[role])
    at.run()
    assert not at.exception
    allowed = {spec.path for spec in specs_for(role)}
    for spec in PAGES:
        if spec.path in allowed:
            continue
        with pytest.raises(ValueError):
            at.switch_page(spec.path)


@pytest.mark.parametrize("role", sorted(DEMO_USER_OF_ROLE))
def test_every_page_of_the_role_renders(make_app, role):
    at = make_app(DEMO_USER_OF_ROLE[role])
    at.run()
    for spec in specs_for(role):
        at.switch_page(spec.path)
        at.run()
        assert not at.exception, (role, spec.path, at.exception)


def test_anonymous_session_sees_the_login_form_only(make_app):
    at = make_app(None)
    at.run()
    assert at.text_input(key="login_username") is not None
    assert {spec.path for spec in specs_for(ANONYMOUS)} >= {"pages/login.py"}
    for spec in specs_for(ANONYMOUS):
        assert ANONYMOUS in spec.roles
        # Public pages may be added for anonymous users; staff pages never.
        assert not spec.path.startswith(("pages/admin_", "pages/records", "pages/household_new", "pages/import"))


@pytest.mark.parametrize("page", ["pages/records.py", "pages/admin_users.py", "pages/stock.py", "pages/dashboard.py"])
def test_a_page_run_directly_without_app_py_refuses_an_anonymous_session(db_path, monkeypatch, page):
    """Before any session has run app.py, Streamlit serves pages/ by file name, skipping the login."""
    from streamlit.testing.v1 import AppTest

    from data_layer.core.i18n import t
    from tests.conftest import COOKIE_KEY, ROOT

    monkeypatch.setenv("JESR_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / page), default_timeout=30)
    at.secrets["auth"] = {"cookie_key": COOKIE_KEY}
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("error.permission_denied", "ar")]
    assert not at.dataframe and not at.text_input and not at.button


def test_a_page_run_directly_refuses_a_role_it_is_not_for(db_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from data_layer.ops.bootstrap import open_database
    from tests.conftest import COOKIE_KEY, ROOT, actor_for

    monkeypatch.setenv("JESR_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "pages/admin_users.py"), default_timeout=30)
    at.secrets["auth"] = {"cookie_key": COOKIE_KEY}
    database = open_database(db_path)
    at.session_state["actor"] = actor_for(database, "atss")
    database.close()
    at.run()
    assert len(at.error) == 1 and not at.dataframe
