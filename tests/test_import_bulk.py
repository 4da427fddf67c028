"""Bulk writes: an import's rows and audit rows written in one statement each (COPY on PostgreSQL),
every character kept, the audit rows chained as they are written; and the open-needs query."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pytest

from data_layer.core.actor import SYSTEM
from data_layer.core.errors import ConflictError
from data_layer.distribution.allocation.priority import list_open_needs
from data_layer.registry import imports
from data_layer.registry.households import register_household
from data_layer.registry.imports import import_frame
from data_layer.store.bulk_audit import content_texts, json_objects
from data_layer.store.chain import CONTENT_FIELDS, verify_chain, with_content_text
from tests.conftest import ON_POSTGRES, rebuild_facts_after_raw_sql
from tests.test_entry import HOUSEHOLD

# Texts a CSV writer, a JSON writer or a length prefix could get wrong, as the import's cleaning
# leaves them (it composes accents, folds line breaks and drops invisible joiners, as every form does).
AWKWARD = ['Am\u00e9lie "Zo" d\'Arc', "a,b;c", "x\\y", "نهج 12، عدد 3", "👪 ;5:x;", "-;", ""]


def test_json_objects_read_back_as_the_values():
    table = pa.table(
        {
            "text": ["plain", 'q"uote', "back\\slash", "tab\tnew\nline\x01", None],
            "size": pa.array([1, None, 3, 4, 5], pa.int64()),
            "quantity": [1.5, 2.0, None, float("nan"), 0.1],
            "flag": [True, False, None, True, True],
            "day": [dt.date(2020, 5, 16), None, dt.date(2020, 1, 1), dt.date(2021, 12, 31), dt.date(2020, 2, 29)],
            "codes": [["elderly", "lost_income"], [], None, ['a"b', None], ["x\\y"]],
        }
    )
    assert [json.loads(text) for text in json_objects(table).to_pylist()] == [
        {
            "text": "plain",
            "size": 1,
            "quantity": 1.5,
            "flag": True,
            "day": "2020-05-16",
            "codes": ["elderly", "lost_income"],
        },
        {"text": 'q"uote', "size": None, "quantity": 2, "flag": False, "day": None, "codes": []},
        {"text": "back\\slash", "size": 3, "quantity": None, "flag": None, "day": "2020-01-01", "codes": None},
        {
            "text": "tab\tnew\nline\x01",
            "size": 4,
            "quantity": None,
            "flag": True,
            "day": "2021-12-31",
            "codes": ['a"b', None],
        },
        {"text": None, "size": 5, "quantity": 0.1, "flag": True, "day": "2020-02-29", "codes": ["x\\y"]},
    ]


def test_the_column_text_is_the_chain_text():
    # The chain hashes the same text whether it was put together per row (chain.with_content_text)
    # or per column here.
    values = [*AWKWARD, "Ame\u0301lie", "نهج 12\nعدد 3", "👨\u200d👩\u200d👧", None]
    fields = {name: pa.array(values, pa.string()) for name in CONTENT_FIELDS}
    fields["id_text"] = pa.array([str(i) for i in range(1, len(values) + 1)])
    per_column = content_texts(dict(fields, action="insert", before_text=None))
    expected = with_content_text(
        {
            **{name: array.to_numpy(zero_copy_only=False) for name, array in fields.items()},
            "action": pd.Series(["insert"] * len(values)).to_numpy(dtype=object),
            "before_text": pd.Series([None] * len(values)).to_numpy(dtype=object),
            "id": pd.Series(range(len(values))).to_numpy(),
        }
    )
    assert per_column.to_pylist() == expected["content_text"].tolist()
    assert per_column[0].as_py().startswith("1:1;17:Am\u00e9lie")


def household_rows(n: int = len(AWKWARD)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "national_id": f"7300000{i}",
                "full_name": AWKWARD[i] or "Sans Nom",
                "phone": "+216 55 000 111",
                "governorate": "TN-61",
                "delegation": AWKWARD[(i + 1) % n],
                "address": AWKWARD[(i + 2) % n],
                "household_size": i + 1,
                "vulnerabilities": "elderly;lost_income" if i % 2 else "",
                "needs": "food:2;hygiene:1" if i % 2 else "medicine:1",
                "notes": AWKWARD[(i + 3) % n],
            }
            for i in range(n)
        ]
    )


def test_an_import_keeps_every_character_and_audits_what_it_stored(db):
    report = import_frame(db, SYSTEM, "households", household_rows())
    assert report.imported == len(AWKWARD), report.errors
    stored = db.conn.execute(
        "SELECT id, national_id, full_name, delegation, address, notes, household_size, vulnerabilities "
        "FROM households WHERE national_id LIKE '7300000%' ORDER BY national_id"
    ).fetchall()
    # An empty cell is no value; every other text comes back as it was written.
    assert [row[2:6] for row in stored] == [
        (
            AWKWARD[i] or "Sans Nom",
            AWKWARD[(i + 1) % 7] or None,
            AWKWARD[(i + 2) % 7] or None,
            AWKWARD[(i + 3) % 7] or None,
        )
        for i in range(7)
    ]
    assert [list(row[7]) for row in stored] == [[] if i % 2 == 0 else ["elderly", "lost_income"] for i in range(7)]
    audit = dict(
        db.conn.execute(
            "SELECT record_id, CAST(after AS VARCHAR) FROM audit_log WHERE table_name = 'households' "
            "AND action = 'insert' AND record_id IN (SELECT id FROM households WHERE national_id LIKE '7300000%')"
        ).fetchall()
    )
    for row in stored:
        after = json.loads(audit[row[0]])
        assert (after["national_id"], after["full_name"], after["delegation"], after["address"], after["notes"]) == row[
            1:6
        ]
        assert after["household_size"] == row[6] and after["source"] == "import" and "national_id_key" not in after
    needs = db.conn.execute(
        "SELECT count(*) FROM needs WHERE household_id IN (SELECT id FROM households WHERE national_id LIKE '7300000%')"
    ).fetchone()[0]
    assert needs == 4 + 2 * 3
    with db.reading() as cur:
        assert verify_chain(cur).ok


def test_a_repeat_in_the_file_and_one_on_file_are_reported_by_line(db):
    rows = household_rows(3)
    rows.loc[2, "national_id"] = rows.loc[0, "national_id"]
    register_household(db, SYSTEM, dict(HOUSEHOLD, national_id="73000001"))
    report = import_frame(db, SYSTEM, "households", rows)
    assert report.imported == 0
    assert {(e.row, e.code) for e in report.errors} == {
        (4, "error.duplicate_in_file"),
        (3, "error.duplicate_household_other"),
    }


def test_a_household_registered_while_the_file_is_checked_stops_the_whole_import(db, monkeypatch):
    # Another app server registers one of the file's IDs after the file was checked, before its write.
    checked = imports.active_campaigns_by_area

    def meanwhile(database):
        register_household(database, SYSTEM, dict(HOUSEHOLD, national_id="73000002"))
        return checked(database)

    monkeypatch.setattr(imports, "active_campaigns_by_area", meanwhile)
    before = db.conn.execute("SELECT count(*) FROM households").fetchone()[0]
    with pytest.raises(ConflictError):
        import_frame(db, SYSTEM, "households", household_rows(3))
    assert db.conn.execute("SELECT count(*) FROM households").fetchone()[0] == before + 1
    with db.reading() as cur:
        assert verify_chain(cur).ok


def test_a_need_counts_as_already_given_only_for_the_households_other_needs(db, actors):
    household = register_household(
        db, actors["atss"], dict(HOUSEHOLD, national_id="73100001", needs=[{"category": "food", "quantity": 3}])
    )
    with db.reading() as cur:
        first = cur.execute("SELECT id FROM needs WHERE household_id = $h", {"h": household}).fetchone()[0]
        donation = cur.execute("SELECT min(id) FROM donations WHERE category_code = 'food'").fetchone()[0]
    with db.transaction() as cur:
        cur.execute(
            "INSERT INTO needs (household_id, category_code, quantity, unit) VALUES ($h, 'food', 1, 'basket')",
            {"h": household},
        )
        # Part of the first need served, and a cancelled allocation, which serves nothing.
        for status in ("allocated", "cancelled"):
            cur.execute(
                "INSERT INTO allocations (donation_id, need_id, household_id, quantity, status) "
                "VALUES ($d, $n, $h, 1, $s)",
                {"d": donation, "n": first, "h": household, "s": status},
            )
    needs = list_open_needs(db, actors["admin"])
    mine = needs[needs["household_id"] == household].set_index("need_id")
    assert len(mine) == 2
    assert not mine.loc[first, "already_given"]  # its own allocation is not another need's
    assert mine.drop(index=first)["already_given"].tolist() == [True]
    assert mine.loc[first, "remaining"] == 2
    rebuild_facts_after_raw_sql(db)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL only: DuckDB reads the Arrow table itself")
def test_binary_and_csv_copy_write_what_they_are_given(db):
    from data_layer.store.bulk import write_binary_blocks, write_csv_blocks

    table = pa.table(
        {
            "n": pa.array([1, None, -(2**40)], pa.int64()),
            "i": pa.array([None, 7, -3], pa.int32()),
            "t": [AWKWARD[0], None, ""],
            "at": ["2026-12-04 19:21:42.123456", None, "2000-01-01 00:00:00.000000"],
            "j": ['{"a":1}', None, "[]"],
        }
    )
    types = ["bigint", "integer", "character varying", "timestamp without time zone", "json"]
    with db.transaction() as cur:
        cur.execute("CREATE TEMPORARY TABLE copied (n BIGINT, i INTEGER, t VARCHAR, at TIMESTAMP, j JSON)")
        with cur.copy("COPY copied (n, i, t, at, j) FROM STDIN (FORMAT binary)") as copy:
            write_binary_blocks(copy, table, types)
        binary = cur.execute("SELECT n, i, t, CAST(at AS VARCHAR), CAST(j AS VARCHAR) FROM copied").fetchall()
        cur.execute("CREATE TEMPORARY TABLE listed (l VARCHAR[], t VARCHAR)")
        lists = pa.table({"l": [['a"b', None, "c,d", "x\\y"], [], None], "t": ["", None, "é"]})
        with cur.copy("COPY listed (l, t) FROM STDIN (FORMAT csv)") as copy:
            write_csv_blocks(copy, lists)
        listed = cur.execute("SELECT l, t FROM listed").fetchall()
        cur.execute("DROP TABLE copied")
        cur.execute("DROP TABLE listed")
    assert binary == [
        (1, None, AWKWARD[0], "2026-12-04 19:21:42.123456", '{"a":1}'),
        (None, 7, None, None, None),
        (-(2**40), -3, "", "2000-01-01 00:00:00", "[]"),
    ]
    assert listed == [(['a"b', None, "c,d", "x\\y"], ""), ([], None), (None, "é")]
