"""Coverage dashboard: where aid reaches households and where it does not, by governorate."""
from functools import partial

import streamlit as st

from data_layer.coverage import Filters
from data_layer.tabular import table_bytes
from ui import dashboard_cache as cache
from ui.session import page_setup
from ui.widgets import category_select, governorate_select

ctx = page_setup("dashboard.title")
PREFIX = "dashboard_"
PNG_HINT = ctx.tr("dashboard.png_hint")

version = cache.data_version(ctx.db)  # read once per rerun
campaigns = cache.campaigns(ctx.db, version)
campaign_names = dict(zip(campaigns["id"], campaigns["name"]))
with st.form(PREFIX + "filters"):
    st.caption(ctx.tr("dashboard.filters"))
    top = st.columns(3)
    campaign_id = top[0].selectbox(ctx.tr("dashboard.campaign"), [None, *campaigns["id"].tolist()],
                                   key=PREFIX + "campaign",
                                   format_func=lambda i: ctx.tr("common.all") if i is None
                                   else campaign_names[i])
    date_from = top[1].date_input(ctx.tr("dashboard.date_from"), value=None, key=PREFIX + "date_from",
                                  format="DD/MM/YYYY")
    date_to = top[2].date_input(ctx.tr("dashboard.date_to"), value=None, key=PREFIX + "date_to",
                                format="DD/MM/YYYY")
    bottom = st.columns(2)
    with bottom[0]:
        governorate = governorate_select(ctx, PREFIX + "governorate", optional=True)
    with bottom[1]:
        category = category_select(ctx, PREFIX + "category", optional=True)
    st.form_submit_button(ctx.tr("common.apply"))

filters = Filters(campaign_id=campaign_id, date_from=date_from, date_to=date_to, governorate_code=governorate,
                  category_code=category)
# Built once per (data version, filters, language, suppression) and shared: a rerun only lays it out.
view = cache.view(ctx.db, filters, ctx.actor, ctx.lang, version)


def chart(where, name: str, **options) -> None:
    figure = view.figures[name]
    if figure is None:
        where.caption(ctx.tr("common.nothing_yet"))
    else:
        where.plotly_chart(figure, key=PREFIX + name, **options)


# A row of metrics is one horizontal container (wraps on a phone), not a block per column:
# each layout block is one more message per rerun for every viewer.
metrics_row = st.container(horizontal=True)
for label, value in view.metrics:
    metrics_row.metric(label, value)
if view.suppressed:
    st.caption(ctx.tr("dashboard.suppression_note"))

# Only the open tab is laid out (on_change="rerun"): a phone receives and draws that tab's charts
# alone, and a filter change costs the server one tab of the page for every viewer.
coverage_tab, unmet_tab, flows_tab, volunteers_tab, downloads_tab = st.tabs(
    [ctx.tr("dashboard.by_governorate"), ctx.tr("dashboard.tab_unmet"), ctx.tr("dashboard.tab_flows"),
     ctx.tr("dashboard.volunteers_title"), ctx.tr("dashboard.tab_downloads")],
    key=PREFIX + "tab", on_change="rerun")

if coverage_tab.open:
    with coverage_tab:
        left, right = st.columns(2)
        chart(left, "map", config={"displaylogo": False})
        chart(right, "coverage_chart")
        left, right = st.columns(2)
        chart(left, "registered_chart")
        chart(right, "per_10k_chart")
        st.caption(PNG_HINT)
        st.dataframe(view.coverage_table, hide_index=True, width="stretch")

if unmet_tab.open:
    with unmet_tab:
        chart(st, "unmet_chart")

if flows_tab.open:
    with flows_tab:
        st.caption(ctx.tr("dashboard.flows_title"))
        left, right = st.columns(2)
        chart(left, "flows_category_chart")
        chart(right, "flows_org_chart")
        for table in view.flows_tables:
            st.dataframe(table, hide_index=True, width="stretch")

if volunteers_tab.open:
    with volunteers_tab:
        volunteer_row = st.container(horizontal=True)
        for label, value in view.volunteer_metrics:
            volunteer_row.metric(label, value)
        left, right = st.columns(2)
        chart(left, "volunteers_chart")
        chart(right, "deliveries_per_volunteer_chart")

if downloads_tab.open:
    with downloads_tab:
        # Files are built when clicked (a callable), not on every rerun: the XLSX alone cost a third of a render.
        for download in view.downloads:
            kind = download.kind
            row = st.container(horizontal=True, vertical_alignment="center")
            row.markdown(download.label, width=320)
            row.download_button("CSV", partial(table_bytes, download.table, "csv"), file_name=f"jesr_{kind}.csv",
                                mime="text/csv", key=f"{PREFIX}download_{kind}_csv")
            row.download_button("XLSX", partial(table_bytes, download.table, "xlsx"),
                                file_name=f"jesr_{kind}.xlsx",
                                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                key=f"{PREFIX}download_{kind}_xlsx")
            if download.hxl_table is not None:
                row.download_button("HXL", partial(table_bytes, download.hxl_table, "csv"),
                                    file_name=f"jesr_{kind}_hxl.csv", mime="text/csv",
                                    key=f"{PREFIX}download_{kind}_hxl")
