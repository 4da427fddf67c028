"""Imports: all or nothing by default, the encodings people have, and the command line."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data_layer.core.i18n import t
from data_layer.registry.imports import import_file
from data_layer.registry.spreadsheets import read_table

ROOT = Path(__file__).resolve().parent.parent
HEADER = "national_id,full_name,phone,governorate,delegation,address,household_size,vulnerabilities,needs,notes\n"
GOOD = [
    "41000001,نجلاء الشابي,98111222,صفاقس,Sfax Sud,حي الحبيب,4,elderly;lost_income,food:2;hygiene:1,\n",
    "41000002,Karim Gharbi,+216 22 333 444,Béja,Béja Nord,,3,,food:1,note\n",
    "41000003,هند المرزوقي,,TN-83,,,7,single_parent,medicine:2:box;cash:150,\n",
]
BAD = "4100,No Id,12,Atlantis,,,0,,food:x,\n"


def count(db, table, where="true"):
    return db.conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()[0]


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_file_with_one_bad_row_imports_nothing_and_names_each_problem(db, actors, tmp_path):
    path = write(tmp_path, "h.csv", HEADER + GOOD[0] + BAD + GOOD[1])
    households, audits = count(db, "households"), count(db, "audit_log")
    report = import_file(db, actors["atss"], "households", path)
    assert report.imported == 0
    assert {(e.row, e.field, e.code) for e in report.errors} == {
        (3, "national_id", "error.national_id"),
        (3, "phone", "error.phone"),
        (3, "governorate", "error.governorate"),
        (3, "household_size", "error.range"),
        (3, "needs", "error.number"),
    }
    assert (count(db, "households"), count(db, "audit_log")) == (households, audits)


def test_skip_invalid_imports_the_good_rows_with_audit(db, actors, tmp_path):
    path = write(tmp_path, "h.csv", HEADER + GOOD[0] + BAD + GOOD[1])
    report = import_file(db, actors["atss"], "households", path, skip_invalid=True)
    assert report.imported == 2 and report.rejected_count == 1
    assert list(report.rejected_rows["line"]) == [3]
    imported = db.conn.execute(
        "SELECT national_id, governorate_code, source, organisation_id FROM households "
        "WHERE national_id LIKE '4100000%' ORDER BY national_id"
    ).fetchall()
    assert imported == [
        ("41000001", "TN-61", "import", actors["atss"].organisation_id),
        ("41000002", "TN-31", "import", actors["atss"].organisation_id),
    ]
    assert count(db, "needs", "household_id IN (SELECT id FROM households WHERE national_id LIKE '4100000%')") == 3
    assert (
        count(
            db,
            "audit_log",
            "table_name = 'households' AND action = 'insert' AND record_id IN "
            "(SELECT id FROM households WHERE national_id LIKE '4100000%')",
        )
        == 2
    )
    assert (
        count(
            db,
            "audit_log",
            "table_name = 'needs' AND action = 'insert' AND record_id IN (SELECT id FROM needs "
            "WHERE household_id IN (SELECT id FROM households WHERE national_id LIKE '4100000%'))",
        )
        == 3
    )


def test_excel_csv_with_bom_and_windows_1256_import_the_same(db, actors, tmp_path):
    bom = write(tmp_path, "bom.csv", HEADER + GOOD[0], encoding="utf-8-sig")
    assert bom.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert import_file(db, actors["atss"], "households", bom).imported == 1
    arabic = write(tmp_path, "win.csv", HEADER + GOOD[2].replace("TN-83", "تطاوين"), encoding="cp1256")
    with pytest.raises(UnicodeDecodeError):
        arabic.read_bytes().decode("utf-8")
    assert import_file(db, actors["atss"], "households", arabic).imported == 1
    assert db.conn.execute(
        "SELECT full_name, governorate_code FROM households WHERE national_id IN "
        "('41000001', '41000003') ORDER BY national_id"
    ).fetchall() == [("نجلاء الشابي", "TN-61"), ("هند المرزوقي", "TN-83")]


def test_xlsx_keeps_leading_zeros_and_semicolon_csv_reads(db, actors, tmp_path):
    frame = pd.DataFrame(
        [
            {
                "national_id": "01234567",
                "full_name": "Olfa Zouari",
                "phone": "55 666 777",
                "governorate": "Nabeul",
                "household_size": "2",
                "needs": "clothes:1",
            }
        ]
    )
    frame.to_excel(tmp_path / "h.xlsx", index=False)
    assert import_file(db, actors["atss"], "households", tmp_path / "h.xlsx").imported == 1
    assert count(db, "households", "national_id = '01234567'") == 1
    semi = write(
        tmp_path,
        "semi.csv",
        "national_id;full_name;governorate;household_size;needs\n09999999;Rim Ayari;Sousse;3;food:1;hygiene:2\n",
    )
    assert list(read_table(semi).columns) == ["national_id", "full_name", "governorate", "household_size", "needs"]


def test_duplicates_within_the_file_and_against_the_database_are_refused(db, actors, tmp_path):
    existing = db.conn.execute("SELECT national_id FROM households LIMIT 1").fetchone()[0]
    path = write(
        tmp_path, "h.csv", HEADER + GOOD[0] + GOOD[0].replace("نجلاء", "أخرى") + GOOD[1].replace("41000002", existing)
    )
    report = import_file(db, actors["atss"], "households", path)
    assert {(e.row, e.code) for e in report.errors} == {
        (3, "error.duplicate_in_file"),
        (4, "error.duplicate_household_other"),
    }
    assert report.imported == 0


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "data_layer", *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_import_exit_status_and_rejected_file(db_path, tmp_path):
    path = write(tmp_path, "h.csv", HEADER + GOOD[0] + BAD)
    refused = run_cli("--db", db_path, "import", "households", path, "--org", "ATSS", "--lang", "en")
    assert refused.returncode == 1
    assert f"line 3: {t('field.national_id', 'en')}: The national ID must be exactly 8 digits." in refused.stderr
    assert "Nothing imported" in refused.stderr and "Traceback" not in refused.stderr
    skipped = run_cli("--db", db_path, "import", "households", path, "--org", "ATSS", "--skip-invalid")
    assert skipped.returncode == 0 and "Imported 1 of 2 households." in skipped.stdout
    # FILE.rejected.csv, as the README says; the reasons in Arabic by default.
    rejected = pd.read_csv(tmp_path / "h.csv.rejected.csv", dtype=str, keep_default_na=False)
    original = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(rejected.columns) == ["line", *original.columns, "error"]
    assert list(rejected["line"]) == ["3"]
    assert rejected.drop(columns=["line", "error"]).iloc[0].tolist() == original.iloc[1].tolist()
    assert rejected["error"][0].startswith(f"{t('field.national_id', 'ar')}: {t('error.national_id', 'ar')}; ")


def test_cli_rejected_reasons_in_french_and_the_fixed_file_imports_as_is(db_path, tmp_path):
    path = write(tmp_path, "h.csv", HEADER + GOOD[0] + BAD)
    run_cli("--db", db_path, "import", "households", path, "--org", "ATSS", "--skip-invalid", "--lang", "fr")
    rejected_file = tmp_path / "h.csv.rejected.csv"
    rejected = pd.read_csv(rejected_file, dtype=str, keep_default_na=False)
    assert rejected["error"][0].startswith(f"{t('field.national_id', 'fr')}: {t('error.national_id', 'fr')}; ")
    fixed = {"national_id": "07777777", "phone": "", "governorate": "Sfax", "household_size": "2", "needs": "food:1"}
    for column, value in fixed.items():
        rejected.loc[0, column] = value
    rejected.to_csv(rejected_file, index=False)
    again = run_cli("--db", db_path, "import", "households", rejected_file, "--org", "ATSS")
    assert again.returncode == 0 and "Imported 1 of 1 households." in again.stdout, again.stderr


@pytest.mark.duckdb_only(reason="another process holding the DuckDB file's lock; a PostgreSQL server has no such lock")
def test_cli_says_so_in_one_line_when_the_app_holds_the_database(db_path, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db_path)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run_cli("--db", db_path, "export", "households", "--format", "csv", "-o", tmp_path / "x.csv")
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0
    assert "open in another process" in result.stderr and "Import page" in result.stderr


def test_cli_export_round_trips_through_import(db_path, tmp_path, empty_db):
    out = tmp_path / "households.csv"
    result = run_cli("--db", db_path, "export", "households", "--format", "csv", "-o", out)
    assert result.returncode == 0, result.stderr
    exported = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(exported) == 300
    empty_db.conn.execute("INSERT INTO organisations (code, name, kind) VALUES ('X', 'X', 'association')")
    from data_layer.core.actor import SYSTEM
    from data_layer.registry.imports import COLUMNS, import_frame

    report = import_frame(empty_db, SYSTEM, "households", exported[COLUMNS["households"]], organisation_id=1)
    assert report.imported == 300, report.errors[:3]


def test_cli_users_add_and_passwd(db_path):
    created = run_cli(
        "--db",
        db_path,
        "users",
        "add",
        "staff2",
        "--role",
        "association",
        "--full-name",
        "Staff Two",
        "--org",
        "CRT",
        "--password",
        "long-password-1",
    )
    assert created.returncode == 0, created.stderr
    weak = run_cli("--db", db_path, "users", "passwd", "staff2", "--password", "short")
    assert weak.returncode == 1 and "Password too short" in weak.stderr


def test_donations_import_keeps_the_delegation_holding_the_stock(db, actors, tmp_path):
    path = write(
        tmp_path,
        "donations.csv",
        "donor_name,donor_type,kind,category,item,quantity,unit,value_tnd,governorate,delegation,received_on\n"
        "Société X,company,in_kind,food,قفة,40,basket,1800,Sfax,Sfax Sud,2020-05-16\n"
        "Société X,company,in_kind,hygiene,kit,10,kit,,Sfax,,2020-05-17\n",
    )
    report = import_file(db, actors["atss"], "donations", path)
    assert report.errors == [] and report.imported == 2
    held = db.conn.execute(
        "SELECT category_code, delegation FROM donations WHERE item IN ('قفة', 'kit') "
        "AND donor_id IN (SELECT id FROM donors WHERE name = 'Société X') ORDER BY 1"
    ).fetchall()
    assert held == [("food", "Sfax Sud"), ("hygiene", None)]


def test_one_identity_number_spelled_in_other_digits_is_one_household(db, actors, tmp_path):
    rows = [
        "41000009,Salma Ben Amor,98111333,Tunis,,,2,,food:1,\n",
        "４１０００００９,Salma Ben Amor,98111334,Tunis,,,2,,food:1,\n",
        "⁴¹⁰⁰⁰⁰⁰⁹,Salma Ben Amor,98111335,Tunis,,,2,,food:1,\n",
        "𝟒𝟏𝟎𝟎𝟎𝟎𝟎𝟗,Salma Ben Amor,98111336,Tunis,,,2,,food:1,\n",
    ]
    path = write(tmp_path, "h.csv", HEADER + "".join(rows))
    report = import_file(db, actors["atss"], "households", path, skip_invalid=True)
    assert report.imported == 1
    assert {(e.row, e.code) for e in report.errors} == {
        (3, "error.duplicate_in_file"),
        (4, "error.duplicate_in_file"),
        (5, "error.duplicate_in_file"),
    }
    assert count(db, "households", "national_id = '41000009'") == 1
