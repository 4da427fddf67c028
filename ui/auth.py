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
    LoginResult,
    authenticate,
    current_session_actor,
    record_logout,
    renewed_actor,
    session_is_valid,
)
from data_layer.core.actor import Actor
from data_layer.core.i18n import t
from data_layer.store.database import Database
from data_layer.store.errors import DatabaseUnreachable
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
    _take_accepted_login()
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


# The answer to the last press of "log in", kept in a plain dict inside the session (see _check_login).
LOGIN_ANSWER = "login_answer"


def _check_login(db: Database) -> None:
    """The login form's callback: the password is checked before the script body runs.

    A rerun asked for while a run is under way (the cookie component's first value on a new
    session, a second tap) stops that run at its next Streamlit call, st.session_state included,
    and the next run no longer carries the press: read in the script body, a press could be lost
    even after its password was accepted. Callbacks run first, and the answer is stored as an item
    of a dict the session already holds, a plain assignment where Streamlit never stops a run.
    """
    answer = st.session_state.setdefault(LOGIN_ANSWER, {})
    username = st.session_state.get("login_username") or ""
    password = st.session_state.get("login_password") or ""
    client = client_address()
    try:
        result: object = authenticate(db, username, password, client=client)
    except DatabaseUnreachable:
        result = "unreachable"
    answer["result"] = result


def _take_accepted_login() -> bool:
    """An accepted login becomes the session's; the answer is dropped only once the session holds it."""
    answer = st.session_state.get(LOGIN_ANSWER)
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, LoginResult) or result.status != "ok" or result.actor is None:
        return False
    st.session_state["actor"] = result.actor
    st.session_state["username"] = result.actor.username
    st.session_state["logout"] = False
    st.session_state["cookie_pending"] = True
    answer.pop("result", None)
    return True


def login_form(db: Database, lang: str) -> None:
    if st.session_state.pop("session_ended", False):
        st.warning(t("login.session_ended", lang))
    with st.form("login_form"):
        st.subheader(t("login.title", lang))
        st.text_input(t("field.username", lang), key="login_username", autocomplete="username")
        st.text_input(t("field.password", lang), type="password", key="login_password", autocomplete="current-password")
        st.form_submit_button(t("login.submit", lang), on_click=_check_login, args=(db,))
    if _take_accepted_login():
        # app.py takes it before the page runs; a page run without app.py reruns into the role's pages.
        st.rerun()
    answer = st.session_state.get(LOGIN_ANSWER)
    result = answer.get("result") if isinstance(answer, dict) else None
    if result is None:
        return
    if result == "unreachable":
        st.error(t("app.database_unavailable", lang) + "\n\n" + t("app.database_unavailable_unreachable", lang))
    elif isinstance(result, LoginResult) and result.status == "inactive":
        st.error(t("login.inactive", lang))
    elif isinstance(result, LoginResult) and result.status == "organisation_disabled":
        st.error(t("login.organisation_disabled", lang))
    else:
        # One answer for an unknown account, a wrong password and a client made to wait.
        st.error(t("login.refused", lang))
    answer.pop("result", None)


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
