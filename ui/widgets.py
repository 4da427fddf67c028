"""Widgets several pages share: governorate and category pickers, saved-record summary."""

from __future__ import annotations

import re
from typing import Any

import streamlit as st

from data_layer.core.i18n import area_name_column, format_number
from data_layer.registry.entry_help import likely_duplicates
from data_layer.store.reference import get_reference
from ui.messages import reset_widgets
from ui.session import PageContext


def governorate_select(
    ctx: PageContext,
    key: str,
    *,
    optional: bool = False,
    label_key: str = "field.governorate",
    container: Any = st,
    default: str | None = None,
) -> str | None:
    names = area_names(ctx)
    options: list[str | None] = ([None] if optional else []) + list(names)
    return container.selectbox(
        ctx.tr(label_key),
        options,
        key=key,
        # The name alone: a code such as TN-11 means nothing to the person reading it.
        format_func=lambda code: ctx.tr("common.all") if code is None else names[code],
        index=0 if optional else (options.index(default) if default in options else None),
        placeholder=ctx.tr("common.choose"),
    )


def area_names(ctx: PageContext) -> dict[str, str]:
    """The areas a reader picks from, code -> name: those of the reader's country; for a reader of
    no country (the public, the platform's own staff) every country's, each name followed by its
    country's code once the database holds several."""
    # The areas kept with the database (get_reference, read again only when they change), not a
    # query of the areas on every rerun of every page.
    rows = list(get_reference(ctx.db).areas.values())
    own = ctx.actor.country_code if ctx.actor is not None else None
    if own is not None:
        rows = [row for row in rows if row["country_code"] == own]
    several = len({row["country_code"] for row in rows}) > 1
    # The first country first (Tunisia's areas keep their places), then each country in code order.
    rows.sort(key=lambda row: (row["country_code"] != "TN", row["country_code"], row["code"]))
    column = area_name_column(ctx.lang)
    return {row["code"]: f"{row[column]} ({row['country_code']})" if several else str(row[column]) for row in rows}


def category_select(ctx: PageContext, key: str, *, optional: bool = False, container: Any = st) -> str | None:
    codes: list[str | None] = ([None] if optional else []) + list(get_reference(ctx.db).categories)
    return container.selectbox(
        ctx.tr("field.category"),
        codes,
        key=key,
        format_func=lambda c: ctx.tr("common.all") if c is None else ctx.tr(f"category.{c}"),
    )


def likely_duplicate_warning(
    ctx: PageContext, *, full_name: str, phone: str, governorate: str | None, delegation: str
) -> None:
    """Before the save: households that look like this one (own ones named, others only counted)."""
    if ctx.actor is None:
        return
    found = likely_duplicates(
        ctx.db, ctx.actor, full_name=full_name, phone=phone, governorate=governorate, delegation=delegation
    )
    if not found:
        return
    lines = [
        ctx.tr(
            f"duplicate_hint.own_{match.reason}",
            id=str(match.household_id),
            name=plain(match.full_name),
            delegation=plain(match.delegation),
            size=format_number(match.household_size or 0, ctx.lang),
        )
        for match in found[:5]
        if match.own
    ]
    others = [match for match in found if not match.own]
    if others:
        lines.append(ctx.tr("duplicate_hint.other", count=len(others)))
    st.warning("\n\n".join([ctx.tr("duplicate_hint.title"), *lines]), icon=":material/content_copy:")


def show_saved_instead_of_form(ctx: PageContext, message_key: str, prefix: str) -> None:
    """Once the page's form is saved (its summary in session_state[prefix + "saved"]), show what was
    saved instead of the form and stop the page; "add another" empties the form and shows it again."""
    summary = st.session_state.get(prefix + "saved")
    if not summary:
        return
    st.success(ctx.tr(message_key, **{k: v for k, v in summary.items() if k == "id"}))
    # One line per field, label then value: readable on a phone, in either direction.
    st.markdown(
        "\n".join(
            f"- **{ctx.tr(f'field.{k}') if k != 'id' else '#'}**: {plain(v)}" for k, v in summary.items() if k != "id"
        )
    )
    if st.button(ctx.tr("common.add_another"), key=prefix + "again", type="primary"):
        reset_widgets(prefix)
        st.rerun()
    st.stop()


def display_value(value: Any) -> str:
    """A missing value (None, NaN or NaT from a frame, or empty text) as a dash, never as "nan"."""
    if value is None or value == "":
        return "—"
    try:
        import pandas as pd

        if pd.isna(value):
            return "—"
    except (TypeError, ValueError):
        pass
    return str(value)


# Every character Markdown (with GitHub's extensions, as Streamlit renders it) gives a meaning to.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def plain(value: Any) -> str:
    """A value someone typed, shown inside Markdown as the text it is: no link, image or emphasis.

    Names and addresses come from anonymous forms too; unescaped, `[Verify here](http://…)` or
    `![x](http://…/pixel.png)` would draw a link or fetch a remote image in a staff browser.
    """
    return _MARKDOWN_SPECIALS.sub(r"\\\1", display_value(value))


def day_text(value: Any, lang: str) -> str:
    """A day from a frame (a date, a Timestamp or NaT) as the language writes it, without a time."""
    import pandas as pd

    from data_layer.core.i18n import format_date

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if isinstance(value, pd.Timestamp):
        value = value.date()
    return format_date(value, lang)


def contents_by_delivery(ctx: PageContext, items: Any) -> dict[int, str]:
    """Each delivery's contents as the reader says them: "Rice × 2.5 kilograms" with the unit translated.

    The item is what staff typed, so it goes through `plain` for Markdown.
    """
    from data_layer.core.i18n import join_list

    lines: dict[int, list[str]] = {}
    for row in items.itertuples():
        lines.setdefault(int(row.delivery_id), []).append(
            f"{plain(row.item)} × {format_number(row.quantity, ctx.lang)} {ctx.tr('unit.' + row.unit)}"
        )
    return {delivery_id: join_list(parts, ctx.lang) for delivery_id, parts in lines.items()}
