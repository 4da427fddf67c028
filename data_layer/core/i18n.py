"""Translation catalogs (locales/*.json) and language-aware number and date formats.

Each catalog file maps a key to its text in every language:
`{"home.title": {"ar": "...", "fr": "...", "en": "..."}}`. Files are split by
feature so work on one feature does not touch another's file.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("ar", "fr", "en")
DEFAULT_LANG = "ar"
RTL_LANGS = frozenset({"ar"})
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"

# Tunisian usage: French-derived month names in Arabic.
_MONTHS = {
    "ar": ["جانفي", "فيفري", "مارس", "أفريل", "ماي", "جوان", "جويلية", "أوت", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, dict[str, str]]:
    """All keys from every catalog file; a key defined in two files is an error."""
    catalog: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in entries.items():
            if key in catalog:
                raise RuntimeError(f"translation key {key!r} defined twice (again in {path.name})")
            catalog[key] = texts
    return catalog


def normalise_lang(lang: str | None) -> str:
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The text for `key` in `lang`, with `{name}` placeholders filled in.

    A missing key shows as the key itself in brackets so that tests (and eyes) catch it.
    """
    texts = load_catalog().get(key)
    if texts is None or normalise_lang(lang) not in texts:
        return f"[{key}]"
    text = texts[normalise_lang(lang)]
    if params:
        shown = {
            k: (format_number(v, lang) if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool) else v)
            for k, v in params.items()
        }
        try:
            return text.format(**shown)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has_key(key: str) -> bool:
    return key in load_catalog()


def missing_translations() -> list[tuple[str, str]]:
    """(key, language) pairs with no text: a test keeps this empty."""
    return [(key, lang) for key, texts in load_catalog().items() for lang in LANGS if not texts.get(lang)]


def is_rtl(lang: str) -> bool:
    return normalise_lang(lang) in RTL_LANGS


def format_number(value: int | float | Decimal | None, lang: str = DEFAULT_LANG, decimals: int | None = None) -> str:
    """Group thousands the way each language writes them (Latin digits, as in Tunisia)."""
    if value is None:
        return "—"
    if decimals is None:
        decimals = 0 if float(value) == int(value) else 2
    text = f"{float(value):,.{decimals}f}"
    if normalise_lang(lang) == "en":
        return text
    # French and Tunisian Arabic usage: thin space for thousands, comma for decimals.
    return text.replace(",", "\u202f").replace(".", ",")


def join_list(items: Any, lang: str = DEFAULT_LANG) -> str:
    """Items joined the way each language lists them: the Arabic comma in Arabic."""
    separator = "، " if normalise_lang(lang) == "ar" else ", "
    return separator.join(str(item) for item in items)


def format_percent(ratio: float | None, lang: str = DEFAULT_LANG) -> str:
    if ratio is None:
        return "—"
    return f"{format_number(round(ratio * 100, 1), lang, decimals=1)} %"


def format_date(value: dt.date | dt.datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "—"
    month = _MONTHS[normalise_lang(lang)][value.month - 1]
    text = f"{value.day} {month} {value.year}"
    if isinstance(value, dt.datetime):
        text += f" {value:%H:%M}"
    return text


def month_names(lang: str) -> list[str]:
    """The twelve month names in a language, January first (charts' locale uses them)."""
    return list(_MONTHS[normalise_lang(lang)])


def area_name_column(lang: str) -> str:
    """The column of `areas` that holds names in this language."""
    return f"name_{normalise_lang(lang)}"
