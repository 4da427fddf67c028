"""Migrations and demo data."""

import hashlib

import pytest

from data_layer.ops.bootstrap import open_database
from data_layer.ops.demo import DemoRefused, generate_demo
from data_layer.store.migrations import list_migrations

# Columns that hold the moment of generation (not determined by the seed) or a salted hash.
VOLATILE = {"created_at", "updated_at", "password_hash", "password_changed_at", "logged_at", "applied_at"}
# Columns random by design in one table only: receipt codes come from the secrets module.
# The audit chain's hashes cover each row's time (logged_at), and the key differs per run.
CHAIN_HASHES = {"content_hash", "prev_hash", "chain_hash", "erased_hash", "key_fingerprint"}
VOLATILE_IN = {"receipt_codes": {"code"}, "audit_log": CHAIN_HASHES, "audit_chain_head": CHAIN_HASHES}


def content_digest(db) -> str:
    digest = hashlib.sha256()
    tables = [r[0] for r in db.conn.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
    for table in tables:
        columns = [
            r[0]
            for r in db.conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table],
            ).fetchall()
            if r[0] not in VOLATILE and r[0] not in VOLATILE_IN.get(table, set())
        ]
        if table == "audit_log":
            columns = [c for c in columns if c != "after"]
        rows = db.conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY ALL").fetchall()
        digest.update(f"{table}:{rows}".encode())
    return digest.hexdigest()


def test_migrations_are_applied_once_and_recorded(tmp_path):
    db = open_database(tmp_path / "m.duckdb")
    versions = [r[0] for r in db.conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions == [v for v, _, _ in list_migrations()]
    db.close()
    again = open_database(tmp_path / "m.duckdb")
    assert again.conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(versions)
    assert again.conn.execute("SELECT count(*), sum(population) FROM areas WHERE country_code = 'TN'").fetchone() == (
        24,
        10_982_754,
    )
    again.close()


def test_demo_is_deterministic_for_a_seed(tmp_path):
    digests = []
    for name in ("a", "b"):
        db = open_database(tmp_path / f"{name}.duckdb")
        generate_demo(db, households=400, seed=11)
        digests.append(content_digest(db))
        db.close()
    other = open_database(tmp_path / "c.duckdb")
    generate_demo(other, households=400, seed=12)
    assert digests[0] == digests[1] != content_digest(other)


def test_demo_covers_all_24_governorates_in_proportion_and_the_2020_dates(db):
    per_area = db.conn.execute("SELECT governorate_code, count(*) FROM households GROUP BY 1").fetchall()
    assert len(per_area) >= 20  # 300 households: the smallest governorates may have none (2,000: all 24, below)
    tunis, tataouine = (
        db.conn.execute("SELECT count(*) FROM households WHERE governorate_code = ?", [c]).fetchone()[0]
        for c in ("TN-11", "TN-83")
    )
    assert tunis > tataouine
    dates = db.conn.execute("SELECT min(received_on), max(received_on) FROM donations").fetchone()
    assert str(dates[0]) >= "2020-05-15" and str(dates[1]) <= "2020-05-30"
    assert db.conn.execute("SELECT count(DISTINCT national_id) = count(*) FROM households").fetchone()[0]


def test_demo_refuses_a_database_that_has_households(db):
    with pytest.raises(DemoRefused):
        generate_demo(db, households=10)


def test_demo_with_2000_households_reaches_every_governorate(tmp_path):
    db = open_database(tmp_path / "d.duckdb")
    generate_demo(db, households=2000, seed=3)
    assert db.conn.execute("SELECT count(DISTINCT governorate_code) FROM households").fetchone()[0] == 24
    assert db.conn.execute("SELECT count(DISTINCT governorate_code) FROM volunteers").fetchone()[0] == 24
    db.close()


def open_without_migration(tmp_path, monkeypatch, *left_out: int):
    """A new database built by every migration but those `left_out`; undo the monkeypatch to upgrade it."""
    import shutil

    import data_layer.store.migrations as migrations

    previous = tmp_path / "previous"
    previous.mkdir()
    for version, _, path in list_migrations():
        if version not in left_out:
            shutil.copy(path, previous / path.name)
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", previous)
    return open_database(tmp_path / "old.duckdb")


def test_donation_delegation_migration_upgrades_a_database_of_the_previous_schema(tmp_path, monkeypatch):
    # A database created before 0012: every other migration, a donation and an allocation of it.
    old = open_without_migration(tmp_path, monkeypatch, 12)
    assert "delegation" not in {
        r[0]
        for r in old.conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'donations'"
        ).fetchall()
    }
    old.conn.execute("INSERT INTO organisations (id, code, name, kind) VALUES (1, 'OLD', 'Old', 'association')")
    old.conn.execute(
        "INSERT INTO donations (id, organisation_id, kind, category_code, item, quantity, unit, "
        "governorate_code, received_on) VALUES (1, 1, 'in_kind', 'food', 'Semoule', 10, 'kg', 'TN-11', "
        "DATE '2020-05-16')"
    )
    old.conn.execute("INSERT INTO allocations (donation_id, need_id, household_id, quantity) VALUES (1, 1, 1, 4)")
    old.close()

    monkeypatch.undo()
    upgraded = open_database(tmp_path / "old.duckdb")
    conn = upgraded.conn
    assert conn.execute("SELECT max(version) FROM schema_migrations WHERE version < 30").fetchone()[0] == 12
    assert conn.execute(
        "SELECT donation_id, governorate_code, delegation, CAST(available AS DOUBLE) FROM stock_lines"
    ).fetchall() == [(1, "TN-11", None, 6.0)]
    conn.execute("UPDATE donations SET delegation = 'Bab Souika' WHERE id = 1")
    assert conn.execute("SELECT delegation FROM stock_lines").fetchall() == [("Bab Souika",)]
    upgraded.close()


