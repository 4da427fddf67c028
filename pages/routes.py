"""Routes: one volunteer's day in one delegation, within what the vehicle carries, stops in address order."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.distribution.routes import (
    build_route,
    list_routes,
    open_delegations,
    route_candidates,
    route_volunteers,
)
from ui.messages import flash, show_error, show_flash
from ui.session import page_setup
from ui.widgets import display_value, governorate_select, plain

ctx = page_setup("routes.title")
PREFIX = "routes_"

st.caption(ctx.tr("routes.explain"))
show_flash(PREFIX)
top = st.container(horizontal=True)
governorate = governorate_select(ctx, PREFIX + "governorate", container=top)
day = top.date_input(ctx.tr("routes.day"), value=dt.date.today(), key=PREFIX + "day", format="DD/MM/YYYY")

if governorate:
    delegations = open_delegations(ctx.db, ctx.actor, governorate)
    if delegations.empty:
        st.info(ctx.tr("routes.none_waiting"))
    else:
        counts = dict(zip(delegations["delegation"], delegations["deliveries"]))
        delegation = st.selectbox(
            ctx.tr("field.delegation"),
            list(counts),
            key=PREFIX + "delegation",
            format_func=lambda d: ctx.tr("routes.delegation_label", delegation=display_value(d), count=counts[d]),
        )
        candidates = route_candidates(ctx.db, ctx.actor, governorate, delegation)
        volunteers = route_volunteers(ctx.db, ctx.actor, governorate, day)
        labels = {
            int(r.volunteer_id): ctx.tr(
                "routes.volunteer_label",
                name=r.full_name,
                vehicle=ctx.tr(f"vehicle.{r.vehicle}"),
                room=int(r.room),
                capacity=int(r.capacity),
            )
            for r in volunteers.itertuples()
        }
        stop_labels = {
            int(r.delivery_id): f"{n} · #{r.delivery_id} · {plain(r.address)}"
            for n, r in enumerate(candidates.itertuples(), start=1)
        }
        with st.form(PREFIX + "build_form"):
            volunteer_id = st.selectbox(
                ctx.tr("routes.volunteer"),
                list(labels),
                key=PREFIX + "volunteer",
                format_func=labels.get,
                index=None,
                placeholder=ctx.tr("routes.no_volunteer") if not labels else ctx.tr("common.choose"),
            )
            chosen = st.pills(
                ctx.tr("routes.stops"),
                list(stop_labels),
                selection_mode="multi",
                key=PREFIX + "stops",
                format_func=stop_labels.get,
                help=ctx.tr("routes.stops_help"),
            )
            build = st.form_submit_button(ctx.tr("routes.build"), type="primary")
        if build:
            if volunteer_id is None:
                st.error(ctx.tr("routes.choose_volunteer"))
            else:
                try:
                    route_id = build_route(
                        ctx.db,
                        ctx.actor,
                        governorate_code=governorate,
                        delegation=delegation,
                        volunteer_id=int(volunteer_id),
                        day=day,
                        delivery_ids=[int(i) for i in chosen] or None,
                    )
                except JesrError as exc:
                    show_error(exc, ctx.lang)
                else:
                    st.session_state.pop(PREFIX + "stops", None)
                    flash(PREFIX, ctx.tr("routes.built", id=route_id))
                    st.rerun()

st.subheader(ctx.tr("routes.list"))
routes = list_routes(ctx.db, ctx.actor)
if routes.empty:
    st.info(ctx.tr("common.nothing_yet"))
else:
    st.dataframe(
        routes.assign(vehicle=routes["vehicle"].map(lambda v: ctx.tr(f"vehicle.{v}"))).rename(
            columns=lambda c: ctx.tr(f"column.{c}")
        ),
        hide_index=True,
        width="stretch",
        key=PREFIX + "routes",
    )
