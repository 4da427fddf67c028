"""Register a household in need and what it needs."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.validation import URGENCIES, VULNERABILITIES
from data_layer.registry.households import register_household
from data_layer.store.reference import get_reference
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import show_error
from ui.session import page_setup
from ui.widgets import governorate_select, show_saved_instead_of_form

ctx = page_setup("household_new.title")
PREFIX = "household_new_"

show_saved_instead_of_form(ctx, "household_new.saved", PREFIX)

categories = list(get_reference(ctx.db).categories)
with st.form(PREFIX + "form"):
    national_id = st.text_input(
        ctx.tr("field.national_id"),
        key=PREFIX + "national_id",
        max_chars=12,
        help=ctx.tr("household_new.national_id_help"),
    )
    full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
    phone = st.text_input(ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20, placeholder="98123456")
    governorate = governorate_select(ctx, PREFIX + "governorate")
    delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "delegation", max_chars=80)
    address = st.text_input(ctx.tr("field.address"), key=PREFIX + "address", max_chars=300)
    size = st.number_input(
        ctx.tr("field.household_size"), min_value=1, max_value=30, value=4, step=1, key=PREFIX + "household_size"
    )
    vulnerabilities = st.multiselect(
        ctx.tr("field.vulnerabilities"),
        placeholder=ctx.tr("common.choose"),
        options=VULNERABILITIES,
        key=PREFIX + "vulnerabilities",
        format_func=lambda v: ctx.tr(f"vulnerability.{v}"),
    )
    st.markdown(f"**{ctx.tr('field.needs')}**")
    st.caption(ctx.tr("household_new.needs_help"))
    need_inputs = {}
    for category in categories:
        left, right = st.columns([2, 1])
        need_inputs[category] = (
            left.number_input(
                ctx.tr(f"category.{category}"), min_value=0, value=0, step=1, key=f"{PREFIX}need_{category}"
            ),
            right.selectbox(
                ctx.tr("field.urgency"),
                URGENCIES,
                index=1,
                key=f"{PREFIX}urgency_{category}",
                format_func=lambda u: ctx.tr(f"urgency.{u}"),
            ),
        )
    notes = st.text_area(ctx.tr("field.notes"), key=PREFIX + "notes", max_chars=1000)
    submitted = st.form_submit_button(ctx.tr("common.save"), type="primary")

if submitted:
    needs = [{"category": c, "quantity": q, "urgency": u} for c, (q, u) in need_inputs.items() if q]
    raw = {
        "national_id": national_id,
        "full_name": full_name,
        "phone": phone,
        "governorate": governorate,
        "delegation": delegation,
        "address": address,
        "household_size": size,
        "vulnerabilities": vulnerabilities,
        "needs": needs,
        "notes": notes,
    }
    try:
        household_id = register_household(ctx.db, ctx.actor, raw)
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        clear_dashboard_caches()
        st.session_state[PREFIX + "saved"] = {
            "id": household_id,
            "full_name": full_name.strip(),
            "governorate": governorate,
            "household_size": size,
            "needs": ", ".join(f"{ctx.tr('category.' + n['category'])} × {n['quantity']}" for n in needs) or "—",
        }
        st.rerun()
