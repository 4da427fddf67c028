"""Numbered migrations in sql/migrations, applied in order and recorded.

Tunisia's areas are built in: sql/reference/areas/TN.csv, an HXL-tagged area file (the format of
data_layer/core/countries.py), loaded after the schema. Other countries' files are added to a live
database with `countries add`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from data_layer.core.countries import CountryAreas, parse_area_file
from data_layer.store.bulk import run_with_rows
from data_layer.store.chain import chain_new_rows
from data_layer.store.queries import run

if TYPE_CHECKING:
    from data_layer.store.database import Database

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
MIGRATIONS_DIR = SQL_DIR / "migrations"
REFERENCE_DIR = SQL_DIR / "reference"
BUILT_IN_AREAS = REFERENCE_DIR / "areas" / "TN.csv"
# From this migration on, every transaction chains the audit rows it writes (store/chain.py).
AUDIT_CHAIN_VERSION = 120
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
    # A migration after the chain's own that writes audit rows (a data correction) chains them.
    db.chained = AUDIT_CHAIN_VERSION in done
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
    if AUDIT_CHAIN_VERSION in applied_now:
        # The rows written before the chain existed join it, oldest first.
        with db.transaction() as cur:
            chain_new_rows(cur)
    if AUDIT_CHAIN_VERSION in done or AUDIT_CHAIN_VERSION in applied_now:
        db.chained = True
    return applied_now


AREA_SCHEMA = pa.schema(
    [
        ("code", pa.string()),
        ("country_code", pa.string()),
        ("name_ar", pa.string()),
        ("name_fr", pa.string()),
        ("name_en", pa.string()),
        ("population", pa.int64()),
        ("population_year", pa.int32()),
        ("delegations", pa.int32()),
        ("region", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
    ]
)


def areas_table(country: CountryAreas) -> pa.Table:
    """One row per first-level area, typed so that a file without populations still loads."""
    rows = [
        {
            "code": area.code,
            "country_code": country.country_code,
            **{f"name_{lang}": name for lang, name in area.names.items()},
            "population": area.population,
            "population_year": area.population_year,
            # Listed second-level areas count as delegations when the file gives no number.
            "delegations": area.delegations if area.delegations is not None else len(area.children) or None,
            "region": area.region,
            "lat": area.lat,
            "lon": area.lon,
        }
        for area in country.areas
    ]
    return pa.Table.from_pylist(rows, schema=AREA_SCHEMA)


def load_reference_areas(cur) -> None:  # noqa: ANN001 - a cursor of either backend
    """Load the built-in country's first-level areas; areas already present are kept, and take the
    file's centroids where they have none (a database made before areas had them).

    The file is read here rather than by the database, which may sit on another machine.
    """
    country = parse_area_file(BUILT_IN_AREAS.read_bytes())
    table = areas_table(country)
    run_with_rows(cur, "insert_reference_areas", table)
    run_with_rows(cur, "update_area_positions", table)
    run(cur, "bump_reference_version")  # servers already running read the areas again
