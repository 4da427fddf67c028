"""Fairness: flows in household baskets, the projected shortfall, signals of abuse, and the limits."""

from functools import partial

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from charts.fairness import baskets_by_governorate, projected_shortfall
from charts.style import plotly_config
from data_layer.core.errors import JesrError
from data_layer.core.i18n import area_name_column
from data_layer.distribution.limits import list_limits, remove_limit, set_limit
from data_layer.monitoring.baskets import (
    basket_units,
    governorate_totals,
    list_basket_equivalents,
    set_basket_equivalent,
    suppress_rows,
)
from data_layer.monitoring.coverage import translate_codes, unit_or_code_text
from data_layer.monitoring.projection import shortfall_projection
from data_layer.monitoring.signals import SIGNALS, signal_records
from data_layer.monitoring.thresholds import THRESHOLDS
from data_layer.registry.campaigns import campaign_name, list_campaign_records
from data_layer.registry.spreadsheets import table_bytes
from data_layer.store.reference import get_reference, list_areas
from ui import fairness_cache as cache
from ui.messages import show_error
from ui.session import page_setup
from ui.tables import table

ctx = page_setup("fairness.title")
PREFIX = "fairness_"
actor = ctx.actor
organiser = actor is not None and actor.role in ("admin", "organiser")
staff = actor is not None and actor.may_read_personal_data

campaigns = list_campaign_records(ctx.db)
if campaigns.empty:
    st.info(ctx.tr("home.no_campaign"))
    st.stop()
by_id = campaigns.set_index("id")
campaign_id = st.selectbox(
    ctx.tr("dashboard.campaign"),
    campaigns["id"].tolist(),
    key=PREFIX + "campaign",
    format_func=lambda i: campaign_name(by_id.loc[i], ctx.lang),
)
# The areas of the campaign's own country.
areas = (
    list_areas(ctx.db, by_id.loc[campaign_id]["country_code"]).set_index("code")[area_name_column(ctx.lang)].to_dict()
)


def shown(frame: pd.DataFrame) -> Styler:
    """Codes as words, headers and numbers in the reader's language."""
    out = translate_codes(frame, ctx.lang)
    if "governorate_code" in out.columns:
        out["governorate_code"] = out["governorate_code"].map(lambda c: areas.get(c, c))
    # localised writes the numbers of a column mixing counts and "<5" and leaves the marks.
    return table(out, ctx.lang, lambda c: ctx.tr(f"fairness.col.{c}"))


tabs = st.tabs(
    [ctx.tr("fairness.tab.baskets"), ctx.tr("fairness.tab.projection"), ctx.tr("fairness.tab.signals")]
    + ([ctx.tr("fairness.tab.rules")] if organiser else [])
)

with tabs[0]:
    st.caption(ctx.tr("fairness.baskets_explain"))
    flows = cache.basket_frame(ctx.db, actor, campaign_id)
    totals = governorate_totals(flows, actor)
    if totals.empty:
        st.info(ctx.tr("fairness.nothing_yet"))
    else:
        labels = {flow: ctx.tr(f"fairness.col.{flow}") for flow in ("needs", "stock", "allocated", "delivered")}
        st.plotly_chart(
            baskets_by_governorate(
                totals.assign(governorate=totals["governorate_code"].map(lambda c: areas.get(c, c))),
                labels=labels,
                title=ctx.tr("fairness.baskets_chart"),
                y_label=ctx.tr("fairness.baskets"),
                lang=ctx.lang,
            ),
            key=PREFIX + "baskets_chart",
            config=plotly_config(ctx.lang),
        )
        view = suppress_rows(flows, actor)
        st.dataframe(shown(view), hide_index=True, key=PREFIX + "baskets_table")
        st.download_button(
            ctx.tr("fairness.download"),
            partial(table_bytes, view, "csv"),
            file_name=f"baskets_{campaign_id}.csv",
            mime="text/csv",
            key=PREFIX + "download",
        )

with tabs[1]:
    st.caption(ctx.tr("fairness.projection_explain"))
    projection = shortfall_projection(ctx.db, actor, campaign_id, frame=cache.basket_frame(ctx.db, actor, campaign_id))
    if projection.empty:
        st.info(ctx.tr("fairness.nothing_yet"))
    else:
        st.plotly_chart(
            projected_shortfall(
                projection.assign(
                    governorate=projection["governorate_code"].map(lambda c: areas.get(c, c)),
                    category=projection["category_code"].map(lambda c: ctx.tr(f"category.{c}")),
                ),
                title=ctx.tr("fairness.projection_chart"),
                y_label=ctx.tr("fairness.baskets"),
                lang=ctx.lang,
            ),
            key=PREFIX + "projection_chart",
            config=plotly_config(ctx.lang),
        )
        st.dataframe(shown(projection), hide_index=True, key=PREFIX + "projection_table")

