"""Coverage dashboard: where aid reaches households and where it does not, by governorate."""

import streamlit as st

from charts.style import plotly_config
from data_layer.core.i18n import format_number
from data_layer.monitoring.coverage import Filters
from data_layer.monitoring.suppression import must_suppress
from data_layer.registry.campaigns import campaign_name
from ui import dashboard_cache as cache
from ui.country_widgets import area_select
from ui.monitoring_frame import country_view, download_buttons
from ui.session import page_setup
from ui.tables import localised
from ui.widgets import category_select

ctx = page_setup("dashboard.title")
PREFIX = "dashboard_"
PNG_HINT = ctx.tr("dashboard.png_hint")
# Plotly's locale from our catalog: its tool bar and number marks in the reader's language.
CHART_CONFIG = plotly_config(ctx.lang)

# The reader's country (an association's is its organisation's); an account of no country picks one.
reader = country_view(ctx, PREFIX)
version, scope, country, campaigns = reader.version, reader.scope, reader.country, reader.campaigns
campaign_names = {row["id"]: campaign_name(row, ctx.lang) for _, row in campaigns.iterrows()}
# Rows of metrics, widgets and charts are horizontal containers (they wrap on a phone), not
# st.columns: each column is one more layout block, i.e. one more message per rerun for every
# viewer (50 -> 41 messages for the first tab).
with st.form(PREFIX + "filters"):
    st.caption(ctx.tr("dashboard.filters"))
    top = st.container(horizontal=True)
    campaign_id = top.selectbox(
        ctx.tr("dashboard.campaign"),
        [None, *campaigns["id"].tolist()],
        key=PREFIX + "campaign",
        format_func=lambda i: ctx.tr("common.all") if i is None else campaign_names[i],
    )
    date_from = date_to = governorate = category = None
    if must_suppress(ctx.actor):
        # Two filtered views would give back by subtraction what each hides (docs/security.md).
        st.caption(ctx.tr("redteam.dashboard.filters_suppressed"))
    else:
        date_from = top.date_input(
            ctx.tr("dashboard.date_from"), value=None, key=PREFIX + "date_from", format="DD/MM/YYYY"
        )
        date_to = top.date_input(ctx.tr("dashboard.date_to"), value=None, key=PREFIX + "date_to", format="DD/MM/YYYY")
        bottom = st.container(horizontal=True)
        governorate = area_select(ctx, PREFIX + "governorate", country, container=bottom)
        category = category_select(ctx, PREFIX + "category", optional=True, container=bottom)
    st.form_submit_button(ctx.tr("common.apply"))

filters = Filters(
    campaign_id=campaign_id,
    date_from=date_from,
    date_to=date_to,
    governorate_code=governorate,
    category_code=category,
    country_code=country,
)
# Built once per (data version, filters, language, suppression) and shared: a rerun only lays it out.
view = cache.view(ctx.db, filters, ctx.actor, ctx.lang, version)


def chart_row(*names: str) -> None:
    """Charts side by side in one horizontal container; on a phone they wrap one under another."""
    row = st.container(horizontal=True)
    for name in names:
        figure = view.figures[name]
        if figure is None:
            row.caption(ctx.tr("common.nothing_yet"))
        else:
            row.plotly_chart(figure, key=PREFIX + name, config=CHART_CONFIG)


metrics_row = st.container(horizontal=True)
for label, value in view.metrics:
    metrics_row.metric(label, value)
if ctx.actor.may_enter_records:
    metrics_row.metric(
        ctx.tr("dashboard.to_reschedule"),
        format_number(cache.to_reschedule(ctx.db, ctx.actor, version), ctx.lang),
        help=ctx.tr("dashboard.to_reschedule_help"),
    )
# The progress page counts one campaign up to a day: say why its "served" can differ from this one.
st.caption(ctx.tr("dashboard.served_note"))
if view.suppressed:
    st.caption(ctx.tr("dashboard.suppression_note") + " " + ctx.tr("privacy.transparency.marks"))

# Only the open tab is laid out (on_change="rerun"): a phone receives and draws that tab's charts
# alone, and a filter change costs the server one tab of the page for every viewer.
# A reader of several countries also gets them side by side, one row per country.
regional = len(scope) > 1
tabs = st.tabs(
    [
        ctx.tr("dashboard.by_governorate"),
        ctx.tr("dashboard.tab_unmet"),
        ctx.tr("dashboard.tab_flows"),
        ctx.tr("dashboard.volunteers_title"),
        ctx.tr("dashboard.tab_downloads"),
        *([ctx.tr("country.tab_regional")] if regional else []),
    ],
    key=PREFIX + "tab",
    on_change="rerun",
)
coverage_tab, unmet_tab, flows_tab, volunteers_tab, downloads_tab = tabs[:5]


def download_row(download, suffix: str = "") -> None:  # noqa: ANN001 - a ui.dashboard_view.Download
    """The files of one table: CSV, XLSX and (where it has tags) HXL, built when clicked."""
    row = st.container(horizontal=True, vertical_alignment="center")
    row.markdown(download.label, width=320)
    download_buttons(
        row,
        download.table,
        f"jesr_{download.kind}{suffix}",
        f"{PREFIX}download_{download.kind}",
        hxl_table=download.hxl_table,
    )


if coverage_tab.open:
    with coverage_tab:
        chart_row("map", "coverage_chart")
        chart_row("registered_chart", "per_10k_chart")
        st.caption(PNG_HINT)
        st.dataframe(localised(view.coverage_table, ctx.lang), hide_index=True, width="stretch")

if unmet_tab.open:
    with unmet_tab:
        chart_row("unmet_chart")

if flows_tab.open:
    with flows_tab:
        st.caption(ctx.tr("dashboard.flows_title"))
        chart_row("flows_category_chart", "flows_org_chart")
        for table in view.flows_tables:
            st.dataframe(localised(table, ctx.lang), hide_index=True, width="stretch")

if volunteers_tab.open:
    with volunteers_tab:
        volunteer_row = st.container(horizontal=True)
        for label, value in view.volunteer_metrics:
            volunteer_row.metric(label, value)
        chart_row("volunteers_chart", "deliveries_per_volunteer_chart")

if downloads_tab.open:
    with downloads_tab:
        for download in view.downloads:
            download_row(download, f"_{country}")

if regional and tabs[5].open:
    with tabs[5]:
        side_by_side = cache.regional(ctx.db, ctx.actor, ctx.lang, version)
        st.caption(ctx.tr("country.regional_intro"))
        if side_by_side.figure is not None:
            st.plotly_chart(side_by_side.figure, key=PREFIX + "regional_chart", config=CHART_CONFIG)
        st.dataframe(
            localised(side_by_side.metrics_table, ctx.lang),
            hide_index=True,
            width="stretch",
            key=PREFIX + "regional_table",
        )
        st.subheader(ctx.tr("country.values_title"))
        st.dataframe(
            localised(side_by_side.values_table, ctx.lang),
            hide_index=True,
            width="stretch",
            key=PREFIX + "regional_values",
        )
        for download in side_by_side.downloads:
            download_row(download)
