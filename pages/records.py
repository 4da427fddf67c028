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


def text_field(label_key: str, value: object, key: str, max_chars: int, **options: object) -> str:
    """A field of a record's edit form, holding what the record has (nothing for NULL)."""
    return st.text_input(
        ctx.tr(label_key), "" if value is None else str(value), max_chars=max_chars, key=key, **options
    )


def save(change, message: str, *, then=None) -> None:  # noqa: ANN001 - callables
    """Run the data layer's change; say it worked, or why it was refused."""
    try:
        change()
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        if then is not None:
            then()
        st.success(message)


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
        key = f"{PREFIX}edit_{{}}_{household_id}".format
        national_id = text_field("field.national_id", household["national_id"], key("national_id"), 12)
        full_name = text_field("field.full_name", household["full_name"], key("full_name"), 120)
        phone = text_field("field.phone", household["phone"], key("phone"), 20)
        new_governorate = governorate_select(ctx, key("governorate"))
        delegation = text_field("field.delegation", household["delegation"], key("delegation"), 80)
        address = text_field("field.address", household["address"], key("address"), 300)
        size = st.number_input(
            ctx.tr("field.household_size"),
            1,
            30,
            int(household["household_size"]),
            key=key("size"),
        )
        vulnerabilities = st.pills(
            ctx.tr("field.vulnerabilities"),
            VULNERABILITIES,
            selection_mode="multi",
            default=list(household["vulnerabilities"]),
            format_func=lambda v: ctx.tr(f"vulnerability.{v}"),
            key=key("vulnerabilities"),
        )
        notes = st.text_area(ctx.tr("field.notes"), household["notes"] or "", max_chars=1000, key=key("notes"))
        if st.form_submit_button(ctx.tr("common.save")):
            changed = {
                "national_id": national_id,
                "full_name": full_name,
                "phone": phone,
                "governorate": new_governorate or household["governorate_code"],
                "delegation": delegation,
                "address": address,
                "household_size": size,
                "vulnerabilities": list(vulnerabilities or []),
                "notes": notes,
            }
            save(
                lambda: update_household(ctx.db, ctx.actor, int(household_id), changed),
                ctx.tr("records.updated", id=int(household_id)),
                then=clear_dashboard_caches,
            )
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
        key = f"{PREFIX}donation_{{}}_{donation_id}".format
        item = text_field("field.item", donation["item"], key("item"), 120)
        value = text_field("field.value_tnd", donation["value_tnd"], key("value"), 20)
        delegation = text_field(
            "donation_new.delegation",
            donation["delegation"],
            key("delegation"),
            80,
            help=ctx.tr("donation_new.delegation_help"),
        )
        storage = text_field("field.storage_location", donation["storage_location"], key("storage"), 200)
        received_on = st.date_input(
            ctx.tr("field.received_on"),
            donation["received_on"],
            format="DD/MM/YYYY",
            key=key("received"),
        )
        notes = st.text_area(ctx.tr("field.notes"), donation["notes"] or "", max_chars=1000, key=key("notes"))
        if st.form_submit_button(ctx.tr("common.save")):
            details = {
                "item": item,
                "value_tnd": value,
                "delegation": delegation,
                "storage_location": storage,
                "received_on": received_on,
                "notes": notes,
            }
            save(
                lambda: update_donation_details(ctx.db, ctx.actor, donation_id, details),
                ctx.tr("records.donation_updated", id=donation_id),
            )
    if donation["status"] == "received" and st.button(
        ctx.tr("records.cancel_donation"), key=f"{PREFIX}donation_cancel_{donation_id}"
    ):
        try:
            cancel_donation(ctx.db, ctx.actor, donation_id)
        except JesrError as exc:
            show_error(exc, ctx.lang)
        else:
            st.success(ctx.tr("records.donation_cancelled", id=donation_id))
