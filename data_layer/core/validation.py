"""Every rule a record must pass, in one place for forms, imports and the command line.

Each `clean_*` function takes raw values (strings from a form or a CSV cell, or
already-typed values) and returns the cleaned record, or raises ValidationError
listing every field that is wrong, each with a message key and its parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from data_layer.core.actor import ROLES
from data_layer.core.countries import CountrySettings, gift_currency, phone_in_e164
from data_layer.core.errors import FieldError, ValidationError

# Length limits: generous for real names and addresses, small enough for a phone screen.
MAX_LEN = {
    "full_name": 120,
    "address": 300,
    "delegation": 80,
    "notes": 1000,
    "item": 120,
    "donor_name": 160,
    "storage_location": 200,
    "name": 160,
    "code": 32,
    "username": 64,
    "reason": 500,
    "text": 500,
}
VULNERABILITIES = ("elderly", "disability", "chronic_illness", "lost_income", "single_parent")
URGENCIES = ("low", "normal", "high", "critical")
DONOR_TYPES = ("individual", "company", "association", "public_body", "international", "anonymous")
DONATION_KINDS = ("cash", "in_kind")
SERVICES = ("transport", "distribution")
VEHICLES = ("none", "motorbike", "car", "van", "truck")
ORG_KINDS = ("association", "organiser", "ministry", "other")
MAX_QUANTITY = Decimal("1000000000")
MAX_TARGET_HOUSEHOLDS = 10_000_000
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)

_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Category:
    code: str
    units: tuple[str, ...]
    divisible: bool


@dataclass(frozen=True)
class Reference:
    """Areas and categories the rules check against, kept with the database (store/reference.py)."""

    areas: dict[str, dict[str, Any]]  # code -> row
    area_lookup: dict[str, str]  # folded name or code -> code
    categories: dict[str, Category]
    settings: dict[str, CountrySettings] = field(default_factory=dict)  # country code -> its settings

    def resolve_area(self, raw: str) -> str | None:
        return self.area_lookup.get(fold(raw))

    def country_of(self, area_code: str) -> str | None:
        """The country an area code lies in; None for a code not in the reference."""
        row = self.areas.get(area_code)
        return None if row is None else row.get("country_code")

    def settings_for(self, area: Any) -> CountrySettings | None:
        """The settings of the country the area (as written) lies in; None when unknown or blank."""
        if is_blank(area):
            return None
        code = self.resolve_area(str(area))
        if code is None:
            return None
        return self.settings.get(self.areas[code].get("country_code", ""))


def fold(text: str) -> str:
    """Case-, accent- and article-insensitive form of a name (Arabic letters normalised too)."""
    text = unicodedata.normalize("NFKD", str(text)).translate(_ARABIC_DIGITS)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("ـ", "")  # tatweel
    for variants, plain in (("أإآٱ", "ا"), ("ى", "ي"), ("ة", "ه")):
        for ch in variants:
            text = text.replace(ch, plain)
    text = re.sub(r"[^\w]+", " ", text.casefold()).strip()
    text = re.sub(r"^(la|le|les|l|el|al|the) ", "", text)
    return text.replace(" ", "")


def delegation_key(value: Any) -> str | None:
    """The form in which two delegations are compared: "Bab Souika" held stock serves a household
    in "bab-souika" or "Bab  Souïka". None for a blank delegation (held at governorate level)."""
    if is_blank(value):
        return None
    return fold(str(value)) or None


def build_reference(
    areas: list[dict[str, Any]], categories: list[dict[str, Any]], settings: Sequence[CountrySettings] = ()
) -> Reference:
    lookup: dict[str, str] = {}
    for row in areas:
        code = row["code"]
        keys = {code, code.split("-", 1)[-1], row["name_ar"], row["name_fr"], row["name_en"]}
        for key in keys:
            lookup[fold(key)] = code
    cats = {c["code"]: Category(c["code"], tuple(c["units"]), bool(c["divisible"])) for c in categories}
    return Reference({a["code"]: a for a in areas}, lookup, cats, {c.code: c for c in settings})


class _Collector:
    """Gathers every field error of one record before refusing it."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, code: str, **params: Any) -> None:
        self.errors.append(FieldError(field, code, params))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return isinstance(value, str) and not value.strip()


