"""Distribution points: their opening days, edits and closing, pick-ups sent to them, and the hand-over at the desk by code."""

import streamlit as st

from data_layer.core.errors import FieldError, JesrError, ValidationError
from data_layer.core.i18n import join_list
from data_layer.distribution.pickup import (
    HANDOVER_MODES,
    WEEKDAYS,
    add_point,
    confirm_pickup,
    list_points,
    opening_days,
    plan_pickups,
    point_closing_effects,
    point_pickups,
    set_handover,
    set_point_open,
    update_point,
)
from data_layer.registry.organisations import list_organisations
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import flash, reset_widgets, show_error, show_flash
from ui.session import page_setup
from ui.widgets import day_text, governorate_select, plain

ctx = page_setup("pickup_points.title")
PREFIX = "pickup_points_"
show_flash(PREFIX)
for warning in st.session_state.pop(PREFIX + "warnings", []):
    st.warning(warning)


def days_label(text: str) -> str:
    return join_list((ctx.tr(f"weekday.{d}") for d in opening_days(text)), ctx.lang)


with st.expander(ctx.tr("pickup_points.add"), expanded=False):
    with st.form(PREFIX + "add_form"):
        organisation_id = None
        if ctx.actor.sees_all_organisations:
            orgs = list_organisations(ctx.db)
            orgs = orgs[orgs["kind"] != "ministry"]
            organisation_id = st.selectbox(
                ctx.tr("pickup_points.organisation"),
                list(orgs["id"]),
                key=PREFIX + "add_org",
                format_func=dict(zip(orgs["id"], orgs["name"])).get,
            )
        name = st.text_input(ctx.tr("field.point_name"), key=PREFIX + "add_name", max_chars=120)
        add_governorate = governorate_select(ctx, PREFIX + "add_governorate")
        delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "add_delegation", max_chars=80)
        address = st.text_input(ctx.tr("field.address"), key=PREFIX + "add_address", max_chars=300)
        days = st.pills(
            ctx.tr("field.opening_days"),
            list(WEEKDAYS),
            selection_mode="multi",
            key=PREFIX + "add_days",
            format_func=lambda d: ctx.tr(f"weekday.{d}"),
        )
        hours = st.text_input(
            ctx.tr("pickup_points.hours"), key=PREFIX + "add_hours", max_chars=60, placeholder="9:00–13:00"
        )
        if st.form_submit_button(ctx.tr("common.save"), type="primary"):
            try:
                point_id = add_point(
                    ctx.db,
                    ctx.actor,
                    name=name,
                    governorate_code=add_governorate or "",
                    opening_days=days or [],
                    delegation=delegation,
                    address=address,
                    opening_hours=hours,
                    organisation_id=organisation_id,
                )
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                reset_widgets(PREFIX + "add_")
                flash(PREFIX, ctx.tr("pickup_points.added", id=point_id))
                st.rerun()

points = list_points(ctx.db, ctx.actor, include_closed=True)
if points.empty:
    st.info(ctx.tr("pickup_points.none"))
    st.stop()
st.dataframe(
    points[["point_id", "name", "organisation", "governorate_code", "delegation", "address", "opening_days"]]
    .assign(
        opening_days=points["opening_days"].map(days_label),
        opening_hours=points["opening_hours"],
        is_active=points["is_active"].map(lambda o: ctx.tr("pickup_points.open" if o else "pickup_points.closed")),
    )
    .rename(columns=lambda c: ctx.tr(f"column.{c}")),
    hide_index=True,
    width="stretch",
    key=PREFIX + "points",
)


def point_label(point_id: int) -> str:
    row = points[points["point_id"] == point_id].iloc[0]
    return row["name"] if row["is_active"] else ctx.tr("pickup_points.closed_label", name=row["name"])


def pending_lines(pending) -> str:  # noqa: ANN001 - a frame of list_point_pickups
    return "\n".join(
        f"- #{r.delivery_id} — {plain(r.full_name)} · {day_text(r.planned_on, ctx.lang)}" for r in pending.itertuples()
    )


