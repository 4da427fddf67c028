"""The fairness charts plot the figures they are given, and leave suppressed cells out."""

from __future__ import annotations

import pandas as pd

from charts.fairness import baskets_by_governorate, projected_shortfall


def test_baskets_chart_plots_each_flow_and_skips_suppressed_cells() -> None:
    frame = pd.DataFrame(
        {"governorate": ["Tunis", "Sfax"], "needs_baskets": [7.9, "<5"], "delivered_baskets": [2.0, 0.0]}
    )
    figure = baskets_by_governorate(
        frame, labels={"needs": "Needs", "delivered": "Delivered"}, title="t", y_label="y", lang="fr"
    )
    needs, delivered = figure.data
    # Flat bars, one line per governorate, each written with its value; the suppressed cell has neither.
    assert needs.name == "Needs" and list(needs.y) == ["Tunis", "Sfax"]
    assert needs.x[0] == 7.9 and needs.x[1] is None and list(needs.text) == ["7,9", ""]
    assert list(delivered.x) == [2.0, 0.0]


def test_shortfall_chart_stacks_categories() -> None:
    frame = pd.DataFrame(
        {
            "governorate": ["Tunis", "Tunis", "Sfax"],
            "category": ["Cash", "Food", "Food"],
            "projected_shortfall_baskets": [5.0, 0.0, 3.0],
        }
    )
    figure = projected_shortfall(frame, title="t", y_label="y", lang="ar")
    assert [(trace.name, list(trace.y), list(trace.x), list(trace.text)) for trace in figure.data] == [
        ("Cash", ["Tunis"], [5.0], ["5"]),
        ("Food", ["Tunis", "Sfax"], [0.0, 3.0], ["0", "3"]),
    ]
    assert figure.layout.barmode == "stack" and figure.layout.yaxis.side == "right"
