"""Match stock to open needs of one governorate and category, by hand or by the suggestion."""

import pandas as pd
import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column
from data_layer.distribution.allocation import (
    Suggestion,
    apply_suggestion,
    list_open_needs,
    priority_explanation,
    save_allocations,
    suggest_allocations,
)
from data_layer.distribution.stock import list_stock_lines
from data_layer.registry.labels import with_household_labels
from data_layer.store.reference import get_reference
from ui.messages import show_error
from ui.session import page_setup
from ui.tables import localised
from ui.widgets import category_select, governorate_select

ctx = page_setup("allocation.title")
PREFIX = "allocation_"
SHOWN_NEEDS = 100

left, right = st.columns(2)
governorate = governorate_select(ctx, PREFIX + "governorate", container=left)
category = category_select(ctx, PREFIX + "category", container=right)
if governorate is None or category is None:
    st.info(ctx.tr("allocation.choose_first"))
    st.stop()

try:
    lines = list_stock_lines(ctx.db, ctx.actor, governorate_code=governorate, category_code=category)
    needs = list_open_needs(ctx.db, ctx.actor, governorate_code=governorate, category_code=category)
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()
lines = lines[lines["available"] > 0].reset_index(drop=True)

st.subheader(ctx.tr("allocation.stock"))
if lines.empty:
    st.info(ctx.tr("allocation.no_stock"))
else:
    st.dataframe(
        localised(
            lines[
                ["donation_id", "organisation", "delegation", "item", "unit", "received", "allocated", "available"]
            ].rename(columns=lambda c: ctx.tr(f"column.{c}")),
            ctx.lang,
            plain=[ctx.tr("column.donation_id")],  # the donation's number, as on its receipt
        ),
        hide_index=True,
        width="stretch",
        key=PREFIX + "stock_table",
    )

st.subheader(ctx.tr("allocation.needs", count=len(needs)))
with st.expander(ctx.tr("allocation.priority_title")):
    st.markdown(ctx.tr("allocation.priority_explain"))
    st.table(
        pd.DataFrame(
            [(ctx.tr(key), points) for key, points in priority_explanation()],
            columns=[ctx.tr("allocation.factor"), ctx.tr("allocation.points")],
        )
    )

if needs.empty:
    st.info(ctx.tr("allocation.no_needs"))
    st.stop()

line_labels = {
    int(r.donation_id): f"#{r.donation_id} {r.item} ({ctx.tr('unit.' + r.unit)}) — {r.available:g}"
    for r in lines.itertuples()
}
# Who each need is for, by name: the organiser checks the household before giving to it.
shown = with_household_labels(ctx.db, ctx.actor, needs.head(SHOWN_NEEDS))
editor = pd.DataFrame(
    {
        "need_id": shown["need_id"],
        "full_name": shown["full_name"],
        "delegation": shown["delegation"],
        "score": shown["score"],
        "urgency": shown["urgency"].map(lambda u: ctx.tr(f"urgency.{u}")),
        "household_size": shown["household_size"],
        "waiting_days": shown["waiting_days"],
        "already_given": shown["already_given"],
        "remaining": shown["remaining"],
        "unit": shown["unit"].map(lambda u: ctx.tr(f"unit.{u}")),
        "from_line": [
            next((label for r, label in zip(lines.itertuples(), line_labels.values()) if r.unit == unit), None)
            for unit in shown["unit"]
        ],
        "allocate": 0.0,
    }
)
with st.form(PREFIX + "form"):
    edited = st.data_editor(
        editor,
        key=PREFIX + "editor",
        hide_index=True,
        width="stretch",
        disabled=[c for c in editor.columns if c not in ("from_line", "allocate")],
        column_config={
            "from_line": st.column_config.SelectboxColumn(
                ctx.tr("column.from_line"), options=list(line_labels.values())
            ),
            "allocate": st.column_config.NumberColumn(ctx.tr("column.allocate"), min_value=0.0, step=1.0),
            "need_id": None,  # kept to save the row, not shown: the name says whose need it is
            **{
                c: st.column_config.Column(ctx.tr(f"column.{c}"))
                for c in editor.columns
                if c not in ("from_line", "allocate", "need_id")
            },
        },
    )
    override = None
    if ctx.actor is not None and ctx.actor.role in ("admin", "organiser"):
        override = st.text_input(ctx.tr("fairness.override_reason"), key=PREFIX + "override", max_chars=300)
    submitted = st.form_submit_button(ctx.tr("allocation.save"), type="primary")
