"""Household rows cleaned a whole column at a time, by the rules of data_layer/core/validation.py.

Calling `clean_household` per row costs about 80 µs, so a 100,000-row import spent 8 s
validating. Here every column is cleaned once: values already in their clean form are
recognised by one regular expression over the column (Arrow's RE2, in C), and every other
value goes through the very scalar cleaner of validation.py once per *distinct* value,
its result mapped back to each row. The rules therefore live in one place; the fast path
only accepts values those rules would return unchanged (tests/test_import_vectorised.py
checks the two paths agree on generated rows).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from data_layer.core.countries import CountrySettings, gift_currency
from data_layer.core.errors import FieldError
from data_layer.core.validation import (
    MAX_LEN,
    Reference,
    _Collector,
    clean_area,
    clean_int,
    clean_national_id,
    clean_needs,
    clean_phone,
    clean_text,
    clean_vulnerabilities,
)

# Characters that clean_text keeps as they are and that no NFC composition touches: printable
# ASCII but space, Latin-1 letters, Arabic letters, tatweel, Arabic-Indic digits and punctuation.
# (tests check the set is closed under NFC, pair by pair.)
SAFE_RANGES = [
    (0x21, 0x7E),
    (0xC0, 0xFF),
    (0x60C, 0x60C),
    (0x61B, 0x61B),
    (0x61F, 0x61F),
    (0x621, 0x63A),
    (0x640, 0x64A),
    (0x660, 0x669),
]
_SAFE_CLASS = "[" + "".join(f"\\x{{{lo:04x}}}-\\x{{{hi:04x}}}" for lo, hi in SAFE_RANGES) + "]"
# Words of safe characters separated by single spaces: what clean_text returns unchanged.
_CLEAN_TEXT = f"^{_SAFE_CLASS}+(?: {_SAFE_CLASS}+)*$"
_EIGHT_DIGITS = "^[0-9]{8}$"
_ANY_PHONE = "^(?:\\+216|00216|216)?(?P<local>[234579][0-9]{7})$"

# The household fields in the order clean_household reports them.
HOUSEHOLD_FIELDS = [
    "national_id",
    "full_name",
    "phone",
    "governorate_code",
    "delegation",
    "address",
    "household_size",
    "vulnerabilities",
    "needs",
    "notes",
]

Scalar = Callable[[_Collector, Any], Any]
Fast = Callable[[pa.Array], tuple[np.ndarray, pa.Array]]
# A text field's values stay an Arrow array from the file to the insert: turning 100,000
# strings into Python objects and back again cost more than cleaning them.
Column: TypeAlias = np.ndarray | pa.Array


@dataclass
class CleanColumns:
    """Cleaned values per field (one entry per input row) and each bad row's errors, in field order."""

    values: dict[str, Column]
    errors: dict[int, list[FieldError]]

    @property
    def valid(self) -> np.ndarray:
        mask = np.ones(len(next(iter(self.values.values()))), dtype=bool)
        mask[list(self.errors)] = False
        return mask

    def records(self) -> list[dict[str, Any] | None]:
        """Row by row, the record clean_household would return (None for a refused row)."""
        columns = {f: v.to_pylist() if isinstance(v, pa.Array) else v for f, v in self.values.items()}
        count = len(columns[HOUSEHOLD_FIELDS[0]])
        return [None if i in self.errors else {f: columns[f][i] for f in HOUSEHOLD_FIELDS} for i in range(count)]


def _strings(series: pd.Series) -> pa.Array | None:
    """The column as an Arrow string array (nulls for blanks), or None if it holds anything but text."""
    if isinstance(series.dtype, pd.StringDtype) or pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        strings = pa.array(
            series.array if isinstance(series.dtype, pd.StringDtype) else series.to_numpy(), from_pandas=True
        )
        if isinstance(strings, pa.ChunkedArray):
            strings = strings.combine_chunks()
        return strings.cast(pa.large_string())
    return None


def _scalar(clean: Scalar, value: Any) -> tuple[Any, list[FieldError]]:
    errs = _Collector()
    result = clean(errs, value)
    return result, errs.errors


