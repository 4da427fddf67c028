"""Fairness figures: governorates compared in household baskets, and the projected shortfall.

Drawn as the dashboard's bars are (charts/monitoring.py): flat, every governorate named, every bar
written with its value, from the right in a right-to-left language.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.monitoring import bar_layout, grouped_bars, labelled_bar
from charts.style import values


def baskets_by_governorate(
    frame: pd.DataFrame, *, labels: dict[str, str], title: str, y_label: str, x_label: str = "", lang: str = "en"
) -> go.Figure:
    """Grouped bars per governorate: needs, stock, allocated and delivered, all in baskets.

    `frame`: governorate (the name shown) and `<flow>_baskets` columns; `labels` names each flow.
    Suppressed cells ("<5") are left out, not drawn as zero.
    """
    series = {f"{flow}_baskets": label for flow, label in labels.items()}
    return grouped_bars(frame, x="governorate", series=series, title=title, x_label=x_label, y_label=y_label, lang=lang)


def projected_shortfall(
    frame: pd.DataFrame, *, title: str, y_label: str, x_label: str = "", lang: str = "en"
) -> go.Figure:
    """Projected shortfall at the campaign's end per governorate, in baskets, stacked by category.

    `frame`: governorate, category (names shown) and projected_shortfall_baskets.
    """
    shown = frame.assign(value=pd.to_numeric(frame["projected_shortfall_baskets"], errors="coerce"))
    figure = go.Figure(
        [
            labelled_bar(values(part["governorate"]), values(part["value"]), str(category), lang)
            for category, part in shown.groupby("category", sort=True)
        ]
    )
    top = float(shown.groupby("governorate")["value"].sum().max()) if len(shown) else 0.0
    figure = bar_layout(figure, title, x_label, y_label, lang, top=top, rows=shown["governorate"].nunique())
    figure.update_layout(barmode="stack")
    return figure
