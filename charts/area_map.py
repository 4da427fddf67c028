"""A tile-grid map of any country's first-level areas: one square each, placed from its area file.

The grid is derived from the areas' centroids (`lat`, `lon`, from the file's #geo+lat / #geo+lon):
each area takes the free square nearest to where its centroid falls, so a country added from its
file is drawn like the others. Without centroids for every area the squares are laid out in code
order, row by row — readable, not geographic. No map tiles, no downloaded boundaries: it renders
offline.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale, unlabel_rgb
from scipy.optimize import linear_sum_assignment

from charts.style import TEMPLATE, direction_layout, values
from data_layer.core.i18n import format_percent

NO_DATA_COLOUR = "#d0d0d0"
COLOUR_SCALE = "RdYlGn"
DARK_TEXT, LIGHT_TEXT = "#1a1a1a", "#ffffff"
# Squares per area in the grid centroids are placed on: room for neighbours to keep their side.
CELLS_PER_AREA = 1.5
MAX_TILE_PX = 58
PLOT_PX = 480


def _has_centroids(frame: pd.DataFrame) -> bool:
    if frame.empty or "lat" not in frame.columns or "lon" not in frame.columns:
        return False
    lat = pd.to_numeric(frame["lat"], errors="coerce")
    lon = pd.to_numeric(frame["lon"], errors="coerce")
    return bool(lat.notna().all() and lon.notna().all())


def area_tiles(frame: pd.DataFrame) -> pd.DataFrame:
    """`governorate_code`, `grid_row` (0 = north) and `grid_col` (0 = west) of each area of `frame`."""
    codes = list(frame["governorate_code"])
    if not _has_centroids(frame):
        columns = max(1, math.ceil(math.sqrt(len(codes))))
        ranked = sorted(codes)
        return pd.DataFrame(
            {
                "governorate_code": ranked,
                "grid_row": [i // columns for i in range(len(ranked))],
                "grid_col": [i % columns for i in range(len(ranked))],
            }
        )
    lat = pd.to_numeric(frame["lat"]).tolist()
    lon = pd.to_numeric(frame["lon"]).tolist()
    # Degrees of longitude shrink away from the equator: scale them so squares keep the country's shape.
    shrink = math.cos(math.radians(sum(lat) / len(lat)))
    x = [value * shrink for value in lon]
    width = max(max(x) - min(x), 1e-6)
    height = max(max(lat) - min(lat), 1e-6)
    wanted = max(len(codes) * CELLS_PER_AREA, 1)
    columns = max(1, round(math.sqrt(wanted * width / height)))
    rows = max(1, math.ceil(wanted / columns))
    ideal = {
        code: ((max(lat) - la) / height * (rows - 1), (xi - min(x)) / width * (columns - 1))
        for code, la, xi in zip(codes, lat, x)
    }
    # One square per area, all at once: the assignment with the least total squared distance
    # between centroids and squares keeps neighbours in their order (west stays west of east),
    # which placing areas one after another does not.
    cells = [(r, c) for r in range(rows) for c in range(columns)]
    cost = np.array([[(r - ideal[code][0]) ** 2 + (c - ideal[code][1]) ** 2 for r, c in cells] for code in codes])
    chosen_rows, chosen_cells = linear_sum_assignment(cost)
    placed = {codes[i]: cells[j] for i, j in zip(chosen_rows, chosen_cells)}
    return pd.DataFrame(
        {
            "governorate_code": codes,
            "grid_row": [placed[c][0] for c in codes],
            "grid_col": [placed[c][1] for c in codes],
        }
    )


def area_map(
    frame: pd.DataFrame,
    *,
    value_column: str,
    name_column: str,
    title: str,
    value_label: str,
    no_data_label: str,
    value_format: str = ".0%",
    lang: str = "en",
) -> go.Figure:
    """Squares coloured by `value_column` (0..1) and written with the area's name and value; areas
    without a value are grey. Each square's text is dark or white, whichever stands out more
    against its colour (dark names were lost on the red and green ends of the scale).

    `frame` has one row per area: `governorate_code`, `name_column`, `value_column`, and `lat` /
    `lon` where the area file gives centroids.
    """
    rows = frame.merge(area_tiles(frame), on="governorate_code", how="left")
    shade = pd.to_numeric(rows[value_column], errors="coerce")
    with_value = rows[shade.notna()]
    without = rows[shade.isna()]
    grid_rows = int(rows["grid_row"].max()) + 1 if len(rows) else 1
    grid_cols = int(rows["grid_col"].max()) + 1 if len(rows) else 1
    size = max(12, min(MAX_TILE_PX, PLOT_PX // max(grid_rows, grid_cols)))
    font = {"size": 10 if size >= 40 else 8}
    value_hover = f"%{{customdata[1]}} (%{{customdata[0]}})<br>{value_label}: %{{marker.color:{value_format}}}"
    colour_scale = {"cmin": 0, "cmax": 1, "colorscale": COLOUR_SCALE, "showscale": True}
    shades = values(shade[shade.notna()])
    written = [f"{name}<br>{format_percent(v, lang)}" for name, v in zip(with_value[name_column], shades)]
    colour_bar = {"title": {"text": value_label}, "tickformat": value_format}
    figure = go.Figure()
    figure.add_trace(
        _squares(
            with_value,
            name_column,
            value_label,
            {"size": size, "color": shades, **colour_scale, "colorbar": colour_bar},
            value_hover,
            {**font, "color": [text_colour(v) for v in shades]},
            text=written,
        )
    )
    figure.add_trace(
        _squares(
            without,
            name_column,
            no_data_label,
            {"size": size, "color": NO_DATA_COLOUR},
            f"%{{customdata[1]}} (%{{customdata[0]}})<br>{no_data_label}",
            {**font, "color": DARK_TEXT},
        )
    )
    figure.update_layout(
        template=TEMPLATE,
        title={"text": title},
        height=560,
        showlegend=False,
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"visible": False, "range": [-0.6, grid_cols - 0.4], "fixedrange": True},
        yaxis={"visible": False, "range": [grid_rows - 0.4, -0.6], "scaleanchor": "x", "fixedrange": True},
    )
    return direction_layout(figure, lang)


def text_colour(value: float) -> str:
    """Dark or white text, whichever contrasts more with the scale's colour at `value` (WCAG luminance)."""
    red, green, blue = unlabel_rgb(sample_colorscale(COLOUR_SCALE, [min(max(value, 0.0), 1.0)])[0])

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # Contrast with white is 1.05 / (L + 0.05), with the dark text (L about 0.01) (L + 0.05) / 0.06.
    return LIGHT_TEXT if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.06 else DARK_TEXT


def _squares(
    rows: pd.DataFrame,
    name_column: str,
    label: str,
    marker: dict,
    hover: str,
    font: dict,
    text: list[str] | None = None,
) -> go.Scatter:
    """One trace of named squares at the rows' grid positions."""
    return go.Scatter(
        x=values(rows["grid_col"]),
        y=values(rows["grid_row"]),
        mode="markers+text",
        name=label,
        customdata=list(zip(rows["governorate_code"], rows[name_column])),
        text=values(rows[name_column]) if text is None else text,
        textposition="middle center",
        textfont=font,
        marker={"symbol": "square", **marker},
        hovertemplate=hover + "<extra></extra>",
    )


def map_codes(figure: go.Figure) -> list[str]:
    """The area codes drawn as squares (both traces), for checks and tests."""
    return [code for trace in figure.data for code, _name in (trace.customdata or [])]
