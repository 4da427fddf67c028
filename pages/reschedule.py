"""Deliveries to plan again: why each did not reach the household, its history, and a new day."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.distribution.reschedule import (
    CALL_AFTER_FAILURES,
    delivery_history,
    list_to_reschedule,
    replan_delivery,
)
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import flash, show_error, show_flash
from ui.session import page_setup
from ui.widgets import day_text, display_value, plain

ctx = page_setup("reschedule.title")
PREFIX = "reschedule_"
show_flash(PREFIX)


def reason_text(reason: object) -> str:
    return ctx.tr(f"failure_reason.{reason}") if isinstance(reason, str) and reason else "—"


listed = list_to_reschedule(ctx.db, ctx.actor)
if listed.empty:
    st.info(ctx.tr("reschedule.none"))
    st.stop()
calls = int(listed["call_first"].sum())
st.caption(ctx.tr("reschedule.explain", count=len(listed), calls=calls, failures=CALL_AFTER_FAILURES))
shown = listed[
    ["delivery_id", "planned_on", "full_name", "phone", "governorate_code", "delegation", "reason", "failures"]
].assign(
    reason=listed["reason"].map(reason_text),
    call_first=listed["call_first"].map(lambda c: ctx.tr("reschedule.call") if c else ""),
)
st.dataframe(
    shown.rename(columns=lambda c: ctx.tr(f"column.{c}")), hide_index=True, width="stretch", key=PREFIX + "list"
)

labels = {
    int(r.delivery_id): ("📞 " if r.call_first else "")
    + f"#{r.delivery_id} — {display_value(r.full_name)} · {reason_text(r.reason)}"
    for r in listed.itertuples()
}
delivery_id = st.selectbox(ctx.tr("reschedule.choose"), list(labels), key=PREFIX + "delivery", format_func=labels.get)
row = listed[listed["delivery_id"] == delivery_id].iloc[0]
if row["call_first"]:
    st.warning(
        ctx.tr("reschedule.call_first", failures=int(row["failures"]), phone=plain(row["phone"])),
        icon=":material/call:",
    )
history = delivery_history(ctx.db, ctx.actor, int(row["household_id"]))
st.markdown(f"**{ctx.tr('reschedule.history')}**")
st.dataframe(
    history[["delivery_id", "status", "planned_on", "failure_reason", "volunteer", "replanned_as"]]
    .assign(
        status=history["status"].map(lambda s: ctx.tr(f"delivery_status.{s}")),
        failure_reason=history["failure_reason"].map(reason_text),
    )
    .rename(columns=lambda c: ctx.tr(f"column.{c}")),
    hide_index=True,
    width="stretch",
    key=f"{PREFIX}history_{delivery_id}",
)

with st.form(f"{PREFIX}replan_{delivery_id}"):
    day = st.date_input(
        ctx.tr("reschedule.new_day"),
        value=dt.date.today() + dt.timedelta(days=1),
        key=f"{PREFIX}day_{delivery_id}",
        format="DD/MM/YYYY",
    )
    if st.form_submit_button(ctx.tr("reschedule.replan"), type="primary"):
        try:
            new_id = replan_delivery(ctx.db, ctx.actor, int(delivery_id), day)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            clear_dashboard_caches()
            flash(PREFIX, ctx.tr("reschedule.replanned", id=delivery_id, new_id=new_id, day=day_text(day, ctx.lang)))
            st.rerun()
