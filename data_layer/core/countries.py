"""A country as data: its admin areas from an HXL-tagged CSV, and a few settings.

Area files follow the convention of OCHA's common operational datasets: any human header rows,
then one row of HXL hashtags, then one row per area. Columns are found by their tags, in any
order and with attributes in any order:

    #country+code            ISO 3166-1 alpha-2, the same on every row (required)
    #country+name+i_ar / +i_fr / +i_en   the country's names (optional; the first row giving one
                             counts; where absent, pycountry's English name stands in that language)
    #adm1+code               the first-level area's code, e.g. TN-11 (required)
    #adm1+name+i_ar / +i_fr / +i_en   its names (all three required)
    #adm2+code, #adm2+name+i_ar / +i_fr / +i_en   a second-level area on the same row (optional)
    #population              people living in the first-level area (optional, whole number)
    #date+year               the year of that population figure (optional)
    #region+name             a grouping of areas shown beside them (optional)
    #indicator+num+delegations   how many second-level areas it has, when they are not listed
    #geo+lat, #geo+lon       the area's centroid, for the map (optional)

Country codes and currencies are checked against pycountry (ISO 3166-1, ISO 4217) and phone
regions against phonenumbers' numbering plans, rather than lists of our own.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
import pycountry

from data_layer.core.errors import FieldError, JesrError, ValidationError

NAME_LANGS = ("ar", "fr", "en")
AREA_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,15}$")


class AreaFileError(JesrError):
    """An area file that cannot be used as a whole: nothing of it is loaded."""

    code = "countries.error.file"


@dataclass(frozen=True)
class Tag:
    hashtag: str
    attributes: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> Tag | None:
        parts = text.strip().lower().split("+")
        if not parts[0].startswith("#") or len(parts[0]) < 2:
            return None
        return cls(parts[0], frozenset(p.strip() for p in parts[1:] if p.strip()))

    def has(self, hashtag: str, *attributes: str) -> bool:
        return self.hashtag == hashtag and set(attributes) <= self.attributes


@dataclass
class Area:
    code: str
    names: dict[str, str]
    line: int
    population: int | None = None
    population_year: int | None = None
    region: str | None = None
    delegations: int | None = None
    lat: float | None = None
    lon: float | None = None
    children: dict[str, dict[str, str]] = field(default_factory=dict)  # adm2 code -> names


@dataclass
class CountryAreas:
    country_code: str
    areas: list[Area]
    names: dict[str, str] = field(default_factory=dict)  # the country's names the file gives, by language

    @property
    def second_level_count(self) -> int:
        return sum(len(area.children) for area in self.areas)


# Where each value of a row is found: (hashtag, attributes that must be present).
_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "country": ("#country", ("code",)),
    **{f"country_{lang}": ("#country", ("name", f"i_{lang}")) for lang in NAME_LANGS},
    "adm1": ("#adm1", ("code",)),
    **{f"adm1_{lang}": ("#adm1", ("name", f"i_{lang}")) for lang in NAME_LANGS},
    "adm2": ("#adm2", ("code",)),
    **{f"adm2_{lang}": ("#adm2", ("name", f"i_{lang}")) for lang in NAME_LANGS},
    "population": ("#population", ()),
    "year": ("#date", ("year",)),
    "region": ("#region", ("name",)),
    "delegations": ("#indicator", ("num", "delegations")),
    "lat": ("#geo", ("lat",)),
    "lon": ("#geo", ("lon",)),
}
REQUIRED_COLUMNS = ("country", "adm1", "adm1_ar", "adm1_fr", "adm1_en")


def _locate(tags: list[Tag | None]) -> dict[str, int]:
    """The column index of each known value; the first matching column wins."""
    found: dict[str, int] = {}
    for key, (hashtag, attributes) in _COLUMNS.items():
        for index, tag in enumerate(tags):
            if tag is not None and tag.has(hashtag, *attributes):
                # "#adm1+code" must not be taken for a name column, nor a name for a code.
                if "code" not in attributes and "code" in tag.attributes:
                    continue
                found[key] = index
                break
    return found


def _text(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def _number(errors: list[FieldError], line: int, name: str, text: str, kind: type) -> Any:
    if not text:
        return None
    try:
        value = kind(text.replace(" ", "").replace("\u202f", ""))
    except ValueError:
        errors.append(FieldError(name, "countries.error.number", {"line": line, "value": text[:20]}))
        return None
    return value


def parse_area_file(data: bytes | str) -> CountryAreas:
    """The areas of one country from an HXL-tagged CSV; refuses the whole file, naming each bad line."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    tag_line = next(
        (
            i
            for i, row in enumerate(rows)
            if any(cell.strip() for cell in row)
            and all(not cell.strip() or cell.strip().startswith("#") for cell in row)
        ),
        None,
    )
    if tag_line is None:
        raise AreaFileError("countries.error.no_tags")
    columns = _locate([Tag.parse(cell) if cell.strip() else None for cell in rows[tag_line]])
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        wanted = ", ".join("#" + _COLUMNS[k][0][1:] + "".join("+" + a for a in _COLUMNS[k][1]) for k in missing)
        raise AreaFileError("countries.error.missing_tags", tags=wanted)

    errors: list[FieldError] = []
    areas: dict[str, Area] = {}
    second_level: set[str] = set()
    country: str | None = None
    country_names: dict[str, str] = {}
    for offset, row in enumerate(rows[tag_line + 1 :]):
        line = tag_line + offset + 2  # lines of the file, counted from 1
        if not any(cell.strip() for cell in row):
            continue

        def add(name: str, message: str, **params: Any) -> None:
            errors.append(FieldError(name, message, {"line": line, **params}))  # noqa: B023 - used at once

        row_country = _text(row, columns["country"]).upper()
        if pycountry.countries.get(alpha_2=row_country) is None:
            add("country", "countries.error.unknown_country", value=row_country[:10])
        elif country is None:
            country = row_country
        elif row_country != country:
            add("country", "countries.error.two_countries", value=row_country, first=country)
        for lang in NAME_LANGS:
            name = _text(row, columns.get(f"country_{lang}"))
            if name and lang not in country_names:
                country_names[lang] = name
        code = _text(row, columns["adm1"]).upper()
        if not AREA_CODE.match(code):
            add("adm1", "countries.error.area_code", value=code[:20])
            continue
        names = {lang: _text(row, columns[f"adm1_{lang}"]) for lang in NAME_LANGS}
        for lang, name in names.items():
            if not name:
                add(f"area_name_{lang}", "countries.error.missing_name", language=lang, code=code)
        area = areas.get(code)
        adm2 = _text(row, columns.get("adm2")).upper()
        if area is None:
            area = Area(code=code, names=names, line=line)
            area.population = _number(errors, line, "population", _text(row, columns.get("population")), int)
            if area.population is not None and area.population < 0:
                add("population", "countries.error.number", value=str(area.population))
            area.population_year = _number(errors, line, "year", _text(row, columns.get("year")), int)
            area.region = _text(row, columns.get("region")) or None
            area.delegations = _number(errors, line, "delegations", _text(row, columns.get("delegations")), int)
            area.lat = _number(errors, line, "lat", _text(row, columns.get("lat")), float)
            area.lon = _number(errors, line, "lon", _text(row, columns.get("lon")), float)
            lat_wrong = area.lat is not None and not -90 <= area.lat <= 90
            lon_wrong = area.lon is not None and not -180 <= area.lon <= 180
            if lat_wrong or lon_wrong:
                add("geo", "countries.error.coordinates")
            areas[code] = area
        elif not adm2:
            add("adm1", "countries.error.duplicate_code", code=code, first=area.line)
        elif names != area.names:
            add("adm1", "countries.error.names_differ", code=code, first=area.line)
        if adm2:
            if not AREA_CODE.match(adm2):
                add("adm2", "countries.error.area_code", value=adm2[:20])
            elif adm2 in second_level:
                add("adm2", "countries.error.duplicate_code", code=adm2, first=area.line)
            else:
                second_level.add(adm2)
                child = {lang: _text(row, columns.get(f"adm2_{lang}")) for lang in NAME_LANGS}
                for lang, name in child.items():
                    if not name:
                        add(f"subarea_name_{lang}", "countries.error.missing_name", language=lang, code=adm2)
                area.children[adm2] = child
    if errors:
        raise ValidationError(errors)
    if country is None or not areas:
        raise AreaFileError("countries.error.no_areas")
    for area in areas.values():
        if not area.code.startswith(country):
            raise ValidationError(
                [
                    FieldError(
                        "adm1",
                        "countries.error.code_prefix",
                        {"line": area.line, "code": area.code, "country": country},
                    )
                ]
            )
    return CountryAreas(country, list(areas.values()), country_names)


