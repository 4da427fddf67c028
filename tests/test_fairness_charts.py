"""The fairness charts plot the figures they are given, and leave suppressed cells out."""

from __future__ import annotations

import math

import pandas as pd

from charts.fairness import baskets_by_governorate, projected_shortfall


def test_baskets_chart_plots_each_flow_and_skips_suppressed_cells() -> None:
    frame = pd.DataFrame(
        {"governorate": ["Tunis", "Sfax"], "needs_baskets": [7.9, "<5"], "delivered_baskets": [2.0, 0.0]}
    )
    figure = baskets_by_governorate(frame, labels={"needs": "Needs", "delivered": "Delivered"}, title="t", y_label="y")
    needs, delivered = figure.data
    assert needs.name == "Needs" and list(needs.x) == ["Tunis", "Sfax"]
    assert needs.y[0] == 7.9 and math.isnan(needs.y[1])
    assert list(delivered.y) == [2.0, 0.0]


def test_shortfall_chart_stacks_categories() -> None:
    frame = pd.DataFrame(
        {
            "governorate": ["Tunis", "Tunis", "Sfax"],
            "category": ["Cash", "Food", "Food"],
            "projected_shortfall_baskets": [5.0, 0.0, 3.0],
        }
    )
    figure = projected_shortfall(frame, title="t", y_label="y")
    assert [(trace.name, list(trace.x), list(trace.y)) for trace in figure.data] == [
        ("Cash", ["Tunis"], [5.0]),
        ("Food", ["Tunis", "Sfax"], [0.0, 3.0]),
    ]