with tabs[2]:
    st.caption(ctx.tr("fairness.signals_explain"))
    summary = cache.signal_summary(ctx.db, actor)
    st.dataframe(
        shown(summary.assign(signal=summary["signal"].map(lambda s: ctx.tr(f"fairness.signal.{s}")))),
        hide_index=True,
        key=PREFIX + "summary",
    )
    if staff:
        for signal in SIGNALS:
            groups = cache.signal_list(ctx.db, actor, signal)
            with st.expander(f"{ctx.tr(f'fairness.signal.{signal}')} ({len(groups)})"):
                st.caption(ctx.tr(f"fairness.signal_explain.{signal}"))
                if groups.empty:
                    st.info(ctx.tr("fairness.no_signal"))
                    continue
                st.dataframe(shown(groups), hide_index=True, key=PREFIX + signal + "_groups")
                chosen = st.selectbox(
                    ctx.tr("fairness.open_group"),
                    list(range(len(groups))),
                    key=PREFIX + signal + "_chosen",
                    format_func=lambda i, g=groups: " · ".join(str(v) for v in g.iloc[i].tolist()[:3]),
                )
                try:
                    records = signal_records(ctx.db, actor, signal, groups.iloc[int(chosen)].to_dict())
                except JesrError as exc:
                    show_error(exc, ctx.lang)
                else:
                    st.dataframe(shown(records), hide_index=True, key=PREFIX + signal + "_records")
    with st.expander(ctx.tr("fairness.thresholds")):
        st.dataframe(
            pd.DataFrame(
                {
                    ctx.tr("fairness.threshold"): list(vars(THRESHOLDS)),
                    ctx.tr("fairness.value"): [str(v) for v in vars(THRESHOLDS).values()],
                }
            ),
            hide_index=True,
            key=PREFIX + "thresholds",
        )

if organiser:
    with tabs[3]:
        categories = list(get_reference(ctx.db).categories)
        st.subheader(ctx.tr("fairness.limits"))
        st.caption(ctx.tr("fairness.limits_explain"))
        limits = list_limits(ctx.db, campaign_id)
        if not limits.empty:
            st.dataframe(shown(limits.drop(columns=["campaign_id", "campaign_name"])), hide_index=True)
        with st.form(PREFIX + "limit_form"):
            cols = st.columns(4)
            category = cols[0].selectbox(
                ctx.tr("field.category"),
                categories,
                key=PREFIX + "limit_category",
                format_func=lambda c: ctx.tr(f"category.{c}"),
            )
            period = cols[1].text_input(ctx.tr("fairness.col.period_days"), value="14", key=PREFIX + "limit_period")
            times = cols[2].text_input(ctx.tr("fairness.col.max_times"), key=PREFIX + "limit_times")
            quantity = cols[3].text_input(ctx.tr("fairness.col.max_quantity"), key=PREFIX + "limit_quantity")
            left, right = st.columns(2)
            save = left.form_submit_button(ctx.tr("fairness.set_limit"), type="primary")
            lift = right.form_submit_button(ctx.tr("fairness.remove_limit"))
        if save or lift:
            try:
                if save:
                    set_limit(
                        ctx.db,
                        actor,
                        campaign_id,
                        category,
                        {"period_days": period, "max_times": times, "max_quantity": quantity},
                    )
                else:
                    remove_limit(ctx.db, actor, campaign_id, category)
            except JesrError as exc:
                show_error(exc, ctx.lang)
            else:
                st.success(ctx.tr("fairness.saved"))

        st.subheader(ctx.tr("fairness.basket_equivalents"))
        st.caption(ctx.tr("fairness.basket_explain"))
        equivalents = list_basket_equivalents(ctx.db, campaign_id)
        if not equivalents.empty:
            st.dataframe(shown(equivalents), hide_index=True)
        category = st.selectbox(
            ctx.tr("field.category"),
            categories,
            key=PREFIX + "basket_category",
            format_func=lambda c: ctx.tr(f"category.{c}"),
        )
        with st.form(PREFIX + "basket_form"):
            cols = st.columns(3)
            unit = cols[0].selectbox(
                ctx.tr("field.unit"),
                list(basket_units(ctx.db, campaign_id, category)),
                key=PREFIX + "basket_unit",
                format_func=lambda u: unit_or_code_text("unit", u, ctx.lang),
            )
            amount = cols[1].text_input(ctx.tr("fairness.col.quantity"), value="1", key=PREFIX + "basket_quantity")
            worth = cols[2].text_input(ctx.tr("fairness.col.baskets"), value="1", key=PREFIX + "basket_baskets")
            if st.form_submit_button(ctx.tr("fairness.set_basket"), type="primary"):
                try:
                    set_basket_equivalent(ctx.db, actor, campaign_id, category, unit, amount, worth)
                except JesrError as exc:
                    show_error(exc, ctx.lang)
                else:
                    st.success(ctx.tr("fairness.saved"))
