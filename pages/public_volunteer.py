"""Offer to volunteer without an account; an association activates the offer after a call."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.validation import SERVICES, VEHICLES
from data_layer.public.forms import submit_volunteer_offer
from ui.captcha import (
    captcha_passed,
    captcha_widget,
    client_address,
    consent_checkbox,
    consent_notice,
    show_receipt_instead_of_form,
)
from ui.messages import reset_widgets, show_error
from ui.session import page_setup
from ui.widgets import governorate_select

ctx = page_setup("public_volunteer.title")
PREFIX = "public_volunteer_"

show_receipt_instead_of_form(ctx, PREFIX)

st.write(ctx.tr("public.intro.volunteer"))
consent_notice(ctx, "volunteer")
with st.form(PREFIX + "form"):
    full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
    national_id = st.text_input(ctx.tr("field.national_id"), key=PREFIX + "national_id", max_chars=12)
    phone = st.text_input(ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20, placeholder="98 123 456")
    governorate = governorate_select(ctx, PREFIX + "governorate")
    delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "delegation", max_chars=80)
    services = st.multiselect(
        ctx.tr("field.services"), SERVICES, key=PREFIX + "services", format_func=lambda s: ctx.tr(f"service.{s}")
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
    consent = consent_checkbox(ctx, PREFIX)
    answer = captcha_widget(ctx, PREFIX)
    submitted = st.form_submit_button(ctx.tr("public.send"), type="primary")

if submitted:
    if not captcha_passed(PREFIX, answer):
        st.rerun()
    raw = {
        "full_name": full_name,
        "national_id": national_id,
        "phone": phone,
        "governorate": governorate,
        "delegation": delegation,
        "services": services,
        "vehicle": vehicle,
        "available_from": available_from,
        "available_to": available_to,
    }
    try:
        sent = submit_volunteer_offer(ctx.db, raw, client=client_address(), consent_given=consent, lang=ctx.lang)
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        reset_widgets(PREFIX)
        st.session_state[PREFIX + "receipt"] = sent
        st.rerun()
