"""Login rules: bcrypt in the database, a throttle per account and client that no one can turn on
others, and sessions that end when their account changes."""

import datetime as dt

import pytest

from data_layer.access.accounts import (
    authenticate,
    change_password,
    create_user,
    current_session_actor,
    record_logout,
    renewed_actor,
    session_is_valid,
    set_user_active,
    set_user_role,
)
from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import PermissionDenied, ValidationError

T0 = dt.datetime(2026, 5, 15, 10, 0, 0)


def test_password_is_stored_as_bcrypt_hash_and_checked(db):
    stored = db.conn.execute("SELECT password_hash FROM users WHERE username = 'atss'").fetchone()[0]
    assert stored.startswith("$2b$") and "jesr-assoc-2020" not in stored
    assert authenticate(db, "atss", "jesr-assoc-2020", now=T0).status == "ok"
    assert authenticate(db, "ATSS ", "jesr-assoc-2020", now=T0).actor.organisation_id is not None
    assert authenticate(db, "atss", "wrong-password", now=T0).status == "invalid"
    assert authenticate(db, "nobody", "whatever-pass", now=T0).status == "invalid"


ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def test_wrong_passwords_slow_down_their_client_and_never_lock_the_owner_out(db):
    """The attack of the finding: typing wrong passwords for someone's account no longer locks it."""
    for minute in range(5):
        at = T0 + dt.timedelta(minutes=minute)
        assert authenticate(db, "admin", "bad", client=ATTACKER, now=at).status == "invalid"
    # The attacker's client now waits: even the right password is not checked from there.
    waiting = authenticate(
        db, "admin", "jesr-admin-2020", client=ATTACKER, now=T0 + dt.timedelta(minutes=4, seconds=10)
    )
    assert waiting.status == "invalid" and waiting.actor is None
    # Trying while told to wait counts too: the wait is now a minute from this try.
    assert waiting.retry_at == T0 + dt.timedelta(minutes=5, seconds=10)
    # The owner, from their own device, at the same moment and after: in at once.
    for seconds in (11, 12):
        at = T0 + dt.timedelta(minutes=4, seconds=seconds)
        assert authenticate(db, "admin", "jesr-admin-2020", client=OWNER, now=at).status == "ok"
    assert db.conn.execute("SELECT locked_until FROM users WHERE username = 'admin'").fetchone()[0] is None


def test_the_delay_grows_with_each_failure_up_to_fifteen_minutes(db):
    at = T0
    for _ in range(5):
        authenticate(db, "amal", "bad", client=ATTACKER, now=at)
    delays = []
    for _ in range(8):
        # A try one second later is told to wait (and counted); the next, when allowed, is checked.
        waiting = authenticate(db, "amal", "bad", client=ATTACKER, now=at + dt.timedelta(seconds=1))
        delays.append(waiting.retry_at - at)
        at = waiting.retry_at
        assert authenticate(db, "amal", "bad", client=ATTACKER, now=at).retry_at is None  # checked, and wrong
    assert delays[0] == dt.timedelta(minutes=1, seconds=1)
    assert delays == sorted(delays) and delays[-1] == dt.timedelta(minutes=15, seconds=1)
    assert all(d <= dt.timedelta(minutes=15, seconds=1) for d in delays)


def test_unknown_and_real_accounts_get_the_same_answers(db):
    """No user enumeration: the same tries give the same answers, waits included."""

    def answers(username: str, client: str) -> list[tuple[str, object]]:
        out = []
        for second in range(0, 80, 10):
            result = authenticate(db, username, "bad", client=client, now=T0 + dt.timedelta(seconds=second))
            out.append((result.status, result.retry_at))
        return out

    assert answers("nobody-at-all", "192.0.2.1") == answers("amal", "192.0.2.2")
    assert {status for status, _ in answers("admin", "192.0.2.3")} == {"invalid"}


def test_one_client_trying_many_accounts_waits_but_others_do_not(db):
    for n in range(20):
        authenticate(db, f"guess{n}", "bad", client=ATTACKER, now=T0 + dt.timedelta(seconds=n))
    later = T0 + dt.timedelta(seconds=25)
    assert authenticate(db, "atss", "jesr-assoc-2020", client=ATTACKER, now=later).status == "invalid"
    assert authenticate(db, "atss", "jesr-assoc-2020", client=OWNER, now=later).status == "ok"


