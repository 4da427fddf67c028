"""National IDs as secrets where only equality is needed: duplicates across associations caught on
keyed hashes (whatever the digits' script), limits keyed, hashes kept right across upgrades and a
changed key, nothing of the ID in what observers export."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import PermissionDenied
from data_layer.core.secrets import MissingHashKey, keyed_hash
from data_layer.monitoring.exports import EXPORTERS, export_table
from data_layer.ops.anonymise import anonymise
from data_layer.ops.bootstrap import open_database
from data_layer.ops.cli import OBSERVER_EXPORT
from data_layer.public.forms import submit_aid_request
from data_layer.public.ratelimit import limit_key
from data_layer.registry.households import DuplicateHousehold, register_household
from data_layer.registry.identity import national_id_key
from data_layer.registry.imports import import_frame
from data_layer.registry.organisations import create_organisation
from tests.conftest import assert_facts_match_base_tables, run_cli
from tests.test_public_forms import REQUEST

ASCII_ID = "07123456"
ARABIC_ID = "٠٧١٢٣٤٥٦"  # the same number in Arabic-Indic digits


def rows(db, sql: str, params: list | None = None) -> list[tuple]:
    cur = db.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


def household(national_id: str, name: str = "Amel Jlassi", governorate: str = "TN-11") -> dict:
    return {
        "national_id": national_id,
        "full_name": name,
        "phone": "",
        "governorate": governorate,
        "delegation": "Bab Souika",
        "address": "Rue 1",
        "household_size": 4,
        "vulnerabilities": "",
        "needs": "food:2",
    }


@pytest.fixture
def two_associations(empty_db):
    staff = []
    for code, area in (("NORD", "TN-11"), ("SUD", "TN-61")):
        org = create_organisation(
            empty_db, SYSTEM, {"code": code, "name": code, "kind": "association", "governorate": area, "areas": [area]}
        )
        staff.append(Actor(user_id=None, username=code.lower(), role="association", organisation_id=org))
    return empty_db, staff[0], staff[1]


def test_the_same_id_in_two_scripts_at_two_associations_is_one_duplicate_report(two_associations):
    db, north, south = two_associations
    first = register_household(db, north, household(ASCII_ID))
    with pytest.raises(DuplicateHousehold) as refused:
        register_household(db, south, household(ARABIC_ID, "Amal Jelassi", "TN-61"))
    assert not refused.value.same_organisation and refused.value.household_id is None  # nothing told of the other
    reports = rows(db, "SELECT existing_household_id, attempted_by_org, national_id_key FROM duplicate_reports")
    assert reports == [(first, south.organisation_id, national_id_key(ASCII_ID))]
    stored = rows(db, "SELECT national_id, national_id_key FROM households")
    assert stored == [(ASCII_ID, national_id_key(ASCII_ID))]
    assert len(stored[0][1]) == 32 and ASCII_ID not in stored[0][1]
    # The match is on the keyed hash: with the clear value changed under it, the repeat is still caught.
    cur = db.cursor()
    cur.execute("UPDATE households SET national_id = '99999999' WHERE id = ?", [first])
    cur.close()
    with pytest.raises(DuplicateHousehold):
        register_household(db, south, household(ASCII_ID, "Amal", "TN-61"))
    assert rows(db, "SELECT count(*) FROM duplicate_reports") == [(2,)]


def test_public_form_and_import_match_on_the_keyed_hash(two_associations):
    db, north, south = two_associations
    first = register_household(db, north, household(ASCII_ID))
    receipt = submit_aid_request(
        db, dict(REQUEST, national_id=ARABIC_ID), client="41.1.1.1", consent_given=True, lang="ar"
    )
    assert rows(
        db,
        "SELECT record_id, duplicate_report_id IS NOT NULL FROM public_receipts WHERE reference = ?",
        [receipt.reference],
    ) == [(None, True)]
    frame = pd.DataFrame([dict(household(ARABIC_ID, "Imported", "TN-61"), needs="food:1")])
    report = import_frame(db, south, "households", frame)
    assert (report.imported, [e.code for e in report.errors]) == (0, ["error.duplicate_household_other"])
    assert rows(db, "SELECT source, existing_household_id, national_id_key FROM duplicate_reports ORDER BY id") == [
        ("self", first, national_id_key(ASCII_ID)),
        ("import", first, national_id_key(ASCII_ID)),
    ]
    # Imported households carry their key (not in their audit rows), so the next repeat is caught too.
    imported = import_frame(db, south, "households", pd.DataFrame([household("05555555", "New", "TN-61")]))
    assert imported.imported == 1
    assert rows(db, "SELECT national_id_key FROM households WHERE national_id = '05555555'") == [
        (national_id_key("05555555"),)
    ]
    audited = rows(
        db, "SELECT CAST(after AS VARCHAR) FROM audit_log WHERE table_name = 'households' AND action = 'insert'"
    )
    assert audited and not any(national_id_key("05555555") in a[0] or "national_id_key" in a[0] for a in audited)
    with pytest.raises(DuplicateHousehold):
        register_household(db, north, household("٠٥٥٥٥٥٥٥"))


def test_limits_count_ids_under_the_installation_key(monkeypatch):
    first = limit_key(ASCII_ID)
    assert first == keyed_hash(ASCII_ID, "public_limits")[:32]
    monkeypatch.setenv("JESR_HASH_KEY", "another-installation-key-of-enough-length")
    assert limit_key(ASCII_ID) != first  # without the key, the hash of a known ID cannot be made
    monkeypatch.setenv("JESR_HASH_KEY", "short")
    with pytest.raises(MissingHashKey):
        limit_key(ASCII_ID)


def test_keys_are_filled_on_upgrade_and_all_recomputed_when_the_key_changes(empty_db_path, monkeypatch):
    db = open_database(empty_db_path)
    try:
        org = create_organisation(
            db,
            SYSTEM,
            {"code": "KEYS", "name": "Keys", "kind": "association", "governorate": "TN-11", "areas": ["TN-11"]},
        )
        staff = Actor(user_id=None, username="k", role="association", organisation_id=org)
        register_household(db, staff, household(ASCII_ID))
        with pytest.raises(DuplicateHousehold):
            register_household(db, staff, household(ASCII_ID))
        cur = db.cursor()
        cur.execute("UPDATE households SET national_id_key = NULL")  # as written before the keys existed
        cur.close()
    finally:
        db.close()
    monkeypatch.setenv("JESR_HASH_KEY", "a-new-key-after-rotation-0123456789abcdef")
    db = open_database(empty_db_path)
    try:
        expected = keyed_hash(ASCII_ID, "national_id")[:32]
        assert rows(db, "SELECT national_id_key FROM households") == [(expected,)]
        assert rows(db, "SELECT national_id_key FROM duplicate_reports") == [(expected,)]  # rehashed, not only NULLs
        with pytest.raises(DuplicateHousehold):
            register_household(db, staff, household(ARABIC_ID))
        assert_facts_match_base_tables(db)
    finally:
        db.close()


def test_an_anonymised_person_may_be_registered_again(two_associations):
    db, north, south = two_associations
    register_household(db, north, household(ASCII_ID))
    anonymise(db, SYSTEM, dt.date.today() + dt.timedelta(days=1))
    assert rows(db, "SELECT national_id_key FROM households") == [(None,)]
    register_household(db, south, household(ASCII_ID, "Amel", "TN-61"))


def test_observer_exports_never_hold_an_id(db_path, tmp_path):
    db = open_database(db_path)
    try:
        secrets_on_file = {v for r in rows(db, "SELECT national_id, national_id_key FROM households") for v in r}
        exported = 0
        for kind in sorted(EXPORTERS):
            try:
                frame = export_table(db, OBSERVER_EXPORT, kind)
            except PermissionDenied:
                continue
            exported += 1
            assert not {"national_id", "national_id_key"} & set(frame.columns), kind
            assert not {str(v) for v in frame.to_numpy().ravel()} & secrets_on_file, kind
        assert exported >= 5  # the aggregates are exported, the registers refused
    finally:
        db.close()
    refused = run_cli(db_path, "export", "households", "--format", "csv", "--as-observer", "-o", tmp_path / "h.csv")
    assert refused.returncode != 0 and not (tmp_path / "h.csv").exists()


def test_staff_find_a_household_by_its_id_typed_in_either_script(two_associations):
    from data_layer.distribution.traceability import search
    from data_layer.registry.households import list_households

    db, north, south = two_associations
    first = register_household(db, north, household(ASCII_ID))
    for typed in (ASCII_ID, ARABIC_ID, "0712 3456"):
        page, total = list_households(db, north, text=typed)
        assert (list(page["id"]), total) == ([first], 1), typed
        assert list(search(db, north, typed)[0]["household_id"]) == [first], typed
    assert list_households(db, south, text=ASCII_ID)[1] == 0  # another association's household stays unseen
