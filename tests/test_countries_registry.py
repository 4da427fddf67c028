"""Adding a country to a live database: its row, settings and areas together, or nothing."""

from __future__ import annotations

import pytest

from data_layer.core.actor import SYSTEM
from data_layer.core.errors import PermissionDenied, ValidationError
from data_layer.registry.countries import add_country, list_countries
from data_layer.store.database import Database
from data_layer.store.reference import get_reference

MOROCCO = (
    "Pays,Code,الاسم,Nom,Name\n"
    "#country+code,#country+name+i_ar,#country+name+i_fr,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en\n"
    "MA,المغرب,Maroc,MA-01,طنجة تطوان الحسيمة,Tanger-Tétouan-Al Hoceïma,Tanger-Tetouan-Al Hoceima\n"
    "MA,,,MA-04,الرباط سلا القنيطرة,Rabat-Salé-Kénitra,Rabat-Sale-Kenitra\n"
)


def state(db: Database) -> tuple:
    with db.reading() as cur:
        return tuple(
            cur.execute(
                "SELECT (SELECT count(*) FROM countries), (SELECT count(*) FROM country_settings),"
                " (SELECT count(*) FROM areas)"
            ).fetchone()
        )


def test_a_country_is_added_with_its_names_settings_and_areas(empty_db: Database) -> None:
    get_reference(empty_db)  # read before the add: the add must make it read again
    added = add_country(empty_db, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
    assert [a.code for a in added.areas] == ["MA-01", "MA-04"]
    assert state(empty_db) == (2, 2, 26)
    row = list_countries(empty_db).set_index("code").loc["MA"]
    assert (row["name_ar"], row["name_fr"], row["name_en"]) == ("المغرب", "Maroc", "Morocco")
    assert (row["currency"], row["phone_region"], row["default_lang"], row["areas"]) == ("MAD", "MA", "ar", 2)
    assert get_reference(empty_db).resolve_area("Rabat-Salé-Kénitra") == "MA-04"


@pytest.mark.parametrize(
    ("text", "settings", "expected"),
    [
        (MOROCCO.replace("MA,,,MA-04", "MA,,,MA-01"), {}, (4, "adm1", "countries.error.duplicate_code")),
        (MOROCCO.replace("Rabat-Sale-Kenitra", ""), {}, (4, "area_name_en", "countries.error.missing_name")),
        (MOROCCO.replace("MA,,,MA-04", "QQ,,,MA-04"), {}, (4, "country", "countries.error.unknown_country")),
        (MOROCCO, {"currency": "MAX"}, (None, "currency", "countries.error.currency")),
        (MOROCCO, {"id_pattern": "[0-9"}, (None, "id_pattern", "countries.error.id_pattern")),
    ],
)
def test_a_bad_file_or_setting_is_refused_with_its_line_and_leaves_the_database_as_it_was(
    empty_db: Database, text: str, settings: dict, expected: tuple
) -> None:
    before = state(empty_db)
    with pytest.raises(ValidationError) as refused:
        add_country(empty_db, SYSTEM, text, **{"currency": "MAD", "id_pattern": "[A-Z]{1,2}[0-9]{5,6}", **settings})
    assert expected in {(e.params.get("line"), e.field, e.code) for e in refused.value.errors}
    assert state(empty_db) == before


def test_a_country_already_present_is_refused_whole(empty_db: Database) -> None:
    tunisia_again = "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en\nTN,TN-99,س,X,X\n"
    with pytest.raises(ValidationError) as refused:
        add_country(empty_db, SYSTEM, tunisia_again, currency="TND", id_pattern="[0-9]{8}")
    assert [e.code for e in refused.value.errors] == ["countries.error.exists"]
    assert state(empty_db) == (1, 1, 24)


def test_only_an_admin_adds_a_country(empty_db: Database) -> None:
    from data_layer.core.actor import Actor

    organiser = Actor(user_id=None, username="org", role="organiser")
    with pytest.raises(PermissionDenied):
        add_country(empty_db, organiser, MOROCCO, currency="MAD", id_pattern="[0-9]+")
