"""A tile-grid map of Tunisia's 24 governorates: one square each, placed like the country.

It needs no map tiles and no downloaded boundaries, so it renders offline.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.style import TEMPLATE, values

# (row, column) of each governorate's square; row 0 is the north coast, column 0 the Algerian border.
TUNISIA_GRID: dict[str, tuple[int, int]] = {
    "TN-23": (0, 2),
    "TN-12": (0, 3),
    "TN-32": (1, 0),
    "TN-31": (1, 1),
    "TN-14": (1, 2),
    "TN-11": (1, 3),
    "TN-33": (2, 0),
    "TN-34": (2, 1),
    "TN-22": (2, 2),
    "TN-13": (2, 3),
    "TN-21": (2, 4),
    "TN-42": (3, 0),
    "TN-41": (3, 1),
    "TN-51": (3, 2),
    "TN-52": (3, 3),
    "TN-71": (4, 0),
    "TN-43": (4, 1),
    "TN-61": (4, 2),
    "TN-53": (4, 3),
    "TN-72": (5, 0),
    "TN-73": (5, 1),
    "TN-81": (5, 2),
    "TN-83": (6, 1),
    "TN-82": (6, 2),
}
NO_DATA_COLOUR = "#d0d0d0"


def tile_map(
    frame: pd.DataFrame,
    *,
    value_column: str,
    name_column: str,
    title: str,
    value_label: str,
    no_data_label: str,
    value_format: str = ".0%",
) -> go.Figure:
    """Squares coloured by `value_column` (0..1); governorates without a value are grey.

    `frame` has one row per governorate with `governorate_code`; codes absent from the grid are ignored.
    """
    rows = frame[frame["governorate_code"].isin(TUNISIA_GRID)].copy()
    rows["grid_row"] = rows["governorate_code"].map(lambda c: TUNISIA_GRID[c][0])
    rows["grid_col"] = rows["governorate_code"].map(lambda c: TUNISIA_GRID[c][1])
    shade = pd.to_numeric(rows[value_column], errors="coerce")
    with_value = rows[shade.notna()]
    without = rows[shade.isna()]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=values(with_value["grid_col"]),
            y=values(with_value["grid_row"]),
            mode="markers+text",
            name=value_label,
            customdata=list(zip(with_value["governorate_code"], with_value[name_column])),
            text=values(with_value[name_column]),
            textposition="middle center",
            textfont={"size": 10},
            marker={
                "symbol": "square",
                "size": 58,
                "color": values(shade[shade.notna()]),
                "cmin": 0,
                "cmax": 1,
                "colorscale": "RdYlGn",
                "showscale": True,
                "colorbar": {"title": {"text": value_label}, "tickformat": value_format},
            },
            hovertemplate="%{customdata[1]} (%{customdata[0]})<br>"
            + value_label
            + ": %{marker.color:"
            + value_format
            + "}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=values(without["grid_col"]),
            y=values(without["grid_row"]),
            mode="markers+text",
            name=no_data_label,
            customdata=list(zip(without["governorate_code"], without[name_column])),
            text=values(without[name_column]),
            textposition="middle center",
            textfont={"size": 10},
            marker={"symbol": "square", "size": 58, "color": NO_DATA_COLOUR},
            hovertemplate="%{customdata[1]} (%{customdata[0]})<br>" + no_data_label + "<extra></extra>",
        )
    )
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title},
        height=560,
        showlegend=False,
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"visible": False, "range": [-0.6, 4.6]},
        yaxis={"visible": False, "range": [6.6, -0.6], "scaleanchor": "x"},
    )
    return figure


def tile_codes(figure: go.Figure) -> list[str]:
    """The governorate codes drawn as tiles (both traces), for checks and tests."""
    return [code for trace in figure.data for code, _name in (trace.customdata or [])]
