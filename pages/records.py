"""Browse, search and correct the records you may see: households, donations, volunteers."""

import math

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column
from data_layer.core.validation import VULNERABILITIES
from data_layer.registry.donations import cancel_donation, get_donation, list_donations, update_donation_details
from data_layer.registry.households import get_household, list_households, update_household
from data_layer.registry.receipts import donation_receipt_code
from data_layer.registry.volunteers import list_volunteers
from data_layer.store.reference import get_reference
from ui.dashboard_cache import clear_dashboard_caches
from ui.messages import show_error
from ui.session import page_setup
from ui.tables import in_words, localised
from ui.widgets import category_select, governorate_select

ctx = page_setup("records.title")
PREFIX = "records_"
PAGE_SIZE = 25
HOUSEHOLD_STATUSES = [None, "submitted", "registered", "verified", "served", "rejected", "merged", "inactive"]

register = st.radio(
    ctx.tr("records.register"),
    ["households", "donations", "volunteers"],
    horizontal=True,
    key=PREFIX + "register",
    format_func=lambda r: ctx.tr(f"import.kind.{r}"),
)
filters = st.columns(4)
text = filters[0].text_input(
    ctx.tr("records.search"), key=PREFIX + "text", max_chars=80, help=ctx.tr(f"records.search_help.{register}")
)
governorate = governorate_select(ctx, PREFIX + "governorate", optional=True, container=filters[1])
category = (
    category_select(ctx, PREFIX + "category", optional=True, container=filters[2]) if register != "volunteers" else None
)
status = (
    filters[3].selectbox(
        ctx.tr("records.status"),
        HOUSEHOLD_STATUSES,
        key=PREFIX + "status",
        format_func=lambda s: ctx.tr("common.all") if s is None else ctx.tr(f"status.{s}"),
    )
    if register == "households"
    else None
)
page = int(st.session_state.get(PREFIX + "page", 1))

try:
    if register == "households":
        frame, total = list_households(
            ctx.db,
            ctx.actor,
            governorate_code=governorate,
            status=status,
            category=category,
            text=text,
            page=page,
            page_size=PAGE_SIZE,
        )
    elif register == "donations":
        frame, total = list_donations(
            ctx.db,
            ctx.actor,
            governorate_code=governorate,
            category=category,
            text=text,
            page=page,
            page_size=PAGE_SIZE,
        )
    else:
        frame, total = list_volunteers(
            ctx.db, ctx.actor, governorate_code=governorate, text=text, page=page, page_size=PAGE_SIZE
        )
except JesrError as exc:
    show_error(exc, ctx.lang)
    st.stop()

pages = max(1, math.ceil(total / PAGE_SIZE))
st.caption(ctx.tr("records.count", total=total, page=min(page, pages), pages=pages))
# Governorates, categories, statuses and vulnerabilities in words, numbers the reader's way.
name_column = area_name_column(ctx.lang)
area_names = {code: area[name_column] for code, area in get_reference(ctx.db).areas.items()}
st.dataframe(
    localised(
        in_words(
            frame, ctx.lang, area_names, status_words="donation_status" if register == "donations" else "status"
        ).rename(columns=lambda c: ctx.tr(f"column.{c}")),
        ctx.lang,
        plain=[ctx.tr("column.id"), ctx.tr("column.national_id"), ctx.tr("column.phone")],
    ),
    hide_index=True,
    width="stretch",
)
st.number_input(ctx.tr("records.page"), min_value=1, max_value=pages, step=1, key=PREFIX + "page")

