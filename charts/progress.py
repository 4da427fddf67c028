"""Progress to the deadline: households served per day against the pace needed, and the projection.

Days are written as numbers (17/05), not with plotly's English month names; in a right-to-left
language the count axis stands on the right. Time still runs left to right, as on a calendar.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from charts.style import direction_layout
from data_layer.core.i18n import is_rtl

DAY_TICK, DAY_HOVER = "%d/%m", "%d/%m/%Y"


def daily_pace(
    daily: pd.DataFrame,
    *,
    required_per_day: float | None,
    recent_pace: float,
    title: str,
    x_label: str,
    y_label: str,
    served_label: str,
    required_label: str,
    recent_label: str,
    lang: str = "en",
) -> go.Figure:
    """Bars of households served each day, with the needed and the recent pace as lines."""
    figure = go.Figure(
        go.Bar(
            x=daily["day"],
            y=daily["households_served"],
            name=served_label,
            text=daily["households_served"],
            textposition="outside",
            cliponaxis=False,
        )
    )
    if required_per_day is not None:
        figure.add_trace(_level(daily["day"], required_per_day, required_label, "dash", "#c0392b"))
    figure.add_trace(_level(daily["day"], recent_pace, recent_label, "dot", "#2471a3"))
    figure.update_layout(
        title={"text": title},
        xaxis_title=x_label,
        yaxis_title=y_label,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return _days_axis(figure, lang)


def cumulative_projection(
    daily: pd.DataFrame,
    *,
    target: int,
    ends_on: dt.date,
    recent_pace: float,
    title: str,
    x_label: str,
    y_label: str,
    served_label: str,
    target_label: str,
    projection_label: str,
    lang: str = "en",
) -> go.Figure:
    """Households served so far, the target, and the line the recent pace draws up to the deadline."""
    figure = go.Figure(
        go.Scatter(x=daily["day"], y=daily["cumulative_served"], mode="lines+markers", name=served_label)
    )
    if len(daily):
        last_day, last_value = daily["day"].iloc[-1], float(daily["cumulative_served"].iloc[-1])
        if ends_on > last_day:
            days = (ends_on - last_day).days
            figure.add_trace(
                go.Scatter(
                    x=[last_day, ends_on],
                    y=[last_value, last_value + recent_pace * days],
                    mode="lines",
                    name=projection_label,
                    line={"dash": "dot"},
                )
            )
    if target:
        figure.add_hline(y=target, line_dash="dash", line_color="#c0392b", annotation_text=target_label)
    figure.update_layout(
        title={"text": title},
        xaxis_title=x_label,
        yaxis_title=y_label,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return _days_axis(figure, lang)


def _days_axis(figure: go.Figure, lang: str) -> go.Figure:
    """Days as numbers on the axis and in the hover text; the count axis on the reading side."""
    figure.update_xaxes(tickformat=DAY_TICK, hoverformat=DAY_HOVER, fixedrange=True)
    figure.update_yaxes(fixedrange=True)
    figure.update_traces(xhoverformat=DAY_HOVER)
    if is_rtl(lang):
        figure.update_yaxes(side="right")
    return direction_layout(figure, lang)


def _level(days: pd.Series, per_day: float, name: str, dash: str, colour: str) -> go.Scatter:
    """A constant daily rate drawn across the whole period."""
    return go.Scatter(x=days, y=[per_day] * len(days), mode="lines", name=name, line={"dash": dash, "color": colour})
