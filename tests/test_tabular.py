"""Spreadsheet safety: cells that would run as formulas open as text."""

import pandas as pd
import pytest

from data_layer.registry.spreadsheets import neutralise_cell, read_table, write_table


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
