"""Login, session cookie and logout around data_layer.access.accounts.

The re-authentication cookie is streamlit-authenticator's (a signed JWT holding the
username and its expiry). We add what the library lacks: the cookie is refused when
it was issued before the user's last logout or password change, so logging out ends
the session on the server too.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import streamlit as st

from data_layer.access.accounts import authenticate, record_logout, session_is_valid
from data_layer.core.actor import Actor
from data_layer.core.i18n import t
from data_layer.store.database import Database

COOKIE_NAME = "jesr_session"
COOKIE_EXPIRY_DAYS = 7.0
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


def restore_session(db: Database, cookies) -> Actor | None:  # noqa: ANN001
    """The actor of this browser session: already logged in, or from a still-valid cookie."""
    actor = st.session_state.get("actor")
    if isinstance(actor, Actor):
        if st.session_state.pop("cookie_pending", False):
            # Set in a run that completes: a cookie component rendered just before st.rerun()
            # never reaches the browser.
            cookies.set_cookie()
        return actor
    token = cookies.get_cookie()
    if not token or "exp_date" not in token:
        return None
    issued_at = dt.datetime.fromtimestamp(token["exp_date"] - COOKIE_EXPIRY_DAYS * 86400)
    actor = session_is_valid(db, token["username"], issued_at)
    if actor is not None:
        st.session_state["actor"] = actor
    return actor


def login_form(db: Database, lang: str) -> None:
    with st.form("login_form"):
        st.subheader(t("login.title", lang))
        username = st.text_input(t("field.username", lang), key="login_username", autocomplete="username")
        password = st.text_input(
            t("field.password", lang), type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(t("login.submit", lang))
    if not submitted:
        return
    result = authenticate(db, username, password)
    if result.status == "ok" and result.actor is not None:
        st.session_state["actor"] = result.actor
        st.session_state["username"] = result.actor.username
        st.session_state["logout"] = False
        st.session_state["cookie_pending"] = True
        st.rerun()
    elif result.status == "locked":
        minutes = max(1, math.ceil((result.locked_until - dt.datetime.now()).total_seconds() / 60))
        st.error(t("login.locked", lang, minutes=minutes))
    elif result.status == "inactive":
        st.error(t("login.inactive", lang))
    elif result.status == "organisation_disabled":
        st.error(t("login.organisation_disabled", lang))
    else:
        st.error(t("login.invalid", lang))


def logout(db: Database, cookies) -> None:  # noqa: ANN001
    actor = st.session_state.get("actor")
    if isinstance(actor, Actor):
        record_logout(db, actor.username)
    st.session_state["logout"] = True
    for key in ("actor", "username"):
        st.session_state.pop(key, None)
    try:
        cookies.delete_cookie()
    except Exception:  # noqa: BLE001 - the cookie may already be gone; the server has refused it anyway
        pass
