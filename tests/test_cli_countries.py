"""`countries add` and `countries list`: a country is added whole, or refused with the line and
reason and the database left as it was."""

from __future__ import annotations

from data_layer.ops.bootstrap import open_database
from tests.conftest import ROOT, run_cli

JORDAN = ROOT / "sql" / "reference" / "areas" / "JO.csv"


def counts(db_path):
    database = open_database(db_path)
    try:
        return database.conn.execute(
            "SELECT (SELECT count(*) FROM countries), (SELECT count(*) FROM country_settings),"
            " (SELECT count(*) FROM areas)"
        ).fetchone()
    finally:
        database.close()


def test_jordan_is_added_with_its_areas_and_listed_beside_tunisia(fresh):
    added = run_cli(fresh, "countries", "add", JORDAN, "--currency", "jod", "--id-pattern", "[0-9]{10}")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Country JO added with 12 areas."
    assert counts(fresh) == (2, 2, 36)
    listed = run_cli(fresh, "countries", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[1].split()[:3] == ["JO", "Jordan", "Jordan"] and "JOD" in lines[1] and "[0-9]{10}" in lines[1]
    assert lines[2].split()[0] == "TN" and "TND" in lines[2]


def test_a_file_with_a_duplicate_code_is_refused_with_its_line_and_nothing_is_added(fresh, tmp_path):
    bad = tmp_path / "MA.csv"
    bad.write_text(
        "#country+code,#adm1+code,#adm1+name+i_ar,#adm1+name+i_fr,#adm1+name+i_en\n"
        "MA,MA-01,طنجة تطوان الحسيمة,Tanger-Tétouan-Al Hoceïma,Tanger-Tetouan-Al Hoceima\n"
        "MA,MA-01,الشرق,L'Oriental,Oriental\n",
        encoding="utf-8",
    )
    refused = run_cli(fresh, "countries", "add", bad, "--currency", "MAD", "--id-pattern", "[A-Z]{1,2}[0-9]{5,6}")
    assert refused.returncode == 1
    assert refused.stderr.strip() == "Refused: Area code: Line 3: code MA-01 already appears on line 2."
    assert counts(fresh) == (1, 1, 24)


def test_a_bad_setting_and_a_second_add_are_refused_and_change_nothing(fresh):
    bad_currency = run_cli(fresh, "countries", "add", JORDAN, "--currency", "XYZ", "--id-pattern", "[0-9]{10}")
    assert bad_currency.returncode == 1
    assert "Currency XYZ is not in ISO 4217." in bad_currency.stderr
    assert counts(fresh) == (1, 1, 24)
    assert run_cli(fresh, "countries", "add", JORDAN, "--currency", "JOD", "--id-pattern", "[0-9]{10}").returncode == 0
    again = run_cli(fresh, "countries", "add", JORDAN, "--currency", "JOD", "--id-pattern", "[0-9]{10}")
    assert again.returncode == 1
    assert "Country JO is already in the database." in again.stderr
    assert counts(fresh) == (2, 2, 36)


def test_a_missing_file_is_one_clear_line(fresh, tmp_path):
    missing = run_cli(
        fresh, "countries", "add", tmp_path / "nowhere.csv", "--currency", "JOD", "--id-pattern", "[0-9]+"
    )
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"Refused: The file {tmp_path / 'nowhere.csv'} cannot be read."
