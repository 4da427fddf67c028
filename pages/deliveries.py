"""Group allocations into deliveries, give them to volunteers and follow them to confirmation."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.validation import MAX_LEN
from data_layer.distribution.allocation import cancel_allocation, list_cancellable_allocations
from data_layer.distribution.deliveries import (
    CODE_MAX_WRONG,
    FAILURE_REASONS,
    advance_delivery,
    assign_volunteer,
    code_is_locked,
    create_deliveries,
    eligible_volunteers,
    get_confirmation_code,
    list_deliveries,
    reissue_confirmation_code,
)
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import show_error
from ui.session import page_setup
from ui.tables import table
from ui.widgets import governorate_select

ctx = page_setup("deliveries.title")
PREFIX = "deliveries_"
STATUSES = [None, "planned", "out_for_delivery", "delivered", "confirmed", "failed", "cancelled"]

with st.form(PREFIX + "group_form"):
    st.caption(ctx.tr("deliveries.group_explain"))
    group_governorate = governorate_select(ctx, PREFIX + "group_governorate", optional=True)
    group_day = st.date_input(
        ctx.tr("column.planned_on"), value=dt.date.today(), key=PREFIX + "group_day", format="DD/MM/YYYY"
    )
    if st.form_submit_button(ctx.tr("deliveries.group")):
        try:
            created = create_deliveries(ctx.db, ctx.actor, governorate_code=group_governorate, planned_on=group_day)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("deliveries.grouped", count=len(created)))

if ctx.actor.sees_all_organisations:
    with st.expander(ctx.tr("allocation.cancel_title")):
        st.caption(ctx.tr("allocation.cancel_explain"))
        pending = list_cancellable_allocations(ctx.db, ctx.actor)
        if pending.empty:
            st.info(ctx.tr("allocation.cancel_none"))
        else:
            labels = {
                int(r.allocation_id): f"#{r.allocation_id} — {r.full_name} · {r.item} {r.quantity:g} "
                f"{ctx.tr('unit.' + r.unit)} ({r.organisation})"
                for r in pending.itertuples()
            }
            with st.form(PREFIX + "cancel_form"):
                allocation_id = st.selectbox(
                    ctx.tr("allocation.cancel_choose"), list(labels), key=PREFIX + "cancel_id", format_func=labels.get
                )
                cancel_reason = st.text_input(
                    ctx.tr("allocation.cancel_reason"), key=PREFIX + "cancel_reason", max_chars=MAX_LEN["reason"]
                )
                if st.form_submit_button(ctx.tr("allocation.cancel")):
                    try:
                        cancel_allocation(ctx.db, ctx.actor, int(allocation_id), cancel_reason)
                    except JesrError as exc:
                        show_error(exc, ctx.lang)
                    else:
                        clear_dashboard_caches()
                        st.success(ctx.tr("allocation.cancelled", id=allocation_id))

left, right = st.columns(2)
governorate = governorate_select(ctx, PREFIX + "governorate", optional=True, container=left)
status = right.selectbox(
    ctx.tr("column.status"),
    STATUSES,
    key=PREFIX + "status",
    format_func=lambda s: ctx.tr("common.all") if s is None else ctx.tr(f"delivery_status.{s}"),
)
try:
    frame = list_deliveries(ctx.db, ctx.actor, status=status, governorate_code=governorate)
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()
if frame.empty:
    st.info(ctx.tr("common.nothing_yet"))
    st.stop()
shown = frame.assign(status=frame["status"].map(lambda s: ctx.tr(f"delivery_status.{s}")))
st.dataframe(
    table(shown, ctx.lang, lambda c: ctx.tr(f"column.{c}")), hide_index=True, width="stretch", key=PREFIX + "table"
)

st.divider()
delivery_id = st.selectbox(
    ctx.tr("deliveries.choose"),
    list(frame["delivery_id"]),
    key=PREFIX + "delivery",
    format_func=lambda i: f"#{i} — {frame.loc[frame['delivery_id'] == i, 'full_name'].iloc[0]}",
)
row = frame[frame["delivery_id"] == delivery_id].iloc[0]
st.caption(
    f"#{delivery_id} · " + ctx.tr("deliveries.code", code=get_confirmation_code(ctx.db, ctx.actor, int(delivery_id)))
)
if code_is_locked(ctx.db, ctx.actor, int(delivery_id)):
    st.warning(ctx.tr("deliveries.code_locked", tries=CODE_MAX_WRONG))
if st.button(ctx.tr("deliveries.reissue_code"), key=f"{PREFIX}reissue_{delivery_id}"):
    try:
        new_code = reissue_confirmation_code(ctx.db, ctx.actor, int(delivery_id))
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        st.success(ctx.tr("deliveries.code_reissued", code=new_code))

with st.form(f"{PREFIX}assign_{delivery_id}"):
    day = st.date_input(
        ctx.tr("column.planned_on"),
        value=row["planned_on"] or dt.date.today(),
        key=f"{PREFIX}assign_day_{delivery_id}",
        format="DD/MM/YYYY",
    )
    candidates = eligible_volunteers(ctx.db, ctx.actor, int(delivery_id), day)
    volunteer = st.selectbox(
        ctx.tr("deliveries.volunteer"),
        list(candidates["volunteer_id"]),
        key=f"{PREFIX}assign_volunteer_{delivery_id}",
        format_func=lambda v: ctx.tr(
            "deliveries.volunteer_label",
            **candidates.loc[candidates["volunteer_id"] == v, ["full_name", "deliveries_that_day", "capacity"]]
            .iloc[0]
            .to_dict(),
            vehicle=ctx.tr("vehicle." + candidates.loc[candidates["volunteer_id"] == v, "vehicle"].iloc[0]),
        ),
        placeholder=ctx.tr("deliveries.no_volunteer"),
    )
    if st.form_submit_button(ctx.tr("deliveries.assign")) and volunteer is not None:
        try:
            assign_volunteer(ctx.db, ctx.actor, int(delivery_id), int(volunteer), day)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("deliveries.assigned"))

with st.form(f"{PREFIX}advance_{delivery_id}"):
    target = st.selectbox(
        ctx.tr("deliveries.new_status"),
        STATUSES[1:],
        key=f"{PREFIX}target_{delivery_id}",
        format_func=lambda s: ctx.tr(f"delivery_status.{s}"),
    )
    reason = st.selectbox(
        ctx.tr("column.failure_reason"),
        FAILURE_REASONS,
        key=f"{PREFIX}reason_{delivery_id}",
        format_func=lambda r: ctx.tr(f"failure_reason.{r}"),
    )
    code = st.text_input(
        ctx.tr("deliveries.household_code"),
        key=f"{PREFIX}code_{delivery_id}",
        max_chars=6,
        help=ctx.tr("deliveries.household_code_help"),
    )
    if st.form_submit_button(ctx.tr("common.save"), type="primary"):
        try:
            reached = advance_delivery(
                ctx.db,
                ctx.actor,
                int(delivery_id),
                target,
                failure_reason=reason if target == "failed" else None,
                code=code or None,
            )
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("deliveries.moved", status=ctx.tr(f"delivery_status.{reached}")))
