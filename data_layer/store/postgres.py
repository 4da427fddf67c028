"""PostgreSQL as the shared store of several app servers, behind the same face as the DuckDB file.

A cursor here speaks like a DuckDB cursor (`execute` returns the cursor, `fetchone`, `fetchall`,
`description`, `df`), so the named queries and their callers are the same on both backends.
Writes take one transaction-scoped advisory lock: the rules that span rows (stock never
over-allocated, a national ID registered once) hold across every process exactly as the DuckDB
file's single writer holds them within one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
import psycopg
import psycopg.types.json
from psycopg_pool import ConnectionPool, PoolTimeout

from data_layer.core.errors import ConflictError, DatabaseBusyError
from data_layer.store.dialect import POSTGRES, to_psycopg

# Any constant will do, as long as every writer uses the same one.
WRITE_LOCK_KEY = 0x4A455352  # "JESR"
POOL_SIZE = 8
POOL_TIMEOUT_S = 10


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


@lru_cache(maxsize=2048)
def _translated(sql: str) -> str:
    return to_psycopg(sql)


def _positional(sql: str) -> str:
    """DuckDB's `?` placeholders (used with a list of values) as psycopg's `%s`."""
    return to_psycopg(sql).replace("?", "%s")


class PostgresCursor:
    """A pooled connection's cursor, used the way the code uses a DuckDB cursor."""

    def __init__(self, pool: ConnectionPool, conn: psycopg.Connection, *, owned: bool) -> None:
        self._pool, self._conn, self._owned = pool, conn, owned
        self._cur = conn.cursor()

    def execute(self, sql: str, params: Any = None) -> PostgresCursor:
        if params is None:
            self._cur.execute(_translated(sql))
        elif isinstance(params, (list, tuple)):
            self._cur.execute(_positional(sql), params)
        else:
            self._cur.execute(_translated(sql), params)
        return self

    @property
    def description(self) -> list[tuple]:
        return [(column.name,) for column in self._cur.description or []]

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def df(self) -> pd.DataFrame:
        columns = [d[0] for d in self.description]
        return pd.DataFrame.from_records(self._cur.fetchall(), columns=columns)

    def close(self) -> None:
        self._cur.close()
        if self._owned:
            self._pool.putconn(self._conn)
            self._owned = False


def _json_as_text(data: bytes | str) -> str:
    return data.decode("utf-8") if isinstance(data, (bytes, bytearray, memoryview)) else data


def _configure(conn: psycopg.Connection) -> None:
    # JSON columns come back as text, as DuckDB gives them, so one decoder serves both.
    psycopg.types.json.set_json_loads(_json_as_text, conn)
    conn.execute("SET TIME ZONE 'UTC'")


@dataclass
class PostgresDatabase:
    """A pool of connections to one PostgreSQL database."""

    path: str
    pool: ConnectionPool
    dialect: str = POSTGRES
    memo: dict = field(default_factory=dict)
    commits: int = 0
    write_lock: threading.RLock = field(default_factory=threading.RLock)

    def cursor(self) -> PostgresCursor:
        try:
            conn = self.pool.getconn(timeout=POOL_TIMEOUT_S)
        except PoolTimeout as exc:
            raise DatabaseBusyError(self.path) from exc
        return PostgresCursor(self.pool, conn, owned=True)

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def transaction(self) -> Iterator[PostgresCursor]:
        """One write transaction, serialised with every other writer of this database."""
        cur = self.cursor()
        conn = cur._conn
        try:
            try:
                with conn.transaction():
                    cur.execute("SELECT pg_advisory_xact_lock($key)", {"key": WRITE_LOCK_KEY})
                    yield cur
            except psycopg.errors.SerializationFailure as exc:
                raise ConflictError(str(exc)) from exc
            self.commits += 1
        finally:
            cur.close()


def connect_postgres(url: str, *, min_size: int = 1, max_size: int = POOL_SIZE) -> PostgresDatabase:
    """A pool to the database at `url`; fails at once with DatabaseBusyError when it cannot connect."""
    pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True},
        configure=_configure,
        open=False,
        name="jesr",
    )
    try:
        pool.open(wait=True, timeout=POOL_TIMEOUT_S)
    except PoolTimeout as exc:
        pool.close()
        raise DatabaseBusyError(url) from exc
    return PostgresDatabase(path=url, pool=pool)
