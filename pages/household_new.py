"""Register a household in need and what it needs."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column, format_number, join_list
from data_layer.core.validation import URGENCIES, VULNERABILITIES
from data_layer.distribution.pickup import HANDOVER_MODES, list_points, register_with_handover
from data_layer.registry.entry_help import default_governorate
from data_layer.registry.households import register_household
from data_layer.store.reference import get_reference
from ui.dashboard_cache import clear_dashboard_caches
from ui.fields import FieldErrors
from ui.session import page_setup
from ui.widgets import display_value, governorate_select, likely_duplicate_warning, show_saved_instead_of_form

ctx = page_setup("household_new.title")
PREFIX = "household_new_"

show_saved_instead_of_form(ctx, "household_new.saved", PREFIX)

reference = get_reference(ctx.db)
categories = list(reference.categories)
errors = FieldErrors(ctx.lang, PREFIX, {"needs": PREFIX + "needs_pick"})
# No st.form: the needs asked depend on the categories picked, so the page reruns as they change.
national_id = st.text_input(
    ctx.tr("field.national_id"),
    key=PREFIX + "national_id",
    max_chars=12,
    help=ctx.tr("household_new.national_id_help"),
)
errors.slot("national_id")
full_name = st.text_input(ctx.tr("field.full_name"), key=PREFIX + "full_name", max_chars=120)
errors.slot("full_name")
phone = st.text_input(
    ctx.tr("field.phone"), key=PREFIX + "phone", max_chars=20, placeholder="98123456", help=ctx.tr("form.phone_help")
)
errors.slot("phone")
governorate = governorate_select(ctx, PREFIX + "governorate", default=default_governorate(ctx.db, ctx.actor))
errors.slot("governorate")
delegation = st.text_input(ctx.tr("field.delegation"), key=PREFIX + "delegation", max_chars=80)
errors.slot("delegation")
address = st.text_input(ctx.tr("field.address"), key=PREFIX + "address", max_chars=300)
errors.slot("address")
size = st.number_input(
    ctx.tr("field.household_size"), min_value=1, max_value=30, value=4, step=1, key=PREFIX + "household_size"
)
errors.slot("household_size")
# Chips to tap, not a multiselect: no "Select all" to tick everything by mistake.
vulnerabilities = st.pills(
    ctx.tr("field.vulnerabilities"),
    VULNERABILITIES,
    selection_mode="multi",
    key=PREFIX + "vulnerabilities",
    format_func=lambda v: ctx.tr(f"vulnerability.{v}"),
)
errors.slot("vulnerabilities")
picked = st.pills(
    ctx.tr("household_new.needs_pick"),
    categories,
    selection_mode="multi",
    key=PREFIX + "needs_pick",
    format_func=lambda c: ctx.tr(f"category.{c}"),
    help=ctx.tr("household_new.needs_help"),
)
errors.slot("needs", "urgency")
need_inputs = {}
for category in picked or []:
    name = ctx.tr(f"category.{category}")
    with st.container(border=True, key=f"{PREFIX}need_box_{category}"):
        quantity = st.number_input(
            ctx.tr("household_new.need_quantity", category=name),
            min_value=1,
            value=1,
            step=1,
            key=f"{PREFIX}need_{category}",
        )
        urgency = st.segmented_control(
            ctx.tr("household_new.need_urgency", category=name),
            URGENCIES,
            default="normal",
            key=f"{PREFIX}urgency_{category}",
            format_func=lambda u: ctx.tr(f"urgency.{u}"),
        )
        need_inputs[category] = (quantity, urgency or "normal")
handover = st.segmented_control(
    ctx.tr("field.handover"),
    HANDOVER_MODES,
    default="home",
    key=PREFIX + "handover",
    format_func=lambda m: ctx.tr(f"handover.{m}"),
)
errors.slot("handover")
point_id = None
point_names: dict[int, str] = {}
if handover == "pickup":
    points = list_points(ctx.db, ctx.actor, governorate_code=governorate) if governorate else None
    if points is None or points.empty:
        st.info(ctx.tr("household_new.no_point"))
    else:
        point_names = {
            int(r.point_id): ctx.tr("household_new.point_label", name=r.name, address=display_value(r.address))
            for r in points.itertuples()
        }
        point_id = st.selectbox(
            ctx.tr("field.point"), list(point_names), key=PREFIX + "point", format_func=point_names.get
        )
errors.slot("point")
notes = st.text_area(ctx.tr("field.notes"), key=PREFIX + "notes", max_chars=1000)
errors.slot("notes")
likely_duplicate_warning(ctx, full_name=full_name, phone=phone, governorate=governorate, delegation=delegation)
submitted = st.button(ctx.tr("common.save"), type="primary", key=PREFIX + "save")

if submitted:
    errors.clear()
    needs = [{"category": c, "quantity": q, "urgency": u} for c, (q, u) in need_inputs.items() if q]
    raw = {
        "national_id": national_id,
        "full_name": full_name,
        "phone": phone,
        "governorate": governorate,
        "delegation": delegation,
        "address": address,
        "household_size": size,
        "vulnerabilities": list(vulnerabilities or []),
        "needs": needs,
        "notes": notes,
    }
    try:
        if handover == "pickup":
            household_id = register_with_handover(ctx.db, ctx.actor, raw, "pickup", point_id)
        else:
            household_id = register_household(ctx.db, ctx.actor, raw)
    except JesrError as exc:
        errors.refuse(exc)
    else:
        clear_dashboard_caches()
        area = reference.areas.get(governorate or "", {})
        st.session_state[PREFIX + "saved"] = {
            "id": household_id,
            "full_name": full_name.strip(),
            "governorate": area.get(area_name_column(ctx.lang), governorate),
            "delegation": delegation.strip() or "—",
            "household_size": format_number(size, ctx.lang),
            "needs": join_list(
                (
                    f"{ctx.tr('category.' + n['category'])} × {format_number(n['quantity'], ctx.lang)}"
                    f" ({ctx.tr('urgency.' + n['urgency'])})"
                    for n in needs
                ),
                ctx.lang,
            )
            or "—",
            "handover": point_names[point_id] if handover == "pickup" and point_id else ctx.tr("handover.home"),
        }
        st.rerun()
errors.show()