def clean_text(
    errs: _Collector, field: str, value: Any, *, required: bool, max_len: int | None = None, multiline: bool = False
) -> str | None:
    if is_blank(value):
        if required:
            errs.add(field, "error.required")
        return None
    text = unicodedata.normalize("NFC", str(value))
    text = _CONTROL.sub("", text if multiline else text.replace("\n", " ").replace("\r", " "))
    text = text.strip() if multiline else _SPACES.sub(" ", text).strip()
    if not text:
        if required:
            errs.add(field, "error.required")
        return None
    limit = max_len or MAX_LEN.get(field, MAX_LEN["text"])
    if len(text) > limit:
        errs.add(field, "error.too_long", max=limit, length=len(text))
        return None
    return text


_ASCII_DIGITS = re.compile(r"[0-9]+")


def _digits(value: Any) -> str:
    """The characters of an identity number or phone, with every digit written in ASCII.

    NFKC turns fullwidth, superscript and mathematical digits into ASCII, and Arabic-Indic and
    Persian digits are converted; any other script's digits stay as they are and are refused by
    the callers, which accept ASCII digits only: one person cannot be registered again by
    spelling the same number in another script.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).translate(_ARABIC_DIGITS)
    return re.sub(r"[\s.\-/]", "", text)


def _is_ascii_number(text: str, length: int) -> bool:
    return len(text) == length and _ASCII_DIGITS.fullmatch(text) is not None


def _is_tunisian(settings: CountrySettings | None) -> bool:
    # Records of no known country (a blank or unknown governorate) keep Tunisia's rules.
    return settings is None or settings.code == "TN"


def clean_national_id(
    errs: _Collector,
    value: Any,
    *,
    required: bool = True,
    field: str = "national_id",
    settings: CountrySettings | None = None,
) -> str | None:
    if is_blank(value):
        if required:
            errs.add(field, "error.required")
        return None
    digits = _digits(value)
    if not _is_tunisian(settings):
        assert settings is not None
        text = digits.upper()
        # ASCII only, as for Tunisian IDs: the same number in another script is not another person.
        if not (text.isascii() and settings.id_matches(text)):
            errs.add(field, "countries.error.national_id", country=settings.code)
            return None
        return text
    # Excel drops leading zeros of numeric cells: 1234567 was 01234567.
    if _is_ascii_number(digits, 7) and not isinstance(value, str):
        digits = "0" + digits
    if not _is_ascii_number(digits, 8):
        errs.add(field, "error.national_id")
        return None
    return digits


def clean_phone(
    errs: _Collector, value: Any, *, required: bool, field: str = "phone", settings: CountrySettings | None = None
) -> str | None:
    """Tunisian numbers: 8 digits, optionally after +216 or 00216; stored as +216XXXXXXXX.
    Another country's: valid in its numbering plan (phonenumbers), stored in E.164."""
    if is_blank(value):
        if required:
            errs.add(field, "error.required")
        return None
    if not _is_tunisian(settings):
        assert settings is not None
        text = _digits(value)
        number = phone_in_e164(text, settings.phone_region) if text.isascii() else None
        if number is None:
            errs.add(field, "countries.error.phone", country=settings.code)
        return number
    digits = _digits(value).replace("(", "").replace(")", "")
    if digits.startswith("+216"):
        digits = digits[4:]
    elif digits.startswith("00216"):
        digits = digits[5:]
    elif digits.startswith("216") and len(digits) == 11:
        digits = digits[3:]
    if not (_is_ascii_number(digits, 8) and digits[0] in "234579"):
        errs.add(field, "error.phone")
        return None
    return "+216" + digits


def clean_area(errs: _Collector, ref: Reference, value: Any, *, field: str = "governorate") -> str | None:
    if is_blank(value):
        errs.add(field, "error.required")
        return None
    code = ref.resolve_area(str(value))
    if code is None:
        errs.add(field, "error.governorate", value=str(value)[:40])
    return code


