"""Pledge a donation without an account; an association collects it and records it on arrival."""

import streamlit as st

from data_layer.monitoring.coverage import unit_or_code_text
from data_layer.public.forms import PLEDGE_DONOR_TYPES, pledge_currency, submit_pledge
from data_layer.store.reference import get_reference
from ui.public_form import open_public_form
from ui.session import page_setup
from ui.widgets import governorate_select

form = open_public_form(page_setup("public_pledge.title"), "pledge")
ctx, PREFIX = form.ctx, form.prefix

reference = get_reference(ctx.db)
# Units depend on the category, so the category is chosen outside the form.
category = st.selectbox(
    ctx.tr("field.category"),
    list(reference.categories),
    key=PREFIX + "category",
    format_func=lambda c: ctx.tr(f"category.{c}"),
)
# Pledged cash is counted in the currency of the governorate's campaign, else its country's: the
# governorate is chosen outside the form too, so the amount's currency is shown before sending.
governorate = governorate_select(ctx, PREFIX + "governorate")
currency = pledge_currency(ctx.db, governorate) if category == "cash" else None
with st.form(PREFIX + "form"):
    item = st.text_input(ctx.tr("field.item"), key=PREFIX + "item", max_chars=120)
    left, right = st.columns(2)
    unit: str | None = None  # cash: its currency, which the governorate decides
    if category == "cash":
        quantity = left.text_input(
            ctx.tr("donation_new.amount", unit=unit_or_code_text("unit", currency, ctx.lang))
            if currency
            else ctx.tr("currency.amount_in_campaign_currency"),
            key=PREFIX + "quantity",
            max_chars=20,
        )
    else:
        quantity = left.text_input(ctx.tr("field.quantity"), key=PREFIX + "quantity", max_chars=20)
        unit = right.selectbox(
            ctx.tr("field.unit"),
            reference.categories[category].units,
            key=PREFIX + "unit",
            format_func=lambda u: ctx.tr(f"unit.{u}"),
        )
    delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "delegation", max_chars=80)
    donor_type = st.selectbox(
        ctx.tr("public.donor_type"),
        PLEDGE_DONOR_TYPES,
        key=PREFIX + "donor_type",
        format_func=lambda d: ctx.tr(f"donor_type.{d}"),
    )
    donor_name = st.text_input(ctx.tr("field.donor_name"), key=PREFIX + "donor_name", max_chars=160)
    phone = st.text_input(ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20, placeholder="98 123 456")
    notes = st.text_area(ctx.tr("public.contact_notes"), key=PREFIX + "notes", max_chars=1000)
    form.end()

form.finish(
    {
        "category": category,
        "item": item,
        "quantity": quantity,
        "unit": unit,
        "governorate": governorate,
        "delegation": delegation,
        "donor_type": donor_type,
        "donor_name": donor_name,
        "phone": phone,
        "notes": notes,
    },
    submit_pledge,
)
