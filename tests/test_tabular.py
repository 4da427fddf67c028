"""Spreadsheet safety: cells that would run as formulas open as text."""

import io
import tracemalloc
import zipfile

import pandas as pd
import pytest

from data_layer.registry import spreadsheets
from data_layer.registry.spreadsheets import (
    MAX_COLUMNS,
    MAX_XLSX_UNPACKED_BYTES,
    UnreadableFile,
    neutralise_cell,
    read_table,
    write_table,
)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("\t=1", "'\t=1"),
        ("+21698123456", "+21698123456"),
        ("-12.5", "-12.5"),
        ("Ali", "Ali"),
        ("", ""),
    ],
)
def test_formula_prefixes_are_neutralised(cell, expected):
    assert neutralise_cell(cell) == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_written_file_holds_formulas_as_text(tmp_path, fmt):
    path = tmp_path / f"x.{fmt}"
    write_table(pd.DataFrame({"full_name": ["=1+1", "سلوى"], "n": [1, 2]}), path, fmt)
    back = read_table(path)
    assert list(back["full_name"]) == ["'=1+1", "سلوى"]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        cell = load_workbook(path).active["A2"]
        assert cell.data_type == "s" and cell.value == "'=1+1"


@pytest.mark.parametrize(
    "cell, expected",
    [
        ('Ali;=HYPERLINK("http://x","y")', 'Ali;\'=HYPERLINK("http://x","y")'),
        ("x; @SUM(A1)", "x;'@SUM(A1)"),
        ("a,+cmd|' /C calc'!A0", "a,'+cmd|' /C calc'!A0"),
        ("food:2;hygiene:1", "food:2;hygiene:1"),
        ("Ben Ali, Fatma", "Ben Ali, Fatma"),
        ("+21698123456;+21622333444", "+21698123456;+21622333444"),
    ],
)
def test_formulas_after_a_separator_are_neutralised(cell, expected):
    # French- and Arabic-locale Excel opens a comma file split on ";": each piece is a cell.
    assert neutralise_cell(cell) == expected


def test_a_file_with_too_many_columns_is_refused_before_it_is_parsed():
    header = ",".join(f"c{i}" for i in range(1_000_000)).encode()
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile) as refused:
            read_table(header + b"\n" + b"1" * 10 + b"\n", filename="wide.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "error.file_too_many_columns"
    assert refused.value.params == {"columns": 1_000_000, "max_columns": MAX_COLUMNS}
    assert peak < 50 * 1024 * 1024  # the header itself is 7.9 MB; parsing it took 2.2 GB


def test_a_file_with_too_many_rows_is_refused(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    with pytest.raises(UnreadableFile) as refused:
        read_table(b"full_name\na\nb\nc\nd\n", filename="long.csv")
    assert refused.value.code == "error.file_too_many_rows"
    assert len(read_table(b"full_name\na\nb\nc\n", filename="ok.csv")) == 3


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            zeros = b"0" * (1024 * 1024)
            for _ in range(MAX_XLSX_UNPACKED_BYTES // len(zeros) + 1):
                member.write(zeros)
    data = packed.getvalue()
    assert len(data) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableFile) as refused:
            read_table(data, filename="bomb.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code == "error.file_too_large_unpacked"
    assert peak < 20 * 1024 * 1024


def test_something_that_is_not_a_workbook_is_refused_with_a_reason():
    with pytest.raises(UnreadableFile) as refused:
        read_table(b"plain text", filename="fake.xlsx")
    assert refused.value.code == "error.file_unreadable"
