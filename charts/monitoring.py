"""Bar charts of the coverage dashboard: coverage, registration density, unmet needs, flows, volunteers."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.style import TEMPLATE, values


def _layout(figure: go.Figure, title: str, x_label: str, y_label: str, *, percent: bool = False) -> go.Figure:
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title},
        xaxis_title=x_label,
        yaxis_title=y_label,
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        # Below the (often rotated) category labels and the axis title.
        legend={"orientation": "h", "yref": "container", "y": 0, "yanchor": "bottom"},
        barmode="group",
    )
    if percent:
        figure.update_yaxes(tickformat=".0%", range=[0, 1])
    return figure


def bar_chart(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    title: str,
    x_label: str,
    y_label: str,
    percent: bool = False,
    reference: float | None = None,
    reference_label: str = "",
) -> go.Figure:
    """One bar per row of `frame` (missing values, e.g. suppressed counts, draw no bar)."""
    figure = go.Figure(go.Bar(x=values(frame[x]), y=values(pd.to_numeric(frame[y], errors="coerce")), name=y_label))
    if reference is not None:
        figure.add_hline(y=reference, line_dash="dash", annotation_text=reference_label)
    return _layout(figure, title, x_label, y_label, percent=percent)


def grouped_bars(
    frame: pd.DataFrame, *, x: str, series: dict[str, str], title: str, x_label: str, y_label: str
) -> go.Figure:
    """Bars side by side per row: `series` maps a column to its (translated) legend name."""
    figure = go.Figure(
        [
            go.Bar(x=values(frame[x]), y=values(pd.to_numeric(frame[column], errors="coerce")), name=name)
            for column, name in series.items()
        ]
    )
    return _layout(figure, title, x_label, y_label)


def registered_served_bars(
    frame: pd.DataFrame, *, x: str, title: str, x_label: str, y_label: str, registered_label: str, served_label: str
) -> go.Figure:
    """Registered and served households per governorate, side by side."""
    return grouped_bars(
        frame,
        x=x,
        series={"households_registered": registered_label, "households_served": served_label},
        title=title,
        x_label=x_label,
        y_label=y_label,
    )
