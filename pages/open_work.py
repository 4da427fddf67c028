"""Open work nearby: deliveries nobody carries in the delegations a volunteer covers, to take within the vehicle."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.distribution.claims import claim_delivery, open_work
from data_layer.distribution.routes import delivery_items
from ui.messages import error_lines
from ui.session import page_setup
from ui.widgets import contents_by_delivery, day_text, plain

ctx = page_setup("open_work.title")
PREFIX = "open_work_"
OUTCOME = PREFIX + "outcome"


def claim(delivery_id: int) -> None:
    """Runs before the page is drawn again, so the list below is read after the claim."""
    day = st.session_state.get(PREFIX + "day") or dt.date.today()
    try:
        claimed_on = claim_delivery(ctx.db, ctx.actor, delivery_id, day=day)
    except JesrError as exc:
        st.session_state[OUTCOME] = ("error", error_lines(exc, ctx.lang)[0])
    else:
        st.session_state[OUTCOME] = (
            "success",
            ctx.tr("open_work.claimed", id=delivery_id, day=day_text(claimed_on, ctx.lang)),
        )


st.caption(ctx.tr("open_work.explain"))
kind, text = st.session_state.pop(OUTCOME, (None, ""))
if kind == "success":
    st.success(text, icon=":material/check_circle:")
elif kind == "error":
    st.error(text, icon=":material/error:")

st.date_input(
    ctx.tr("open_work.day"),
    value=dt.date.today(),
    key=PREFIX + "day",
    format="DD/MM/YYYY",
    help=ctx.tr("open_work.day_help"),
)
try:
    work = open_work(ctx.db, ctx.actor)
except JesrError as exc:
    st.error(error_lines(exc, ctx.lang)[0])
    st.stop()
if work.empty:
    st.info(ctx.tr("open_work.none"))
    st.stop()
contents = contents_by_delivery(ctx, delivery_items(ctx.db, ctx.actor, list(work["delivery_id"])))
for row in work.itertuples():
    with st.container(border=True, key=f"{PREFIX}card_{row.delivery_id}"):
        st.markdown(f"**#{row.delivery_id} — {plain(row.delegation)}**")
        when = day_text(row.planned_on, ctx.lang)
        st.caption(
            f"{ctx.tr('open_work.any_day') if when == '—' else when} · {contents.get(int(row.delivery_id), '—')}"
        )
        st.button(
            ctx.tr("open_work.claim"),
            key=f"{PREFIX}claim_{row.delivery_id}",
            type="primary",
            on_click=claim,
            args=(int(row.delivery_id),),
        )
