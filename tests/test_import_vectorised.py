"""The column-at-a-time household cleaning agrees with clean_household row by row."""

from __future__ import annotations

import unicodedata

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_layer.core.actor import SYSTEM
from data_layer.core.columns import SAFE_RANGES, clean_household_columns
from data_layer.core.errors import ValidationError
from data_layer.core.validation import clean_household
from data_layer.registry.imports import import_frame, validate_households
from data_layer.store.reference import get_reference

COLUMNS = [
    "national_id",
    "full_name",
    "phone",
    "governorate",
    "delegation",
    "address",
    "household_size",
    "vulnerabilities",
    "needs",
    "notes",
]
# Values near every rule's edges: valid forms, spacing, scripts, digits, blanks and junk.
TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "فاطمة بن علي",
            "Mohamed  Ben  Ali",
            " Sonia ",
            "a\nb",
            "x\u200by",
            "Ça va",
            "é",
            "e\u0301",
            "ا\u0653",
            "x" * 121,
            "x" * 300,
            "=1+1",
            "l'Ariana",
            "\t",
            "\x00",
        ]
    ),
    st.text(max_size=12),
    st.text(alphabet="ab ءآأإابة\u064b\u0301\u00a0\n\r\t", max_size=10),
)
NATIONAL_IDS = st.one_of(
    st.sampled_from(
        [
            "01234567",
            "12345678",
            "١٢٣٤٥٦٧٨",
            "1234 5678",
            "1234567",
            "123456789",
            "",
            "abcdefgh",
            "12.345.678",
            "१२३४५६७८",
        ]
    ),
    st.from_regex(r"[0-9]{8}", fullmatch=True),
    st.text(max_size=10),
)
PHONES = st.one_of(
    st.sampled_from(
        [
            "",
            "98123456",
            "+21698123456",
            "+216 98 123 456",
            "0021698123456",
            "21698123456",
            "18123456",
            "(+216) 98-123-456",
            "٩٨١٢٣٤٥٦",
            "216 2 1234567",
            "21621612345",
            "+216981234",
        ]
    ),
    st.from_regex(r"(\+216|00216|216)? ?[0-9 ]{6,10}", fullmatch=True),
    st.text(max_size=14),
)
GOVERNORATES = st.one_of(
    st.sampled_from(["TN-11", "tn-61", "Sfax", "صفاقس", "Gabès", "gabes", "LA MANOUBA", "", "Paris", "61", "القيروان"]),
    st.text(max_size=8),
)
SIZES = st.one_of(st.sampled_from(["1", "30", "31", "0", "4.0", "4,5", "٤", "", "-2", "x"]), st.text(max_size=4))
VULNERABILITIES = st.one_of(
    st.sampled_from(
        [
            "",
            "elderly",
            "Elderly; lost income",
            "elderly,elderly",
            "bad",
            "disability،single-parent",
            "chronic_illness;x",
        ]
    ),
    st.text(max_size=8),
)
NEEDS = st.one_of(
    st.sampled_from(
        [
            "",
            "food:2",
            "food:2;hygiene:1",
            "food:1.5",
            "cash:12.5",
            "food:2:kg",
            "food:2:box",
            "food",
            "x:1",
            "food:1;food:2",
            "cash:0",
            "medicine:2000000000",
            "clothes:1:bag؛services:1:hour",
        ]
    ),
    st.text(max_size=10),
)
ROW = st.fixed_dictionaries(
    {
        "national_id": NATIONAL_IDS,
        "full_name": TEXTS,
        "phone": PHONES,
        "governorate": GOVERNORATES,
        "delegation": TEXTS,
        "address": TEXTS,
        "household_size": SIZES,
        "vulnerabilities": VULNERABILITIES,
        "needs": NEEDS,
        "notes": TEXTS,
    }
)


def row_by_row(reference, rows):
    records, errors = [], []
    for index, raw in enumerate(rows):
        try:
            records.append(clean_household(reference, raw))
        except ValidationError as exc:
            records.append(None)
            errors += [(index, e.field, e.code, e.params) for e in exc.errors]
    return records, errors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=30))
def test_columns_clean_exactly_like_clean_household(empty_db, rows):
    reference = get_reference(empty_db)
    expected_records, expected_errors = row_by_row(reference, rows)
    cleaned = clean_household_columns(reference, pd.DataFrame(rows, columns=COLUMNS, dtype=str))
    errors = [(row, e.field, e.code, e.params) for row, errs in cleaned.errors.items() for e in errs]
    assert errors == expected_errors
    assert cleaned.records() == expected_records


def test_typed_cells_take_the_scalar_rules(empty_db):
    # Spreadsheet cells arrive as numbers: 1234567.0 was an ID whose leading zero Excel dropped.
    reference = get_reference(empty_db)
    rows = [
        {
            "national_id": 1234567.0,
            "full_name": "Ali",
            "governorate": "Sfax",
            "household_size": 4,
            "needs": None,
            "phone": 98123456,
        },
        {
            "national_id": True,
            "full_name": 7,
            "governorate": 61,
            "household_size": 4.5,
            "needs": "food:1",
            "phone": float("nan"),
        },
    ]
    cleaned = clean_household_columns(reference, pd.DataFrame(rows))
    expected_records, expected_errors = row_by_row(reference, rows)
    assert cleaned.records() == expected_records
    assert [(r, e.field, e.code, e.params) for r, errs in cleaned.errors.items() for e in errs] == expected_errors
    assert expected_records[0]["national_id"] == "01234567"


