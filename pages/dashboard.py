"""Coverage dashboard: where aid reaches households and where it does not, by governorate."""
from functools import partial

import streamlit as st

from charts.monitoring import bar_chart, grouped_bars, registered_served_bars
from charts.tilemap import tile_map
from data_layer.coverage import (
    HXL_TAGS,
    Filters,
    export_layout,
    summarise_coverage,
    translate_codes,
    translate_headers,
    with_hxl_tags,
)
from data_layer.i18n import area_name_column, format_number, format_percent
from data_layer.suppression import SUPPRESSED, for_display, numeric_for_chart, rate_hidden, shown_count
from data_layer.tabular import table_bytes
from ui import dashboard_cache as cache
from ui.session import page_setup
from ui.widgets import category_select, governorate_select

ctx = page_setup("dashboard.title")
PREFIX = "dashboard_"
PNG_HINT = ctx.tr("dashboard.png_hint")

campaigns = cache.campaigns(ctx.db)
with st.form(PREFIX + "filters"):
    st.caption(ctx.tr("dashboard.filters"))
    top = st.columns(3)
    campaign_id = top[0].selectbox(ctx.tr("dashboard.campaign"), [None, *campaigns["id"].tolist()],
                                   key=PREFIX + "campaign",
                                   format_func=lambda i: ctx.tr("common.all") if i is None
                                   else campaigns.set_index("id").at[i, "name"])
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
coverage = cache.coverage(ctx.db, filters)
totals = summarise_coverage(coverage)
suppress = not ctx.actor.may_read_personal_data
names = area_name_column(ctx.lang)


def count_text(value: int) -> str:
    shown = shown_count(value, suppress)
    return shown if isinstance(shown, str) else format_number(shown, ctx.lang)


cols = st.columns(4)
cols[0].metric(ctx.tr("dashboard.registered"), count_text(totals["households_registered"]))
cols[1].metric(ctx.tr("dashboard.served"), count_text(totals["households_served"]))
cols[2].metric(ctx.tr("dashboard.coverage"),
               SUPPRESSED if rate_hidden(suppress, totals["households_registered"], totals["households_served"])
               else format_percent(totals["coverage_rate"], ctx.lang))
cols[3].metric(ctx.tr("dashboard.governorates_reached"), format_number(totals["governorates_reached"], ctx.lang))
if suppress:
    st.caption(ctx.tr("dashboard.suppression_note"))

# Observers see the suppressed table; its charts leave the suppressed cells out.
shown = export_layout("coverage", coverage, ctx.actor, ctx.lang)
plotted = numeric_for_chart(shown, ["households_registered", "households_served", "coverage_rate",
                                    "registered_per_10k"])

st.subheader(ctx.tr("dashboard.by_governorate"))
left, right = st.columns(2)
left.plotly_chart(tile_map(plotted, value_column="coverage_rate", name_column="governorate_name",
                           title=ctx.tr("dashboard.map_title"), value_label=ctx.tr("dashboard.coverage"),
                           no_data_label=ctx.tr("dashboard.no_data")),
                  key=PREFIX + "map", config={"displaylogo": False})
right.plotly_chart(bar_chart(plotted, x="governorate_name", y="coverage_rate",
                             title=ctx.tr("dashboard.coverage_title"), x_label=ctx.tr("field.governorate"),
                             y_label=ctx.tr("dashboard.coverage"), percent=True),
                   key=PREFIX + "coverage_chart")
left, right = st.columns(2)
left.plotly_chart(registered_served_bars(plotted, x="governorate_name", title=ctx.tr("dashboard.registered_served_title"),
                                         x_label=ctx.tr("field.governorate"), y_label=ctx.tr("dashboard.households"),
                                         registered_label=ctx.tr("dashboard.registered"),
                                         served_label=ctx.tr("dashboard.served")),
                  key=PREFIX + "registered_chart")
population = coverage["population"].sum()
national = totals["households_registered"] * 10000 / population if population else None
right.plotly_chart(bar_chart(plotted, x="governorate_name", y="registered_per_10k",
                             title=ctx.tr("dashboard.per_10k_title"), x_label=ctx.tr("field.governorate"),
                             y_label=ctx.tr("dashboard.per_10k"), reference=national,
                             reference_label=ctx.tr("dashboard.national_average")),
                   key=PREFIX + "per_10k_chart")
st.caption(PNG_HINT)
table = shown.drop(columns=["population"]).copy()
table["coverage_rate"] = table["coverage_rate"].map(lambda v: v if isinstance(v, str) else format_percent(v, ctx.lang))
table["registered_per_10k"] = table["registered_per_10k"].map(
    lambda v: v if isinstance(v, str) else format_number(v, ctx.lang, decimals=2))
st.dataframe(for_display(translate_headers(table, ctx.lang)), hide_index=True, width="stretch")

st.subheader(ctx.tr("dashboard.unmet_title"))
unmet_raw = cache.unmet(ctx.db, filters)
unmet = export_layout("unmet_needs", unmet_raw, ctx.actor, ctx.lang)
unmet_by_category = (numeric_for_chart(unmet, ["unmet_quantity"])
                     .groupby(["category_code", "unit"], as_index=False)["unmet_quantity"].sum())
unmet_by_category["label"] = [f"{ctx.tr('category.' + c)} ({ctx.tr('unit.' + u)})"
                              for c, u in zip(unmet_by_category["category_code"], unmet_by_category["unit"])]
