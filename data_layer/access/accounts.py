"""Accounts, passwords and the login rules.

Passwords are bcrypt hashes in the database, in the same format as
streamlit-authenticator's Hasher (we call bcrypt directly: importing the library
pulls in Streamlit, which the command line does not need).

Failed logins slow down the client that made them, never the account: the library's
`max_login_attempts` (and a lock per account) would let anyone lock anyone out by typing wrong
passwords. Failures are counted per account and client, and per client over all accounts; past
a few, that client waits a delay that doubles with each further failure, up to a cap. The answer
is the same for an unknown account, a wrong password and a client made to wait, so it never
tells whether an account exists. All of it is counted in the database, so it holds across app
servers.

Sessions: each account has a session version, raised by a password change, disabling, a new
role or organisation, and a logout. A session (and its cookie) keeps the version it was given
and is refused at its next rerun once the account's has moved on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import bcrypt

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import FieldError, PermissionDenied, ValidationError
from data_layer.core.validation import _Collector, check_password_strength, clean_user
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

# Failures free of any delay: per account from one client, and per client over all accounts
# (a shared office address gets room for several people's typos).
PAIR_FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 20
# How long failures count: for one account from one client a day (until a success), so a client
# kept at the cap stays there, one guess per 15 minutes; for a client over all accounts an hour,
# so an office behind one address is not held back all day by its typos.
PAIR_WINDOW = dt.timedelta(hours=24)
CLIENT_WINDOW = dt.timedelta(hours=1)
# The first delay past the free failures; it doubles with each further failure, up to the cap.
FIRST_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
_CLIENT_SALT = "jesr-login-client:"


@dataclass(frozen=True)
class LoginResult:
    # ok | invalid (unknown account, wrong password or a client made to wait: one answer)
    # | inactive | organisation_disabled (said only to someone who gave the right password)
    status: str
    actor: Actor | None = None
    # When a waiting client may try again; for tests and logs, never shown (it is the same
    # for unknown and known accounts, but one answer for every refusal is simpler to trust).
    retry_at: dt.datetime | None = None
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
        session_version=int(row.get("session_version") or 0),
    )


def client_key(client: str | None) -> str:
    """The client address as stored with login attempts: a salted hash, never the address."""
    return hashlib.sha256((_CLIENT_SALT + (client or "")).encode("utf-8")).hexdigest()[:32]


def _delay(failures: int, free: int) -> dt.timedelta:
    if failures < free:
        return dt.timedelta(0)
    return min(MAX_DELAY, FIRST_DELAY * 2 ** min(failures - free, 20))


def _retry_at(counts: dict[str, Any]) -> dt.datetime | None:
    """Until when this client must wait before its next try on this account (None: it may try now)."""
    waits = []
    if counts["pair_failures"] and counts["pair_last_failure"] is not None:
        waits.append(counts["pair_last_failure"] + _delay(counts["pair_failures"], PAIR_FREE_FAILURES))
    if counts["client_failures"] and counts["client_last_failure"] is not None:
        waits.append(counts["client_last_failure"] + _delay(counts["client_failures"], CLIENT_FREE_FAILURES))
    return max(waits) if waits else None


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
) -> int:
    """Set a new password (the user themself or an admin); every open session of the account ends.

    A user changing their own password gives the current one too: an open tab left on a shared
    phone must not be enough to take the account over. Returns the account's new session
    version, which the tab that changed its own password keeps (see `renewed_actor`).
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
        version = run(
            cur,
            "set_user_password",
            {"username": username, "password_hash": hash_password(new_password), "now": _now()},
        )
        write_audit(
            cur, actor, "update", "users", user["id"], before={"password": "***"}, after={"password": "*** (changed)"}
        )
    return int(version)


def renewed_actor(actor: Actor, session_version: int) -> Actor:
    """The same actor with the account's new session version (its own password change keeps its tab)."""
    return replace(actor, session_version=session_version)


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