if submitted:
    label_to_line = {label: line_id for line_id, label in line_labels.items()}
    rows = [
        {
            "donation_id": label_to_line.get(r["from_line"]),
            "need_id": int(r["need_id"]),
            "quantity": r["allocate"],
            "category_code": category,
        }
        for r in edited.to_dict("records")
        if r["allocate"] and r["allocate"] > 0
    ]
    if any(r["donation_id"] is None for r in rows):
        st.error(ctx.tr("allocation.pick_line"))
    else:
        try:
            ids = save_allocations(ctx.db, ctx.actor, rows, override_reason=override or None)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("allocation.saved", count=len(ids)))

st.divider()
st.subheader(ctx.tr("allocation.suggest_title"))
st.caption(ctx.tr("allocation.suggest_explain"))
if st.button(ctx.tr("allocation.suggest"), key=PREFIX + "suggest"):
    st.session_state[PREFIX + "suggestion"] = suggest_allocations(
        ctx.db, ctx.actor, governorate_code=governorate, category_code=category
    )
suggestion = st.session_state.get(PREFIX + "suggestion")
if (
    isinstance(suggestion, Suggestion)
    and not suggestion.needs.empty
    and set(suggestion.needs["governorate_code"]) == {governorate}
    and set(suggestion.needs["category_code"]) == {category}
):
    totals = suggestion.totals
    st.write(
        ctx.tr(
            "allocation.suggest_totals",
            allocations=len(suggestion.allocations),
            served=totals["needs_served"],
            needs=totals["needs"],
            share=round(totals["share_covered"] * 100, 1),
        )
    )
    tiers = totals["by_tier"]
    st.write(
        ctx.tr(
            "allocation.suggest_locality",
            delegation=tiers["delegation"]["allocations"],
            governorate=tiers["governorate"]["allocations"],
            lent=tiers["lent"]["allocations"],
        )
    )
    if totals.get("needs_held_by_limits"):
        st.caption(ctx.tr("fairness.held_by_limits", count=totals["needs_held_by_limits"]))
    # Who gets what, in words: the household's name, delegation and size, the stock line's item and
    # holder, the governorate's and category's names (the proposal itself holds their numbers and codes).
    allocations = suggestion.allocations
    stock_names = {int(r.donation_id): f"{r.item} — {r.organisation}" for r in lines.itertuples()}
    name_column = area_name_column(ctx.lang)
    area_names = {code: area[name_column] for code, area in get_reference(ctx.db).areas.items()}
    proposal = with_household_labels(ctx.db, ctx.actor, allocations)
    proposal = pd.DataFrame(
        {
            "full_name": proposal["full_name"],
            "delegation": proposal["delegation"],
            "household_size": proposal["household_size"],
            "governorate": proposal["governorate_code"].map(area_names),
            "category": proposal["category_code"].map(lambda c: ctx.tr(f"category.{c}")),
            "quantity": proposal["quantity"],
            "unit": proposal["unit"].map(lambda u: ctx.tr(f"unit.{u}")),
            "from_line": [stock_names.get(int(d), f"#{d}") for d in proposal["donation_id"]],
            "tier": proposal["tier"].map(lambda tier: ctx.tr(f"allocation.tier.{tier}")),
            "score": proposal["score"],
        }
    )
    st.dataframe(
        localised(proposal.rename(columns=lambda c: ctx.tr(f"column.{c}")), ctx.lang),
        hide_index=True,
        width="stretch",
        key=PREFIX + "suggestion_table",
    )
    if st.button(ctx.tr("allocation.apply"), key=PREFIX + "apply", type="primary"):
        try:
            ids = apply_suggestion(ctx.db, ctx.actor, suggestion)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            del st.session_state[PREFIX + "suggestion"]
            st.success(ctx.tr("allocation.saved", count=len(ids)))
