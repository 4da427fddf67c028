"""Jesr — the router and the frame: page config, language, login, then the pages of the user's role."""

import streamlit as st

from data_layer.core.i18n import t
from data_layer.notify.background import OutboxSender, start_in_app_sender
from data_layer.store.database import Database, database_path_from_env
from data_layer.store.errors import DatabaseUnreachable
from ui.auth import WeakCookieKey, cookie_key_from_secrets, logout, restore_session, session_cookies
from ui.navigation import ANONYMOUS, navigation_for
from ui.session import (
    DatabaseUnavailable,
    apply_direction,
    current_actor,
    current_lang,
    language_switch,
    open_db,
    show_database_unavailable,
)


@st.cache_resource(show_spinner=False, on_release=lambda sender: sender and sender.stop())
def outbox_sender(target: str, _db: Database) -> OutboxSender | None:
    """One background sender of the outbox per server process and database (docs/notifications.md)."""
    return start_in_app_sender(_db)


st.set_page_config(page_title="Jesr — جسر", page_icon=":material/handshake:", layout="wide")
lang = current_lang()
apply_direction(lang)

try:
    cookie_key = cookie_key_from_secrets()
except WeakCookieKey as problem:
    st.error(t(f"app.cookie_key_{problem}", lang))
    st.stop()

cookies = session_cookies(cookie_key)
try:
    db = open_db()
except DatabaseUnavailable:
    # The role's pages stay listed (each page says what happened); the login cannot be checked
    # without the database, so only a login this browser tab already holds keeps its pages.
    db = None
    actor = current_actor()
else:
    try:
        actor = restore_session(db, cookies)
    except DatabaseUnreachable:
        # The server went away after the pool was opened (a restart): as if it never opened.
        db, actor = None, current_actor()
if db is not None:
    outbox_sender(database_path_from_env(), db)
language_switch()
if actor is not None and db is not None:
    st.sidebar.caption(t("app.signed_in_as", lang, username=actor.username, role=t(f"role.{actor.role}", lang)))
    if st.sidebar.button(t("app.logout", lang), key="app_logout"):
        logout(db, cookies)
        st.rerun()

# Every page listed: a folded menu hides pages behind Streamlit's English "View N more".
page = st.navigation(navigation_for(actor.role if actor else ANONYMOUS, lang), expanded=True)
try:
    page.run()
except DatabaseUnreachable:
    # A read of the page met the server gone: the message, not a traceback; the pool reconnects
    # by itself, so the next rerun after the server is back shows the page again.
    show_database_unavailable("unreachable", lang)
