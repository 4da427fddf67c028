"""Campaign status at a glance."""

import streamlit as st

from data_layer.core.i18n import format_date, format_number
from data_layer.monitoring.coverage import unit_or_code_text
from data_layer.monitoring.overview import overview_for, received_by_category
from ui.session import page_setup
from ui.widgets import plain

ctx = page_setup("home.title")
# The reader's country (an account of none, and the public, see every country).
country = ctx.actor.country_code if ctx.actor is not None else None
# Observers get the households and volunteers their dashboards show (docs/security.md).
overview = overview_for(ctx.db, ctx.actor, country_code=country)


def count(value: int | str) -> str:
    return value if isinstance(value, str) else format_number(value, ctx.lang)


campaign = overview["campaign"]
if campaign:
    st.subheader(plain(campaign["name"]))
    st.caption(
        ctx.tr(
            "home.period",
            start=format_date(campaign["starts_on"], ctx.lang),
            end=format_date(campaign["ends_on"], ctx.lang),
        )
    )
    if overview["ended"]:
        st.info(ctx.tr("home.ended"))
    else:
        st.metric(ctx.tr("home.days_left"), format_number(overview["days_left"], ctx.lang))
else:
    st.info(ctx.tr("home.no_campaign"))

row = st.container(horizontal=True)
row.metric(ctx.tr("home.households"), count(overview["households"]))
row.metric(ctx.tr("home.donations"), format_number(overview["donations"], ctx.lang))
# One figure per currency: amounts in two currencies are never added up.
values = overview["value_by_currency"] or ({campaign["currency"]: 0} if campaign else {})
for currency, value in values.items():
    row.metric(ctx.tr("home.value_in", currency=currency), format_number(value, ctx.lang, decimals=0))
row.metric(ctx.tr("home.volunteers"), count(overview["volunteers"]))

st.subheader(ctx.tr("home.received_by_category"))
received = received_by_category(ctx.db, country)
if received.empty:
    st.caption(ctx.tr("common.nothing_yet"))
else:
    received["category_code"] = received["category_code"].map(lambda c: ctx.tr(f"category.{c}"))
    received["unit"] = received["unit"].map(lambda u: unit_or_code_text("unit", u, ctx.lang))
    st.dataframe(
        received.rename(
            columns={
                "category_code": ctx.tr("field.category"),
                "unit": ctx.tr("field.unit"),
                "currency": ctx.tr("column.currency"),
                "quantity": ctx.tr("field.quantity"),
                "value": ctx.tr("home.col.value"),
                "donations": ctx.tr("home.donations"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
