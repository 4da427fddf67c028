"""Backup and restore of a PostgreSQL store with pg_dump / pg_restore, while the app serves.

A backup directory holds `jesr.pgdump` (pg_dump's custom format, readable by its owner only: it
holds every person's record) and `jesr_backup.json` (row counts per table). The counts and the dump
read the same snapshot — one transaction exports it and pg_dump starts from it — so they agree even
while replicas keep saving, and a restore can prove it got every row back.

A restore runs pg_restore in a single transaction: a dump that fails half-way leaves the target as
it was. It refuses a target holding data beyond what a new database starts with, unless forced.
"""

from __future__ import annotations

import datetime as dt
import glob
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from data_layer.core.errors import JesrError
from data_layer.ops.backup import MANIFEST, BackupSummary, _baseline_counts, table_counts
from data_layer.store.database import Database, connect, database_exists
from data_layer.store.postgres import redacted_url

DUMP_FILE = "jesr.pgdump"
FORMAT_VERSION = 1
ENGINE = "postgresql"
TOOL_TIMEOUT_S = 3600


def find_tool(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else in Debian's versioned directories (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(bindir) / name).is_file():
            return str(Path(bindir) / name)
    raise JesrError("error.backup_tool_missing", tool=name)


def _tool_env(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password for the tool's argument list (which `ps` shows), the password
    in the tool's environment."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = parts.password
    return redacted_url(url), env


def _full_url(db: Database) -> str:
    # The pool keeps the URL it was opened with, password included; db.path has it redacted.
    return str(db.pool.conninfo)  # type: ignore[attr-defined]


def backup_postgres(db: Database, directory: str | os.PathLike[str]) -> BackupSummary:
    """pg_dump of the whole database into `directory` (new or empty), with no pause in service."""
    target = Path(directory)
    if target.exists() and any(target.iterdir()):
        raise JesrError("error.backup_directory_not_empty", path=str(target))
    target.mkdir(parents=True, exist_ok=True)
    url, env = _tool_env(_full_url(db))
    dump = target / DUMP_FILE
    # Created 0600 before a byte is written; pg_dump writes to it through its standard output.
    fd = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with db.reading() as cur:
            # A repeatable-read snapshot held open while pg_dump runs from it: counts and dump agree.
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                [(snapshot,)] = cur.execute("SELECT pg_export_snapshot()").fetchall()
                counts = table_counts(cur)
                done = subprocess.run(
                    [find_tool("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--dbname", url],
                    stdout=fd,
                    stderr=subprocess.PIPE,
                    env=env,
                    text=True,
                    timeout=TOOL_TIMEOUT_S,
                )
            finally:
                cur.execute("COMMIT")
    finally:
        os.close(fd)
    if done.returncode != 0:
        dump.unlink(missing_ok=True)
        raise JesrError("error.backup_failed", reason=(done.stderr.strip().splitlines() or ["?"])[-1])
    manifest = {
        "format": FORMAT_VERSION,
        "engine": ENGINE,
        "source": db.path,
        "created_at": dt.datetime.now().isoformat(),
        "dump": DUMP_FILE,
        "tables": counts,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return BackupSummary(directory=str(target), tables=len(counts), rows=sum(counts.values()))


def read_postgres_manifest(directory: str | os.PathLike[str]) -> dict:
    source = Path(directory)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise JesrError("error.backup_not_found", path=str(source)) from exc
    if manifest.get("engine") != ENGINE:
        # A DuckDB backup (EXPORT DATABASE) cannot be loaded by pg_restore.
        raise JesrError("error.restore_other_engine", path=str(source))
    if (
        manifest.get("format") != FORMAT_VERSION
        or not isinstance(manifest.get("tables"), dict)
        or not (source / DUMP_FILE).is_file()
    ):
        raise JesrError("error.backup_not_found", path=str(source))
    return manifest


def postgres_has_data(url: str) -> bool:
    """True when the database holds any row beyond what a new database starts with."""
    if not database_exists(url):
        return False
    db = connect(url, read_only=True)
    try:
        with db.reading() as cur:
            counts = table_counts(cur)
    finally:
        db.close()
    baseline = _baseline_counts()
    return any(rows > baseline.get(name, 0) for name, rows in counts.items())


def restore_postgres(url: str, directory: str | os.PathLike[str], *, force: bool = False) -> BackupSummary:
    """Load a pg_dump backup into the database at `url`, in one transaction; refuses data unless `force`."""
    manifest = read_postgres_manifest(directory)
    shown, env = _tool_env(url)
    if postgres_has_data(url) and not force:
        raise JesrError("error.restore_target_has_data", path=shown)
    parts = urlsplit(shown)
    done = subprocess.run(
        [
            find_tool("pg_restore"),
            "--single-transaction",
            "--exit-on-error",
            # Drops what the dump recreates (a migrated database's tables, or the data being replaced).
            "--clean",
            "--if-exists",
            "--no-owner",
            "--dbname",
            urlunsplit(parts),
            str(Path(directory) / DUMP_FILE),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=TOOL_TIMEOUT_S,
    )
    if done.returncode != 0:
        raise JesrError("error.restore_incomplete", path=str(directory))
    db = connect(url, read_only=True)
    try:
        with db.reading() as cur:
            counts = table_counts(cur)
    finally:
        db.close()
    if {name: counts.get(name) for name in manifest["tables"]} != manifest["tables"]:
        raise JesrError("error.restore_counts_differ", path=str(directory))
    return BackupSummary(directory=str(directory), tables=len(counts), rows=sum(counts.values()))
