"""The fields of a volunteer's offer, drawn alike by the public offer form and the staff's
registration form (pages/public_volunteer.py, pages/volunteer_new.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from data_layer.core.validation import SERVICES, VEHICLES
from ui.session import PageContext
from ui.widgets import governorate_select

# How long an offer runs when the volunteer does not say.
DEFAULT_DAYS_AVAILABLE = 14


def volunteer_fields(ctx: PageContext, prefix: str) -> dict[str, Any]:
    """Draw the fields (inside the caller's form); returns the raw offer as the data layer takes it."""
    full_name = st.text_input(ctx.tr("field.full_name"), key=prefix + "full_name", max_chars=120)
    national_id = st.text_input(ctx.tr("field.national_id"), key=prefix + "national_id", max_chars=12)
    phone = st.text_input(ctx.tr("field.phone"), key=prefix + "phone", max_chars=20, placeholder="98 123 456")
    governorate = governorate_select(ctx, prefix + "governorate")
    delegation = st.text_input(ctx.tr("field.delegation"), key=prefix + "delegation", max_chars=80)
    services = st.pills(
        ctx.tr("field.services"),
        SERVICES,
        selection_mode="multi",
        key=prefix + "services",
        format_func=lambda s: ctx.tr(f"service.{s}"),
    )
    vehicle = st.selectbox(
        ctx.tr("field.vehicle"), VEHICLES, key=prefix + "vehicle", format_func=lambda v: ctx.tr(f"vehicle.{v}")
    )
    left, right = st.columns(2)
    today = dt.date.today()
    available_from = left.date_input(
        ctx.tr("field.available_from"), value=today, key=prefix + "available_from", format="DD/MM/YYYY"
    )
    available_to = right.date_input(
        ctx.tr("field.available_to"),
        value=today + dt.timedelta(days=DEFAULT_DAYS_AVAILABLE),
        key=prefix + "available_to",
        format="DD/MM/YYYY",
    )
    return {
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