if register == "households" and not frame.empty:
    st.divider()
    st.subheader(ctx.tr("records.edit_household"))
    household_id = st.selectbox(
        ctx.tr("records.choose_household"),
        list(frame["id"]),
        key=PREFIX + "edit_id",
        format_func=lambda i: f"#{i} — {frame.loc[frame['id'] == i, 'full_name'].iloc[0]}",
    )
    try:
        household = get_household(ctx.db, ctx.actor, int(household_id))
    except JesrError as exc:
        show_error(exc, ctx.lang)
        st.stop()
    with st.form(f"{PREFIX}edit_form_{household_id}"):
        national_id = st.text_input(
            ctx.tr("field.national_id"),
            household["national_id"],
            max_chars=12,
            key=f"{PREFIX}edit_national_id_{household_id}",
        )
        full_name = st.text_input(
            ctx.tr("field.full_name"),
            household["full_name"],
            max_chars=120,
            key=f"{PREFIX}edit_full_name_{household_id}",
        )
        phone = st.text_input(
            ctx.tr("field.phone"), household["phone"] or "", max_chars=20, key=f"{PREFIX}edit_phone_{household_id}"
        )
        new_governorate = governorate_select(ctx, f"{PREFIX}edit_governorate_{household_id}")
        delegation = st.text_input(
            ctx.tr("field.delegation"),
            household["delegation"] or "",
            max_chars=80,
            key=f"{PREFIX}edit_delegation_{household_id}",
        )
        address = st.text_input(
            ctx.tr("field.address"),
            household["address"] or "",
            max_chars=300,
            key=f"{PREFIX}edit_address_{household_id}",
        )
        size = st.number_input(
            ctx.tr("field.household_size"),
            1,
            30,
            int(household["household_size"]),
            key=f"{PREFIX}edit_size_{household_id}",
        )
        vulnerabilities = st.pills(
            ctx.tr("field.vulnerabilities"),
            VULNERABILITIES,
            selection_mode="multi",
            default=list(household["vulnerabilities"]),
            format_func=lambda v: ctx.tr(f"vulnerability.{v}"),
            key=f"{PREFIX}edit_vulnerabilities_{household_id}",
        )
        notes = st.text_area(
            ctx.tr("field.notes"), household["notes"] or "", max_chars=1000, key=f"{PREFIX}edit_notes_{household_id}"
        )
        if st.form_submit_button(ctx.tr("common.save")):
            try:
                update_household(
                    ctx.db,
                    ctx.actor,
                    int(household_id),
                    {
                        "national_id": national_id,
                        "full_name": full_name,
                        "phone": phone,
                        "governorate": new_governorate or household["governorate_code"],
                        "delegation": delegation,
                        "address": address,
                        "household_size": size,
                        "vulnerabilities": list(vulnerabilities or []),
                        "notes": notes,
                    },
                )
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                clear_dashboard_caches()
                st.success(ctx.tr("records.updated", id=int(household_id)))
    st.caption(ctx.tr("records.needs_of"))
    st.dataframe(household["needs"].rename(columns=lambda c: ctx.tr(f"column.{c}")), hide_index=True)

if register == "donations" and not frame.empty:
    st.divider()
    st.subheader(ctx.tr("records.edit_donation"))
    donation_id = int(
        st.selectbox(
            ctx.tr("records.choose_donation"),
            list(frame["id"]),
            key=PREFIX + "donation_id",
            format_func=lambda i: f"#{i} — {frame.loc[frame['id'] == i, 'item'].iloc[0]}",
        )
    )
    try:
        donation = get_donation(ctx.db, ctx.actor, donation_id)
        receipt_code = donation_receipt_code(ctx.db, ctx.actor, donation_id)
    except JesrError as exc:
        show_error(exc, ctx.lang)
        st.stop()
    st.markdown(f"{ctx.tr('field.receipt_code')}: `{receipt_code}`")  # to print again or read out to the donor
    st.caption(ctx.tr("records.donation_quantity_fixed"))
    with st.form(f"{PREFIX}donation_form_{donation_id}"):
        item = st.text_input(
            ctx.tr("field.item"), donation["item"], max_chars=120, key=f"{PREFIX}donation_item_{donation_id}"
        )
        value = st.text_input(
            ctx.tr("field.value_tnd"),
            "" if donation["value_tnd"] is None else str(donation["value_tnd"]),
            max_chars=20,
            key=f"{PREFIX}donation_value_{donation_id}",
        )
        delegation = st.text_input(
            ctx.tr("donation_new.delegation"),
            donation["delegation"] or "",
            max_chars=80,
            key=f"{PREFIX}donation_delegation_{donation_id}",
            help=ctx.tr("donation_new.delegation_help"),
        )
        storage = st.text_input(
            ctx.tr("field.storage_location"),
            donation["storage_location"] or "",
            max_chars=200,
            key=f"{PREFIX}donation_storage_{donation_id}",
        )
        received_on = st.date_input(
            ctx.tr("field.received_on"),
            donation["received_on"],
            format="DD/MM/YYYY",
            key=f"{PREFIX}donation_received_{donation_id}",
        )
        notes = st.text_area(
            ctx.tr("field.notes"), donation["notes"] or "", max_chars=1000, key=f"{PREFIX}donation_notes_{donation_id}"
        )
        if st.form_submit_button(ctx.tr("common.save")):
            try:
                update_donation_details(
                    ctx.db,
                    ctx.actor,
                    donation_id,
                    {
                        "item": item,
                        "value_tnd": value,
                        "delegation": delegation,
                        "storage_location": storage,
                        "received_on": received_on,
                        "notes": notes,
                    },
                )
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                st.success(ctx.tr("records.donation_updated", id=donation_id))
    if donation["status"] == "received" and st.button(
        ctx.tr("records.cancel_donation"), key=f"{PREFIX}donation_cancel_{donation_id}"
    ):
        try:
            cancel_donation(ctx.db, ctx.actor, donation_id)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("records.donation_cancelled", id=donation_id))
