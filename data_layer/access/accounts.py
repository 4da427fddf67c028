"""Accounts, passwords and the login rules.

Passwords are bcrypt hashes in the database, in the same format as
streamlit-authenticator's Hasher (we call bcrypt directly: importing the library
pulls in Streamlit, which the command line does not need). The lockout is ours, not the library's `max_login_attempts` (which
locks an account for ever and so lets anyone lock out anyone): five failures
within 15 minutes lock the account for 15 minutes, then it opens by itself.
Server-side logout: a session cookie issued before the user's last logout or
password change is refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import bcrypt

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import FieldError, PermissionDenied, ValidationError
from data_layer.core.validation import _Collector, check_password_strength, clean_user
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    status: str  # ok | invalid | locked | inactive | organisation_disabled
    actor: Actor | None = None
    locked_until: dt.datetime | None = None
    preferred_lang: str | None = None


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode()


def check_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode())
    except ValueError:
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the user does not exist, so both paths take bcrypt's time."""
    return hash_password("no such user, no such password")


def _now() -> dt.datetime:
    return dt.datetime.now()


def actor_from_user_row(row: dict[str, Any]) -> Actor:
    return Actor(
        user_id=row["id"],
        username=row["username"],
        role=row["role"],
        organisation_id=row["organisation_id"],
        volunteer_id=row.get("volunteer_id"),
        country_code=row.get("country_code"),
    )


def _organisation_disabled(cur: Any, user: dict[str, Any]) -> bool:
    # Accounts of no organisation (admins, organisers) are never refused for this.
    organisation_id = user["organisation_id"]
    return organisation_id is not None and run(cur, "get_organisation_is_active", {"id": organisation_id}) is False


def get_user(db: Database, username: str) -> dict[str, Any] | None:
    with db.reading() as cur:
        return run(cur, "get_user_by_username", {"username": (username or "").strip().lower()})


def create_user(db: Database, actor: Actor, raw: dict[str, Any], *, preferred_lang: str = "ar") -> int:
    """Create an account (admins only); the password is stored as a bcrypt hash."""
    if actor.role != "admin":
        raise PermissionDenied()
    record = clean_user(raw)
    country = _account_country(db, raw.get("country_code"), record["organisation_id"])
    password_hash = hash_password(str(record["password"]))
    with db.transaction() as cur:
        if run(cur, "get_user_by_username", {"username": record["username"]}) is not None:
            raise ValidationError([FieldError("username", "error.username_taken", {"value": record["username"]})])
        if _organisation_disabled(cur, record):
            raise ValidationError([FieldError("organisation", "organisations.error.disabled")])
        values = {
            "username": record["username"],
            "full_name": record["full_name"],
            "role": record["role"],
            "organisation_id": record["organisation_id"],
            "password_hash": password_hash,
            "preferred_lang": preferred_lang,
            "country_code": country,
        }
        user_id = run(cur, "insert_user", values)
        write_audit(
            cur, actor, "insert", "users", user_id, after={k: v for k, v in values.items() if k != "password_hash"}
        )
    return user_id


def change_password(
    db: Database, actor: Actor, username: str, new_password: str, *, current_password: str | None = None
) -> None:
    """Set a new password (the user themself or an admin); older sessions end.

    A user changing their own password gives the current one too: an open tab left on a shared
    phone must not be enough to take the account over.
    """
    username = (username or "").strip().lower()
    own = actor.username == username
    if actor.role != "admin" and not own:
        raise PermissionDenied()
    errs = _Collector()
    check_password_strength(errs, new_password)
    errs.raise_if_any()
    with db.transaction() as cur:
        user = run(cur, "get_user_by_username", {"username": username})
        if user is None:
            raise ValidationError([FieldError("username", "error.unknown_user", {"value": username})])
        if own and not check_password(current_password or "", user["password_hash"]):
            raise ValidationError([FieldError("current_password", "error.current_password")])
        run(
            cur,
            "set_user_password",
            {"username": username, "password_hash": hash_password(new_password), "now": _now()},
        )
        write_audit(
            cur, actor, "update", "users", user["id"], before={"password": "***"}, after={"password": "*** (changed)"}
        )


