"""Aggregate exports from the command line: CSV, XLSX, HXL (read back by libhxl), observers, formulas."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import hxl
import openpyxl
import pytest

from data_layer.core.errors import PermissionDenied
from data_layer.monitoring.coverage import EXPORT_COLUMNS
from data_layer.monitoring.exports import export_table
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import main
from tests.conftest import rebuild_facts_after_raw_sql

PERSONAL_COLUMNS = {"full_name", "national_id", "phone", "address", "donor_name", "delegation"}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def served_db_path(db_path: Path) -> Path:
    """The demo copy with confirmed deliveries for 30 households of Sfax and 2 of Tozeur."""
    db = open_database(db_path)
    try:
        for code, count in (("TN-61", 30), ("TN-72", 2)):
            ids = [
                r[0]
                for r in db.conn.execute(
                    "SELECT id FROM households WHERE governorate_code = ? AND status NOT IN ('submitted','rejected',"
                    "'merged') AND id NOT IN (SELECT household_id FROM deliveries WHERE status = 'confirmed') "
                    "ORDER BY id LIMIT ?",
                    [code, count],
                ).fetchall()
            ]
            for household_id in ids:
                db.conn.execute(
                    "INSERT INTO deliveries (household_id, status, confirmed_at) VALUES (?, 'confirmed', ?)",
                    [household_id, dt.datetime(2020, 5, 25, 12)],
                )
        rebuild_facts_after_raw_sql(db)
        db.conn.execute("CHECKPOINT")
    finally:
        db.close()
    return db_path


def expected_counts(db_path: Path) -> dict[str, tuple[int, int]]:
    db = open_database(db_path)
    try:
        households = db.conn.execute("SELECT id, governorate_code, status FROM households").fetchall()
        served = {
            r[0] for r in db.conn.execute("SELECT household_id FROM deliveries WHERE status = 'confirmed'").fetchall()
        }
        codes = [r[0] for r in db.conn.execute("SELECT code FROM areas").fetchall()]
    finally:
        db.close()
    counts = {code: [0, 0] for code in codes}
    for household_id, code, status in households:
        if status in ("submitted", "rejected", "merged"):
            continue
        counts[code][0] += 1
        counts[code][1] += household_id in served
    return {code: (r, s) for code, (r, s) in counts.items()}


def test_coverage_csv_has_24_rows_equal_to_raw_counts(served_db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "coverage.csv"
    assert main(["--db", str(served_db_path), "export", "coverage", "--format", "csv", "-o", str(out)]) == 0
    table = read_csv(out)
    assert [c for c in table[0]] == EXPORT_COLUMNS["coverage"]
    assert len(table) == 24
    expected = expected_counts(served_db_path)
    for row in table:
        registered, served = expected[row["governorate_code"]]
        assert int(row["households_registered"]) == registered
        assert int(row["households_served"]) == served
        assert (
            float(row["coverage_rate"] or "nan") == pytest.approx(round(served / registered, 4))
            if registered
            else row["coverage_rate"] == ""
        )
    sfax = next(r for r in table if r["governorate_code"] == "TN-61")
    assert sfax["governorate_name"] == "Sfax"
    assert int(sfax["households_served"]) >= 30


def test_observer_csv_suppresses_and_has_no_personal_field(served_db_path: Path, tmp_path: Path) -> None:
    expected = expected_counts(served_db_path)
    out = tmp_path / "coverage_observer.csv"
    assert (
        main(["--db", str(served_db_path), "export", "coverage", "--format", "csv", "--as-observer", "-o", str(out)])
        == 0
    )
    table = {r["governorate_code"]: r for r in read_csv(out)}
    assert len(table) == 24
    for code, (registered, served) in expected.items():
        assert table[code]["households_registered"] == (str(registered) if registered >= 5 else "<5")
        assert table[code]["households_served"] == (str(served) if served >= 5 else "<5")
        if served < 5 or registered < 5:
            assert table[code]["coverage_rate"] == "<5"
    assert table["TN-72"]["households_served"] == "<5"


@pytest.mark.parametrize("kind", sorted(EXPORT_COLUMNS))
def test_every_aggregate_exports_for_observers_without_personal_data(
    served_db_path: Path, tmp_path: Path, kind: str
) -> None:
    db = open_database(served_db_path)
    try:
        names = {
            r[0]
            for r in db.conn.execute(
                "SELECT full_name FROM households UNION SELECT full_name FROM "
                "volunteers UNION SELECT national_id FROM households UNION "
                "SELECT phone FROM households"
            ).fetchall()
            if r[0]
        }
    finally:
        db.close()
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"{kind}.{fmt}"
        assert (
            main(["--db", str(served_db_path), "export", kind, "--format", fmt, "--as-observer", "-o", str(out)]) == 0
        )
        if fmt == "csv":
            cells = [c for row in csv.reader(out.open(encoding="utf-8-sig")) for c in row]
            header = next(csv.reader(out.open(encoding="utf-8-sig")))
        else:
            sheet = openpyxl.load_workbook(out).active
            cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
            header = [c.value for c in next(sheet.iter_rows())]
        assert header == EXPORT_COLUMNS[kind]
        assert not PERSONAL_COLUMNS & set(header)
        assert not names & set(cells)


def test_observer_cannot_export_registers(served_db_path: Path, tmp_path: Path, capsys) -> None:
    db = open_database(served_db_path)
    try:
        from data_layer.ops.cli import OBSERVER_EXPORT

        with pytest.raises(PermissionDenied):
            export_table(db, OBSERVER_EXPORT, "households")
    finally:
        db.close()
    assert (
        main(["--db", str(served_db_path), "export", "households", "--as-observer", "-o", str(tmp_path / "h.csv")]) == 1
    )
    assert not (tmp_path / "h.csv").exists()


def test_hxl_export_read_back_by_libhxl(served_db_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "coverage_hxl.csv"
    assert main(["--db", str(served_db_path), "export", "coverage", "--format", "hxl", "-o", str(out)]) == 0
    source = hxl.data(str(out), hxl.InputOptions(allow_local=True))
    tags = [column.display_tag for column in source.columns]
    assert tags == [
        "#adm1+code",
        "#adm1+name+i_en",
        "#adm1+name+i_ar",
        "#adm1+name+i_fr",
        "#population+total",
        "#affected+hh+registered",
        "#reached+hh",
        "#reached+hh+pct",
        "#affected+hh+per10k",
    ]
    rows = list(source)
    assert len(rows) == 24
    expected = expected_counts(served_db_path)
    for row in rows:
        code = row.get("#adm1+code")
        assert int(row.get("#affected+hh")) == expected[code][0]
        assert int(row.get("#reached+hh")) == expected[code][1]
    assert {row.get("#adm1+name+i_en") for row in rows} >= {"Tunis", "Sfax", "Tozeur"}
    assert {row.get("#adm1+name+i_ar") for row in rows} >= {"تونس", "صفاقس", "توزر"}


def test_hxl_refused_for_tables_without_tags(served_db_path: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "--db",
                str(served_db_path),
                "export",
                "volunteer_activity",
                "--format",
                "hxl",
                "-o",
                str(tmp_path / "v.csv"),
            ]
        )
        == 1
    )


def test_organisation_name_starting_with_equals_opens_as_text(served_db_path: Path, tmp_path: Path) -> None:
    db = open_database(served_db_path)
    try:
        db.conn.execute("UPDATE organisations SET name = '=HYPERLINK(\"http://evil\",\"x\")' WHERE code = 'ATSS'")
        db.conn.execute("CHECKPOINT")
    finally:
        db.close()
    csv_out, xlsx_out = tmp_path / "org.csv", tmp_path / "org.xlsx"
    assert main(["--db", str(served_db_path), "export", "flows_by_organisation", "-o", str(csv_out)]) == 0
    assert (
        main(["--db", str(served_db_path), "export", "flows_by_organisation", "--format", "xlsx", "-o", str(xlsx_out)])
        == 0
    )
    atss = next(r for r in read_csv(csv_out) if r["organisation_code"] == "ATSS")
    assert atss["organisation_name"] == '\'=HYPERLINK("http://evil","x")'
    sheet = openpyxl.load_workbook(xlsx_out).active
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "ATSS")
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")


def test_page_download_has_translated_headers_and_neutralised_cells(served_db_path: Path) -> None:
    # The dashboard's download buttons build their files this way (pages/dashboard.py).
    import io

    import pandas as pd

    from data_layer.core.i18n import t
    from data_layer.monitoring.coverage import aggregate_export, translate_codes, translate_headers
    from data_layer.registry.spreadsheets import table_bytes

    db = open_database(served_db_path)
    try:
        db.conn.execute("UPDATE organisations SET name = '@SUM(A1)' WHERE code = 'CRT'")
        from data_layer.ops.cli import OBSERVER_EXPORT

        frame = aggregate_export(db, OBSERVER_EXPORT, "flows_by_organisation", lang="ar")
        flows = aggregate_export(db, OBSERVER_EXPORT, "flows_by_category", lang="ar")
    finally:
        db.close()
    data = table_bytes(translate_headers(translate_codes(frame, "ar"), "ar"), "csv")
    assert data.startswith("\ufeff".encode())
    table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert list(table.columns)[:2] == [t("column.organisation_code", "ar"), t("column.organisation_name", "ar")]
    assert (
        table.set_index(t("column.organisation_code", "ar")).loc["CRT", t("column.organisation_name", "ar")]
        == "'@SUM(A1)"
    )
    words = pd.read_csv(
        io.BytesIO(table_bytes(translate_headers(translate_codes(flows, "fr"), "fr"), "csv")),
        encoding="utf-8-sig",
        dtype=str,
    )
    assert t("category.food", "fr") in set(words[t("column.category_code", "fr")])
