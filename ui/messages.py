"""Showing refusals: every error names the field and says what to fix, in the user's language."""

from __future__ import annotations

import streamlit as st

from data_layer.core.errors import JesrError, ValidationError
from data_layer.core.i18n import t


def error_lines(exc: JesrError, lang: str) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{t('field.' + e.field, lang)} — {t(e.code, lang, **e.params)}" for e in exc.errors]
    return [t(exc.code, lang, **exc.params)]


def show_error(exc: JesrError, lang: str) -> None:
    lines = error_lines(exc, lang)
    if isinstance(exc, ValidationError):
        st.error(t("error.validation", lang) + "\n\n" + "\n".join(f"- {line}" for line in lines))
    else:
        st.error(lines[0])


def reset_widgets(prefix: str) -> None:
    """Forget a form's widget values so it shows empty for the next entry."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def flash(prefix: str, text: str) -> None:
    """A success to show once after the rerun that redraws the page from what was just saved."""
    st.session_state[prefix + "flash"] = text


def show_flash(prefix: str) -> None:
    text = st.session_state.pop(prefix + "flash", None)
    if text:
        st.success(text)
