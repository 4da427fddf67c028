"""A country as data: HXL area files and country settings, refused whole with the line and reason."""

from __future__ import annotations

import pycountry
import pytest

from data_layer.core.countries import (
    AreaFileError,
    clean_country_settings,
    parse_area_file,
    phone_in_e164,
)
from data_layer.core.errors import ValidationError
from data_layer.core.i18n import LANGS, has_key, t
from tests.conftest import ROOT

TAGS = "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en,#population\n"
HUMAN = "Country,Code,Arabic,French,English,Population\n"


def refusals(text: str) -> set[tuple]:
    with pytest.raises(ValidationError) as refused:
        parse_area_file(text)
    for error in refused.value.errors:
        for lang in LANGS:
            assert has_key(error.code) and not t(error.code, lang, **error.params).startswith("[")
            assert has_key(f"field.{error.field}"), error.field
    return {(e.params.get("line"), e.field, e.code) for e in refused.value.errors}


def test_an_area_file_is_read_by_its_tags_in_any_column_order():
    text = (
        "#adm1+name+i_en,#adm1+i_fr+name,#ADM1+CODE,#country+code,#adm1+name+i_ar,#geo+lat,#geo+lon\n"
        "Amman,Amman,JO-AM,JO,العاصمة,31.95,35.93\n"
        "Irbid,Irbid,JO-IR,JO,إربد,,\n"
    )
    country = parse_area_file(text)
    assert country.country_code == "JO"
    assert [(a.code, a.names["ar"], a.names["fr"], a.lat, a.line) for a in country.areas] == [
        ("JO-AM", "العاصمة", "Amman", 31.95, 2),
        ("JO-IR", "إربد", "Irbid", None, 3),
    ]


def test_second_level_areas_come_on_rows_of_their_first_level_area():
    text = (
        "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en,"
        "#adm2+code,#adm2+name+i_ar,#adm2+name+i_fr,#adm2+name+i_en\n"
        "TN,TN-12,أريانة,Ariana,Ariana,TN-1211,أريانة المدينة,Ariana Ville,Ariana City\n"
        "TN,TN-12,أريانة,Ariana,Ariana,TN-1212,سكرة,Soukra,Soukra\n"
    )
    [ariana] = parse_area_file(text).areas
    assert ariana.children == {
        "TN-1211": {"ar": "أريانة المدينة", "fr": "Ariana Ville", "en": "Ariana City"},
        "TN-1212": {"ar": "سكرة", "fr": "Soukra", "en": "Soukra"},
    }


def test_a_bad_file_is_refused_with_every_line_and_reason():
    text = (
        HUMAN
        + TAGS
        + (
            "JO,JO-AM,العاصمة,Amman,Amman,4000000\n"
            "JO,JO-AM,العاصمة,Amman,Amman,10\n"  # line 4: the same code again
            "JO,JO-IR,,Irbid,Irbid,\n"  # line 5: no Arabic name
            "XX,JO-ZA,الزرقاء,Zarqa,Zarqa,many\n"  # line 6: unknown country, population not a number
            "JO,jo ma,المفرق,Mafraq,Mafraq,\n"  # line 7: not a code
        )
    )
    assert refusals(text) == {
        (4, "adm1", "countries.error.duplicate_code"),
        (5, "area_name_ar", "countries.error.missing_name"),
        (6, "country", "countries.error.unknown_country"),
        (6, "population", "countries.error.number"),
        (7, "adm1", "countries.error.area_code"),
    }


def test_two_countries_in_one_file_are_refused():
    assert refusals(TAGS + "JO,JO-AM,العاصمة,Amman,Amman,\nTN,TN-11,تونس,Tunis,Tunis,\n") == {
        (3, "country", "countries.error.two_countries")
    }


@pytest.mark.parametrize(
    "text, code",
    [
        ("Code,Name\nTN-11,Tunis\n", "countries.error.no_tags"),
        ("#country+code,#adm1+code,#adm1+name+i_ar\nTN,TN-11,تونس\n", "countries.error.missing_tags"),
        (TAGS, "countries.error.no_areas"),
    ],
)
def test_a_file_without_the_needed_tags_or_rows_is_refused(text, code):
    with pytest.raises(AreaFileError) as refused:
        parse_area_file(text)
    assert refused.value.code == code


@pytest.mark.parametrize("country", ["TN", "JO"])
def test_the_shipped_country_files_read_and_match_iso_3166_2(country):
    areas = parse_area_file((ROOT / "sql" / "reference" / "areas" / f"{country}.csv").read_bytes())
    iso = {s.code for s in pycountry.subdivisions.get(country_code=country)}
    assert areas.country_code == country
    assert {a.code for a in areas.areas} == iso
    assert all(all(a.names.values()) for a in areas.areas)


def test_tunisia_keeps_its_population_and_delegations():
    areas = {a.code: a for a in parse_area_file((ROOT / "sql/reference/areas/TN.csv").read_bytes()).areas}
    assert (areas["TN-11"].population, areas["TN-11"].population_year, areas["TN-11"].delegations) == (
        1056247,
        2014,
        21,
    )
    assert len(areas) == 24


def test_country_settings_are_checked_against_the_standards():
    settings = clean_country_settings("jo", "jod", id_pattern=r"[0-9]{10}")
    assert (settings.code, settings.currency, settings.phone_region) == ("JO", "JOD", "JO")
    assert settings.id_matches("9861234567") and not settings.id_matches("12345678")
    with pytest.raises(ValidationError) as refused:
        clean_country_settings("ZZ", "XYZ", phone_region="QQ", id_pattern="([0-9")
    assert {e.field for e in refused.value.errors} == {"country", "currency", "phone_region", "id_pattern"}


@pytest.mark.parametrize(
    "typed, region, expected",
    [
        ("98 123 456", "TN", "+21698123456"),
        ("079 123 4567", "JO", "+962791234567"),
        ("+962 79 123 4567", "TN", "+962791234567"),
        ("12", "TN", None),
        ("hello", "JO", None),
    ],
)
def test_phones_are_read_with_the_countrys_numbering_plan(typed, region, expected):
    assert phone_in_e164(typed, region) == expected
