"""Record a donation received, in cash or in kind."""

import datetime as dt

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column, format_date
from data_layer.core.validation import DONOR_TYPES
from data_layer.monitoring.coverage import unit_or_code_text
from data_layer.registry.donations import form_currency, get_donation, register_donation
from data_layer.registry.entry_help import default_entry_date, default_governorate
from data_layer.registry.organisations import list_organisations
from data_layer.registry.receipts import donation_receipt_code
from data_layer.store.reference import get_reference
from ui.dashboard_cache import clear_dashboard_caches
from ui.fields import FieldErrors
from ui.session import page_setup
from ui.widgets import governorate_select, show_saved_instead_of_form

ctx = page_setup("donation_new.title")
PREFIX = "donation_new_"

saved = st.session_state.get(PREFIX + "saved")
if saved:
    st.info(ctx.tr("receipt.staff_saved", code=saved["receipt_code"]))
show_saved_instead_of_form(ctx, "donation_new.saved", PREFIX)

reference = get_reference(ctx.db)
errors = FieldErrors(ctx.lang, PREFIX)
# Units depend on the category, so the category is chosen outside the form.
category = st.selectbox(
    ctx.tr("field.category"),
    list(reference.categories),
    key=PREFIX + "category",
    format_func=lambda c: ctx.tr(f"category.{c}"),
)
organisation_id = None
if ctx.actor.sees_all_organisations:
    orgs = list_organisations(ctx.db)
    orgs = orgs[orgs["kind"] != "ministry"]
    organisation_id = st.selectbox(
        ctx.tr("donation_new.receiving_org"),
        list(orgs["id"]),
        key=PREFIX + "org",
        format_func=dict(zip(orgs["id"], orgs["name"])).get,
    )
is_cash = category == "cash"
units = reference.categories[category].units
# Cash is counted in the currency of the staff's country's campaign, else of that country (None for
# a reader of no country among several: the gift's governorate decides once saved).
currency = form_currency(ctx.db, ctx.actor)
with st.form(PREFIX + "form"):
    donor_type = st.selectbox(
        ctx.tr("field.donor_type"),
        DONOR_TYPES,
        key=PREFIX + "donor_type",
        format_func=lambda d: ctx.tr(f"donor_type.{d}"),
    )
    errors.slot("donor_type")
    donor_name = st.text_input(ctx.tr("field.donor_name"), key=PREFIX + "donor_name", max_chars=160)
    errors.slot("donor_name")
    donor_phone = st.text_input(ctx.tr("field.donor_phone"), key=PREFIX + "donor_phone", max_chars=20)
    errors.slot("donor_phone")
    # A cash gift's unit is its currency, which the record's campaign or country decides.
    item, unit, value = None, None, None
    if is_cash:
        # Cash is its amount: no item, unit or estimated value to ask.
        quantity = st.text_input(
            ctx.tr("donation_new.amount", unit=unit_or_code_text("unit", currency, ctx.lang))
            if currency
            else ctx.tr("currency.amount_in_campaign_currency"),
            key=PREFIX + "quantity",
            max_chars=20,
            placeholder="150.5",
            help=ctx.tr("form.decimal_help"),
        )
        errors.slot("quantity", "unit", "kind")
    else:
        item = st.text_input(
            ctx.tr("field.item"), key=PREFIX + "item", max_chars=120, help=ctx.tr("donation_new.item_help")
        )
        errors.slot("item")
        left, right = st.columns(2)
        quantity = left.text_input(
            ctx.tr("field.quantity"),
            key=PREFIX + "quantity",
            max_chars=20,
            placeholder="150.5",
            help=ctx.tr("form.decimal_help"),
        )
        unit = right.selectbox(
            ctx.tr("field.unit"),
            units,
            key=PREFIX + "unit",
            format_func=lambda u: ctx.tr(f"unit.{u}"),
        )
        errors.slot("quantity", "unit", "kind")
        value = st.text_input(
            ctx.tr("currency.value_in_campaign_currency")
            if currency is None
            else ctx.tr("field.value_tnd")
            if currency == "TND"  # the dinar's own wording (د.ت)
            else ctx.tr("donation_new.value_in", currency=currency),
            key=PREFIX + "value_tnd",
            max_chars=20,
            placeholder="150.5",
            help=ctx.tr("donation_new.value_help") + " " + ctx.tr("form.decimal_help"),
        )
        errors.slot("value_tnd")
    governorate = governorate_select(
        ctx,
        PREFIX + "governorate",
        label_key="donation_new.held_in",
        default=default_governorate(ctx.db, ctx.actor),
    )
    errors.slot("governorate")
    delegation = st.text_input(
        ctx.tr("donation_new.delegation"),
        key=PREFIX + "delegation",
        max_chars=80,
        help=ctx.tr("donation_new.delegation_help"),
    )
    errors.slot("delegation")
    storage = None
    if not is_cash:
        storage = st.text_input(ctx.tr("field.storage_location"), key=PREFIX + "storage_location", max_chars=200)
        errors.slot("storage_location")
    received_on = st.date_input(
        ctx.tr("field.received_on"),
        value=default_entry_date(ctx.db, country_code=ctx.actor.country_code if ctx.actor else None),
        key=PREFIX + "received_on",
        max_value=dt.date.today(),
        format="DD/MM/YYYY",
    )
    errors.slot("received_on")
    notes = st.text_area(ctx.tr("field.notes"), key=PREFIX + "notes", max_chars=1000)
    errors.slot("notes")
    submitted = st.form_submit_button(ctx.tr("common.save"), type="primary")

if submitted:
    errors.clear()
    raw = {
        "donor_type": donor_type,
        "donor_name": donor_name,
        "donor_phone": donor_phone,
        "category": category,
        "kind": "cash" if is_cash else "in_kind",
        "item": item,
        "quantity": quantity,
        "unit": unit,
        "value_tnd": value,
        "governorate": governorate,
        "delegation": delegation,
        "storage_location": storage,
        "received_on": received_on,
        "notes": notes,
    }
    try:
        donation_id = register_donation(ctx.db, ctx.actor, raw, organisation_id=organisation_id)
    except JesrError as exc:
        errors.refuse(exc)
    else:
        clear_dashboard_caches()
        area = reference.areas.get(governorate or "", {})
        saved_unit = get_donation(ctx.db, ctx.actor, donation_id)["unit"]
        st.session_state[PREFIX + "saved"] = {
            "id": donation_id,
            "receipt_code": donation_receipt_code(ctx.db, ctx.actor, donation_id),
            "donor_name": donor_name.strip() or "—",
            "category": ctx.tr(f"category.{category}"),
            "quantity": f"{quantity.strip()} {unit_or_code_text('unit', saved_unit, ctx.lang)}",
            "governorate": area.get(area_name_column(ctx.lang), governorate),
            "received_on": format_date(received_on, ctx.lang),
        }
        st.rerun()
errors.show()