def clean_choice(
    errs: _Collector,
    field: str,
    value: Any,
    choices: tuple[str, ...],
    *,
    required: bool = True,
    default: str | None = None,
) -> str | None:
    if is_blank(value):
        if required and default is None:
            errs.add(field, "error.required")
        return default
    text = str(value).strip().casefold().replace(" ", "_").replace("-", "_")
    if text not in choices:
        errs.add(field, "error.choice", value=str(value)[:40], choices=", ".join(choices))
        return None
    return text


def parse_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
        # Decimal('NaN') and Decimal('Infinity') from a typed caller are no more a number than the strings.
        return number if number.is_finite() else None
    if isinstance(value, float):
        return None if not math.isfinite(value) else Decimal(str(value))
    text = str(value).translate(_ARABIC_DIGITS).strip().replace("\u202f", "").replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # French decimal comma
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# "150,500": a decimal comma or a thousands separator? Refused, with what to type instead.
_AMBIGUOUS_COMMA = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+$")


def is_ambiguous_number(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    return bool(_AMBIGUOUS_COMMA.match(value.translate(_ARABIC_DIGITS).strip()))


def _refuse_ambiguous(errs: _Collector, field: str, value: Any) -> bool:
    if not is_ambiguous_number(value):
        return False
    text = str(value).translate(_ARABIC_DIGITS).strip()
    whole = text.replace(",", "")
    # Only "150,500" can mean a decimal (150.5); "1,250,000" cannot.
    decimal = text.replace(",", ".").rstrip("0").rstrip(".") if text.count(",") == 1 else whole
    errs.add(field, "error.ambiguous_decimal", value=text, decimal=decimal, whole=whole)
    return True


def clean_quantity(
    errs: _Collector, value: Any, category: Category | None, *, field: str = "quantity"
) -> Decimal | None:
    if is_blank(value):
        errs.add(field, "error.required")
        return None
    if _refuse_ambiguous(errs, field, value):
        return None
    number = parse_decimal(value)
    if number is None:
        errs.add(field, "error.number")
        return None
    if number <= 0:
        errs.add(field, "error.positive")
        return None
    if number > MAX_QUANTITY:
        errs.add(field, "error.too_large", max=int(MAX_QUANTITY))
        return None
    if category is not None and not category.divisible and number != number.to_integral_value():
        errs.add(field, "error.whole_units")
        return None
    stored = number.quantize(Decimal("0.001"))
    if stored <= 0:  # 0.0001 is positive but would be stored as 0.000 (quantities keep three decimals)
        errs.add(field, "error.positive")
        return None
    return stored


def clean_amount(errs: _Collector, field: str, value: Any, *, required: bool = False) -> Decimal | None:
    if is_blank(value):
        if required:
            errs.add(field, "error.required")
        return None
    if _refuse_ambiguous(errs, field, value):
        return None
    number = parse_decimal(value)
    if number is None:
        errs.add(field, "error.number")
        return None
    if number < 0:
        errs.add(field, "error.not_negative")
        return None
    if number > MAX_QUANTITY:
        errs.add(field, "error.too_large", max=int(MAX_QUANTITY))
        return None
    return number.quantize(Decimal("0.001"))


def clean_int(
    errs: _Collector, field: str, value: Any, *, low: int, high: int, required: bool = True, default: int | None = None
) -> int | None:
    if is_blank(value):
        if required and default is None:
            errs.add(field, "error.required")
        return default
    number = parse_decimal(value)
    if number is None or number != number.to_integral_value():
        errs.add(field, "error.whole_number")
        return None
    if not low <= number <= high:
        errs.add(field, "error.range", low=low, high=high)
        return None
    return int(number)


_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")


def clean_date(errs: _Collector, field: str, value: Any, *, required: bool = True) -> dt.date | None:
    if is_blank(value):
        if required:
            errs.add(field, "error.required")
        return None
    if isinstance(value, dt.datetime):
        parsed: dt.date | None = value.date()
    elif isinstance(value, dt.date):
        parsed = value
    else:
        parsed = None
        text = str(value).translate(_ARABIC_DIGITS).strip()
        text = text.split("T")[0].split(" ")[0]
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
    if parsed is None:
        errs.add(field, "error.date")
        return None
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        errs.add(field, "error.date_range", low=EARLIEST_DATE.isoformat(), high=LATEST_DATE.isoformat())
        return None
    return parsed


def split_list(value: Any) -> list[str]:
    if is_blank(value):
        return []
    if isinstance(value, (list, tuple, set)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in re.split(r"[;؛,،]", str(value)) if part.strip()]


def clean_vulnerabilities(errs: _Collector, value: Any) -> list[str]:
    chosen: list[str] = []
    for part in split_list(value):
        code = part.casefold().replace(" ", "_").replace("-", "_")
        if code not in VULNERABILITIES:
            errs.add("vulnerabilities", "error.choice", value=part[:40], choices=", ".join(VULNERABILITIES))
            continue
        if code not in chosen:
            chosen.append(code)
    return chosen


def clean_unit(errs: _Collector, value: Any, category: Category | None, *, field: str = "unit") -> str | None:
    if category is None:
        return None
    if is_blank(value):
        return category.units[0]
    # Compared without case ("tnd", "Kg"), returned as the category spells it ("TND").
    by_folded = {unit.casefold(): unit for unit in category.units}
    unit = by_folded.get(str(value).strip().casefold())
    if unit is None:
        errs.add(field, "error.unit", unit=str(value)[:20], category=category.code, units=", ".join(category.units))
    return unit


def clean_category(errs: _Collector, ref: Reference, value: Any, *, field: str = "category") -> Category | None:
    if is_blank(value):
        errs.add(field, "error.required")
        return None
    code = str(value).strip().casefold()
    if code not in ref.categories:
        errs.add(field, "error.choice", value=str(value)[:40], choices=", ".join(ref.categories))
        return None
    return ref.categories[code]


def clean_needs(errs: _Collector, ref: Reference, value: Any, *, currency: str | None = None) -> list[dict[str, Any]]:
    """Needs as `category:quantity[:unit]` items, or a list of dicts from a form. A cash need is
    counted in `currency` (the household's, clean_household): a blank unit reads as it, and only
    it fits, so the allocation meets it with cash stock of the same currency."""
    needs: list[dict[str, Any]] = []
    items = value if isinstance(value, list) and value and isinstance(value[0], dict) else split_list(value)
    for item in items:
        if isinstance(item, dict):
            raw_cat, raw_qty, raw_unit = item.get("category"), item.get("quantity"), item.get("unit")
            urgency = item.get("urgency")
        else:
            parts = [p.strip() for p in item.split(":")]
            if len(parts) < 2:
                errs.add("needs", "error.needs_format", value=item[:40])
                continue
            raw_cat, raw_qty = parts[0], parts[1]
            raw_unit = parts[2] if len(parts) > 2 else None
            urgency = None
        category = clean_category(errs, ref, raw_cat, field="needs")
        if category is not None and category.code == "cash" and currency is not None:
            category = replace(category, units=(currency,))
        quantity = clean_quantity(errs, raw_qty, category, field="needs")
        unit = clean_unit(errs, raw_unit, category, field="needs")
        urgency_code = clean_choice(errs, "urgency", urgency, URGENCIES, required=False, default="normal")
        if category and quantity is not None and unit:
            if any(n["category_code"] == category.code for n in needs):
                errs.add("needs", "error.need_repeated", category=category.code)
                continue
            needs.append({"category_code": category.code, "quantity": quantity, "unit": unit, "urgency": urgency_code})
    return needs


def clean_household(ref: Reference, raw: dict[str, Any], *, campaign_currency: str | None = None) -> dict[str, Any]:
    """The household's fields as stored. Its cash needs are counted in `campaign_currency` (that of
    the campaign of its governorate's country, when it names one), else in its country's."""
    errs = _Collector()
    settings = ref.settings_for(raw.get("governorate"))
    record = {
        "national_id": clean_national_id(errs, raw.get("national_id"), settings=settings),
        "full_name": clean_text(errs, "full_name", raw.get("full_name"), required=True),
        "phone": clean_phone(errs, raw.get("phone"), required=False, settings=settings),
        "governorate_code": clean_area(errs, ref, raw.get("governorate")),
        "delegation": clean_text(errs, "delegation", raw.get("delegation"), required=False),
        "address": clean_text(errs, "address", raw.get("address"), required=False),
        "household_size": clean_int(errs, "household_size", raw.get("household_size"), low=1, high=30),
        "vulnerabilities": clean_vulnerabilities(errs, raw.get("vulnerabilities")),
        "needs": clean_needs(errs, ref, raw.get("needs"), currency=gift_currency(campaign_currency, settings)),
        "notes": clean_text(errs, "notes", raw.get("notes"), required=False, multiline=True),
    }
    errs.raise_if_any()
    return record


def clean_donation(ref: Reference, raw: dict[str, Any]) -> dict[str, Any]:
    errs = _Collector()
    category = clean_category(errs, ref, raw.get("category"))
    kind = clean_choice(
        errs,
        "kind",
        raw.get("kind"),
        DONATION_KINDS,
        required=False,
        default="cash" if category and category.code == "cash" else "in_kind",
    )
    if category and kind and (kind == "cash") != (category.code == "cash"):
        errs.add("kind", "error.kind_category")
    quantity = clean_quantity(errs, raw.get("quantity"), category)
    unit = clean_unit(errs, raw.get("unit"), category)
    value = clean_amount(errs, "value_tnd", raw.get("value_tnd"))
    if kind == "cash" and quantity is not None and value is None:
        value = quantity  # cash is worth what it says
    donor_type = clean_choice(
        errs, "donor_type", raw.get("donor_type"), DONOR_TYPES, required=False, default="individual"
    )
    donor_name = clean_text(errs, "donor_name", raw.get("donor_name"), required=donor_type != "anonymous")
    item = clean_text(errs, "item", raw.get("item"), required=False)
    record = {
        "donor_name": donor_name or ("anonymous" if donor_type == "anonymous" else None),
        "donor_type": donor_type,
        "donor_phone": clean_phone(
            errs,
            raw.get("donor_phone"),
            required=False,
            field="donor_phone",
            settings=ref.settings_for(raw.get("governorate")),
        ),
        "kind": kind,
        "category_code": category.code if category else None,
        "item": item or (category.code if category else None),
        "quantity": quantity,
        "unit": unit,
        "value_tnd": value,
        "governorate_code": clean_area(errs, ref, raw.get("governorate")),
        # Where within the governorate the aid is held; blank means at governorate level.
        "delegation": clean_text(errs, "delegation", raw.get("delegation"), required=False),
        "storage_location": clean_text(errs, "storage_location", raw.get("storage_location"), required=False),
        "received_on": clean_date(errs, "received_on", raw.get("received_on")),
        "notes": clean_text(errs, "notes", raw.get("notes"), required=False, multiline=True),
    }
    received_on = record["received_on"]
    if isinstance(received_on, dt.date) and received_on > dt.date.today():
        errs.add("received_on", "error.future_date")
    errs.raise_if_any()
    return record


def clean_volunteer(ref: Reference, raw: dict[str, Any]) -> dict[str, Any]:
    errs = _Collector()
    services = []
    for part in split_list(raw.get("services")):
        code = part.casefold()
        if code not in SERVICES:
            errs.add("services", "error.choice", value=part[:40], choices=", ".join(SERVICES))
        elif code not in services:
            services.append(code)
    if not services and not any(e.field == "services" for e in errs.errors):
        errs.add("services", "error.services_required")
    available_from = clean_date(errs, "available_from", raw.get("available_from"))
    available_to = clean_date(errs, "available_to", raw.get("available_to"))
    if available_from and available_to and available_to < available_from:
        errs.add("available_to", "error.date_order")
    settings = ref.settings_for(raw.get("governorate"))
    record = {
        "full_name": clean_text(errs, "full_name", raw.get("full_name"), required=True),
        "national_id": clean_national_id(errs, raw.get("national_id"), required=False, settings=settings),
        "phone": clean_phone(errs, raw.get("phone"), required=True, settings=settings),
        "governorate_code": clean_area(errs, ref, raw.get("governorate")),
        "delegation": clean_text(errs, "delegation", raw.get("delegation"), required=False),
        "offers_transport": "transport" in services,
        "offers_distribution": "distribution" in services,
        "vehicle": clean_choice(errs, "vehicle", raw.get("vehicle"), VEHICLES, required=False, default="none"),
        "available_from": available_from,
        "available_to": available_to,
    }
    if record["offers_transport"] and record["vehicle"] == "none":
        errs.add("vehicle", "error.transport_needs_vehicle")
    errs.raise_if_any()
    return record


def clean_organisation(ref: Reference, raw: dict[str, Any]) -> dict[str, Any]:
    errs = _Collector()
    code = clean_text(errs, "code", raw.get("code"), required=True)
    if code and not re.fullmatch(r"[A-Za-z0-9_-]{2,32}", code):
        errs.add("code", "error.code_format")
    areas = [clean_area(errs, ref, a, field="areas") for a in split_list(raw.get("areas"))]
    record = {
        "code": code.upper() if code else None,
        "name": clean_text(errs, "name", raw.get("name"), required=True),
        "kind": clean_choice(errs, "kind", raw.get("kind"), ORG_KINDS, required=False, default="association"),
        "governorate_code": clean_area(errs, ref, raw.get("governorate"))
        if not is_blank(raw.get("governorate"))
        else None,
        "phone": clean_phone(errs, raw.get("phone"), required=False, settings=ref.settings_for(raw.get("governorate"))),
        "areas": [a for a in areas if a],
    }
    errs.raise_if_any()
    return record


def parse_governorate_targets(value: Any) -> dict[str, Any]:
    """`TN-11:500;TN-61:300` (or a dict) as {governorate as written: target as written}."""
    if isinstance(value, dict):
        return dict(value)
    targets: dict[str, Any] = {}
    for part in split_list(value):
        area, _, number = part.partition(":")
        targets[area.strip()] = number.strip()
    return targets


def clean_campaign(ref: Reference, raw: dict[str, Any]) -> dict[str, Any]:
    """The campaign's fields as stored, or a ValidationError naming every bad field."""
    errs = _Collector()
    record: dict[str, Any] = {
        "name": clean_text(errs, "name", raw.get("name"), required=True, max_len=160),
        "name_fr": clean_text(errs, "name_fr", raw.get("name_fr"), required=False, max_len=160),
        "name_en": clean_text(errs, "name_en", raw.get("name_en"), required=False, max_len=160),
        "starts_on": clean_date(errs, "starts_on", raw.get("starts_on")),
        "ends_on": clean_date(errs, "ends_on", raw.get("ends_on")),
        "target_households": clean_int(
            errs, "target_households", raw.get("target_households"), low=1, high=MAX_TARGET_HOUSEHOLDS
        ),
        "target_value": clean_amount(errs, "target_value", raw.get("target_value")),
        # Blank: the campaign's country's currency (registry/campaigns.py), or the one it has.
        "currency": (clean_text(errs, "currency", raw.get("currency"), required=False, max_len=3) or "").upper()
        or None,
    }
    if record["currency"] is not None and not re.fullmatch(r"[A-Z]{3}", record["currency"]):
        errs.add("currency", "campaigns.error.currency")
    if record["starts_on"] and record["ends_on"] and record["ends_on"] < record["starts_on"]:
        errs.add("ends_on", "campaigns.error.ends_before_start")
    targets: dict[str, int] = {}
    for area, number in parse_governorate_targets(raw.get("governorate_targets")).items():
        code = clean_area(errs, ref, area, field="governorate_targets")
        target = clean_int(errs, "governorate_targets", number, low=1, high=MAX_TARGET_HOUSEHOLDS)
        if code and target:
            if code in targets:
                errs.add("governorate_targets", "campaigns.error.governorate_twice", value=code)
            targets[code] = target
    if targets and record["target_households"] and sum(targets.values()) > record["target_households"]:
        errs.add(
            "governorate_targets",
            "campaigns.error.governorates_over_total",
            total=sum(targets.values()),
            target=record["target_households"],
        )
    errs.raise_if_any()
    record["governorate_targets"] = targets
    return record


def clean_user(raw: dict[str, Any], *, password_required: bool = True) -> dict[str, Any]:
    errs = _Collector()
    username = clean_text(errs, "username", raw.get("username"), required=True)
    if username and not re.fullmatch(r"[a-z0-9_.-]{3,64}", username.lower()):
        errs.add("username", "error.username_format")
    role = clean_choice(errs, "role", raw.get("role"), ROLES)
    password = raw.get("password")
    if password_required or not is_blank(password):
        check_password_strength(errs, password)
    record = {
        "username": username.lower() if username else None,
        "full_name": clean_text(errs, "full_name", raw.get("full_name"), required=True),
        "role": role,
        "organisation_id": raw.get("organisation_id"),
        "password": password,
    }
    if role in ("association", "volunteer") and not record["organisation_id"] and role == "association":
        errs.add("organisation", "error.association_needs_org")
    errs.raise_if_any()
    return record


def clean_reason(value: Any) -> str:
    """Why someone undid a record (an audit entry keeps it): required, one line."""
    errs = _Collector()
    text = clean_text(errs, "reason", value, required=True)
    errs.raise_if_any()
    return str(text)


def check_password_strength(errs: _Collector, password: Any) -> None:
    if is_blank(password):
        errs.add("password", "error.required")
    elif len(str(password)) < 10:
        errs.add("password", "error.password_short", min=10)
    elif len(str(password)) > 128:
        errs.add("password", "error.too_long", max=128, length=len(str(password)))
    elif len(str(password).encode("utf-8")) > 72:
        # bcrypt refuses more than 72 bytes (ValueError): an Arabic letter takes two.
        errs.add("password", "error.password_too_long_bytes", max_bytes=72)


def clean_country_code(
    errs: _Collector,
    ref: Reference,
    value: Any,
    *,
    areas: Sequence[str] = (),
    field: str = "country",
    required: bool = False,
) -> str | None:
    """The country a campaign, an organisation or an account belongs to.

    The one named (it must be in the database); else the one its areas lie in; else the only
    country while the database holds one. Areas of another country than the one named, or of two
    countries, are refused. With several countries and nothing to tell: None (every country: a
    regional account), or an error asking for the country when `required`.
    """
    known = sorted(ref.settings) or sorted({row["country_code"] for row in ref.areas.values()})
    found = sorted({c for c in (ref.country_of(area) for area in areas) if c is not None})
    code: str | None = None
    if not is_blank(value):
        code = str(value).strip().upper()
        if code not in known:
            errs.add(field, "scope.error.unknown_country", value=code[:10], choices=", ".join(known))
            return None
        elsewhere = [area for area in areas if ref.country_of(area) not in (None, code)]
        if elsewhere:
            errs.add(field, "scope.error.area_elsewhere", area=elsewhere[0], country=code)
            return None
        return code
    if len(found) > 1:
        errs.add(field, "scope.error.two_countries", value=", ".join(found))
        return None
    if found:
        return found[0]
    if len(known) == 1:
        return known[0]
    if required:
        errs.add(field, "scope.error.name_country", choices=", ".join(known))
    return None


def resolve_country(ref: Reference, value: Any, *, areas: Sequence[str] = (), required: bool = False) -> str | None:
    """clean_country_code on its own: the country, or a ValidationError."""
    errs = _Collector()
    code = clean_country_code(errs, ref, value, areas=areas, required=required)
    errs.raise_if_any()
    return code
