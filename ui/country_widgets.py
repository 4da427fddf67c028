"""The dashboards' country scope: which country a reader looks at, and the areas of that country."""

from __future__ import annotations

from typing import Any

import streamlit as st

from data_layer.core.i18n import area_name_column
from data_layer.store.reference import get_reference
from ui.session import PageContext


def country_select(ctx: PageContext, key: str, countries: list[dict], scope: list[str], default: str | None) -> str:
    """A selector of the countries in the reader's scope; with one country, that one and no widget."""
    if len(scope) == 1:
        return scope[0]
    names = {row["code"]: row[f"name_{ctx.lang}"] for row in countries}
    return st.selectbox(
        ctx.tr("country.scope"),
        scope,
        index=scope.index(default) if default in scope else 0,
        key=key,
        format_func=lambda code: f"{names.get(code, code)} ({code})",
    )


def area_select(ctx: PageContext, key: str, country_code: str, *, container: Any = st) -> str | None:
    """An optional first-level area of one country ("all" first)."""
    # The areas kept with the database (get_reference, read again only when they change), not a
    # query of the areas on every rerun.
    areas = [row for row in get_reference(ctx.db).areas.values() if row["country_code"] == country_code]
    names = {row["code"]: row[area_name_column(ctx.lang)] for row in areas}
    if st.session_state.get(key) not in (None, *names):
        # An area of the country left behind is never the new one's choice.
        del st.session_state[key]
    return container.selectbox(
        ctx.tr("field.governorate"),
        [None, *names],
        # One key per country: an area of the country left behind is never the new one's choice.
        key=f"{key}_{country_code}",
        format_func=lambda code: ctx.tr("common.all") if code is None else names[code],
    )