def test_failures_spread_over_more_than_a_day_do_not_slow_down(db):
    for hour in (0, 5, 10, 20, 25, 30):
        assert authenticate(db, "amal", "bad", client=OWNER, now=T0 + dt.timedelta(hours=hour)).retry_at is None
    assert authenticate(db, "amal", "jesr-assoc-2020", client=OWNER, now=T0 + dt.timedelta(hours=31)).status == "ok"


def test_a_success_resets_the_count_of_its_account_and_client(db):
    for minute in range(4):
        authenticate(db, "amal", "bad", client=OWNER, now=T0 + dt.timedelta(minutes=minute))
    assert authenticate(db, "amal", "jesr-assoc-2020", client=OWNER, now=T0 + dt.timedelta(minutes=5)).status == "ok"
    for second in range(4):
        at = T0 + dt.timedelta(minutes=6, seconds=second)
        assert authenticate(db, "amal", "bad", client=OWNER, now=at).retry_at is None


def test_sessions_end_when_the_account_changes(db, actors):
    """Every way an account can change ends the sessions it had, checked as each rerun checks."""
    admin = actors["admin"]

    def login() -> Actor:
        result = authenticate(db, "amal", "jesr-assoc-2020", client=OWNER)
        assert result.status == "ok"
        return result.actor

    first, second = login(), login()  # two tabs of one account
    assert current_session_actor(db, first) == current_session_actor(db, second) == first
    set_user_active(db, admin, "amal", False)
    assert current_session_actor(db, first) is None and current_session_actor(db, second) is None
    set_user_active(db, admin, "amal", True)
    assert current_session_actor(db, first) is None  # enabling again does not bring old sessions back

    tab = login()
    change_password(db, admin, "amal", "a-new-long-password")
    assert current_session_actor(db, tab) is None
    assert session_is_valid(db, "amal", tab.session_version) is None  # nor its cookie

    result = authenticate(db, "amal", "a-new-long-password", client=OWNER)
    tab = result.actor
    set_user_role(db, admin, "amal", "observer", None)
    assert current_session_actor(db, tab) is None
    tab = authenticate(db, "amal", "a-new-long-password", client=OWNER).actor
    assert tab.role == "observer" and current_session_actor(db, tab) == tab

    record_logout(db, "amal")
    assert current_session_actor(db, tab) is None and session_is_valid(db, "amal", tab.session_version) is None

    # One's own password change keeps the tab that made it and ends the others.
    tab, other = (authenticate(db, "atss", "jesr-assoc-2020", client=OWNER).actor for _ in range(2))
    version = change_password(db, tab, "atss", "my-own-new-password", current_password="jesr-assoc-2020")
    assert current_session_actor(db, renewed_actor(tab, version)) is not None
    assert session_is_valid(db, "atss", version) is not None
    assert current_session_actor(db, other) is None


def test_a_role_change_follows_the_account_rules_and_only_admins_make_it(db, actors):
    with pytest.raises(PermissionDenied):
        set_user_role(db, actors["organiser"], "amal", "admin", None)
    with pytest.raises(ValidationError) as refused:
        set_user_role(db, actors["admin"], "amal", "association", None)
    assert [(e.field, e.code) for e in refused.value.errors] == [("organisation", "error.association_needs_org")]
    with pytest.raises(ValidationError):
        set_user_role(db, actors["admin"], "amal", "king", None)
    assert db.conn.execute("SELECT role FROM users WHERE username = 'amal'").fetchone()[0] == "association"
    assert current_session_actor(db, actors["amal"]) is not None  # refusals end nothing


def test_only_admins_create_accounts_and_weak_passwords_are_refused(db, actors):
    raw = {
        "username": "newstaff",
        "full_name": "New Staff",
        "role": "association",
        "organisation_id": actors["atss"].organisation_id,
        "password": "long-enough-pw",
    }
    with pytest.raises(PermissionDenied):
        create_user(db, actors["organiser"], raw)
    with pytest.raises(ValidationError) as caught:
        create_user(db, actors["admin"], dict(raw, password="short"))
    assert [(e.field, e.code) for e in caught.value.errors] == [("password", "error.password_short")]
    create_user(db, actors["admin"], raw)
    assert authenticate(db, "newstaff", "long-enough-pw").actor.organisation_id == actors["atss"].organisation_id
    with pytest.raises(ValidationError):
        create_user(db, actors["admin"], raw)  # username taken


