"""Campaign status at a glance."""

import streamlit as st

from data_layer.core.i18n import format_date, format_number
from data_layer.monitoring.overview import campaign_overview, received_by_category
from ui.session import page_setup
from ui.widgets import plain

ctx = page_setup("home.title")
overview = campaign_overview(ctx.db)
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

cols = st.columns(4)
cols[0].metric(ctx.tr("home.households"), format_number(overview["households"], ctx.lang))
cols[1].metric(ctx.tr("home.donations"), format_number(overview["donations"], ctx.lang))
cols[2].metric(ctx.tr("home.value_tnd"), format_number(overview["donations_value_tnd"], ctx.lang, decimals=0))
cols[3].metric(ctx.tr("home.volunteers"), format_number(overview["volunteers"], ctx.lang))

st.subheader(ctx.tr("home.received_by_category"))
received = received_by_category(ctx.db)
if received.empty:
    st.caption(ctx.tr("common.nothing_yet"))
else:
    received["category_code"] = received["category_code"].map(lambda c: ctx.tr(f"category.{c}"))
    received["unit"] = received["unit"].map(lambda u: ctx.tr(f"unit.{u}"))
    st.dataframe(
        received.rename(
            columns={
                "category_code": ctx.tr("field.category"),
                "unit": ctx.tr("field.unit"),
                "quantity": ctx.tr("field.quantity"),
                "value_tnd": ctx.tr("field.value_tnd"),
                "donations": ctx.tr("home.donations"),
            }
        ),
        hide_index=True,
        width="stretch",
    )
