"""Progress to the deadline: pace, projection and the governorates that will miss their share."""

import pandas as pd
import streamlit as st

from charts.progress import cumulative_projection, daily_pace
from charts.style import plotly_config
from data_layer.core.i18n import area_name_column, format_date, format_number
from data_layer.monitoring.coverage import for_actor, translate_headers
from data_layer.monitoring.overview import value_by_currency
from data_layer.monitoring.progress import default_as_of
from data_layer.monitoring.suppression import for_display, must_suppress
from data_layer.registry.campaigns import campaign_name
from data_layer.store.reference import list_areas
from ui import dashboard_cache as cache
from ui.monitoring_frame import country_view, download_buttons
from ui.session import page_setup
from ui.tables import localised

ctx = page_setup("progress.title")
PREFIX = "progress_"

# The reader's country; an account of no country (regional) picks one, as on the dashboard.
reader = country_view(ctx, PREFIX)
country, campaigns = reader.country, reader.campaigns
if campaigns.empty:
    st.info(ctx.tr("home.no_campaign"))
    st.stop()
by_id = campaigns.set_index("id")
with st.form(PREFIX + "filters"):
    left, right = st.columns(2)
    campaign_id = left.selectbox(
        ctx.tr("dashboard.campaign"),
        campaigns["id"].tolist(),
        # One key per country: a campaign of the country left behind is never the new one's choice.
        key=f"{PREFIX}campaign_{country}",
        format_func=lambda i: campaign_name(by_id.loc[i], ctx.lang),
    )
    campaign = by_id.loc[campaign_id]
    if must_suppress(ctx.actor):
        # The outlook on two days apart would give back the served counts between them.
        as_of = default_as_of(campaign)
    else:
        as_of = right.date_input(
            ctx.tr("progress.as_of"),
            value=default_as_of(campaign),
            key=PREFIX + "as_of",
            min_value=campaign["starts_on"],
            max_value=campaign["ends_on"],
            format="DD/MM/YYYY",
        )
    st.form_submit_button(ctx.tr("common.apply"))

progress = cache.progress(ctx.db, campaign_id, as_of)
st.caption(
    ctx.tr(
        "progress.period",
        start=format_date(campaign["starts_on"], ctx.lang),
        end=format_date(campaign["ends_on"], ctx.lang),
        as_of=format_date(progress.as_of, ctx.lang),
    )
)
cols = st.columns(3)
cols[0].metric(ctx.tr("progress.days_left"), format_number(progress.days_left, ctx.lang))
cols[1].metric(
    ctx.tr("progress.served_of_target"),
    ctx.tr("progress.served_of_target_value", served=progress.served, target=progress.target),
)
cols[2].metric(ctx.tr("progress.remaining"), format_number(progress.remaining, ctx.lang))
st.caption(ctx.tr("progress.served_note"))
cols = st.columns(3)
cols[0].metric(
    ctx.tr("progress.required_pace"),
    "—" if progress.required_per_day is None else format_number(round(progress.required_per_day, 1), ctx.lang),
)
cols[1].metric(ctx.tr("progress.recent_pace"), format_number(round(progress.recent_pace, 1), ctx.lang))
cols[2].metric(
    ctx.tr("progress.projected_on"),
    format_date(progress.projected_on, ctx.lang) if progress.projected_on else ctx.tr("progress.never"),
)
# Money in the campaign's own currency, beside its target when it has one.
received_value = value_by_currency(ctx.db, campaign_id=int(campaign_id)).get(campaign["currency"], 0.0)
target_value = campaign["target_value_tnd"]
st.metric(
    ctx.tr("home.value_in", currency=campaign["currency"]),
    format_number(received_value, ctx.lang, decimals=0)
    if pd.isna(target_value)
    else ctx.tr(
        "progress.value_of_target",
        received=format_number(received_value, ctx.lang, decimals=0),
        target=format_number(float(target_value), ctx.lang, decimals=0),
    ),
)
if progress.reached_on:
    st.success(ctx.tr("progress.reached", day=format_date(progress.reached_on, ctx.lang)))
elif progress.on_track:
    st.success(ctx.tr("progress.on_track"))
else:
    st.warning(ctx.tr("progress.off_track"))

# What both charts name alike: the days, the households, the served line.
labels = {
    "x_label": ctx.tr("progress.day"),
    "y_label": ctx.tr("dashboard.households"),
    "served_label": ctx.tr("dashboard.served"),
    "lang": ctx.lang,
}
chart_config = plotly_config(ctx.lang)
left, right = st.columns(2)
daily = daily_pace(
    progress.daily,
    required_per_day=progress.required_per_day,
    recent_pace=progress.recent_pace,
    title=ctx.tr("progress.daily_title"),
    required_label=ctx.tr("progress.required_pace"),
    recent_label=ctx.tr("progress.recent_pace"),
    **labels,
)
left.plotly_chart(daily, key=PREFIX + "daily_chart", config=chart_config)
cumulative = cumulative_projection(
    progress.daily,
    target=progress.target,
    ends_on=campaign["ends_on"],
    recent_pace=progress.recent_pace,
    title=ctx.tr("progress.cumulative_title"),
    target_label=ctx.tr("progress.target"),
    projection_label=ctx.tr("progress.projection"),
    **labels,
)
right.plotly_chart(cumulative, key=PREFIX + "cumulative_chart", config=chart_config)
st.caption(ctx.tr("dashboard.png_hint"))

st.subheader(ctx.tr("progress.governorates_title"))
st.caption(ctx.tr("progress.governorate_target_rule"))
outlook = for_actor(progress.governorates, "progress_governorates", ctx.actor)
areas = list_areas(ctx.db, campaign["country_code"])
outlook.insert(
    1, "governorate_name", outlook["governorate_code"].map(dict(zip(areas["code"], areas[area_name_column(ctx.lang)])))
)
missing = outlook[outlook["will_miss"]]
if missing.empty:
    st.success(ctx.tr("progress.none_will_miss"))
else:
    st.warning(
        ctx.tr(
            "progress.will_miss",
            count=len(missing),
            names="، ".join(missing["governorate_name"])
            if ctx.lang == "ar"
            else ", ".join(missing["governorate_name"]),
        )
    )
outlook["will_miss"] = outlook["will_miss"].map(lambda m: ctx.tr("progress.miss_yes" if m else "progress.miss_no"))
translated = translate_headers(outlook, ctx.lang)
st.dataframe(localised(for_display(translated), ctx.lang), hide_index=True, width="stretch")
# Built when clicked, as on the dashboard.
download_buttons(st.container(horizontal=True), translated, "jesr_progress_governorates", PREFIX + "download")
