"""Fairness figures: governorates compared in household baskets, and the projected shortfall."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go


def baskets_by_governorate(frame: pd.DataFrame, *, labels: dict[str, str], title: str, y_label: str) -> go.Figure:
    """Grouped bars per governorate: needs, stock, allocated and delivered, all in baskets.

    `frame`: governorate (the name shown) and `<flow>_baskets` columns; `labels` names each flow.
    Suppressed cells ("<5") are left out, not drawn as zero.
    """
    figure = go.Figure()
    for flow, label in labels.items():
        values = pd.to_numeric(frame[f"{flow}_baskets"], errors="coerce")
        figure.add_trace(go.Bar(x=frame["governorate"], y=values, name=label))
    figure.update_layout(title={"text": title}, barmode="group", yaxis_title=y_label, legend={"orientation": "h"})
    return figure


def projected_shortfall(frame: pd.DataFrame, *, title: str, y_label: str) -> go.Figure:
    """Projected shortfall at the campaign's end per governorate, in baskets, stacked by category.

    `frame`: governorate, category (names shown) and projected_shortfall_baskets.
    """
    values = frame.assign(value=pd.to_numeric(frame["projected_shortfall_baskets"], errors="coerce"))
    figure = go.Figure()
    for category, part in values.groupby("category", sort=True):
        figure.add_trace(go.Bar(x=part["governorate"], y=part["value"], name=str(category)))
    figure.update_layout(title={"text": title}, barmode="stack", yaxis_title=y_label, legend={"orientation": "h"})
    return figure
