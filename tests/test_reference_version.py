"""The countries, their settings and areas carry a version in the database (migration 0156), moved
on in the transaction that changes them: a server holding them in memory reads them again at its
next use, so a country added on one app server is offered by the others without a restart."""

from __future__ import annotations

import time

import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import ValidationError
from data_layer.ops.bootstrap import open_database
from data_layer.registry.countries import add_country
from data_layer.registry.households import register_household
from data_layer.registry.organisations import create_organisation
from data_layer.store.migrations import load_reference_areas
from data_layer.store.reference import get_reference, reference_version
from tests.conftest import ON_POSTGRES, open_page

MOROCCO = (
    "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en\n"
    "MA,MA-04,الرباط سلا القنيطرة,Rabat-Salé-Kénitra,Rabat-Sale-Kenitra\n"
    "MA,MA-06,الدار البيضاء سطات,Casablanca-Settat,Casablanca-Settat\n"
)
# Line 3 repeats line 2's code: refused as a whole.
BAD_MOROCCO = MOROCCO + "MA,MA-04,الرباط,Rabat,Rabat\n"


def moroccan_areas(db) -> list[str]:
    return sorted(code for code, row in get_reference(db).areas.items() if row["country_code"] == "MA")


def test_the_reference_is_kept_until_its_version_moves_and_read_again_after_a_country_is_added(empty_db):
    first = get_reference(empty_db)
    version = reference_version(empty_db)
    assert get_reference(empty_db) is first  # nothing changed: the areas are not read again
    assert moroccan_areas(empty_db) == [] and "MA" not in first.settings

    add_country(empty_db, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
    assert reference_version(empty_db) == version + 1
    assert moroccan_areas(empty_db) == ["MA-04", "MA-06"]
    assert get_reference(empty_db).settings["MA"].currency == "MAD"
    assert get_reference(empty_db).resolve_area("Casablanca-Settat") == "MA-06"


def test_a_refused_area_file_leaves_the_version_as_it_was(empty_db):
    version = reference_version(empty_db)
    kept = get_reference(empty_db)
    with pytest.raises(ValidationError):
        add_country(empty_db, SYSTEM, BAD_MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
    assert reference_version(empty_db) == version
    assert get_reference(empty_db) is kept


def test_loading_the_built_in_areas_after_an_upgrade_moves_the_version(empty_db):
    version = reference_version(empty_db)
    with empty_db.transaction() as cur:
        load_reference_areas(cur)
    assert reference_version(empty_db) == version + 1


@pytest.mark.skipif(not ON_POSTGRES, reason="a DuckDB file has one writer, the app's process: no second server")
def test_a_second_server_on_the_same_postgresql_offers_a_country_the_first_added(empty_db_path):
    first, second = open_database(empty_db_path), open_database(empty_db_path)
    try:
        kept = get_reference(second)
        assert moroccan_areas(second) == []
        assert get_reference(second) is kept  # unchanged version: the memory copy serves

        add_country(first, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
        assert moroccan_areas(second) == ["MA-04", "MA-06"]
        # The second server checks a Moroccan household against Morocco's rules at once.
        org = create_organisation(
            second, SYSTEM, {"code": "MAWADA", "name": "Mawada", "kind": "association", "areas": ["MA-04"]}
        )
        staff = Actor(user_id=None, username="karima", role="association", organisation_id=org, country_code="MA")
        household = register_household(
            second, staff, {"national_id": "AB123456", "full_name": "Fatima Zahra Bennani", "governorate": "MA-04",
                            "household_size": 4, "phone": "0612345678", "needs": "food:1"},
        )  # fmt: skip
        with second.reading() as cur:
            assert cur.execute(
                "SELECT governorate_code, national_id, phone FROM households WHERE id = $id", {"id": household}
            ).fetchone() == ("MA-04", "AB123456", "+212612345678")
    finally:
        first.close()
        second.close()


@pytest.mark.skipif(not ON_POSTGRES, reason="the cost of asking a database other servers write")
def test_asking_the_version_costs_a_fraction_of_a_millisecond(empty_db_path):
    db = open_database(empty_db_path)
    try:
        get_reference(db)
        started = time.perf_counter()
        for _ in range(200):
            get_reference(db)
        per_call_ms = (time.perf_counter() - started) / 200 * 1000
    finally:
        db.close()
    print(f"get_reference on PostgreSQL, version unchanged: {per_call_ms:.3f} ms a call")
    assert per_call_ms < 5


def test_the_app_offers_a_new_countrys_areas_at_its_next_rerun(make_app, db_path):
    """An admin (no country) on the household form; Morocco is added meanwhile - on PostgreSQL by
    another server's Database, on DuckDB by the app's own (the one writer of the file)."""
    at = open_page(make_app, "admin", "pages/household_new.py", lang="fr")
    options = at.selectbox(key="household_new_governorate").options
    assert not [o for o in options if "Rabat" in o]
    if ON_POSTGRES:
        other = open_database(db_path)
        try:
            add_country(other, SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
        finally:
            other.close()
    else:
        from ui.session import get_db

        add_country(get_db(), SYSTEM, MOROCCO, currency="MAD", id_pattern="[A-Z]{1,2}[0-9]{5,6}")
    at.run()
    assert not at.exception, at.exception
    options = at.selectbox(key="household_new_governorate").options
    assert "Rabat-Salé-Kénitra (MA)" in options and "Sfax (TN)" in options
