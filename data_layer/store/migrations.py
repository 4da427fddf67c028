"""Numbered migrations in sql/migrations, applied in order and recorded.

Reference areas come from sql/reference/areas_<country>.csv-like files, loaded
after the schema so that adding a country is adding a file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from data_layer.store.database import Database

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
REFERENCE_DIR = SQL_DIR / "reference"
MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def list_migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"migration file name not of the form NNNN_name.sql: {path.name}")
        found.append((int(match.group(1)), match.group(2), path))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a number in {MIGRATIONS_DIR}")
    return found


def apply_migrations(db: Database) -> list[int]:
    """Apply every migration not yet recorded; return the versions applied now."""
    applied_now: list[int] = []
    with db.transaction() as cur:
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
            " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
        )
        done = {row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()}
    for version, name, path in list_migrations():
        if version in done:
            continue
        with db.transaction() as cur:
            cur.execute(path.read_text(encoding="utf-8"))
            cur.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
        applied_now.append(version)
    if applied_now:
        with db.transaction() as cur:
            load_reference_areas(cur)
    return applied_now


def load_reference_areas(cur) -> None:  # noqa: ANN001 - a DuckDB cursor
    """Load each country's first-level areas; rows already present are kept."""
    for csv_path in sorted(REFERENCE_DIR.glob("governorates_*.csv")):
        country = csv_path.stem.rsplit("_", 1)[1].upper()
        cur.execute(
            """
            INSERT INTO areas
            SELECT iso_code, ?, name_ar, name_fr, name_en, population_2014, 2014, delegations, region_fr
            FROM read_csv(?, header = true, all_varchar = false)
            WHERE iso_code NOT IN (SELECT code FROM areas)
            """,
            [country, str(csv_path)],
        )
