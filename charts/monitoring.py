"""Bar charts of the coverage dashboard: coverage, registration density, unmet needs, flows, volunteers.

Bars lie flat, one row per area or category: on a 390-px phone every name keeps its own line (a
column chart of 24 governorates showed every other name) and each bar carries its value written
in the reader's language. In a right-to-left language the bars grow from the right, names on the
right.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from charts.style import TEMPLATE, direction_layout, values
from data_layer.core.i18n import format_number, format_percent, is_rtl

ROW_PX = 22  # one bar's height, readable with its label
# Room beyond the longest bar for its value label.
LABEL_ROOM = 1.22


def value_labels(numbers: list, lang: str, *, percent: bool = False) -> list[str]:
    """Each bar's value as the tiles write it ("1 234", "45,0 %"); no bar, no label."""

    def label(v: object) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        number = float(v)  # type: ignore[arg-type]
        if percent:
            return format_percent(number, lang)
        return format_number(number, lang, decimals=0 if number == int(number) else 1)

    return [label(v) for v in numbers]


def bar_layout(
    figure: go.Figure,
    title: str,
    x_label: str,
    y_label: str,
    lang: str,
    *,
    percent: bool = False,
    top: float = 0,
    rows: int | None = None,
) -> go.Figure:
    """The flat bars' layout: a line per row (`rows` when the traces are stacked, else every trace's
    bars side by side), the value axis from zero past `top` so labels fit, mirrored in RTL."""
    if rows is None:
        rows = max((len(trace.y) for trace in figure.data), default=0) * max(len(figure.data), 1)
    bars = rows
    rtl = is_rtl(lang)
    upper = 1.0 if percent else top
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title},
        height=max(260, 120 + bars * ROW_PX),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        # Below the value axis and its title.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        barmode="group",
        bargap=0.25,
        uniformtext={"minsize": 9, "mode": "show"},
    )
    # The value axis: from zero to past the longest bar so its label fits; mirrored in RTL.
    span = [0, (upper or 1) * LABEL_ROOM]
    figure.update_xaxes(title_text=y_label, range=span[::-1] if rtl else span, fixedrange=True)
    # First row on top, every name shown (categories never thinned out), on the reading side.
    figure.update_yaxes(
        title_text=x_label,
        autorange="reversed",
        type="category",
        dtick=1,
        automargin=True,
        side="right" if rtl else "left",
        fixedrange=True,
    )
    if percent:
        figure.update_xaxes(tickformat=".0%", tickvals=[0, 0.25, 0.5, 0.75, 1])
    return direction_layout(figure, lang)


def labelled_bar(names: list, numbers: list, name: str, lang: str, *, percent: bool = False) -> go.Bar:
    """Flat bars named by `names`, each with its value written at its end."""
    return go.Bar(
        y=names,
        x=numbers,
        orientation="h",
        name=name,
        text=value_labels(numbers, lang, percent=percent),
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>",
    )


def _top(numbers: list) -> float:
    present = [float(v) for v in numbers if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return max(present, default=0.0)


def bar_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_label: str,
    y_label: str,
    lang: str = "en",
    percent: bool = False,
    reference: float | None = None,
    reference_label: str = "",
) -> go.Figure:
    """One labelled bar per row of `frame`: `x` names the row, `y` is its value (missing values,
    e.g. suppressed counts, draw no bar and no label)."""
    numbers = values(pd.to_numeric(frame[y], errors="coerce"))
    figure = go.Figure(labelled_bar(values(frame[x]), numbers, y_label, lang, percent=percent))
    if reference is not None:
        figure.add_vline(x=reference, line_dash="dash", annotation_text=reference_label)
    return bar_layout(figure, title, x_label, y_label, lang, percent=percent, top=max(_top(numbers), reference or 0))


def grouped_bars(
    frame: pd.DataFrame, *, x: str, series: dict[str, str], title: str, x_label: str, y_label: str, lang: str = "en"
) -> go.Figure:
    """Labelled bars side by side per row: `series` maps a column to its (translated) legend name."""
    names = values(frame[x])
    columns = {column: values(pd.to_numeric(frame[column], errors="coerce")) for column in series}
    figure = go.Figure([labelled_bar(names, columns[column], name, lang) for column, name in series.items()])
    top = max((_top(numbers) for numbers in columns.values()), default=0.0)
    return bar_layout(figure, title, x_label, y_label, lang, top=top)


def registered_served_bars(
    frame: pd.DataFrame,
    *,
    x: str,
    title: str,
    x_label: str,
    y_label: str,
    registered_label: str,
    served_label: str,
    lang: str = "en",
) -> go.Figure:
    """Registered and served households per governorate, side by side."""
    return grouped_bars(
        frame,
        x=x,
        series={"households_registered": registered_label, "households_served": served_label},
        title=title,
        x_label=x_label,
        y_label=y_label,
        lang=lang,
    )