def test_demo_accounts_exist_only_in_demo_databases(empty_db):
    assert empty_db.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_a_disabled_organisation_s_users_cannot_log_in_nor_be_added_and_its_records_are_refused(empty_db):
    import pandas as pd

    from data_layer.core.i18n import t
    from data_layer.registry.donations import register_donation
    from data_layer.registry.households import register_household
    from data_layer.registry.imports import import_frame
    from data_layer.registry.organisations import OrganisationDisabled, create_organisation, disable_organisation

    org = create_organisation(empty_db, SYSTEM, {"code": "NOUR", "name": "Nour", "areas": ["TN-11"]})
    create_user(
        empty_db,
        SYSTEM,
        {"username": "nour1", "full_name": "Nour Staff", "role": "association", "organisation_id": org,
         "password": "nour-password-2020"},
    )  # fmt: skip
    ok = authenticate(empty_db, "nour1", "nour-password-2020", now=T0)
    assert ok.status == "ok"
    staff = ok.actor
    disable_organisation(empty_db, SYSTEM, "NOUR")

    assert authenticate(empty_db, "nour1", "nour-password-2020", now=T0).status == "organisation_disabled"
    assert authenticate(empty_db, "nour1", "wrong-password", now=T0).status == "invalid"  # says nothing more
    assert session_is_valid(empty_db, "nour1", staff.session_version) is None
    assert current_session_actor(empty_db, staff) is None
    assert "disabled" in t("login.organisation_disabled", "en") and t("login.organisation_disabled", "ar")
    with pytest.raises(ValidationError) as refused:
        create_user(
            empty_db,
            SYSTEM,
            {"username": "nour2", "full_name": "Other", "role": "association", "organisation_id": org,
             "password": "nour-password-2020"},
        )  # fmt: skip
    assert [(e.field, e.code) for e in refused.value.errors] == [("organisation", "organisations.error.disabled")]

    audit_before = empty_db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    household = {"national_id": "01234567", "full_name": "Fatma", "governorate": "TN-11", "household_size": 3}
    with pytest.raises(OrganisationDisabled):
        register_household(empty_db, staff, household)
    with pytest.raises(OrganisationDisabled):
        register_donation(
            empty_db,
            SYSTEM,
            {"donor_type": "anonymous", "category": "food", "kind": "in_kind", "item": "Couffin", "quantity": 2,
             "unit": "basket", "governorate": "TN-11", "received_on": "2020-05-20"},
            organisation_id=org,
        )  # fmt: skip
    with pytest.raises(OrganisationDisabled):
        import_frame(empty_db, SYSTEM, "households", pd.DataFrame([household]), organisation_id=org)
    assert empty_db.conn.execute("SELECT count(*) FROM households").fetchone()[0] == 0
    assert empty_db.conn.execute("SELECT count(*) FROM donations").fetchone()[0] == 0
    assert empty_db.conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    # The refused records and account left nothing behind, not even an audit row.
    assert empty_db.conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == audit_before


def test_changing_ones_own_password_needs_the_current_one(db, actors):
    before = db.conn.execute("SELECT password_hash, password_changed_at FROM users WHERE username = 'atss'").fetchone()
    for wrong in (None, "", "not-the-password"):
        with pytest.raises(ValidationError) as refused:
            change_password(db, actors["atss"], "atss", "a-new-long-password", current_password=wrong)
        assert [(e.field, e.code) for e in refused.value.errors] == [("current_password", "error.current_password")]
    assert (
        db.conn.execute("SELECT password_hash, password_changed_at FROM users WHERE username = 'atss'").fetchone()
        == before
    )
    change_password(db, actors["atss"], "atss", "a-new-long-password", current_password="jesr-assoc-2020")
    assert authenticate(db, "atss", "a-new-long-password").status == "ok"
    # An admin resetting someone else's password is not asked for theirs.
    change_password(db, actors["admin"], "amal", "another-long-password")
    assert authenticate(db, "amal", "another-long-password").status == "ok"
