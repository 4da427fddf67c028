"""A household asks for aid without an account; an association verifies it before any aid."""

import streamlit as st

from data_layer.core.validation import VULNERABILITIES
from data_layer.public.forms import submit_aid_request
from data_layer.store.reference import get_reference
from ui.public_form import open_public_form
from ui.session import page_setup
from ui.widgets import governorate_select

form = open_public_form(page_setup("public_request.title"), "request")
ctx, PREFIX, errors = form.ctx, form.prefix, form.errors

categories = list(get_reference(ctx.db).categories)
with st.form(PREFIX + "form"):
    full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
    errors.slot("full_name")
    national_id = st.text_input(
        ctx.tr("field.national_id"), key=PREFIX + "national_id", max_chars=12, help=ctx.tr("public.national_id_help")
    )
    errors.slot("national_id")
    phone = st.text_input(
        ctx.tr("field.phone"),
        key=PREFIX + "phone",
        max_chars=20,
        placeholder="98 123 456",
        help=ctx.tr("form.phone_help"),
    )
    errors.slot("phone")
    governorate = governorate_select(ctx, PREFIX + "governorate")
    errors.slot("governorate")
    delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "delegation", max_chars=80)
    errors.slot("delegation")
    address = st.text_input(ctx.tr("field.address"), key=PREFIX + "address", max_chars=300)
    errors.slot("address")
    size = st.number_input(
        ctx.tr("field.household_size"), min_value=1, max_value=30, value=4, step=1, key=PREFIX + "household_size"
    )
    errors.slot("household_size")
    vulnerabilities = st.pills(
        ctx.tr("field.vulnerabilities"),
        VULNERABILITIES,
        selection_mode="multi",
        key=PREFIX + "vulnerabilities",
        format_func=lambda v: ctx.tr(f"vulnerability.{v}"),
    )
    errors.slot("vulnerabilities")
    st.markdown(f"**{ctx.tr('field.needs')}**")
    st.caption(ctx.tr("public.needs_help"))
    quantities = {
        c: st.number_input(
            ctx.tr(f"category.{c}"), min_value=0, max_value=1000, value=0, step=1, key=f"{PREFIX}need_{c}"
        )
        for c in categories
    }
    errors.slot("needs", "urgency")
    form.end(consent_slot=True)

form.finish(
    {
        "national_id": national_id,
        "full_name": full_name,
        "phone": phone,
        "governorate": governorate,
        "delegation": delegation,
        "address": address,
        "household_size": size,
        "vulnerabilities": list(vulnerabilities or []),
        "needs": [{"category": c, "quantity": q} for c, q in quantities.items() if q],
    },
    submit_aid_request,
)