def country_names(country: CountryAreas) -> dict[str, str]:
    """The country's name in each language: the file's where it gives one, else pycountry's English
    name (ISO 3166-1 holds English names only; a translated name is the file's to give)."""
    found = pycountry.countries.get(alpha_2=country.country_code)
    english = found.name if found is not None else country.country_code
    return {lang: country.names.get(lang) or english for lang in NAME_LANGS}


@dataclass(frozen=True)
class CountrySettings:
    code: str
    currency: str
    phone_region: str
    id_pattern: str
    default_lang: str = "ar"

    def id_matches(self, digits: str) -> bool:
        return re.fullmatch(self.id_pattern, digits) is not None


def clean_country_settings(
    code: str, currency: str, phone_region: str | None = None, id_pattern: str | None = None, default_lang: str = "ar"
) -> CountrySettings:
    """Settings checked against ISO 4217, the phone numbering plans, and a national-ID pattern."""
    errors: list[FieldError] = []
    code = (code or "").strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        errors.append(FieldError("country", "countries.error.unknown_country", {"line": 0, "value": code[:10]}))
    currency = (currency or "").strip().upper()
    if pycountry.currencies.get(alpha_3=currency) is None:
        errors.append(FieldError("currency", "countries.error.currency", {"value": currency[:10]}))
    region = (phone_region or code).strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        errors.append(FieldError("phone_region", "countries.error.phone_region", {"value": region[:10]}))
    pattern = (id_pattern or "").strip()
    if not pattern:
        errors.append(FieldError("id_pattern", "error.required", {}))
    else:
        try:
            re.compile(pattern)
        except re.error:
            errors.append(FieldError("id_pattern", "countries.error.id_pattern", {"value": pattern[:40]}))
    if default_lang not in NAME_LANGS:
        errors.append(
            FieldError("default_lang", "error.choice", {"value": default_lang, "choices": ", ".join(NAME_LANGS)})
        )
    if errors:
        raise ValidationError(errors)
    return CountrySettings(code, currency, region, pattern, default_lang)


def phone_in_e164(value: str, region: str) -> str | None:
    """The number in E.164 (+21698123456) if it is a valid number of `region`'s plan, else None."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def gift_currency(campaign_currency: str | None, country: CountrySettings | None) -> str | None:
    """The currency (ISO 4217) a gift is counted in: its campaign's, else its country's (from the
    country's settings, checked against pycountry when the country was added). A cash gift's unit
    is this currency; the donation_currencies view (migration 0091) reads saved gifts by the same
    rule. None where neither is known (an area of no known country)."""
    return campaign_currency or (country.currency if country is not None else None)