# The columns 0041 moves.
AUDIT_COLUMNS = "id, logged_at, user_id, username, action, table_name, record_id, before, after"


def test_audit_log_migration_keeps_every_row_and_drops_only_the_index(tmp_path, monkeypatch):
    from data_layer.core.actor import SYSTEM
    from data_layer.registry.households import register_household

    # Without the chain (0120) too: it adds columns to the table 0041 rebuilds, as real upgrades apply them.
    old = open_without_migration(tmp_path, monkeypatch, 41, 120)
    generate_demo(old, households=60, seed=5)
    primary_keys = (
        "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'audit_log' AND constraint_type = 'PRIMARY KEY'"
    )
    assert old.conn.execute(primary_keys).fetchone()[0] == 1
    before = old.conn.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id").fetchall()
    old.close()

    monkeypatch.undo()
    upgraded = open_database(tmp_path / "old.duckdb")
    try:
        assert upgraded.conn.execute(primary_keys).fetchone()[0] == 0
        assert upgraded.conn.execute(f"SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY id").fetchall() == before
        register_household(
            upgraded,
            SYSTEM,
            {"national_id": "87654321", "full_name": "Salma Trabelsi", "governorate": "TN-11", "household_size": 3},
        )
        ids = [r[0] for r in upgraded.conn.execute("SELECT id FROM audit_log ORDER BY id").fetchall()]
        assert len(ids) == len(set(ids)) > len(before)
        assert min(ids[len(before) :]) > before[-1][0]
    finally:
        upgraded.close()


def test_demo_donations_are_held_in_the_delegations_households_live_in(tmp_path):
    db = open_database(tmp_path / "d.duckdb")
    generate_demo(db, households=2000, seed=3)
    total, placed = db.conn.execute("SELECT count(*), count(delegation) FROM donations").fetchone()
    assert 0.65 < placed / total < 0.85  # the rest are held at governorate level
    # Donations and households name delegations alike: "<governorate name_fr> <n>", n within its delegations.
    for table in ("donations", "households"):
        assert (
            db.conn.execute(
                f"SELECT count(*) FROM {table} t JOIN areas a ON a.code = t.governorate_code "
                "WHERE t.delegation IS NOT NULL AND NOT (starts_with(t.delegation, a.name_fr || ' ') "
                "AND TRY_CAST(substr(t.delegation, length(a.name_fr) + 2) AS INTEGER) BETWEEN 1 AND a.delegations)"
            ).fetchone()[0]
            == 0
        )
    shared = db.conn.execute(
        "SELECT count(DISTINCT d.delegation) FROM donations d JOIN households h "
        "ON h.governorate_code = d.governorate_code AND h.delegation = d.delegation"
    ).fetchone()[0]
    assert shared > 100
    db.close()
