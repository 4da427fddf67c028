"""Login, session cookie and logout around data_layer.access.accounts.

The re-authentication cookie is set through streamlit-authenticator's cookie component: a JWT
signed with the cookie key, holding the username, its expiry and the account's session version.
We add what the library lacks: on every rerun the session's version is compared with the
account's in the database, so a logout, a password change, a disabled account or a new role
ends every open tab and refuses every older cookie, on every app server. The component sets the
cookie from JavaScript, which cannot make it HttpOnly: see docs/security.md for what limits that.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import jwt
import streamlit as st

from data_layer.access.accounts import (
    authenticate,
    current_session_actor,
    record_logout,
    renewed_actor,
    session_is_valid,
)
from data_layer.core.actor import Actor
from data_layer.core.i18n import t
from data_layer.store.database import Database
from ui.captcha import client_address

COOKIE_NAME = "jesr_session"
# A stolen cookie is worth little for long: a day, and less once the account's session version moves.
COOKIE_EXPIRY_DAYS = 1.0
WEAK_KEYS = {"some_key", "changeme", "secret", "password", "abcdef", "jesr"}


class WeakCookieKey(Exception):
    pass


def cookie_key_from_secrets() -> str:
    """The cookie signing key; a missing, short or guessable key stops the app."""
    try:
        key = str(st.secrets["auth"]["cookie_key"])
    except (KeyError, FileNotFoundError, AttributeError):
        raise WeakCookieKey("missing") from None
    if len(key) < 32 or key.lower() in WEAK_KEYS or len(Counter(key)) < 12 or _entropy_bits(key) < 128:
        raise WeakCookieKey("weak")
    return key


def _entropy_bits(key: str) -> float:
    counts = Counter(key)
    per_char = -sum(c / len(key) * math.log2(c / len(key)) for c in counts.values())
    return per_char * len(key)


def session_cookies(cookie_key: str):  # noqa: ANN201 - the library's CookieController
    """The cookie controller for this run; create it once per run (it renders a component)."""
    from streamlit_authenticator.controllers.cookie_controller import CookieController

    st.session_state.setdefault("logout", False)
    return CookieController(COOKIE_NAME, cookie_key, COOKIE_EXPIRY_DAYS)


def _set_cookie(cookies, actor: Actor) -> None:  # noqa: ANN001
    """The library's cookie, with the session version in the signed token (its own holds only the username)."""
    model = cookies.cookie_model
    expires = dt.datetime.now() + dt.timedelta(days=COOKIE_EXPIRY_DAYS)
    token = jwt.encode(
        {"username": actor.username, "exp_date": expires.timestamp(), "sv": actor.session_version},
        model.cookie_key,
        algorithm="HS256",
    )
    model.cookie_manager.set(model.cookie_name, token, expires_at=expires, same_site="strict")


def end_session(cookies) -> None:  # noqa: ANN001
    """Forget the login this tab holds and its cookie (the server has already refused both)."""
    st.session_state["logout"] = True
    for key in ("actor", "username", "cookie_pending"):
        st.session_state.pop(key, None)
    try:
        cookies.delete_cookie()
    except Exception:  # noqa: BLE001 - the cookie may already be gone; the server refuses it anyway
        pass


def restore_session(db: Database, cookies) -> Actor | None:  # noqa: ANN001
    """The actor of this browser session, checked against the database on every rerun.

    A login held in this tab ends when the account's session version has moved on (password
    changed, disabled, new role or organisation, logged out elsewhere) or its organisation was
    disabled; otherwise a cookie of the account's current session version logs the tab in.
    """
    actor = st.session_state.get("actor")
    if isinstance(actor, Actor):
        current = current_session_actor(db, actor)
        if current is None:
            end_session(cookies)
            st.session_state["session_ended"] = True
            return None
        st.session_state["actor"] = current
        if st.session_state.pop("cookie_pending", False):
            # Set in a run that completes: a cookie component rendered just before st.rerun()
            # never reaches the browser.
            _set_cookie(cookies, current)
        return current
    token = cookies.get_cookie()
    if not token or "exp_date" not in token or not isinstance(token.get("sv"), int):
        return None
    actor = session_is_valid(db, token["username"], token["sv"])
    if actor is not None:
        st.session_state["actor"] = actor
    return actor


def login_form(db: Database, lang: str) -> None:
    if st.session_state.pop("session_ended", False):
        st.warning(t("login.session_ended", lang))
    with st.form("login_form"):
        st.subheader(t("login.title", lang))
        username = st.text_input(t("field.username", lang), key="login_username", autocomplete="username")
        password = st.text_input(
            t("field.password", lang), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit", lang))
    if not submitted:
        return
    result = authenticate(db, username, password, client=client_address())
    if result.status == "ok" and result.actor is not None:
        st.session_state["actor"] = result.actor
        st.session_state["username"] = result.actor.username
        st.session_state["logout"] = False
        st.session_state["cookie_pending"] = True
        st.rerun()
    elif result.status == "inactive":
        st.error(t("login.inactive", lang))
    elif result.status == "organisation_disabled":
        st.error(t("login.organisation_disabled", lang))
    else:
        # One answer for an unknown account, a wrong password and a client made to wait.
        st.error(t("login.refused", lang))


def keep_session_after_own_change(session_version: int) -> None:
    """The tab that changed its own password stays signed in, with the new version and a new cookie."""
    actor = st.session_state.get("actor")
    if isinstance(actor, Actor):
        st.session_state["actor"] = renewed_actor(actor, session_version)
        st.session_state["cookie_pending"] = True


def logout(db: Database, cookies) -> None:  # noqa: ANN001
    actor = st.session_state.get("actor")
    if isinstance(actor, Actor):
        record_logout(db, actor.username)
    end_session(cookies)