with st.expander(ctx.tr("pickup_points.edit")):
    edited_id = int(
        st.selectbox(
            ctx.tr("field.point"),
            list(points["point_id"].astype(int)),
            key=PREFIX + "edit_point",
            format_func=point_label,
        )
    )
    edited = points[points["point_id"] == edited_id].iloc[0]
    # Keys carry the point's id: choosing another point shows its own values, not the last one's.
    with st.form(f"{PREFIX}edit_form_{edited_id}"):
        new_name = st.text_input(
            ctx.tr("field.point_name"), value=edited["name"], key=f"{PREFIX}edit_name_{edited_id}", max_chars=120
        )
        new_address = st.text_input(
            ctx.tr("field.address"),
            value=edited["address"] or "",
            key=f"{PREFIX}edit_address_{edited_id}",
            max_chars=300,
        )
        new_days = st.pills(
            ctx.tr("field.opening_days"),
            list(WEEKDAYS),
            selection_mode="multi",
            default=opening_days(edited["opening_days"]),
            key=f"{PREFIX}edit_days_{edited_id}",
            format_func=lambda d: ctx.tr(f"weekday.{d}"),
        )
        if st.form_submit_button(ctx.tr("common.save")):
            try:
                off_day = update_point(
                    ctx.db, ctx.actor, edited_id, name=new_name, address=new_address, opening_days=new_days or []
                )
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                flash(PREFIX, ctx.tr("pickup_points.edited", name=plain(new_name.strip())))
                if not off_day.empty:
                    st.session_state[PREFIX + "warnings"] = [
                        ctx.tr("pickup_points.off_day_warning", count=len(off_day)) + "\n\n" + pending_lines(off_day)
                    ]
                st.rerun()
    if edited["is_active"]:
        pending, households = point_closing_effects(ctx.db, ctx.actor, edited_id)
        if not pending.empty:
            st.warning(ctx.tr("pickup_points.closing_pending", count=len(pending)) + "\n\n" + pending_lines(pending))
        if households:
            st.warning(ctx.tr("pickup_points.closing_households", count=households))
        closing_now = st.button(ctx.tr("pickup_points.close"), key=f"{PREFIX}close_{edited_id}")
    else:
        closing_now = False
        if st.button(ctx.tr("pickup_points.reopen"), key=f"{PREFIX}reopen_{edited_id}"):
            try:
                set_point_open(ctx.db, ctx.actor, edited_id, True)
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                flash(PREFIX, ctx.tr("pickup_points.reopened", name=plain(edited["name"])))
                st.rerun()
    if closing_now:
        try:
            set_point_open(ctx.db, ctx.actor, edited_id, False)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            flash(PREFIX, ctx.tr("pickup_points.closed_done", name=plain(edited["name"])))
            st.rerun()

# Closed points stay in the list, marked: choosing one is refused with the reason, not left unexplained.
names = {int(p): point_label(int(p)) for p in points["point_id"]}
with st.expander(ctx.tr("pickup_points.handover")):
    with st.form(PREFIX + "handover_form"):
        household_id = st.number_input(
            ctx.tr("pickup_points.household_id"), min_value=1, step=1, value=None, key=PREFIX + "handover_household"
        )
        mode = st.segmented_control(
            ctx.tr("field.handover"),
            HANDOVER_MODES,
            default="pickup",
            key=PREFIX + "handover_mode",
            format_func=lambda m: ctx.tr(f"handover.{m}"),
        )
        chosen_point = st.selectbox(
            ctx.tr("field.point"), list(names), key=PREFIX + "handover_point", format_func=names.get
        )
        if st.form_submit_button(ctx.tr("common.save")):
            try:
                if household_id is None:
                    raise ValidationError([FieldError("household_id", "error.required")])
                set_handover(
                    ctx.db, ctx.actor, int(household_id), mode or "", chosen_point if mode == "pickup" else None
                )
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                flash(PREFIX, ctx.tr("pickup_points.handover_saved", id=int(household_id)))
                st.rerun()

st.caption(ctx.tr("pickup_points.plan_explain"))
if st.button(ctx.tr("pickup_points.plan"), key=PREFIX + "plan"):
    try:
        moved = plan_pickups(ctx.db, ctx.actor)
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        clear_dashboard_caches()
        st.success(ctx.tr("pickup_points.planned", count=len(moved)))

st.subheader(ctx.tr("pickup_points.desk"))
# A closed point's last pick-ups are still handed over at its desk.
point_id = st.selectbox(
    ctx.tr("field.point"), list(points["point_id"].astype(int)), key=PREFIX + "desk_point", format_func=point_label
)
due = point_pickups(ctx.db, ctx.actor, int(point_id))
if due.empty:
    st.info(ctx.tr("pickup_points.nothing_due"))
    st.stop()
st.dataframe(
    due[["delivery_id", "planned_on", "full_name", "delegation", "contents"]].rename(
        columns=lambda c: ctx.tr(f"column.{c}")
    ),
    hide_index=True,
    width="stretch",
    key=PREFIX + "due",
)
labels = {
    int(r.delivery_id): f"#{r.delivery_id} — {r.full_name} · {day_text(r.planned_on, ctx.lang)}"
    for r in due.itertuples()
}
with st.form(PREFIX + "confirm_form"):
    delivery_id = st.selectbox(
        ctx.tr("pickup_points.who"), list(labels), key=PREFIX + "confirm_delivery", format_func=labels.get
    )
    code = st.text_input(
        ctx.tr("pickup_points.code"),
        key=PREFIX + "confirm_code",
        max_chars=6,
        help=ctx.tr("pickup_points.code_help"),
    )
    if st.form_submit_button(ctx.tr("pickup_points.confirm"), type="primary"):
        try:
            reached = confirm_pickup(ctx.db, ctx.actor, int(delivery_id), code)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            clear_dashboard_caches()
            flash(
                PREFIX,
                ctx.tr("pickup_points.confirmed", id=delivery_id, status=ctx.tr(f"delivery_status.{reached}")),
            )
            st.rerun()