if unmet_by_category.empty:
    st.caption(ctx.tr("common.nothing_yet"))
else:
    st.plotly_chart(bar_chart(unmet_by_category, x="label", y="unmet_quantity", title=ctx.tr("dashboard.unmet_title"),
                              x_label=ctx.tr("field.category"), y_label=ctx.tr("dashboard.unmet_quantity")),
                    key=PREFIX + "unmet_chart")

st.subheader(ctx.tr("dashboard.flows_title"))
flows_category = export_layout("flows_by_category", cache.flows_by_category(ctx.db, filters), ctx.actor, ctx.lang)
flows_category["label"] = [f"{ctx.tr('category.' + c)} ({ctx.tr('unit.' + u)})"
                           for c, u in zip(flows_category["category_code"], flows_category["unit"])]
value_series = {"received_value_tnd": ctx.tr("dashboard.received"), "allocated_value_tnd": ctx.tr("dashboard.allocated"),
                "delivered_value_tnd": ctx.tr("dashboard.delivered")}
flows_org = export_layout("flows_by_organisation", cache.flows_by_organisation(ctx.db, filters), ctx.actor, ctx.lang)
left, right = st.columns(2)
left.plotly_chart(grouped_bars(flows_category, x="label", series=value_series,
                               title=ctx.tr("dashboard.flows_category_title"), x_label=ctx.tr("field.category"),
                               y_label=ctx.tr("dashboard.value_tnd")),
                  key=PREFIX + "flows_category_chart")
right.plotly_chart(grouped_bars(flows_org, x="organisation_code", series=value_series,
                                title=ctx.tr("dashboard.flows_org_title"), x_label=ctx.tr("dashboard.organisation"),
                                y_label=ctx.tr("dashboard.value_tnd")),
                   key=PREFIX + "flows_org_chart")
flows_table = translate_codes(flows_category.drop(columns=["label"]), ctx.lang)
st.dataframe(for_display(translate_headers(flows_table, ctx.lang)), hide_index=True, width="stretch")
st.dataframe(for_display(translate_headers(flows_org, ctx.lang)), hide_index=True, width="stretch")

st.subheader(ctx.tr("dashboard.volunteers_title"))
volunteers = export_layout("volunteer_activity", cache.volunteers(ctx.db, filters), ctx.actor, ctx.lang)
volunteers["governorate_name"] = volunteers["governorate_code"].map(dict(zip(coverage["governorate_code"],
                                                                              coverage[names])))
done = int(volunteers["deliveries_done"].sum())
delivering = int(volunteers["volunteers_delivering"].sum())
cols = st.columns(3)
cols[0].metric(ctx.tr("dashboard.volunteers_active"), format_number(int(volunteers["volunteers_active"].sum()), ctx.lang))
cols[1].metric(ctx.tr("dashboard.deliveries_done"), format_number(done, ctx.lang))
cols[2].metric(ctx.tr("dashboard.deliveries_per_volunteer"),
               format_number(done / delivering, ctx.lang, decimals=1) if delivering else "—")
left, right = st.columns(2)
left.plotly_chart(grouped_bars(volunteers, x="governorate_name",
                               series={"volunteers_active": ctx.tr("dashboard.volunteers_active"),
                                       "volunteers_delivering": ctx.tr("dashboard.volunteers_delivering")},
                               title=ctx.tr("dashboard.volunteers_title"), x_label=ctx.tr("field.governorate"),
                               y_label=ctx.tr("dashboard.count")),
                  key=PREFIX + "volunteers_chart")
right.plotly_chart(bar_chart(volunteers, x="governorate_name", y="deliveries_per_volunteer",
                             title=ctx.tr("dashboard.deliveries_per_volunteer"), x_label=ctx.tr("field.governorate"),
                             y_label=ctx.tr("dashboard.deliveries_per_volunteer")),
                   key=PREFIX + "deliveries_per_volunteer_chart")

st.subheader(ctx.tr("dashboard.downloads"))
# Files are built when clicked (a callable), not on every rerun: the XLSX alone cost a third of a render.
downloads = {"coverage": shown, "unmet_needs": unmet, "flows_by_category": flows_category.drop(columns=["label"]),
             "flows_by_organisation": flows_org, "volunteer_activity": volunteers.drop(columns=["governorate_name"])}
for kind, frame in downloads.items():
    cols = st.columns([2, 1, 1, 1])
    cols[0].write(ctx.tr(f"dashboard.table.{kind}"))
    translated = translate_headers(translate_codes(frame, ctx.lang), ctx.lang)
    cols[1].download_button("CSV", partial(table_bytes, translated, "csv"), file_name=f"jesr_{kind}.csv", mime="text/csv",
                            key=f"{PREFIX}download_{kind}_csv")
    cols[2].download_button("XLSX", partial(table_bytes, translated, "xlsx"), file_name=f"jesr_{kind}.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            key=f"{PREFIX}download_{kind}_xlsx")
    if kind in HXL_TAGS:
        tagged = translate_headers(with_hxl_tags(translate_codes(frame, ctx.lang), HXL_TAGS[kind]), ctx.lang)
        cols[3].download_button("HXL", partial(table_bytes, tagged, "csv"), file_name=f"jesr_{kind}_hxl.csv", mime="text/csv",
                                key=f"{PREFIX}download_{kind}_hxl")
