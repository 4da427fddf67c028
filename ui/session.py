"""The per-session frame every page starts from: database, language and who is logged in."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st

from data_layer.core.actor import Actor
from data_layer.core.errors import DatabaseBusyError
from data_layer.core.i18n import LANGS, normalise_lang, t
from data_layer.ops.bootstrap import open_database
from data_layer.store.database import Database, database_path_from_env
from data_layer.store.errors import DatabaseUnreachable

APP_ROOT = Path(__file__).resolve().parent.parent
LANG_NAMES = {"ar": "العربية", "fr": "Français", "en": "English"}


@st.cache_resource(show_spinner=False)
def _database(path: str) -> Database:
    # One connection per database file for the whole server; pages take cursors from it.
    return open_database(path)


def get_db() -> Database:
    return _database(database_path_from_env())


class DatabaseUnavailable(Exception):
    """The database could not be opened; `reason` picks the advice shown (busy, unreachable or other)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def open_db() -> Database:
    """get_db, with every way opening can fail turned into DatabaseUnavailable.

    A failed open is not cached (st.cache_resource keeps only results), so the next rerun tries
    again: once the other process lets the file go, a reload works.
    """
    try:
        return get_db()
    except DatabaseUnreachable as exc:
        raise DatabaseUnavailable("unreachable") from exc
    except DatabaseBusyError as exc:
        raise DatabaseUnavailable("busy") from exc
    except Exception as exc:
        # Only the opening runs here, and the driver's errors are the store's to know: any of
        # them (a damaged file, a directory without rights, a failed migration) means "other".
        raise DatabaseUnavailable("other") from exc


def show_database_unavailable(reason: str, lang: str) -> None:
    st.error(t("app.database_unavailable", lang) + "\n\n" + t(f"app.database_unavailable_{reason}", lang))


def current_lang() -> str:
    """The language chosen in the URL (?lang=fr), so a reload or a shared link keeps it."""
    return normalise_lang(st.query_params.get("lang") or st.session_state.get("lang"))


def set_lang(lang: str) -> None:
    st.session_state["lang"] = normalise_lang(lang)
    st.query_params["lang"] = normalise_lang(lang)


def tr(key: str, **params: Any) -> str:
    return t(key, current_lang(), **params)


def current_actor() -> Actor | None:
    actor = st.session_state.get("actor")
    return actor if isinstance(actor, Actor) else None


@dataclass(frozen=True)
class PageContext:
    db: Database
    actor: Actor | None
    lang: str

    def tr(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)


def page_setup(title_key: str | None = None) -> PageContext:
    """First call of every page: refuses a role the page is not for, then shows the title.

    Without a database no page can work: each says so, in the user's language, and stops.
    """
    lang = current_lang()
    try:
        db = open_db()
    except DatabaseUnavailable as problem:
        show_database_unavailable(problem.reason, lang)
        st.stop()
    ctx = PageContext(db=db, actor=_still_signed_in(db, lang), lang=lang)
    refuse_unless_allowed(ctx, sys._getframe(1).f_globals.get("__file__", ""))
    if title_key:
        st.title(ctx.tr(title_key))
    return ctx


def _still_signed_in(db: Database, lang: str) -> Actor | None:
    """The session's actor, checked against the account once more in the page itself.

    app.py has checked it in this run already (ui.auth.restore_session), but a page served by
    name without app.py (see refuse_unless_allowed) would otherwise trust the login the session
    holds. One indexed read; a disabled or changed account stops here, with nothing done.
    """
    from data_layer.access.accounts import current_session_actor

    actor = current_actor()
    if actor is None:
        return None
    current = current_session_actor(db, actor)
    if current is None:
        for key in ("actor", "username", "cookie_pending"):
            st.session_state.pop(key, None)
        st.session_state["logout"] = True
        st.warning(t("login.session_ended", lang))
        st.stop()
    return current


def refuse_unless_allowed(ctx: PageContext, script_file: str) -> None:
    """Check the page's roles again inside the page itself.

    st.navigation registers only the role's pages, but until some session has run app.py,
    Streamlit also serves files in pages/ by name as old-style pages, without app.py's login.
    """
    from ui.navigation import ANONYMOUS, PAGES

    try:
        relative = Path(script_file).resolve().relative_to(APP_ROOT).as_posix()
    except ValueError:
        relative = ""
    spec = next((page for page in PAGES if page.path == relative), None)
    role = ctx.actor.role if ctx.actor else ANONYMOUS
    if spec is None or role not in spec.roles:
        st.error(ctx.tr("error.permission_denied"))
        st.stop()


def apply_direction(lang: str) -> None:
    """Right-to-left layout for Arabic, and Streamlit's own words in the user's language."""
    from ui.frame import apply_frame

    apply_frame(lang)


def language_switch() -> None:
    lang = current_lang()
    choice = st.sidebar.selectbox(
        t("app.language", lang),
        LANGS,
        index=LANGS.index(lang),
        format_func=lambda code: LANG_NAMES[code],
        key="app_language",
    )
    if choice != lang:
        set_lang(choice)
        st.rerun()
