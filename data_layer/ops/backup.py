"""Backup and restore of a whole database with DuckDB's EXPORT / IMPORT DATABASE (Parquet).

A backup directory holds DuckDB's own `schema.sql` and `load.sql`, one Parquet file
per table, and `jesr_backup.json` (row counts per table) so a restore can prove it
got every row back. DuckDB writes each sequence with `START` at its next value, so
ids continue after a restore; `restore_database` still checks every sequence is
past its table's largest id and refuses otherwise rather than hand out a used id.

A restore never writes into the target file directly: it imports into a new file
beside it and renames that over the target only when the row counts match, so a
failed restore leaves the old database as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from data_layer.core.errors import DatabaseBusyError, JesrError
from data_layer.store.database import Database, is_postgres_url, keep_files_private, make_private
from data_layer.store.dialect import POSTGRES
from data_layer.store.queries import run

MANIFEST = "jesr_backup.json"
FORMAT_VERSION = 1


@dataclass
class BackupSummary:
    directory: str
    tables: int
    rows: int


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows in every base table of the main schema, by table name."""
    names = [row["table_name"] for row in run(conn, "list_main_tables")]
    return {name: conn.execute(f"SELECT count(*) FROM {_identifier(name)}").fetchall()[0][0] for name in names}


def backup_database(db: Database, directory: str | os.PathLike[str]) -> BackupSummary:
    """Export every table, view, index and sequence of `db` into `directory` (new or empty)."""
    if db.dialect == POSTGRES:
        from data_layer.ops.backup_postgres import backup_postgres

        return backup_postgres(db, directory)
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise JesrError("error.backup_directory_not_empty", path=str(target))
    # A backup holds every personal record: its directory and files are the owner's only.
    keep_files_private()
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.chmod(target, 0o700)
    except OSError:
        pass  # a directory the operator gave and owns otherwise: the files inside are private all the same
    # Under the write lock, so no save lands between the export and the counts written beside it.
    with db.write_lock, db.reading() as cur:
        cur.execute(f"EXPORT DATABASE {_path_literal(target)} (FORMAT parquet)")
        counts = table_counts(cur)
    manifest = {
        "format": FORMAT_VERSION,
        "source": str(db.path),
        "created_at": dt.datetime.now().isoformat(),
        "duckdb": duckdb.__version__,
        "tables": counts,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    make_private(*target.iterdir())
    return BackupSummary(directory=str(target), tables=len(counts), rows=sum(counts.values()))


# Table, column and directory names cannot be query parameters: these two helpers quote them.
def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _path_literal(path: Path) -> str:
    return "'" + str(path.resolve()).replace("'", "''") + "'"


def read_manifest(directory: str | os.PathLike[str]) -> dict:
    source = Path(directory)
    manifest_path = source / MANIFEST
    if not (source / "schema.sql").is_file() or not (source / "load.sql").is_file() or not manifest_path.is_file():
        raise JesrError("error.backup_not_found", path=str(source))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise JesrError("error.backup_not_found", path=str(source)) from exc
    if manifest.get("format") != FORMAT_VERSION or not isinstance(manifest.get("tables"), dict):
        raise JesrError("error.backup_not_found", path=str(source))
    return manifest


def _baseline_counts() -> dict[str, int]:
    """Rows a freshly created database already holds (reference data put there by migrations)."""
    from data_layer.store.database import Database as _Database
    from data_layer.store.migrations import apply_migrations

    fresh = _Database(path=":memory:", conn=duckdb.connect(":memory:"))
    try:
        apply_migrations(fresh)
        return table_counts(fresh.conn)
    finally:
        fresh.close()


def database_has_data(path: Path) -> bool:
    """True when the file holds any row beyond what a new database starts with."""
    if not path.exists():
        return False
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(str(path)) from exc
        raise
    try:
        counts = table_counts(conn)
    finally:
        conn.close()
    baseline = _baseline_counts()
    return any(rows > baseline.get(name, 0) for name, rows in counts.items())


def _check_sequences(conn: duckdb.DuckDBPyConnection) -> None:
    """Every `DEFAULT nextval('seq')` must hand out an id above the table's largest one."""
    next_values = {row["sequence_name"]: row["start_value"] for row in run(conn, "list_sequence_starts")}
    for default in run(conn, "list_sequence_defaults"):
        table, column, sequence = default["table_name"], default["column_name"], default["sequence_name"]
        [(largest,)] = conn.execute(f"SELECT max({_identifier(column)}) FROM {_identifier(table)}").fetchall()
        if largest is not None and next_values.get(sequence, 0) <= largest:
            raise JesrError("error.restore_sequence_behind", sequence=sequence, table=table)


def restore_database(
    target: str | os.PathLike[str], directory: str | os.PathLike[str], *, force: bool = False
) -> BackupSummary:
    """Rebuild the database file `target` from a backup directory; refuses a target with data unless `force`."""
    if is_postgres_url(target):
        from data_layer.ops.backup_postgres import restore_postgres

        return restore_postgres(str(target), directory, force=force)
    manifest = read_manifest(directory)
    target_path = Path(target)
    if database_has_data(target_path) and not force:
        raise JesrError("error.restore_target_has_data", path=str(target_path))
    keep_files_private()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    staging = target_path.with_name(target_path.name + ".restoring")
    for leftover in (staging, Path(str(staging) + ".wal")):
        leftover.unlink(missing_ok=True)
    conn = duckdb.connect(str(staging))
    try:
        try:
            conn.execute(f"IMPORT DATABASE {_path_literal(Path(directory))}")
        except duckdb.Error as exc:
            # A Parquet file missing or cut short: say so instead of a stack trace.
            raise JesrError("error.restore_incomplete", path=str(directory)) from exc
        counts = table_counts(conn)
        if counts != manifest["tables"]:
            raise JesrError("error.restore_incomplete", path=str(directory))
        _check_sequences(conn)
        run(conn, "checkpoint")
    except BaseException:
        conn.close()
        staging.unlink(missing_ok=True)
        Path(str(staging) + ".wal").unlink(missing_ok=True)
        raise
    conn.close()
    # The old file's WAL belongs to the old data: replaying it on the restored file would corrupt it.
    Path(str(target_path) + ".wal").unlink(missing_ok=True)
    os.replace(staging, target_path)
    return BackupSummary(directory=str(directory), tables=len(counts), rows=sum(counts.values()))
