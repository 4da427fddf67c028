"""Follow a donation to the households it reached, or a household back to its donations, with the audit trail."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.distribution.traceability import search, trace_donation, trace_household
from ui.messages import show_error
from ui.session import page_setup
from ui.tables import table
from ui.widgets import plain

ctx = page_setup("traceability.title")
PREFIX = "traceability_"

with st.form(PREFIX + "form"):
    text = st.text_input(
        ctx.tr("traceability.search"), key=PREFIX + "text", max_chars=80, help=ctx.tr("traceability.search_help")
    )
    st.form_submit_button(ctx.tr("traceability.find"))
if not text.strip():
    st.stop()
try:
    households, donations = search(ctx.db, ctx.actor, text)
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()
choices = [("household", int(i)) for i in households["household_id"]] + [
    ("donation", int(i)) for i in donations["donation_id"]
]
if not choices:
    st.info(ctx.tr("traceability.nothing"))
    st.stop()
names = dict(zip(households["household_id"], households["full_name"]))
donors = dict(zip(donations["donation_id"], donations["donor_name"].fillna("—") + " · " + donations["item"]))
kind, record_id = st.selectbox(
    ctx.tr("traceability.choose"),
    choices,
    key=PREFIX + "choice",
    format_func=lambda c: (
        ctx.tr("traceability.household_label", id=c[1], name=names[c[1]])
        if c[0] == "household"
        else ctx.tr("traceability.donation_label", id=c[1], name=donors[c[1]])
    ),
)
try:
    trace = (
        trace_household(ctx.db, ctx.actor, record_id)
        if kind == "household"
        else trace_donation(ctx.db, ctx.actor, record_id)
    )
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()
head = trace.get("household") or trace.get("donation")
st.subheader(
    ctx.tr(
        f"traceability.{kind}_label",
        id=record_id,
        name=plain(head.get("full_name") or f"{head.get('donor_name') or '—'} · {head.get('item')}"),
    )
)
st.markdown(ctx.tr("traceability.allocations", count=len(trace["allocations"])))
st.dataframe(
    table(trace["allocations"], ctx.lang, lambda c: ctx.tr(f"column.{c}")),
    hide_index=True,
    width="stretch",
    key=PREFIX + "allocations",
)
st.markdown(ctx.tr("traceability.audit"))
st.dataframe(
    table(trace["audit"], ctx.lang, lambda c: ctx.tr(f"column.{c}")),
    hide_index=True,
    width="stretch",
    key=PREFIX + "audit",
)
