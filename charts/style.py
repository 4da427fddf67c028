"""What every dashboard figure shares: plotly's default look, trimmed to the parts our figures use.

Streamlit copies and serialises each figure on every rerun (`figure.to_dict()`, then JSON). With
plotly's full default template that was about 1 ms a figure, most of it the template's defaults for
some thirty trace types and 3-D, polar, ternary and geo axes these charts never draw; numpy columns
were also re-encoded as base64 each time. Bars and scatter markers on cartesian axes look the same
with the trimmed template, and plain lists serialise as they are.
"""

from __future__ import annotations

import math
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from data_layer.core.i18n import is_rtl, month_names, normalise_lang, t

# Layout parts that only style subplot kinds these charts never use, and the default colour scales
# (every chart that colours by value names its own scale).
_UNUSED_LAYOUT = ("geo", "polar", "scene", "ternary", "mapbox", "colorscale", "coloraxis")


def _trimmed_template(name: str = "plotly") -> go.layout.Template:
    full = pio.templates[name].to_plotly_json()
    layout = {key: value for key, value in full["layout"].items() if key not in _UNUSED_LAYOUT}
    data = {kind: full["data"][kind] for kind in ("bar", "scatter") if kind in full["data"]}
    return go.layout.Template(layout=layout, data=data)


TEMPLATE = _trimmed_template()


def values(column: Any) -> list:
    """A column as a plain list for plotly; missing values (NaN) become None, which draws nothing."""
    items = column.tolist() if hasattr(column, "tolist") else list(column)
    return [None if isinstance(v, float) and math.isnan(v) else v for v in items]


# Plotly's `separators`: the decimal mark, then the thousands mark, as format_number writes them.
SEPARATORS = {"ar": ",\u202f", "fr": ",\u202f", "en": ".,"}
# What the chart's tool bar and messages say in English, and our key for it (plotly's own
# locale dictionary: it looks each English text up before showing it).
MODEBAR_WORDS = {
    "Download plot as a PNG": "chart.download_png",
    "Download plot": "chart.download_png",
    "Zoom": "chart.zoom",
    "Pan": "chart.pan",
    "Box Select": "chart.box_select",
    "Lasso Select": "chart.lasso_select",
    "Zoom in": "chart.zoom_in",
    "Zoom out": "chart.zoom_out",
    "Autoscale": "chart.autoscale",
    "Reset axes": "chart.reset_axes",
    "Reset view": "chart.reset_axes",
    "Toggle Spike Lines": "chart.spikes",
    "Show closest data on hover": "chart.hover_closest",
    "Toggle show closest data on hover": "chart.hover_closest",
    "Compare data on hover": "chart.hover_compare",
    "Double-click to zoom back out": "chart.double_click",
    "Preparing image - this may take a few seconds": "chart.snapshot",
    "Image download succeeded": "chart.downloaded",
    "Fullscreen": "frame.fullscreen",
    "Close fullscreen": "frame.close_fullscreen",
}


UNUSED_TOOLS = ("zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d")


def separators(lang: str) -> str:
    return SEPARATORS[normalise_lang(lang)]


def direction_layout(figure: go.Figure, lang: str) -> go.Figure:
    """The language's number marks; in a right-to-left language the title and legend on the right."""
    figure.update_layout(separators=separators(lang))
    if is_rtl(lang):
        figure.update_layout(legend={"xanchor": "right", "x": 1}, title={"x": 1, "xanchor": "right"})
    return figure


def plotly_config(lang: str) -> dict[str, Any]:
    """The `config` for st.plotly_chart: plotly's locale (months, number marks, tool bar words) made
    from our catalog, since the plotly.js Streamlit ships knows English alone."""
    lang = normalise_lang(lang)
    months = month_names(lang)
    decimal, thousands = separators(lang)[0], separators(lang)[1]
    fmt = {
        "days": [t(f"chart.day.{i}", lang) for i in range(7)],
        "shortDays": [t(f"chart.day.{i}", lang) for i in range(7)],
        "months": months,
        "shortMonths": months,
        "periods": ["AM", "PM"] if lang == "en" else ["", ""],
        "dateTime": "%d/%m/%Y %H:%M",
        "date": "%d/%m/%Y",
        "time": "%H:%M",
        "decimal": decimal,
        "thousands": thousands,
        "grouping": [3],
        "currency": ["", ""],
        "year": "%Y",
        "month": "%b %Y",
        "dayMonth": "%-d %b",
        "dayMonthYear": "%-d %b %Y",
    }
    dictionary = {english: t(key, lang) for english, key in MODEBAR_WORDS.items()}
    return {
        "displaylogo": False,
        # The axes are fixed (a finger scrolling the page must not zoom a chart): only the picture
        # download and Streamlit's full screen stay in the tool bar.
        "modeBarButtonsToRemove": list(UNUSED_TOOLS),
        "locale": lang,
        "locales": {lang: {"dictionary": dictionary, "format": fmt}},
    }
