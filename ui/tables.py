"""Tables with numbers and dates written the reader's way ("446 350", "150,5", "15 mai 2020"),
still numbers and dates underneath.

st.dataframe writes numbers in English ("446350") whatever the language, and its "localized" format
follows the browser's language, not the one chosen in Jesr. A pandas Styler gives each cell the text
format_number writes on the tiles, while sorting still goes by the value. Built when drawn (about
10 ms for a table of 24 rows), never kept in a cache shared between sessions: a Styler changes as
Streamlit reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

import pandas as pd
import pyarrow as pa
from pandas.io.formats.style import Styler

from data_layer.core.i18n import format_date, format_number, has_key, join_list, t


def localised(table: pd.DataFrame | pa.Table, lang: str, *, plain: Iterable[str] = ()) -> Styler:
    """`table` with every number in `lang`'s marks; the `plain` columns (numbers people copy, such
    as references) as they are."""
    frame = table.to_pandas() if isinstance(table, pa.Table) else table

    def written(value: object) -> object:
        if value is None or value is pd.NA or value is pd.NaT:
            return ""
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if isinstance(value, dt.datetime):
            # A day read into a timestamp column comes back at midnight: the day alone.
            return format_date(value.date() if value.time() == dt.time() else value, lang)
        if isinstance(value, dt.date):
            return format_date(value, lang)
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            return value
        if isinstance(value, float) and pd.isna(value):
            return ""
        return format_number(value, lang)

    kept = set(plain)
    # A column mixing counts and "<5" is text already: written out in full, Arrow takes it as text.
    mixed = [c for c in frame.columns if c not in kept and frame[c].dtype == object]
    if mixed:
        frame = frame.assign(**{c: frame[c].map(written) for c in mixed})
    return frame.style.format(written, subset=[c for c in frame.columns if c not in kept and c not in mixed])


# Numbers people copy or look up, written as stored: never "1 234" for record 1234.
PLAIN_COLUMNS = frozenset({"id", "national_id", "phone", "record_id", "lines"})


def is_plain(column: str) -> bool:
    return column in PLAIN_COLUMNS or column.endswith("_id")


def table(frame: pd.DataFrame, lang: str, header: Callable[[str], str]) -> Styler:
    """A table as shown: headers through `header`, numbers in `lang`'s marks, identifiers as they are."""
    plain = [header(c) for c in frame.columns if is_plain(str(c))]
    return localised(frame.rename(columns=header), lang, plain=plain)


# Columns holding codes, and the catalog prefix of their words.
CODE_WORDS = {
    "category_code": "category",
    "category": "category",
    "unit": "unit",
    "status": "status",
}


def in_words(
    frame: pd.DataFrame, lang: str, area_names: dict[str, str], *, status_words: str = "status"
) -> pd.DataFrame:
    """Codes a person reads as words: governorate names, categories, units, statuses, vulnerabilities
    joined the language's way. A code without a word in the catalog stays as it is.

    `status_words` is the catalog prefix of the frame's statuses: a household's by default,
    "donation_status" for donations ("received" is no household status)."""

    def word(prefix: str, code: object) -> object:
        key = f"{prefix}.{code}"
        return t(key, lang) if isinstance(code, str) and has_key(key) else code

    out = frame.copy()
    for column in ("governorate_code", "governorate"):
        if column in out.columns:
            out[column] = out[column].map(lambda code: area_names.get(code, code))
    for column, prefix in {**CODE_WORDS, "status": status_words}.items():
        if column in out.columns:
            out[column] = out[column].map(lambda code, p=prefix: word(p, code))
    if "vulnerabilities" in out.columns:
        out["vulnerabilities"] = out["vulnerabilities"].map(
            lambda items: join_list([word("vulnerability", v) for v in items], lang) if items is not None else ""
        )
    return out