def _object_array(items: list[Any]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item  # element by element: lists must stay lists, not become a 2-D array
    return out


def _regex_fast(
    pattern: str, max_len: int | None = None, transform: Callable[[pa.Array], pa.Array] | None = None
) -> Fast:
    """A fast path: values matching `pattern` (and not longer than max_len) are clean already."""

    def fast(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        mask = pc.fill_null(pc.match_substring_regex(strings, pattern), False)
        if max_len is not None:
            mask = pc.and_(mask, pc.fill_null(pc.less_equal(pc.utf8_length(strings), max_len), False))
        kept = strings.filter(mask)
        if transform is not None:
            kept = transform(kept)
        return mask.to_numpy(zero_copy_only=False), kept

    return fast


def clean_column(
    series: pd.Series, clean: Scalar, fast: Fast | None = None
) -> tuple[Column, dict[int, list[FieldError]]]:
    """Clean one column: the fast path where it applies, else the scalar cleaner once per distinct value.

    A text column with a fast path comes back as an Arrow string array, any other as a NumPy
    object array."""
    count = len(series)
    results = np.empty(count, dtype=object)
    errors: dict[int, list[FieldError]] = {}
    strings = _strings(series)
    if strings is None:
        # Typed cells (numbers from a spreadsheet, lists): row by row, cached on type and value
        # (1, 1.0 and True are equal in Python but not to the cleaners).
        cache: dict[tuple[type, Any], tuple[Any, list[FieldError]]] = {}
        for i, value in enumerate(series.tolist()):
            try:
                key: tuple[type, Any] | None = (type(value), value)
                hit = cache.get(key)  # type: ignore[arg-type]
            except TypeError:
                key, hit = None, None
            if hit is None:
                hit = _scalar(clean, value)
                if key is not None:
                    cache[key] = hit
            results[i] = hit[0]
            if hit[1]:
                errors[i] = hit[1]
        return results, errors
    slow = np.arange(count)
    kept: pa.Array | None = None
    if fast is not None:
        accepted, kept = fast(strings)
        slow = np.flatnonzero(~accepted)
    if len(slow):
        encoded = pc.dictionary_encode(strings.take(pa.array(slow)), null_encoding="encode")
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        cleaned = [_scalar(clean, value) for value in encoded.dictionary.to_pylist()]
        results[slow] = _object_array([c[0] for c in cleaned])[codes]
        bad_codes = np.array([bool(c[1]) for c in cleaned], dtype=bool)
        bad_rows = bad_codes[codes]
        for row, code in zip(slow[bad_rows].tolist(), codes[bad_rows].tolist()):
            errors[row] = cleaned[code][1]
    if kept is None:
        return results, errors
    # The fast rows first, then the others; `order` puts each back on its own row.
    order = np.empty(count, dtype=np.int64)
    order[~accepted] = len(kept) + np.arange(len(slow))
    order[accepted] = np.arange(len(kept))
    both = pa.concat_arrays([kept.cast(pa.large_string()), pa.array(results[slow], type=pa.large_string())])
    return both.take(pa.array(order)), errors


def _text(field: str, *, required: bool, multiline: bool = False) -> tuple[Scalar, Fast]:
    def scalar(errs: _Collector, value: Any) -> Any:
        return clean_text(errs, field, value, required=required, multiline=multiline)

    return scalar, _regex_fast(_CLEAN_TEXT, MAX_LEN.get(field, MAX_LEN["text"]))


def _phone_fast(strings: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Digits, spaces and `+` only, and after dropping the spaces a valid number with or without
    +216 / 00216 / 216: clean_phone keeps its last eight digits, so we do too."""
    plain = pc.fill_null(pc.match_substring_regex(strings, "^[0-9+ ]+$"), False)
    compact = pc.replace_substring(strings, " ", "")
    found = pc.extract_regex(compact, _ANY_PHONE)
    # A struct's field keeps values under the struct's own nulls: test the struct, not the field.
    mask = pc.and_(plain, pc.is_valid(found))
    number = found.field("local")
    normalised = pc.binary_join_element_wise(
        pa.scalar("+216", pa.large_string()), number.cast(pa.large_string()), pa.scalar("", pa.large_string())
    )
    return mask.to_numpy(zero_copy_only=False), normalised.filter(mask)


def clean_household_columns(
    ref: Reference, frame: pd.DataFrame, *, campaign_currencies: dict[str, str | None] | None = None
) -> CleanColumns:
    """Every row of a households table cleaned as clean_household would, column by column.
    `campaign_currencies`: per country, the currency of its campaign (clean_household's
    campaign_currency), which its rows' cash needs are counted in."""

    def column(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].reset_index(drop=True)
        return pd.Series([None] * len(frame), dtype=object)

    # A national ID and a phone are read by the rules of the row's country (validation.py's
    # clean_household): the governorate column is cleaned first to learn each row's country.
    area_plan: tuple[str, str, Scalar, Fast | None] = (
        "governorate_code",
        "governorate",
        lambda e, v: clean_area(e, ref, v),
        None,
    )
    areas = clean_column(column("governorate"), area_plan[2])
    countries = _countries_of_rows(ref, areas[0])
    plans: list[tuple[str, str, Scalar, Fast | None]] = [
        ("national_id", "national_id", lambda e, v: clean_national_id(e, v), _regex_fast(_EIGHT_DIGITS)),
        ("full_name", "full_name", *_text("full_name", required=True)),
        ("phone", "phone", lambda e, v: clean_phone(e, v, required=False), _phone_fast),
        area_plan,
        ("delegation", "delegation", *_text("delegation", required=False)),
        ("address", "address", *_text("address", required=False)),
        ("household_size", "household_size", lambda e, v: clean_int(e, "household_size", v, low=1, high=30), None),
        ("vulnerabilities", "vulnerabilities", clean_vulnerabilities, None),
        ("needs", "needs", _needs_cleaner(ref, "TN", campaign_currencies), None),
        ("notes", "notes", *_text("notes", required=False, multiline=True)),
    ]

    # Two columns at a time: Arrow's regular expressions release the GIL, so on two cores one
    # column's fast path runs while another's distinct values go through the Python cleaners.
    def clean(plan: tuple[str, str, Scalar, Fast | None]) -> tuple[Column, dict[int, list[FieldError]]]:
        field, source, scalar, fast = plan
        if field == "governorate_code":
            return areas
        if field in PER_COUNTRY and countries is not None:
            return _clean_per_country(ref, column(source), countries, field, scalar, fast, campaign_currencies)
        return clean_column(column(source), scalar, fast)

    with ThreadPoolExecutor(max_workers=2) as pool:
        cleaned = list(pool.map(clean, plans))
    values: dict[str, Column] = {}
    errors: dict[int, list[FieldError]] = {}
    for (field, *_), (field_values, field_errors) in zip(plans, cleaned):
        values[field] = field_values
        for row, errs in field_errors.items():
            errors.setdefault(row, []).extend(errs)
    return CleanColumns(values, dict(sorted(errors.items())))


# The fields whose rule is the country's (its ID pattern, its phone numbering plan, the currency
# of its cash needs).
PER_COUNTRY = ("national_id", "phone", "needs")


def _needs_cleaner(ref: Reference, country: str, campaign_currencies: dict[str, str | None] | None) -> Scalar:
    """Needs of a row in `country`: cash counted in its campaign's currency, else its own."""
    currency = gift_currency((campaign_currencies or {}).get(country), ref.settings.get(country))
    return lambda e, v: clean_needs(e, ref, v, currency=currency)


def _countries_of_rows(ref: Reference, areas: Column) -> np.ndarray | None:
    """Each row's country where it is not Tunisia (None: Tunisia's rules, as for an unknown or
    blank governorate); None when every row keeps Tunisia's rules, the common case."""
    others = {code: row["country_code"] for code, row in ref.areas.items() if row.get("country_code") != "TN"}
    codes = areas.to_pylist() if isinstance(areas, pa.Array) else list(areas)
    countries = np.array([others.get(code) if code is not None else None for code in codes], dtype=object)
    return countries if any(c is not None for c in countries) else None


def _country_cleaner(
    ref: Reference, field: str, settings: CountrySettings, campaign_currencies: dict[str, str | None] | None
) -> Scalar:
    if field == "needs":
        return _needs_cleaner(ref, settings.code, campaign_currencies)
    if field == "national_id":
        return lambda e, v: clean_national_id(e, v, settings=settings)
    return lambda e, v: clean_phone(e, v, required=False, settings=settings)


def _clean_per_country(
    ref: Reference,
    series: pd.Series,
    countries: np.ndarray,
    field: str,
    scalar: Scalar,
    fast: Fast | None,
    campaign_currencies: dict[str, str | None] | None,
) -> tuple[Column, dict[int, list[FieldError]]]:
    """A national ID, phone or needs column of a file with rows of several countries: each country's
    rows cleaned with its settings (Tunisia's with the fast path), put back on their rows."""
    results = np.empty(len(series), dtype=object)
    errors: dict[int, list[FieldError]] = {}
    for country in dict.fromkeys(countries.tolist()):
        rows = np.flatnonzero(countries == country) if country is not None else np.flatnonzero(pd.isna(countries))
        part = series.iloc[rows].reset_index(drop=True)
        if country is None:
            values, part_errors = clean_column(part, scalar, fast)
        else:
            values, part_errors = clean_column(
                part, _country_cleaner(ref, field, ref.settings[country], campaign_currencies)
            )
        results[rows] = _object_array(values.to_pylist() if isinstance(values, pa.Array) else list(values))
        errors.update({int(rows[row]): errs for row, errs in part_errors.items()})
    return results, errors
