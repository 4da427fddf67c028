"""Tables with numbers written the reader's way ("446 350", "150,5"), still numbers underneath.

st.dataframe writes numbers in English ("446350") whatever the language, and its "localized" format
follows the browser's language, not the one chosen in Jesr. A pandas Styler gives each cell the text
format_number writes on the tiles, while sorting still goes by the value. Built when drawn (about
10 ms for a table of 24 rows), never kept in a cache shared between sessions: a Styler changes as
Streamlit reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pandas as pd
import pyarrow as pa
from pandas.io.formats.style import Styler

from data_layer.core.i18n import format_number


def localised(table: pd.DataFrame | pa.Table, lang: str, *, plain: Iterable[str] = ()) -> Styler:
    """`table` with every number in `lang`'s marks; the `plain` columns (numbers people copy, such
    as references) as they are."""
    frame = table.to_pandas() if isinstance(table, pa.Table) else table

    def written(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return "" if value is None else value
        if isinstance(value, float) and pd.isna(value):
            return ""
        return format_number(value, lang)

    kept = set(plain)
    # A column mixing counts and "<5" is text already: written out in full, Arrow takes it as text.
    mixed = [c for c in frame.columns if c not in kept and frame[c].dtype == object]
    if mixed:
        frame = frame.assign(**{c: frame[c].map(written) for c in mixed})
    return frame.style.format(written, subset=[c for c in frame.columns if c not in kept and c not in mixed])
