"""Campaigns: create one, edit its names, dates and targets, activate it and close it (organisers)."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.registry.campaigns import (
    NEXT_STATUSES,
    activate_campaign,
    campaign_dates_default,
    campaign_name,
    close_campaign,
    create_campaign,
    get_campaign,
    list_campaign_records,
    update_campaign,
)
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import reset_widgets, show_error
from ui.session import PageContext, page_setup

ctx = page_setup("campaigns.title")
PREFIX = "campaigns_"


def campaign_fields(ctx: PageContext, key: str, current: dict) -> dict:
    """The fields of a campaign, filled with `current`; returns what was typed, for the data layer to check."""
    default_start, default_end = campaign_dates_default()
    name = st.text_input(ctx.tr("field.name"), value=current.get("name") or "", key=key + "name", max_chars=160)
    left, right = st.columns(2)
    name_fr = left.text_input(
        ctx.tr("field.name_fr"), value=current.get("name_fr") or "", key=key + "name_fr", max_chars=160
    )
    name_en = right.text_input(
        ctx.tr("field.name_en"), value=current.get("name_en") or "", key=key + "name_en", max_chars=160
    )
    starts_on = left.date_input(
        ctx.tr("field.starts_on"), value=current.get("starts_on") or default_start, key=key + "starts_on"
    )
    ends_on = right.date_input(
        ctx.tr("field.ends_on"), value=current.get("ends_on") or default_end, key=key + "ends_on"
    )
    target_households = left.number_input(
        ctx.tr("field.target_households"),
        min_value=0,
        step=100,
        value=int(current.get("target_households") or 0),
        key=key + "target_households",
    )
    target_value = right.text_input(
        ctx.tr("field.target_value"),
        value="" if current.get("target_value") is None else str(current["target_value"]),
        key=key + "target_value",
    )
    currency = left.text_input(
        ctx.tr("field.currency"), value=current.get("currency") or "", key=key + "currency", max_chars=3
    )
    targets = current.get("governorate_targets") or {}
    governorate_targets = right.text_input(
        ctx.tr("field.governorate_targets"),
        value=";".join(f"{code}:{n}" for code, n in sorted(targets.items())),
        key=key + "governorate_targets",
        help=ctx.tr("campaigns.governorate_targets_help"),
    )
    return {
        "name": name,
        "name_fr": name_fr,
        "name_en": name_en,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "target_households": target_households or None,
        "target_value": target_value,
        "currency": currency,
        "governorate_targets": governorate_targets,
    }


def done(message: str) -> None:
    clear_dashboard_caches()
    st.session_state[PREFIX + "done"] = message
    st.rerun()


records = list_campaign_records(ctx.db)
st.caption(ctx.tr("campaigns.rule"))
if records.empty:
    st.info(ctx.tr("campaigns.none"))
else:
    shown = records.assign(
        name=[campaign_name(row, ctx.lang) for _, row in records.iterrows()],
        status=records["status"].map(lambda s: ctx.tr(f"campaign_status.{s}")),
    ).drop(columns=["name_fr", "name_en"])
    st.dataframe(
        shown.rename(columns=lambda c: ctx.tr(f"column.{c}")), hide_index=True, width="stretch", key=PREFIX + "table"
    )
if st.session_state.get(PREFIX + "done"):
    st.success(st.session_state.pop(PREFIX + "done"))

st.subheader(ctx.tr("campaigns.new"))
with st.form(PREFIX + "new_form"):
    raw = campaign_fields(ctx, PREFIX + "new_", {})
    active = st.checkbox(ctx.tr("campaigns.start_active"), value=True, key=PREFIX + "new_active")
    if st.form_submit_button(ctx.tr("common.save"), type="primary"):
        try:
            campaign_id = create_campaign(ctx.db, ctx.actor, raw, status="active" if active else "planned")
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            reset_widgets(PREFIX + "new_")
            done(ctx.tr("campaigns.created", id=campaign_id))

if records.empty:
    st.stop()
st.subheader(ctx.tr("campaigns.edit"))
by_id = records.set_index("id")
campaign_id = st.selectbox(
    ctx.tr("campaigns.choose"),
    records["id"].tolist(),
    key=PREFIX + "choose",
    format_func=lambda i: (
        f"#{i} — {campaign_name(by_id.loc[i], ctx.lang)} ({ctx.tr('campaign_status.' + by_id.at[i, 'status'])})"
    ),
)
campaign = get_campaign(ctx.db, int(campaign_id))
if campaign["status"] == "closed":
    st.info(ctx.tr("campaigns.closed_readonly"))
    st.stop()

with st.form(f"{PREFIX}edit_form_{campaign_id}"):
    raw = campaign_fields(ctx, f"{PREFIX}edit_{campaign_id}_", campaign)
    if st.form_submit_button(ctx.tr("common.save"), type="primary"):
        try:
            update_campaign(ctx.db, ctx.actor, int(campaign_id), raw)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            done(ctx.tr("campaigns.saved"))

left, right = st.columns(2)
if "active" in NEXT_STATUSES[campaign["status"]]:
    with left.form(f"{PREFIX}activate_form_{campaign_id}"):
        if st.form_submit_button(ctx.tr("campaigns.activate")):
            try:
                activate_campaign(ctx.db, ctx.actor, int(campaign_id))
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                done(ctx.tr("campaigns.status_changed", status=ctx.tr("campaign_status.active")))
with right.form(f"{PREFIX}close_form_{campaign_id}"):
    confirmed = st.checkbox(ctx.tr("campaigns.close_confirm"), key=f"{PREFIX}close_confirm_{campaign_id}")
    if st.form_submit_button(ctx.tr("campaigns.close")):
        if not confirmed:
            st.error(ctx.tr("campaigns.close_unconfirmed"))
        else:
            try:
                close_campaign(ctx.db, ctx.actor, int(campaign_id))
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                done(ctx.tr("campaigns.status_changed", status=ctx.tr("campaign_status.closed")))
