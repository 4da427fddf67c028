"""Register a volunteer who offers transport or distribution."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import join_list
from data_layer.core.validation import SERVICES, VEHICLES
from data_layer.registry.volunteers import register_volunteer
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import show_error
from ui.session import page_setup
from ui.widgets import governorate_select, show_saved_instead_of_form

ctx = page_setup("volunteer_new.title")
PREFIX = "volunteer_new_"

show_saved_instead_of_form(ctx, "volunteer_new.saved", PREFIX)

with st.form(PREFIX + "form"):
    full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
    national_id = st.text_input(ctx.tr("field.national_id"), key=PREFIX + "national_id", max_chars=12)
    phone = st.text_input(ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20, placeholder="98123456")
    governorate = governorate_select(ctx, PREFIX + "governorate")
    delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "delegation", max_chars=80)
    services = st.pills(
        ctx.tr("field.services"),
        SERVICES,
        selection_mode="multi",
        key=PREFIX + "services",
        format_func=lambda s: ctx.tr(f"service.{s}"),
    )
    vehicle = st.selectbox(
        ctx.tr("field.vehicle"), VEHICLES, key=PREFIX + "vehicle", format_func=lambda v: ctx.tr(f"vehicle.{v}")
    )
    left, right = st.columns(2)
    available_from = left.date_input(
        ctx.tr("field.available_from"), value=dt.date.today(), key=PREFIX + "available_from", format="DD/MM/YYYY"
    )
    available_to = right.date_input(
        ctx.tr("field.available_to"),
        value=dt.date.today() + dt.timedelta(days=14),
        key=PREFIX + "available_to",
        format="DD/MM/YYYY",
    )
    submitted = st.form_submit_button(ctx.tr("common.save"), type="primary")

if submitted:
    raw = {
        "full_name": full_name,
        "national_id": national_id,
        "phone": phone,
        "governorate": governorate,
        "delegation": delegation,
        "services": list(services or []),
        "vehicle": vehicle,
        "available_from": available_from,
        "available_to": available_to,
    }
    try:
        volunteer_id = register_volunteer(ctx.db, ctx.actor, raw)
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        clear_dashboard_caches()
        st.session_state[PREFIX + "saved"] = {
            "id": volunteer_id,
            "full_name": full_name.strip(),
            "governorate": governorate,
            "services": join_list((ctx.tr(f"service.{s}") for s in services or []), ctx.lang),
        }
        st.rerun()
