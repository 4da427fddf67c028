"""The built-in country's areas come from its HXL area file, and a database keeps the areas it has."""

from __future__ import annotations

from data_layer.store.database import Database
from data_layer.store.migrations import load_reference_areas


def test_a_new_database_has_tunisias_24_governorates_from_the_area_file(empty_db: Database) -> None:
    with empty_db.reading() as cur:
        totals = cur.execute(
            "SELECT count(*), sum(population), sum(delegations), min(population_year) FROM areas"
        ).fetchone()
        tunis = cur.execute(
            "SELECT name_ar, name_fr, name_en, population, delegations, region FROM areas WHERE code = 'TN-11'"
        ).fetchone()
    assert tuple(totals) == (24, 10982754, 264, 2014)
    assert tuple(tunis) == ("تونس", "Tunis", "Tunis", 1056247, 21, "Grand Tunis")


def test_loading_again_keeps_the_areas_a_database_already_has(empty_db: Database) -> None:
    with empty_db.transaction() as cur:
        cur.execute("UPDATE areas SET name_fr = 'Tunis (ville)' WHERE code = 'TN-11'")
    with empty_db.transaction() as cur:
        load_reference_areas(cur)
    with empty_db.reading() as cur:
        assert cur.execute("SELECT count(*) FROM areas").fetchone()[0] == 24
        assert cur.execute("SELECT name_fr FROM areas WHERE code = 'TN-11'").fetchone()[0] == "Tunis (ville)"


def test_tunisia_is_seeded_with_its_settings(empty_db: Database) -> None:
    with empty_db.reading() as cur:
        row = cur.execute(
            "SELECT currency, phone_region, id_pattern, default_lang FROM country_settings WHERE country_code = 'TN'"
        ).fetchone()
    assert tuple(row) == ("TND", "TN", "[0-9]{8}", "ar")
