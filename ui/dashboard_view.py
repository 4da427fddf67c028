"""Everything the coverage dashboard draws for one set of filters, language and reader, built once.

A warm rerun of the page used to rebuild seven plotly figures, translate whole columns and copy
frames every time (about 150-180 ms of one core); `ui.dashboard_cache.view` keeps what this
module builds, so a rerun only lays it out. No `st.` here: it is plain data and figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa

from charts.area_map import area_map
from charts.monitoring import bar_chart, grouped_bars, registered_served_bars
from data_layer.core.actor import Actor
from data_layer.core.i18n import area_name_column, format_number, format_percent, t
from data_layer.monitoring import suppression
from data_layer.monitoring.coverage import (
    HXL_TAGS,
    Published,
    publish,
    published_summary,
    translate_codes,
    translate_headers,
    with_area_names,
    with_hxl_tags,
)
from data_layer.monitoring.suppression import (
    for_display,
    is_mark,
    must_suppress,
    numeric_for_chart,
)


@dataclass(frozen=True)
class Download:
    """One aggregate table offered as files: headers and codes already in the reader's language."""

    kind: str
    label: str
    table: pd.DataFrame
    hxl_table: pd.DataFrame | None


@dataclass(frozen=True)
class DashboardView:
    """Shared between sessions by the cache: read it, never change it."""

    metrics: list[tuple[str, str]]
    suppressed: bool
    figures: dict[str, go.Figure | None]
    coverage_table: pa.Table | pd.DataFrame
    flows_tables: list[pa.Table | pd.DataFrame]
    volunteer_metrics: list[tuple[str, str]]
    downloads: list[Download]


def _arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The table as Arrow once, so st.dataframe only serialises it (converting the frame was a tenth of a rerun)."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame  # mixed types: st.dataframe's own conversion knows how to fix them


def in_currency(frame: pd.DataFrame) -> pd.DataFrame:
    """Value columns named without a currency (`received_value`): the row's `currency` column says
    which, so a Jordanian table is not headed "(TND)"."""
    if "currency" not in frame.columns:
        return frame
    return frame.rename(columns={c: c.removesuffix("_tnd") for c in frame.columns if c.endswith("_value_tnd")})