def set_user_active(db: Database, actor: Actor, username: str, is_active: bool) -> None:
    if actor.role != "admin":
        raise PermissionDenied()
    with db.transaction() as cur:
        user = run(cur, "get_user_by_username", {"username": username})
        if user is None:
            raise ValidationError([FieldError("username", "error.unknown_user", {"value": username})])
        run(cur, "set_user_active", {"username": username, "is_active": is_active})
        write_audit(
            cur,
            actor,
            "update",
            "users",
            user["id"],
            before={"is_active": user["is_active"]},
            after={"is_active": is_active},
        )


def authenticate(db: Database, username: str, password: str, *, now: dt.datetime | None = None) -> LoginResult:
    """Check a login, applying the lockout; every attempt is recorded and audited."""
    now = now or _now()
    username = (username or "").strip().lower()[:64]
    with db.transaction() as cur:
        user = run(cur, "get_user_by_username", {"username": username})
        if user is not None and user["locked_until"] is not None and user["locked_until"] > now:
            write_audit(cur, SYSTEM, "login_refused_locked", "users", user["id"], after={"username": username})
            return LoginResult("locked", locked_until=user["locked_until"])
        password_ok = bool(password) and check_password(password, user["password_hash"] if user else _dummy_hash())
        org_disabled = bool(user and password_ok and _organisation_disabled(cur, user))
        succeeded = bool(user and password_ok and user["is_active"] and not org_disabled)
        run(cur, "insert_login_attempt", {"username": username, "at": now, "succeeded": succeeded})
        if succeeded:
            if user["locked_until"] is not None:
                run(cur, "set_user_locked_until", {"username": username, "locked_until": None})
            write_audit(cur, actor_from_user_row(user), "login", "users", user["id"])
            return LoginResult("ok", actor=actor_from_user_row(user), preferred_lang=user["preferred_lang"])
        if user is not None and password_ok and not user["is_active"]:
            return LoginResult("inactive")
        if org_disabled:
            write_audit(cur, SYSTEM, "login_refused_disabled_organisation", "users", user["id"])
            return LoginResult("organisation_disabled")
        failures = run(cur, "count_recent_failures", {"username": username, "since": now - FAILURE_WINDOW})
        if user is not None:
            write_audit(cur, SYSTEM, "login_failed", "users", user["id"], after={"failures": failures})
            if failures >= MAX_FAILURES:
                locked_until = now + LOCK_DURATION
                run(cur, "set_user_locked_until", {"username": username, "locked_until": locked_until})
                write_audit(cur, SYSTEM, "lock", "users", user["id"], after={"locked_until": locked_until})
                return LoginResult("locked", locked_until=locked_until)
        return LoginResult("invalid")


def record_logout(db: Database, username: str, *, now: dt.datetime | None = None) -> None:
    with db.transaction() as cur:
        user = run(cur, "get_user_by_username", {"username": username})
        if user is None:
            return
        run(cur, "set_user_logout", {"username": username, "now": now or _now()})
        write_audit(cur, actor_from_user_row(user), "logout", "users", user["id"])


def session_is_valid(db: Database, username: str, issued_at: dt.datetime) -> Actor | None:
    """The actor behind a session cookie, or None if the cookie predates a logout or password change."""
    with db.reading() as cur:
        user = run(cur, "get_user_by_username", {"username": (username or "").strip().lower()})
        if user is None or not user["is_active"] or _organisation_disabled(cur, user):
            return None
    for instant in (user["last_logout_at"], user["password_changed_at"]):
        if instant is not None and issued_at <= instant:
            return None
    return actor_from_user_row(user)


def _account_country(db: Database, named: Any, organisation_id: int | None) -> str | None:
    """The country stored with a new account: the one named, which must hold its organisation.
    None: its organisation's country, or (no organisation) every country."""
    from data_layer.core.validation import is_blank, resolve_country
    from data_layer.registry.organisations import organisation_country
    from data_layer.store.reference import get_reference

    if is_blank(named):
        return None
    country = resolve_country(get_reference(db), named)
    own = organisation_country(db, organisation_id) if organisation_id is not None else None
    if own is not None and own != country:
        raise ValidationError(
            [FieldError("country", "scope.error.organisation_elsewhere", {"value": country, "country": own})]
        )
    return country


def list_users(db: Database, country_code: str | None = None) -> Any:
    """Every account; with `country_code`, those of that country only (regional ones have none)."""
    with db.reading() as cur:
        frame = run(cur, "list_users")
    if country_code is not None:
        frame = frame[frame["country_code"] == country_code].reset_index(drop=True)
    return frame