def set_user_role(db: Database, actor: Actor, username: str, role: str, organisation_id: int | None) -> None:
    """Give an account a new role and organisation (admins only); its open sessions end."""
    if actor.role != "admin":
        raise PermissionDenied()
    username = (username or "").strip().lower()
    with db.transaction() as cur:
        user = run(cur, "get_user_by_username", {"username": username})
        if user is None:
            raise ValidationError([FieldError("username", "error.unknown_user", {"value": username})])
        # The same rules as a new account: a role that exists, an organisation for association staff.
        record = clean_user(
            {
                "username": username,
                "full_name": user["full_name"],
                "role": role,
                "organisation_id": organisation_id,
            },
            password_required=False,
        )
        if _organisation_disabled(cur, record):
            raise ValidationError([FieldError("organisation", "organisations.error.disabled")])
        run(
            cur,
            "set_user_role",
            {"username": username, "role": record["role"], "organisation_id": record["organisation_id"]},
        )
        write_audit(
            cur,
            actor,
            "update",
            "users",
            user["id"],
            before={"role": user["role"], "organisation_id": user["organisation_id"]},
            after={"role": record["role"], "organisation_id": record["organisation_id"]},
        )


def authenticate(
    db: Database, username: str, password: str, *, client: str | None = None, now: dt.datetime | None = None
) -> LoginResult:
    """Check a login from `client` (its address), applying the throttle; every attempt is recorded.

    A client that must wait gets "invalid" without its password being checked, whatever the
    account: the same answer as an unknown account or a wrong password.
    """
    now = now or _now()
    username = (username or "").strip().lower()[:64]
    key = client_key(client)
    with db.transaction() as cur:
        windows = {"pair_since": now - PAIR_WINDOW, "client_since": now - CLIENT_WINDOW}
        counts = run(cur, "get_login_failures", {"username": username, "client_key": key, **windows})
        retry_at = _retry_at(counts)
        attempt = {"username": username, "at": now, "client_key": key}
        if retry_at is not None and now < retry_at:
            # Counted too: hammering while told to wait keeps the delay growing.
            run(cur, "insert_login_attempt", dict(attempt, succeeded=False))
            counted = {
                "pair_failures": counts["pair_failures"] + 1,
                "pair_last_failure": now,
                "client_failures": counts["client_failures"] + 1,
                "client_last_failure": now,
            }
            return LoginResult("invalid", retry_at=_retry_at(counted))
        user = run(cur, "get_user_by_username", {"username": username})
        password_ok = bool(password) and check_password(password, user["password_hash"] if user else _dummy_hash())
        org_disabled = bool(user and password_ok and _organisation_disabled(cur, user))
        succeeded = bool(user and password_ok and user["is_active"] and not org_disabled)
        run(cur, "insert_login_attempt", dict(attempt, succeeded=succeeded))
        if succeeded:
            write_audit(cur, actor_from_user_row(user), "login", "users", user["id"])
            return LoginResult("ok", actor=actor_from_user_row(user), preferred_lang=user["preferred_lang"])
        if user is not None and password_ok and not user["is_active"]:
            return LoginResult("inactive")
        if org_disabled:
            write_audit(cur, SYSTEM, "login_refused_disabled_organisation", "users", user["id"])
            return LoginResult("organisation_disabled")
        if user is not None:
            write_audit(
                cur, SYSTEM, "login_failed", "users", user["id"], after={"failures": int(counts["pair_failures"]) + 1}
            )
        return LoginResult("invalid")


def record_logout(db: Database, username: str, *, now: dt.datetime | None = None) -> None:
    with db.transaction() as cur:
        user = run(cur, "get_user_by_username", {"username": username})
        if user is None:
            return
        run(cur, "set_user_logout", {"username": username, "now": now or _now()})
        write_audit(cur, actor_from_user_row(user), "logout", "users", user["id"])


def _session_actor(cur: Any, row: dict[str, Any] | None, session_version: int) -> Actor | None:
    if row is None or not row["is_active"] or int(row["session_version"] or 0) != session_version:
        return None
    if row["organisation_id"] is not None and row.get("organisation_is_active", True) is False:
        return None
    return actor_from_user_row(row)


def session_is_valid(db: Database, username: str, session_version: int) -> Actor | None:
    """The actor behind a session cookie, or None once the account's session version has moved on
    (logout, password change, disabled, new role) or its organisation is disabled."""
    with db.reading() as cur:
        user = run(cur, "get_user_by_username", {"username": (username or "").strip().lower()})
        if user is not None:
            user = dict(user, organisation_is_active=not _organisation_disabled(cur, user))
        return _session_actor(cur, user, session_version)


def current_session_actor(db: Database, actor: Actor) -> Actor | None:
    """The logged-in actor as the database has it now, or None when its session has ended.

    Called on every rerun: one indexed read, so every app server sees a change at once.
    """
    if actor.user_id is None:
        return None
    with db.reading() as cur:
        return _session_actor(cur, run(cur, "get_user_session", {"id": actor.user_id}), actor.session_version)


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
