"""Follow a donation by its receipt code, or an aid request by its reference, without any personal data."""

import streamlit as st

from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column, format_date, format_number
from data_layer.public.receipts import REQUEST_STEPS, DonationTrail, RequestStatus, look_up
from data_layer.store.reference import get_reference
from ui.captcha import client_address
from ui.messages import show_error
from ui.session import page_setup
from ui.widgets import plain

ctx = page_setup("receipt.title")
PREFIX = "receipt_"

st.write(ctx.tr("receipt.intro"))
with st.form(PREFIX + "form"):
    typed = st.text_input(
        ctx.tr("receipt.code_label"),
        key=PREFIX + "code",
        max_chars=24,
        placeholder="7KQ2-M9XD-4HTW",
        help=ctx.tr("receipt.code_help"),
        autocomplete="off",
    )
    submitted = st.form_submit_button(ctx.tr("receipt.look_up"), type="primary")


def count(value: int | str) -> str:
    return value if isinstance(value, str) else format_number(value, ctx.lang)


def quantity(value: float, unit: str) -> str:
    return f"{format_number(value, ctx.lang)} {ctx.tr('unit.' + unit)}"


def show_steps(steps: list[tuple[str, bool, str]]) -> None:
    st.markdown(
        "\n".join(f"- {'✅' if done else '⬜'} {label}" + (f" — {when}" if when else "") for label, done, when in steps)
    )


def show_trail(trail: DonationTrail) -> None:
    areas = get_reference(ctx.db).areas
    held_in = areas.get(trail.governorate_code, {}).get(area_name_column(ctx.lang), trail.governorate_code)
    st.subheader(ctx.tr("receipt.trail_heading", code=trail.code))
    st.markdown(
        ctx.tr(
            "receipt.gift",
            category=ctx.tr("category." + trail.category_code),
            quantity=quantity(trail.quantity, trail.unit),
            governorate=plain(held_in),
        )
    )
    if trail.organisation_name:
        st.caption(ctx.tr("receipt.organisation", organisation=plain(trail.organisation_name)))
    if trail.status in ("rejected", "cancelled"):
        st.warning(ctx.tr(f"receipt.status.{trail.status}"))
    show_steps(
        [
            (ctx.tr(f"receipt.step.{s.key}"), s.done, format_date(s.on, ctx.lang) if s.done and s.on else "")
            for s in trail.steps
        ]
    )
    if trail.households == 0:
        st.info(ctx.tr("receipt.not_allocated_yet"))
        return
    left, middle, right = st.columns(3)
    left.metric(ctx.tr("receipt.allocated"), quantity(trail.allocated, trail.unit))
    left.caption(ctx.tr("receipt.households", count=count(trail.households)))
    middle.metric(ctx.tr("receipt.delivered"), quantity(trail.delivered, trail.unit))
    middle.caption(ctx.tr("receipt.households", count=count(trail.households_delivered)))
    right.metric(ctx.tr("receipt.confirmed"), quantity(trail.confirmed, trail.unit))
    right.caption(ctx.tr("receipt.households", count=count(trail.households_confirmed)))
    table = trail.governorates.rename(
        columns={name: ctx.tr(f"receipt.column.{name}") for name in trail.governorates.columns}
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(ctx.tr("receipt.privacy"))


def show_request(status: RequestStatus) -> None:
    st.subheader(ctx.tr("receipt.request_heading", reference=status.reference))
    if status.status == "closed":
        st.warning(ctx.tr("receipt.request.closed"))
        return
    reached = REQUEST_STEPS.index(status.status)
    show_steps([(ctx.tr(f"receipt.request.{key}"), i <= reached, "") for i, key in enumerate(REQUEST_STEPS)])
    st.info(ctx.tr(f"receipt.request.next.{status.status}"))


if submitted:
    try:
        found = look_up(ctx.db, typed, client=client_address(), lang=ctx.lang)
    except JesrError as exc:
        show_error(exc, ctx.lang)
    else:
        if found is None:
            st.warning(ctx.tr("receipt.not_found"))
        elif isinstance(found, RequestStatus):
            show_request(found)
        else:
            show_trail(found)
