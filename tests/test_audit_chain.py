"""The audit log's hash chain (`audit verify`, `audit anchor`) and the audit viewer and export.

A row edited, removed or slipped in with plain SQL makes the check fail naming that row; an
untouched log passes, also after anonymisation; the viewer and `export audit` show each role only
what it may see.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from data_layer.core.actor import SYSTEM
from data_layer.core.errors import JesrError, PermissionDenied, ValidationError
from data_layer.monitoring.audit_view import MASK, AuditFilters, audit_choices, export_audit, list_audit
from data_layer.monitoring.exports import export_table
from data_layer.ops.anonymise import anonymise
from data_layer.ops.cli import main
from data_layer.registry.households import register_household, update_household
from data_layer.registry.imports import import_frame
from data_layer.registry.spreadsheets import table_bytes
from data_layer.store.chain import chain_new_rows, parse_anchor, verify_chain
from data_layer.store.database import connect
from tests.conftest import ON_POSTGRES, open_page, rebuild_facts_after_raw_sql
from tests.test_entry import HOUSEHOLD


def check(db, anchor=None):
    with db.reading() as cur:
        return verify_chain(cur, anchor)


def sql(db, text, params=None):
    with db.transaction() as cur:
        cur.execute(text, params)


def one(db, text, params=None):
    with db.reading() as cur:
        return cur.execute(text, params).fetchone()


def write_some(db, actors) -> list[int]:
    """Three households by two associations and one change by the organiser: audit rows of each."""
    first = register_household(db, actors["atss"], HOUSEHOLD)
    second = register_household(db, actors["atss"], dict(HOUSEHOLD, national_id="87654322", full_name="Amel Gharbi"))
    third = register_household(db, actors["amal"], dict(HOUSEHOLD, national_id="87654323", full_name="Sami Jaziri"))
    update_household(db, actors["organiser"], first, dict(HOUSEHOLD, address="Rue 7"))
    return [first, second, third]


def audit_ids(db, table, record_id) -> list[int]:
    with db.reading() as cur:
        rows = cur.execute(
            "SELECT id FROM audit_log WHERE table_name = $t AND record_id = $r ORDER BY id",
            {"t": table, "r": record_id},
        ).fetchall()
    return [int(r[0]) for r in rows]


def test_an_untouched_log_checks_and_every_row_is_chained(db, actors):
    write_some(db, actors)
    result = check(db)
    assert result.ok, result
    total, chained, distinct = one(db, "SELECT count(*), count(chain_seq), count(DISTINCT chain_seq) FROM audit_log")
    assert total == chained == distinct == result.rows == result.head.seq
    assert one(db, "SELECT min(chain_seq), max(chain_seq) FROM audit_log") == (1, total)


def test_an_edited_row_is_named(db, actors):
    household = write_some(db, actors)[1]
    [row_id, *_] = audit_ids(db, "households", household)
    sql(
        db, "UPDATE audit_log SET after = CAST($v AS JSON) WHERE id = $id", {"v": '{"household_size": 1}', "id": row_id}
    )
    result = check(db)
    assert (result.problem, result.row_id) == ("audit.verify.changed", row_id)


def test_an_edited_time_or_actor_is_named_too(db, actors):
    household = write_some(db, actors)[0]
    row_id = audit_ids(db, "households", household)[-1]
    sql(db, "UPDATE audit_log SET username = 'someone' WHERE id = $id", {"id": row_id})
    assert (check(db).problem, check(db).row_id) == ("audit.verify.changed", row_id)


def test_a_removed_row_is_named_by_its_place(db, actors):
    household = write_some(db, actors)[1]
    [row_id, *_] = audit_ids(db, "households", household)
    [seq] = one(db, "SELECT chain_seq FROM audit_log WHERE id = $id", {"id": row_id})
    sql(db, "DELETE FROM audit_log WHERE id = $id", {"id": row_id})
    result = check(db)
    assert result.problem == "audit.verify.missing"
    assert result.seq == seq
    assert one(db, "SELECT chain_seq FROM audit_log WHERE id = $id", {"id": result.row_id}) == (seq + 1,)


def test_removing_the_last_rows_shows_against_the_head(db, actors):
    write_some(db, actors)
    sql(db, "DELETE FROM audit_log WHERE chain_seq = (SELECT max(chain_seq) FROM audit_log)")
    assert check(db).problem == "audit.verify.head_mismatch"


def test_a_row_slipped_in_is_named(db, actors):
    write_some(db, actors)
    [row_id] = one(db, "SELECT nextval('seq_audit')")
    sql(
        db,
        "INSERT INTO audit_log (id, username, action, table_name, record_id, after) "
        "VALUES ($id, 'admin', 'update', 'households', 1, CAST('{}' AS JSON))",
        {"id": row_id},
    )
    result = check(db)
    assert (result.problem, result.row_id) == ("audit.verify.unchained", row_id)


def test_a_row_slipped_in_with_a_taken_place_is_named(db, actors):
    write_some(db, actors)
    [row_id] = one(db, "SELECT nextval('seq_audit')")
    sql(
        db,
        "INSERT INTO audit_log (id, username, action, table_name, record_id, chain_seq, content_hash, prev_hash, "
        "chain_hash) SELECT $id, username, action, table_name, record_id, chain_seq, content_hash, prev_hash, "
        "chain_hash FROM audit_log WHERE chain_seq = 2",
        {"id": row_id},
    )
    result = check(db)
    assert (result.problem, result.row_id, result.seq) == ("audit.verify.duplicate", row_id, 2)


def test_anonymisation_keeps_the_chain_checking_and_erased_rows_checked(db, actors):
    [first, *_] = write_some(db, actors)
    old = dt.datetime(2019, 3, 1)
    sql(db, "UPDATE households SET created_at = $t, updated_at = $t WHERE id = $id", {"t": old, "id": first})
    sql(db, "UPDATE needs SET created_at = $t WHERE household_id = $id", {"t": old, "id": first})
    rebuild_facts_after_raw_sql(db)
    plan = anonymise(db, SYSTEM, dt.date(2020, 1, 1))
    assert first in plan.households
    rows = audit_ids(db, "households", first)
    [text] = one(db, "SELECT CAST(after AS VARCHAR) FROM audit_log WHERE id = $id", {"id": rows[0]})
    assert "Hind Trabelsi" not in text and "87654321" not in text
    assert check(db).ok, check(db)
    # The erased row is still checked: editing what anonymisation left is named.
    sql(db, "UPDATE audit_log SET after = CAST($v AS JSON) WHERE id = $id", {"v": '{"x": 1}', "id": rows[0]})
    assert (check(db).problem, check(db).row_id) == ("audit.verify.changed", rows[0])


def test_an_import_is_chained_in_one_batch(empty_db):
    import pandas as pd

    frame = pd.DataFrame(
        [
            {
                "national_id": f"7100000{i}",
                "full_name": f"Imported {i}",
                "phone": "+216 55 000 111",
                "governorate": "TN-61",
                "delegation": "Sfax Ville",
                "household_size": 3,
                "needs": "food:1",
            }
            for i in range(5)
        ]
    )
    assert check(empty_db).head.seq == 0  # a database without data: nothing audited yet
    report = import_frame(empty_db, SYSTEM, "households", frame)
    assert report.imported == 5, report.errors
    result = check(empty_db)
    assert result.ok, result
    # Five households, five needs and the import's own row.
    assert (result.rows, result.head.seq) == (11, 11)


def test_an_anchor_proves_a_held_copy(db, actors):
    write_some(db, actors)
    anchor = check(db).head
    register_household(db, actors["atss"], dict(HOUSEHOLD, national_id="87654329"))
    assert check(db, anchor).ok
    # Someone rewrites an old row and chains the whole log anew: it checks on its own, not against the anchor.
    sql(db, "UPDATE audit_log SET username = 'someone' WHERE chain_seq = 2")
    sql(db, "UPDATE audit_log SET chain_seq = NULL")
    sql(db, "UPDATE audit_chain_head SET chain_seq = 0, last_id = 0, chain_hash = repeat('0', 64)")
    with db.transaction() as cur:
        chain_new_rows(cur)
    assert check(db).ok
    result = check(db, anchor)
    assert (result.problem, result.seq) == ("audit.verify.anchor_mismatch", anchor.seq)


@pytest.mark.parametrize("text", ["", "12", "x:" + "a" * 64, "0:" + "a" * 64, "3:abc", "3:" + "g" * 64])
def test_a_malformed_anchor_is_refused(text):
    with pytest.raises(JesrError) as caught:
        parse_anchor(text)
    assert caught.value.code == "audit.error.bad_anchor"


def test_parallel_writers_share_one_chain(db, db_path, actors):
    # On PostgreSQL a second Database is a second app server; a DuckDB file has one writer process.
    other = connect(db_path) if ON_POSTGRES else db
    other.chained = True
    errors: list[Exception] = []

    def save(database, n):
        try:
            for i in range(4):
                register_household(database, actors["atss"], dict(HOUSEHOLD, national_id=f"9{n}00000{i}"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    try:
        workers = [threading.Thread(target=save, args=(db if n % 2 else other, n)) for n in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        if other is not db:
            other.close()
    assert errors == []
    result = check(db)
    assert result.ok, result
    assert result.rows == one(db, "SELECT count(*) FROM audit_log")[0]


def test_cli_verify_and_anchor(db_path, capsys):
    from data_layer.ops.bootstrap import open_database

    database = open_database(db_path)
    try:
        with database.transaction() as cur:
            cur.execute("UPDATE audit_log SET action = 'edited' WHERE chain_seq = 3")
        [row_id] = one(database, "SELECT id FROM audit_log WHERE chain_seq = 3")
    finally:
        database.close()
    assert main(["--db", str(db_path), "audit", "verify"]) == 2
    assert f"row #{row_id} (place 3 in the chain) was changed" in capsys.readouterr().err
    assert main(["--db", str(db_path), "audit", "anchor"]) == 2
    assert main(["--db", str(db_path), "audit", "verify", "--anchor", "3:nothex"]) == 1
    assert "is not valid" in capsys.readouterr().err


def test_cli_anchor_prints_the_head_verify_accepts(db_path, capsys):
    assert main(["--db", str(db_path), "audit", "anchor"]) == 0
    anchor = capsys.readouterr().out.strip()
    assert parse_anchor(anchor).seq >= 1
    assert main(["--db", str(db_path), "audit", "verify", "--anchor", anchor]) == 0
    assert "intact" in capsys.readouterr().out


# --- the viewer and the export -----------------------------------------------------------------


def personal_names(frame) -> bool:
    return frame["after"].fillna("").str.contains("Hind Trabelsi").any()


def test_each_role_sees_what_it_may(db, actors):
    write_some(db, actors)
    every = list_audit(db, actors["admin"], AuditFilters(table_name="households"))
    assert {"atss", "amal", "organiser"} <= set(every["username"])
    assert personal_names(every)
    organiser = list_audit(db, actors["organiser"], AuditFilters(table_name="households"))
    assert set(organiser["id"]) == set(every["id"])
    assert not personal_names(organiser)
    assert organiser["after"].str.contains(MASK).any()
    own = list_audit(db, actors["atss"], AuditFilters())
    assert set(own["username"]) == {"atss"}
    assert len(own) >= 2
    assert list_audit(db, actors["amal"], AuditFilters())["username"].unique().tolist() == ["amal"]
    for role in ("observer", "volunteer"):
        with pytest.raises(PermissionDenied):
            list_audit(db, actors[role], AuditFilters())
        with pytest.raises(PermissionDenied):
            export_table(db, actors[role], "audit")


def test_filters_narrow_the_rows(db, actors):
    first = write_some(db, actors)[0]
    rows = list_audit(db, actors["admin"], AuditFilters(table_name="households", record_id=str(first)))
    assert set(rows["record_id"]) == {first}
    assert set(list_audit(db, actors["admin"], AuditFilters(username="organiser"))["action"]) == {"update"}
    today = dt.date.today()
    assert len(list_audit(db, actors["admin"], AuditFilters(date_from=today, date_to=today))) >= 4
    assert list_audit(db, actors["admin"], AuditFilters(date_to=dt.date(2000, 1, 1))).empty


def test_bad_filters_are_refused_with_each_field_named(db, actors):
    write_some(db, actors)
    with pytest.raises(ValidationError) as caught:
        list_audit(
            db,
            actors["atss"],
            AuditFilters(
                username="amal", table_name="nope", record_id="x1", date_from="2026-02-02", date_to="2026-01-01"
            ),
        )
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("audit_actor", "audit.error.unknown_actor"),
        ("audit_table", "audit.error.unknown_table"),
        ("audit_record", "error.whole_number"),
        ("audit_date_to", "audit.error.date_order"),
    }


def test_choices_are_those_of_the_scope(db, actors):
    write_some(db, actors)
    names, tables = audit_choices(db, actors["atss"])
    assert names == ["atss"]
    assert "households" in tables
    assert {"atss", "amal", "organiser", "system"} <= set(audit_choices(db, actors["organiser"])[0])


def test_export_holds_the_same_scoped_rows(db, actors):
    write_some(db, actors)
    exported = export_table(db, actors["atss"], "audit")
    assert set(exported["id"]) == set(list_audit(db, actors["atss"], AuditFilters())["id"])
    assert set(export_table(db, SYSTEM, "audit")["id"]) == set(export_audit(db, actors["admin"])["id"])
    organiser = export_table(db, actors["organiser"], "audit")
    assert not personal_names(organiser)
    assert table_bytes(organiser, "xlsx")[:2] == b"PK"
    assert "Hind Trabelsi" in table_bytes(export_audit(db, actors["admin"]), "csv").decode("utf-8-sig")


def test_cli_export_audit(db_path, tmp_path):
    out = tmp_path / "audit.csv"
    assert main(["--db", str(db_path), "export", "audit", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("id,chain_seq,logged_at,username")
    assert main(["--db", str(db_path), "export", "audit", "--as-observer", "-o", str(out)]) == 1


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("admin", {"atss", "amal", "organiser", "system"}),
        ("organiser", {"atss", "amal", "organiser", "system"}),
        ("atss", {"atss"}),
    ],
)
def test_page_shows_each_staff_role_its_rows(make_app, db, actors, username, expected):
    write_some(db, actors)
    at = open_page(make_app, username, "pages/audit.py", lang="en")
    [frame] = at.dataframe
    assert set(frame.value["Username"]) == expected
    assert ("Hind Trabelsi" in frame.value.to_string()) == (username == "admin")


def test_page_says_what_is_wrong_with_a_record_number(make_app):
    at = open_page(make_app, "admin", "pages/audit.py", lang="en")
    at.text_input(key="audit_record").input("abc")
    at.button[0].click()
    at.run()
    assert not at.exception
    assert "Record number" in at.error[0].value


def test_page_is_not_offered_to_observers():
    from ui.navigation import specs_for

    for role in ("observer", "volunteer", "anonymous"):
        assert "pages/audit.py" not in {spec.path for spec in specs_for(role)}


@pytest.mark.duckdb_only(reason="builds a DuckDB file of the schema before the chain")
def test_rows_from_before_the_chain_are_chained_when_it_is_added(tmp_path, monkeypatch):
    from data_layer.ops.bootstrap import open_database
    from data_layer.ops.demo import generate_demo
    from tests.test_demo_and_schema import open_without_migration

    old = open_without_migration(tmp_path, monkeypatch, 120)
    generate_demo(old, households=20, seed=5)
    [rows] = old.conn.execute("SELECT count(*) FROM audit_log").fetchone()
    old.close()
    monkeypatch.undo()
    upgraded = open_database(tmp_path / "old.duckdb")
    try:
        result = check(upgraded)
        assert result.ok, result
        assert result.rows == rows
    finally:
        upgraded.close()


class Undo(Exception):
    """Raised to roll a test's transaction back."""


def test_the_few_rows_text_and_the_batch_text_agree(db, actors):
    # A form's row is hashed from text put together in Python, an import's and the check's from
    # SQL's: the same characters for any name (Arabic, combining accents, joined emoji, quotes).
    from data_layer.store.chain import with_content_text
    from data_layer.store.queries import run

    names = ["عائلة الطرابلسي", 'Ame\u0301lie "Zo" d\'Arc', "👨\u200d👩\u200d👧 ;5:x;", "-;"]
    for i, name in enumerate(names):
        register_household(db, actors["atss"], dict(HOUSEHOLD, national_id=f"8800000{i}", full_name=name))
    assert check(db).ok
    params = {"after_id": 0, "until_id": 10**12}
    with pytest.raises(Undo), db.transaction() as cur:
        cur.execute("UPDATE audit_log SET chain_seq = NULL")
        fields = with_content_text(run(cur, "list_unchained_audit_fields", params))
        texts = run(cur, "list_unchained_audit_rows", params)
        assert len(texts["id"]) > len(names)
        assert fields["content_text"].tolist() == texts["content_text"].tolist()
        assert any("الطرابلسي" in text for text in texts["content_text"])
        raise Undo
    assert check(db).ok
