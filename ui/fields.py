"""Refusals shown where they belong: each message right under its field, the wrong fields marked,
the first one focused, and a short line by the Save button saying how many to fix."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from data_layer.core.errors import JesrError, ValidationError
from data_layer.core.i18n import t


class FieldErrors:
    """Slots under the form's fields, filled from the last refused save (kept in session state
    until the next save, so a rerun caused by another widget keeps them on screen)."""

    def __init__(self, lang: str, prefix: str, widget_keys: dict[str, str] | None = None) -> None:
        self.lang = lang
        self.prefix = prefix
        self.widget_keys = widget_keys or {}
        self.slots: dict[str, Any] = {}
        self.order: list[str] = []

    @property
    def _state_key(self) -> str:
        return self.prefix + "field_errors"

    def slot(self, *fields: str) -> None:
        """Call right after a field's widget: its messages appear here."""
        holder = st.empty()
        for field in fields:
            self.slots[field] = holder
            self.order.append(field)

    def clear(self) -> None:
        st.session_state.pop(self._state_key, None)

    def refuse(self, exc: JesrError) -> None:
        """Keep the refusal's messages by field (a refusal of no field goes by the button)."""
        by_field: dict[str, list[str]] = {}
        if isinstance(exc, ValidationError):
            for error in exc.errors:
                field = error.field if error.field in self.slots else ""
                text = t(error.code, self.lang, **error.params)
                if not field:
                    text = f"{t('field.' + error.field, self.lang)} — {text}"
                by_field.setdefault(field, []).append(text)
        else:
            by_field[""] = [t(exc.code, self.lang, **exc.params)]
        st.session_state[self._state_key] = {
            "errors": by_field,
            "attempt": st.session_state.get(self._state_key, {}).get("attempt", 0) + 1,
        }

    def show(self) -> None:
        """Fill the slots (call once every field has its slot, before or after the save)."""
        state = st.session_state.get(self._state_key)
        if not state:
            return
        errors: dict[str, list[str]] = state["errors"]
        shown_slots: set[int] = set()
        wrong = [field for field in self.order if field in errors]
        for field in wrong:
            holder = self.slots[field]
            if id(holder) in shown_slots:
                continue
            shown_slots.add(id(holder))
            lines = [line for f, h in self.slots.items() if h is holder for line in errors.get(f, [])]
            holder.error("\n\n".join(lines), icon=":material/error:")
        summary = t("form.fix_fields", self.lang, count=len(wrong)) if wrong else ""
        general = errors.get("", [])
        if summary or general:
            st.error("\n\n".join([*general, summary] if summary else general), icon=":material/error:")
        if wrong:
            keys = [self.widget_keys.get(field, self.prefix + field) for field in wrong]
            _mark_and_focus(keys, state["attempt"])


def _mark_and_focus(widget_keys: list[str], attempt: int) -> None:
    """A red frame around each wrong field; the first one scrolled to and focused. `attempt`
    changes the script's text at every refused save, so the browser runs it again."""
    selectors = ", ".join(f".st-key-{key} :is(input, textarea, [data-baseweb='select'] > div)" for key in widget_keys)
    first = json.dumps(f".st-key-{widget_keys[0]}")
    st.html(
        f"<style>{selectors} {{ outline: 2px solid #d92d20 !important; outline-offset: 1px; }}</style>"
        f"<div class='jesr-frame-script' data-attempt='{attempt}'></div>"
        f"<script>(function () {{ const box = document.querySelector({first}); if (!box) return;"
        " box.scrollIntoView({block: 'center'});"
        " const field = box.querySelector('input, textarea, button'); if (field) field.focus({preventScroll: true});"
        " })();</script>",
        unsafe_allow_javascript=True,
    )