def rates_as_text(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """`table` with its coverage rate and households per 10,000 written the reader's way; a
    suppressed cell (text) stays as it is, an unknown one stays empty."""

    def written(value: Any, decimals: int | None) -> Any:
        if isinstance(value, str) or pd.isna(value):
            return value
        return format_percent(value, lang) if decimals is None else format_number(value, lang, decimals=decimals)

    return table.assign(
        coverage_rate=table["coverage_rate"].map(lambda v: written(v, None)),
        registered_per_10k=table["registered_per_10k"].map(lambda v: written(v, 2)),
    )


def category_unit_labels(frame: pd.DataFrame, lang: str) -> list[str]:
    """ "Food (basket)": each row's category and unit in words."""
    return [
        f"{t('category.' + c, lang)} ({t('unit.' + u, lang)})" for c, u in zip(frame["category_code"], frame["unit"])
    ]


def build_view(
    aggregates: dict[str, pd.DataFrame], actor: Actor | None, lang: str, published: Published | None = None
) -> DashboardView:
    """The dashboard's figures, tables and files from its five aggregates as `actor` may see them
    (`monitoring.coverage.published_aggregates`; given only the exact tables of one campaign,
    each is suppressed on its own)."""

    def tr(key: str) -> str:
        return t(key, lang)

    suppress = must_suppress(actor)
    if published is None:
        published = publish(aggregates, actor, lang)
    coverage = published.areas
    totals = published_summary(published, suppress)

    def count_text(value: int | str) -> str:
        return value if isinstance(value, str) else format_number(value, lang)

    registered_text = count_text(totals["households_registered"])
    served_text = count_text(totals["households_served"])
    rate = totals["coverage_rate"]
    metrics = [
        (tr("dashboard.registered"), registered_text),
        (tr("dashboard.served"), served_text),
        (tr("dashboard.coverage"), rate if isinstance(rate, str) else format_percent(rate, lang)),
        (tr("dashboard.governorates_reached"), format_number(totals["governorates_reached"], lang)),
    ]

    # Observers see the suppressed table; its charts leave the suppressed cells out.
    shown = published.tables["coverage"]
    plotted = numeric_for_chart(
        shown, ["households_registered", "households_served", "coverage_rate", "registered_per_10k"]
    )
    figures: dict[str, go.Figure | None] = {}

    def by_governorate(
        chart: Callable[..., go.Figure], frame: pd.DataFrame, title: str, y_label: str, **options: Any
    ) -> go.Figure:
        """One of the charts with a bar per governorate: the title and the value axis named by key."""
        return chart(
            frame,
            x="governorate_name",
            title=tr(title),
            x_label=tr("field.governorate"),
            y_label=tr(y_label),
            lang=lang,
            **options,
        )

    # The squares are placed from the area file's centroids, so any country's map is drawn.
    positions = coverage[["governorate_code", "lat", "lon"]] if "lat" in coverage.columns else coverage[[]]
    figures["map"] = area_map(
        plotted.merge(positions, on="governorate_code", how="left") if len(positions.columns) else plotted,
        value_column="coverage_rate",
        name_column="governorate_name",
        title=tr("dashboard.map_title"),
        value_label=tr("dashboard.coverage"),
        no_data_label=tr("dashboard.no_data"),
        lang=lang,
    )
    figures["coverage_chart"] = by_governorate(
        bar_chart, plotted, "dashboard.coverage_title", "dashboard.coverage", y="coverage_rate", percent=True
    )
    figures["registered_chart"] = by_governorate(
        registered_served_bars,
        plotted,
        "dashboard.registered_served_title",
        "dashboard.households",
        registered_label=tr("dashboard.registered"),
        served_label=tr("dashboard.served"),
    )
    population = coverage["population"].sum()
    # The national line gives the registered total back: withheld with it.
    national = (
        totals["households_registered"] * 10000 / population
        if population and not is_mark(totals["households_registered"])
        else None
    )
    figures["per_10k_chart"] = by_governorate(
        bar_chart,
        plotted,
        "dashboard.per_10k_title",
        "dashboard.per_10k",
        y="registered_per_10k",
        reference=national,
        reference_label=tr("dashboard.national_average"),
    )
    table = rates_as_text(shown.drop(columns=["population"]), lang)
    coverage_table = _arrow(for_display(translate_headers(table, lang)))

    unmet = published.tables["unmet_needs"]
    unmet_by_category = (
        numeric_for_chart(unmet, ["unmet_quantity"])
        .groupby(["category_code", "unit"], as_index=False)["unmet_quantity"]
        .sum()
    )
    unmet_by_category["label"] = category_unit_labels(unmet_by_category, lang)
    figures["unmet_chart"] = (
        None
        if unmet_by_category.empty
        else bar_chart(
            unmet_by_category,
            x="label",
            y="unmet_quantity",
            title=tr("dashboard.unmet_title"),
            x_label=tr("field.category"),
            y_label=tr("dashboard.unmet_quantity"),
            lang=lang,
        )
    )

    flows_category = published.tables["flows_by_category"]
    labelled = flows_category.assign(label=category_unit_labels(flows_category, lang))
    value_series = {
        "received_value_tnd": tr("dashboard.received"),
        "allocated_value_tnd": tr("dashboard.allocated"),
        "delivered_value_tnd": tr("dashboard.delivered"),
    }
    flows_org = published.tables["flows_by_organisation"]
    # Values are in each row's currency: the charts name it and never add two currencies up.
    currencies = sorted({*flows_category.get("currency", []), *flows_org.get("currency", [])})
    if len(currencies) > 1:
        labelled["label"] = labelled["label"] + " " + flows_category["currency"]
        flows_org = flows_org.assign(organisation_name=flows_org["organisation_name"] + " " + flows_org["currency"])
    value_label = t("country.value_in", lang, currency=" / ".join(currencies)) if currencies else tr("country.value")
    figures["flows_category_chart"] = grouped_bars(
        labelled,
        x="label",
        series=value_series,
        title=tr("dashboard.flows_category_title"),
        x_label=tr("field.category"),
        y_label=value_label,
        lang=lang,
    )
    figures["flows_org_chart"] = grouped_bars(
        flows_org,
        x="organisation_name",  # a name people read, not the association's code
        series=value_series,
        title=tr("dashboard.flows_org_title"),
        x_label=tr("dashboard.organisation"),
        y_label=value_label,
        lang=lang,
    )
    flows_tables = [
        _arrow(for_display(translate_headers(translate_codes(in_currency(flows_category), lang), lang))),
        _arrow(for_display(translate_headers(in_currency(flows_org), lang))),
    ]

    volunteers = published.tables["volunteer_activity"]
    names = dict(zip(coverage["governorate_code"], coverage[area_name_column(lang)]))

    def volunteer_total(column: str) -> int | str:
        return published.totals["volunteer_activity"][column]

    done, delivering = volunteer_total("deliveries_done"), volunteer_total("volunteers_delivering")
    active = volunteer_total("volunteers_active")
    volunteer_metrics = [
        (tr("dashboard.volunteers_active"), active if isinstance(active, str) else format_number(active, lang)),
        (tr("dashboard.deliveries_done"), done if isinstance(done, str) else format_number(done, lang)),
        (
            tr("dashboard.deliveries_per_volunteer"),
            suppression.SUPPRESSED
            if isinstance(done, str) or isinstance(delivering, str)
            else format_number(done / delivering, lang, decimals=1)
            if delivering
            else "—",
        ),
    ]
    volunteers_plotted = numeric_for_chart(
        volunteers, ["volunteers_active", "volunteers_delivering", "deliveries_done", "deliveries_per_volunteer"]
    )
    named = volunteers_plotted.assign(governorate_name=volunteers["governorate_code"].map(names))
    figures["volunteers_chart"] = by_governorate(
        grouped_bars,
        named,
        "dashboard.volunteers_title",
        "dashboard.count",
        series={
            "volunteers_active": tr("dashboard.volunteers_active"),
            "volunteers_delivering": tr("dashboard.volunteers_delivering"),
        },
    )
    figures["deliveries_per_volunteer_chart"] = by_governorate(
        bar_chart,
        named,
        "dashboard.deliveries_per_volunteer",
        "dashboard.deliveries_per_volunteer",
        y="deliveries_per_volunteer",
    )

    exported = {
        "coverage": shown,
        "unmet_needs": unmet,
        "flows_by_category": flows_category,
        "flows_by_organisation": flows_org,
        "volunteer_activity": volunteers,
    }
    # HXL names each area in every language it has (#adm1+name+i_en / +i_ar / +i_fr), whatever the reader's.
    names = coverage.set_index("governorate_code")[["name_ar", "name_fr", "name_en"]].to_dict("index")
    downloads = []
    for kind, frame in exported.items():
        translated_codes = translate_codes(in_currency(frame), lang)
        hxl = None
        if kind in HXL_TAGS:
            tagged = translated_codes
            if "governorate_name" in tagged.columns:
                english = tagged["governorate_code"].map(lambda code: names.get(code, {}).get("name_en"))
                tagged = with_area_names(tagged.assign(governorate_name=english), names)
            hxl = translate_headers(with_hxl_tags(tagged, HXL_TAGS[kind]), lang)
        downloads.append(Download(kind, tr(f"dashboard.table.{kind}"), translate_headers(translated_codes, lang), hxl))
    return DashboardView(
        metrics=metrics,
        suppressed=suppress,
        figures=figures,
        coverage_table=coverage_table,
        flows_tables=flows_tables,
        volunteer_metrics=volunteer_metrics,
        downloads=downloads,
    )


@dataclass(frozen=True)
class RegionalView:
    """Every country the reader sees, side by side: shared between sessions, never changed."""

    metrics_table: pa.Table | pd.DataFrame
    values_table: pa.Table | pd.DataFrame
    figure: go.Figure | None
    downloads: list[Download]


REGIONAL_MEASURES = ("received_value", "allocated_value", "delivered_value")


def values_per_currency(values: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """One row per country, one column per value and currency ("Value received (JOD)"): an amount
    shares no cell, and no total, with another currency's."""
    out = pd.DataFrame({"country_code": list(names)})
    for currency in sorted(set(values["currency"])):
        of_currency = values[values["currency"] == currency].set_index("country_code")
        for measure in REGIONAL_MEASURES:
            label = f"{t('column.' + measure, lang)} ({currency})"
            out[label] = out["country_code"].map(of_currency[measure])
    out.insert(1, "country_name", out["country_code"].map(names))
    return out


def build_regional_view(coverage: pd.DataFrame, values: pd.DataFrame, lang: str) -> RegionalView:
    """The regional view from `monitoring.regional.coverage_by_country` (already suppressed for the
    reader) and `value_by_country`."""

    def tr(key: str) -> str:
        return t(key, lang)

    names = dict(zip(coverage["country_code"], coverage[f"name_{lang}"]))
    shown = coverage.assign(country_name=coverage["country_code"].map(names))[
        [
            "country_code",
            "country_name",
            "areas",
            "areas_reached",
            "households_registered",
            "households_served",
            "coverage_rate",
            "registered_per_10k",
        ]
    ]
    plotted = numeric_for_chart(shown, ["households_registered", "households_served", "coverage_rate"])
    figure = (
        None
        if shown.empty
        else registered_served_bars(
            plotted,
            x="country_name",
            title=tr("country.regional_title"),
            x_label=tr("field.country"),
            y_label=tr("dashboard.households"),
            lang=lang,
            registered_label=tr("dashboard.registered"),
            served_label=tr("dashboard.served"),
        )
    )
    table = rates_as_text(shown, lang)
    wide = values_per_currency(values, names, lang)
    downloads = [
        Download("coverage_by_country", tr("country.table.coverage_by_country"), translate_headers(shown, lang), None),
        Download("value_by_country", tr("country.table.value_by_country"), translate_headers(values, lang), None),
    ]
    return RegionalView(
        metrics_table=_arrow(for_display(translate_headers(table, lang))),
        values_table=_arrow(
            for_display(
                wide.rename(columns={"country_code": tr("column.country_code"), "country_name": tr("field.country")})
            )
        ),
        figure=figure,
        downloads=downloads,
    )
