"""The one DuckDB connection per database file, and explicit write transactions.

DuckDB lets a single process open the file; inside it we hand out a cursor per
call. Writes are serialised by one lock per database: DuckDB's optimistic
concurrency does not catch write skew (two inserts against the same stock line),
so the rules that span rows only hold if writes run one at a time.

`connect` also opens a PostgreSQL database when given its URL (store.postgres): both kinds of
`Database` answer the same methods, and only the store asks which one it holds.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import psycopg

from data_layer.core.errors import ConflictError, DatabaseBusyError
from data_layer.store.chain import audit_id_issued, chain_new_rows
from data_layer.store.dialect import DUCKDB
from data_layer.store.errors import UniqueViolation

DEFAULT_DB_PATH = "data/jesr.duckdb"
# What either driver raises for a database it cannot open or read (not a refusal of ours).
DRIVER_ERRORS: tuple[type[Exception], ...] = (duckdb.Error, psycopg.Error)


def database_path_from_env() -> str:
    return os.environ.get("JESR_DB", DEFAULT_DB_PATH)


@dataclass
class Database:
    """A DuckDB file opened by this process, with the lock that serialises its writes."""

    path: str
    conn: duckdb.DuckDBPyConnection
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    # Small, rarely changing lookups (areas, categories) kept with the connection.
    memo: dict = field(default_factory=dict)
    # Write transactions committed through this object: only this process can write the file.
    commits: int = 0
    dialect: str = DUCKDB
    # Every write to the file goes through this object, so `commits` versions the data.
    single_writer: bool = True
    # The schema has the audit chain (migration 0120): each transaction chains its audit rows.
    chained: bool = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self.conn.cursor()

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for reads, closed when the block ends (writes use `transaction`)."""
        cur = self.conn.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction: all of it is committed, or none of it."""
        with self.write_lock:
            cur = self.conn.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    since = audit_id_issued(cur) if self.chained else None
                    yield cur
                    if since is not None:
                        chain_new_rows(cur, since)
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                try:
                    cur.execute("COMMIT")
                except duckdb.TransactionException as exc:
                    raise ConflictError(str(exc)) from exc
                self.commits += 1
            except duckdb.TransactionException as exc:
                if "Conflict" in str(exc):
                    raise ConflictError(str(exc)) from exc
                raise
            except duckdb.ConstraintException as exc:
                # DuckDB words it two ways, by whether the repeat met a saved row or one of its own.
                if "Duplicate key" in str(exc) or "PRIMARY KEY or UNIQUE" in str(exc):
                    raise UniqueViolation(str(exc)) from exc
                raise
            finally:
                cur.close()

    def checkpoint(self) -> None:
        """Write the log into the file, so its size is the data's."""
        self.conn.execute("CHECKPOINT")

    def size_bytes(self) -> int:
        return Path(self.path).stat().st_size


# A big import's commit would otherwise also checkpoint the whole file (half a second of a
# 100,000-row import); its rows are safe in the write-ahead log at commit all the same, and
# DuckDB checkpoints once the log passes this size, or at close.
# Without optimistic writes, an append of more than a row group (122,880 rows) is not compressed
# and written to the file while the transaction runs; it goes to the log at commit like any other,
# and is compressed once, by the next checkpoint. A 100,000-household import (480,000 rows with
# needs and audit) took 1.04-1.11 s instead of 1.41-1.42 s, and with the checkpoint that follows
# 1.66 s instead of 1.90 s in all; its log is 89 MB instead of 20 MB (replayed in 0.95 s instead
# of 0.50 s after a crash). The append waits in memory until its commit: the importing process's
# peak was the same, building the 1,000,000-household demo peaked at 1.76 GB instead of 1.47 GB.
CONNECTION_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    "checkpoint_threshold": "128MB",
    "enable_optimistic_write": False,
}


def is_postgres_url(target: str | os.PathLike[str]) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))


def display_name(target: str | os.PathLike[str]) -> str:
    """How messages name the database: its path, or its URL without the password."""
    if is_postgres_url(target):
        from data_layer.store.postgres import redacted_url

        return redacted_url(str(target))
    return str(target)


# Owner read and write only. DuckDB creates the write-ahead log anew after every checkpoint, at
# whatever moment a write comes, so a chmod at open cannot cover it: the process that writes the
# database creates every file with this mask (the data, its log, backups, restores).
PRIVATE_UMASK = 0o077
PRIVATE_FILE_MODE = 0o600


def keep_files_private() -> None:
    """From now on this process creates files readable by their owner only (see PRIVATE_UMASK)."""
    os.umask(PRIVATE_UMASK)


def make_private(*paths: str | os.PathLike[str]) -> None:
    """Owner-only mode for files that exist already (a database made before the mask was set)."""
    for path in paths:
        try:
            if Path(path).is_file() and Path(path).stat().st_mode & 0o077:
                os.chmod(path, PRIVATE_FILE_MODE)
        except OSError:
            pass  # not ours to change (a read-only copy of someone else's): opening says what is wrong


def connect(path: str | os.PathLike[str], *, read_only: bool = False) -> Database:
    """Open the database as it is (no migration, no facts): a PostgreSQL URL, or a DuckDB file
    (created if needed)."""
    if is_postgres_url(path):
        from data_layer.store.postgres import connect_postgres

        return connect_postgres(str(path), read_only=read_only)  # type: ignore[return-value]
    db_path = Path(path)
    if not read_only:
        keep_files_private()
        db_path.parent.mkdir(parents=True, exist_ok=True)
        make_private(db_path, f"{db_path}.wal")
    try:
        conn = duckdb.connect(str(db_path), read_only=read_only, config=CONNECTION_CONFIG)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(str(db_path)) from exc
        raise
    return Database(path=str(db_path), conn=conn)


def database_exists(target: str | os.PathLike[str]) -> bool:
    """Whether `target` already holds a Jesr database: the DuckDB file exists, or the PostgreSQL
    database has its migrations table (`init` creates the schema in an empty one)."""
    if not is_postgres_url(target):
        return Path(target).exists()
    db = connect(target, read_only=True)
    try:
        with db.reading() as cur:
            [(found,)] = cur.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchall()
            return bool(found)
    finally:
        db.close()
