"""Numbered migrations in sql/migrations, applied in order and recorded.

Reference areas come from sql/reference/areas_<country>.csv-like files, loaded
after the schema so that adding a country is adding a file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from data_layer.store.bulk import run_with_rows
from data_layer.store.queries import run

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
        run(cur, "create_schema_migrations")
        done = {row["version"] for row in run(cur, "list_applied_migrations")}
    for version, name, path in list_migrations():
        if version in done:
            continue
        with db.transaction() as cur:
            # Asked again under the write lock: another server starting at the same time may have applied it.
            if version in {row["version"] for row in run(cur, "list_applied_migrations")}:
                continue
            cur.execute(path.read_text(encoding="utf-8"))
            run(cur, "insert_schema_migration", {"version": version, "name": name})
        applied_now.append(version)
    if applied_now:
        with db.transaction() as cur:
            load_reference_areas(cur)
    return applied_now


def load_reference_areas(cur) -> None:  # noqa: ANN001 - a cursor of either backend
    """Load each country's first-level areas; rows already present are kept.

    The file is read here rather than by the database, which may sit on another machine.
    """
    for csv_path in sorted(REFERENCE_DIR.glob("governorates_*.csv")):
        country = csv_path.stem.rsplit("_", 1)[1].upper()
        frame = pd.read_csv(csv_path, dtype={"population_2014": "int64", "delegations": "int64"}, keep_default_na=False)
        run_with_rows(cur, "insert_reference_areas", frame, {"country_code": country})
