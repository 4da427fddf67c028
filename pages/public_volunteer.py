"""Offer to volunteer without an account; an association activates the offer after a call."""

import datetime as dt

import streamlit as st

from data_layer.core.validation import SERVICES, VEHICLES
from data_layer.public.forms import submit_volunteer_offer
from ui.captcha import (
    captcha_widget,
    client_address,
    consent_checkbox,
    consent_notice,
    send_checked,
    show_receipt_instead_of_form,
)
from ui.fields import FieldErrors
from ui.session import page_setup
from ui.widgets import governorate_select

ctx = page_setup("public_volunteer.title")
PREFIX = "public_volunteer_"

show_receipt_instead_of_form(ctx, PREFIX)

st.write(ctx.tr("public.intro.volunteer"))
consent_notice(ctx, "volunteer")
errors = FieldErrors(ctx.lang, PREFIX)
with st.form(PREFIX + "form"):
    full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
    national_id = st.text_input(ctx.tr("field.national_id"), key=PREFIX + "national_id", max_chars=12)
    phone = st.text_input(ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20, placeholder="98 123 456")
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
    consent = consent_checkbox(ctx, PREFIX)
    answer = captcha_widget(ctx, PREFIX)
    submitted = st.form_submit_button(ctx.tr("public.send"), type="primary")

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
    send_checked(
        ctx,
        PREFIX,
        "volunteer",
        raw,
        consent_given=consent,
        answer=answer,
        errors=errors,
        send=lambda: submit_volunteer_offer(ctx.db, raw, client=client_address(), consent_given=consent, lang=ctx.lang),
    )
errors.show()
