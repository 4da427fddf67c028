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