def test_safe_characters_are_closed_under_nfc():
    # The fast path accepts these characters as clean_text would return them: no pair may compose.
    chars = [chr(c) for lo, hi in SAFE_RANGES for c in range(lo, hi + 1)]
    assert all(unicodedata.combining(c) == 0 and unicodedata.is_normalized("NFC", c) for c in chars)
    assert [a + b for a in chars for b in chars if unicodedata.normalize("NFC", a + b) != a + b] == []


def test_duplicates_in_file_and_on_file_are_reported_per_line(db, actors):
    on_file = db.cursor().execute("SELECT national_id FROM households LIMIT 1").fetchone()[0]
    frame = pd.DataFrame(
        [
            {
                "national_id": "01000001",
                "full_name": "A",
                "governorate": "Sfax",
                "household_size": "2",
                "needs": "food:1",
            },
            {"national_id": "01000001", "full_name": "B", "governorate": "Sfax", "household_size": "2"},
            {"national_id": on_file, "full_name": "C", "governorate": "Tunis", "household_size": "3"},
            {"national_id": "bad", "full_name": "D", "governorate": "Tunis", "household_size": "3"},
            # A refused row does not keep its ID: the first clean row with it does.
            {"national_id": "01000002", "full_name": "", "governorate": "Tunis", "household_size": "3"},
            {"national_id": "01000002", "full_name": "E", "governorate": "Tunis", "household_size": "3"},
            {"national_id": "01000001", "full_name": "F", "governorate": "Sfax", "household_size": "2"},
            {"national_id": "01000002", "full_name": "G", "governorate": "Tunis", "household_size": "3"},
        ],
        columns=COLUMNS,
        dtype=str,
    ).fillna("")
    rows, errors = validate_households(db, frame)
    assert rows["line"].tolist() == [2, 7]
    assert [(e.row, e.field, e.code, e.params) for e in errors] == [
        (3, "national_id", "error.duplicate_in_file", {"line": 2}),
        (4, "national_id", "error.duplicate_household_other", {}),
        (5, "national_id", "error.national_id", {}),
        (6, "full_name", "error.required", {}),
        (8, "national_id", "error.duplicate_in_file", {"line": 2}),
        (9, "national_id", "error.duplicate_in_file", {"line": 7}),
    ]


def test_import_writes_rows_needs_and_audit_built_in_duckdb(empty_db):
    frame = pd.DataFrame(
        [
            {
                "national_id": "01000001",
                "full_name": "فاطمة  بن علي",
                "phone": "+216 98 123 456",
                "governorate": "صفاقس",
                "household_size": "5",
                "vulnerabilities": "elderly;lost_income",
                "needs": "food:2;hygiene:1",
            },
            {
                "national_id": "01000002",
                "full_name": "Sami",
                "phone": "",
                "governorate": "TN-11",
                "household_size": "1",
                "vulnerabilities": "",
                "needs": "food:2;hygiene:1",
            },
            {
                "national_id": "01000003",
                "full_name": "Rim",
                "phone": "22333444",
                "governorate": "Gabès",
                "household_size": "3",
                "vulnerabilities": "",
                "needs": "cash:12.5",
            },
        ],
        columns=COLUMNS,
        dtype=str,
    ).fillna("")
    report = import_frame(empty_db, SYSTEM, "households", frame, organisation_id=None)
    assert (report.imported, report.errors) == (3, [])
    cur = empty_db.cursor()
    households = cur.execute(
        "SELECT national_id, full_name, phone, governorate_code, household_size, "
        "vulnerabilities, source FROM households ORDER BY id"
    ).fetchall()
    assert households == [
        ("01000001", "فاطمة بن علي", "+21698123456", "TN-61", 5, ["elderly", "lost_income"], "import"),
        ("01000002", "Sami", None, "TN-11", 1, [], "import"),
        ("01000003", "Rim", "+21622333444", "TN-81", 3, [], "import"),
    ]
    needs = cur.execute(
        "SELECT h.national_id, n.category_code, n.quantity, n.unit, n.urgency FROM needs n "
        "JOIN households h ON h.id = n.household_id ORDER BY n.id"
    ).fetchall()
    assert needs == [
        ("01000001", "food", 2, "basket", "normal"),
        ("01000001", "hygiene", 1, "kit", "normal"),
        ("01000002", "food", 2, "basket", "normal"),
        ("01000002", "hygiene", 1, "kit", "normal"),
        ("01000003", "cash", 12.5, "TND", "normal"),
    ]
    audit = cur.execute(
        "SELECT a.table_name, a.record_id, a.after->>'national_id', a.after->>'phone' "
        "FROM audit_log a WHERE a.action = 'insert' ORDER BY a.id"
    ).fetchall()
    household_ids = [r[0] for r in cur.execute("SELECT id FROM households ORDER BY id").fetchall()]
    assert [row[:2] for row in audit[:3]] == [("households", i) for i in household_ids]
    assert [row[2:] for row in audit[:3]] == [
        ("01000001", "+21698123456"),
        ("01000002", None),
        ("01000003", "+21622333444"),
    ]
    assert [row[0] for row in audit[3:]] == ["needs"] * 5
    cur.close()
