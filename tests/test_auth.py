"""Login rules: bcrypt in the database, a lockout that lifts by itself, server-side logout."""

import datetime as dt

import pytest

from data_layer.access.accounts import authenticate, change_password, create_user, record_logout, session_is_valid
from data_layer.core.actor import SYSTEM
from data_layer.core.errors import PermissionDenied, ValidationError

T0 = dt.datetime(2026, 5, 15, 10, 0, 0)


def test_password_is_stored_as_bcrypt_hash_and_checked(db):
    stored = db.conn.execute("SELECT password_hash FROM users WHERE username = 'atss'").fetchone()[0]
    assert stored.startswith("$2b$") and "jesr-assoc-2020" not in stored
    assert authenticate(db, "atss", "jesr-assoc-2020", now=T0).status == "ok"
    assert authenticate(db, "ATSS ", "jesr-assoc-2020", now=T0).actor.organisation_id is not None
    assert authenticate(db, "atss", "wrong-password", now=T0).status == "invalid"
    assert authenticate(db, "nobody", "whatever-pass", now=T0).status == "invalid"


def test_five_failures_in_15_minutes_lock_for_15_minutes_then_lift(db):
    for minute in range(4):
        assert authenticate(db, "amal", "bad", now=T0 + dt.timedelta(minutes=minute)).status == "invalid"
    fifth = authenticate(db, "amal", "bad", now=T0 + dt.timedelta(minutes=4))
    assert fifth.status == "locked" and fifth.locked_until == T0 + dt.timedelta(minutes=19)
    # Even the right password is refused while locked.
    assert authenticate(db, "amal", "jesr-assoc-2020", now=T0 + dt.timedelta(minutes=18)).status == "locked"
    assert authenticate(db, "amal", "jesr-assoc-2020", now=T0 + dt.timedelta(minutes=20)).status == "ok"
    audit = [
        r[0]
        for r in db.conn.execute(
            "SELECT action FROM audit_log WHERE table_name = 'users' AND "
            "record_id = (SELECT id FROM users WHERE username = 'amal') ORDER BY id"
        ).fetchall()
    ]
    assert audit.count("login_failed") == 5 and "lock" in audit and audit[-1] == "login"


def test_failures_spread_over_more_than_15_minutes_do_not_lock(db):
    for minute in (0, 5, 10, 16, 21):
        assert authenticate(db, "amal", "bad", now=T0 + dt.timedelta(minutes=minute)).status == "invalid"
    assert authenticate(db, "amal", "jesr-assoc-2020", now=T0 + dt.timedelta(minutes=22)).status == "ok"


def test_a_success_resets_the_failure_count(db):
    for minute in range(4):
        authenticate(db, "amal", "bad", now=T0 + dt.timedelta(minutes=minute))
    assert authenticate(db, "amal", "jesr-assoc-2020", now=T0 + dt.timedelta(minutes=5)).status == "ok"
    assert authenticate(db, "amal", "bad", now=T0 + dt.timedelta(minutes=6)).status == "invalid"


def test_logout_and_password_change_invalidate_older_cookies(db):
    issued = dt.datetime.now() - dt.timedelta(seconds=5)
    assert session_is_valid(db, "atss", issued) is not None
    record_logout(db, "atss")
    assert session_is_valid(db, "atss", issued) is None
    assert session_is_valid(db, "atss", dt.datetime.now() + dt.timedelta(seconds=1)) is not None
    issued = dt.datetime.now()
    change_password(db, SYSTEM, "amal", "a-new-long-password")
    assert session_is_valid(db, "amal", issued) is None
    assert authenticate(db, "amal", "a-new-long-password").status == "ok"


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
    assert session_is_valid(empty_db, "nour1", T0 - dt.timedelta(days=1)) is None
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
