"""PostgreSQL as the shared store of several app servers, behind the same face as the DuckDB file.

A cursor here speaks like a DuckDB cursor (`execute` returns the cursor, `fetchone`, `fetchall`,
`description`, `df`), so the named queries and their callers are the same on both backends.
Writes take one transaction-scoped advisory lock: the rules that span rows (stock never
over-allocated, a national ID registered once) hold across every process exactly as the DuckDB
file's single writer holds them within one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import pandas as pd
import psycopg
import psycopg.types.json
from psycopg_pool import ConnectionPool, PoolTimeout

from data_layer.core.errors import ConflictError, DatabaseBusyError
from data_layer.store.dialect import POSTGRES, to_psycopg
from data_layer.store.errors import DatabaseUnreachable, UniqueViolation

# Any constant will do, as long as every writer uses the same one.
WRITE_LOCK_KEY = 0x4A455352  # "JESR"
POOL_SIZE = 8
POOL_TIMEOUT_S = 10
CONNECT_TIMEOUT_S = 5
# Functions that give PostgreSQL the DuckDB built-ins the named queries use (CREATE OR REPLACE).
DIALECT_FUNCTIONS = Path(__file__).resolve().parents[2] / "sql" / "dialects" / "postgres.sql"


@lru_cache(maxsize=2048)
def redacted_url(url: str) -> str:
    """The URL without its password, for messages, logs and cache keys."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


# float4 and float8: a column of nothing but NULLs comes as objects from psycopg, as floats (NaN) from DuckDB.
FLOAT_TYPES = frozenset({700, 701})


def _frame(rows: list[tuple], columns: list[Any]) -> pd.DataFrame:
    """Rows as a DataFrame whose float columns are floats even when every value is NULL."""
    frame = pd.DataFrame.from_records(rows, columns=[column.name for column in columns])
    for i, column in enumerate(columns):
        if column.type_code in FLOAT_TYPES and frame.dtypes.iloc[i] == np.dtype(object):
            frame.isetitem(i, frame.iloc[:, i].astype("float64"))
    return frame


def _translated(sql: str) -> str:
    return to_psycopg(sql)


def _positional(sql: str) -> str:
    """DuckDB's `?` placeholders (used with a list of values) as psycopg's `%s`."""
    return to_psycopg(sql).replace("?", "%s")


class PostgresCursor:
    """A pooled connection's cursor, used the way the code uses a DuckDB cursor."""

    dialect = POSTGRES

    def __init__(
        self,
        pool: ConnectionPool,
        conn: psycopg.Connection,
        *,
        owned: bool,
        shown: str = "",
        on_lost: Callable[[], None] | None = None,
    ) -> None:
        self._pool, self._conn, self._owned, self._shown, self._on_lost = pool, conn, owned, shown, on_lost
        self._cur = conn.cursor()

    def execute(self, sql: str, params: Any = None) -> PostgresCursor:
        try:
            if params is None:
                # Without parameters psycopg sends the text as it is: a `%` must stay single.
                self._cur.execute(sql)
            elif isinstance(params, (list, tuple)):
                self._cur.execute(_positional(sql), params)
            else:
                # DuckDB reads a tuple as a list; psycopg would send it as a row.
                values = {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
                self._cur.execute(_translated(sql), values)
        except psycopg.OperationalError as exc:
            problem = _lost_or_raise(self._conn, exc, self._shown)
            if isinstance(problem, DatabaseUnreachable) and self._on_lost is not None:
                self._on_lost()
            raise problem from exc
        return self

    @property
    def description(self) -> list[tuple]:
        return [(column.name,) for column in self._cur.description or []]

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def df(self) -> pd.DataFrame:
        return _frame(self._cur.fetchall(), list(self._cur.description or []))

    def fetchnumpy(self) -> dict[str, np.ndarray]:
        """Each column as a NumPy array, keyed by its name, as DuckDB's `fetchnumpy` gives them."""
        columns = [d[0] for d in self.description]
        rows = self._cur.fetchall()
        return {name: np.array([row[i] for row in rows]) for i, name in enumerate(columns)}

    def copy(self, statement: str) -> Any:
        """psycopg's COPY, for bulk loads (store.bulk)."""
        return self._cur.copy(statement)

    def close(self) -> None:
        self._cur.close()
        if self._owned:
            self._pool.putconn(self._conn)
            self._owned = False


def _lost_or_raise(conn: psycopg.Connection, exc: psycopg.OperationalError, shown: str) -> Exception:
    """The server gone (restarted, stopped, network cut) as DatabaseUnreachable; any other
    operational error (a serialisation failure, a cancelled statement) as it was raised.

    The broken connection goes back to the pool, which drops it and connects anew: the next
    rerun works as soon as the server is back, without a restart of the app.
    """
    if conn.broken or conn.closed:
        return DatabaseUnreachable(shown)
    return exc


class FetchedResult:
    """A statement's rows, fetched at once, read like a DuckDB result."""

    def __init__(self, description: list[tuple], rows: list[tuple]) -> None:
        self.description, self._rows = description, rows

    def fetchone(self) -> tuple | None:
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def df(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.fetchall(), columns=[d[0] for d in self.description])


class OneShotConnection:
    """`db.conn.execute(...)` as on DuckDB: each statement on a pooled connection of its own, in
    autocommit, its rows fetched before the connection goes back (for scripts and tests)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db

    def execute(self, sql: str, params: Any = None) -> FetchedResult:
        with self._db.reading() as cur:
            cur.execute(sql, params)
            rows = cur.fetchall() if cur._cur.description else []
            return FetchedResult(cur.description, rows)

    def cursor(self) -> PostgresCursor:
        return self._db.cursor()


def _json_as_text(data: bytes | str) -> str:
    return data.decode("utf-8") if isinstance(data, (bytes, bytearray, memoryview)) else data


def _configure(conn: psycopg.Connection) -> None:
    # JSON columns come back as text, as DuckDB gives them, so one decoder serves both.
    psycopg.types.json.set_json_loads(_json_as_text, conn)
    conn.execute("SET TIME ZONE 'UTC'")


@dataclass
class PostgresDatabase:
    """A pool of connections to one PostgreSQL database; `path` is its URL without the password."""

    path: str
    pool: ConnectionPool
    dialect: str = POSTGRES
    memo: dict = field(default_factory=dict)
    commits: int = 0
    # Other servers write too: a count of this process's commits says nothing about the data's version.
    single_writer: bool = False
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    # Set when a connection was found dropped: until the server answers again, each cursor asks
    # it directly (2 s at most) instead of waiting out the pool. A hint, not a rule.
    server_lost: bool = False
    # The schema has the audit chain (migration 0120): each transaction chains its audit rows.
    chained: bool = False

    def cursor(self) -> PostgresCursor:
        if self.server_lost and not _server_answers(str(self.pool.conninfo)):
            # Still gone: say so at once rather than after the pool's whole timeout.
            raise DatabaseUnreachable(self.path)
        try:
            conn = self.pool.getconn(timeout=POOL_TIMEOUT_S)
        except PoolTimeout as exc:
            # Every connection busy, or none can be made: a direct attempt tells which.
            if not _server_answers(str(self.pool.conninfo)):
                self.server_lost = True
                raise DatabaseUnreachable(self.path) from exc
            raise DatabaseBusyError(self.path) from exc
        self.server_lost = False
        return PostgresCursor(self.pool, conn, owned=True, shown=self.path, on_lost=self._lost)

    def _lost(self) -> None:
        self.server_lost = True

    @property
    def conn(self) -> OneShotConnection:
        return OneShotConnection(self)

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def reading(self) -> Iterator[PostgresCursor]:
        """A connection of the pool for reads, given back when the block ends (writes use `transaction`)."""
        cur = self.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def transaction(self) -> Iterator[PostgresCursor]:
        """One write transaction, serialised with every other writer of this database."""
        cur = self.cursor()
        conn = cur._conn
        body_done = False
        try:
            try:
                with conn.transaction():
                    cur.execute("SELECT pg_advisory_xact_lock($key)", {"key": WRITE_LOCK_KEY})
                    # store.chain imports the bulk loader, which imports this module: imported here.
                    from data_layer.store.chain import audit_id_issued, chain_new_rows

                    since = audit_id_issued(cur) if self.chained else None
                    yield cur
                    if since is not None:
                        chain_new_rows(cur, since)
                    body_done = True
            except DatabaseUnreachable as exc:
                # Lost before COMMIT was sent: the server rolled the transaction back.
                raise DatabaseUnreachable(self.path, saved=False) from exc
            except psycopg.OperationalError as exc:
                lost = _lost_or_raise(conn, exc, self.path)
                if not isinstance(lost, DatabaseUnreachable):
                    raise
                # Lost while COMMIT was on its way (or before, on a driver call of our own):
                # only then can the outcome be unknown.
                raise DatabaseUnreachable(self.path, saved=None if body_done else False) from exc
            except psycopg.errors.UniqueViolation as exc:
                raise UniqueViolation(str(exc)) from exc
            except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as exc:
                raise ConflictError(str(exc)) from exc
            self.commits += 1
        finally:
            cur.close()

    def checkpoint(self) -> None:
        """Nothing to do: the server writes its own checkpoints."""

    def size_bytes(self) -> int:
        with self.reading() as cur:
            [(size,)] = cur.execute("SELECT pg_database_size(current_database())").fetchall()
            return int(size)


def _server_answers(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def apply_dialect_functions(db: PostgresDatabase) -> None:
    """(Re)define the compatibility functions, under the write lock so two servers opening at once
    do not replace the same function together."""
    if not DIALECT_FUNCTIONS.is_file():
        return
    with db.transaction() as cur:
        cur.execute(DIALECT_FUNCTIONS.read_text(encoding="utf-8"))


def connect_postgres(
    url: str, *, min_size: int = 1, max_size: int = POOL_SIZE, read_only: bool = False
) -> PostgresDatabase:
    """A pool to the database at `url`, its compatibility functions defined (unless `read_only`).

    A server that does not answer, or refuses the login, fails at once with DatabaseUnreachable,
    whose message names the database without the URL's password.
    """
    shown = redacted_url(url)
    try:
        # One direct attempt first: the pool would retry in silence until its timeout.
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
    except psycopg.OperationalError as exc:
        reason = str(exc).replace(url, shown).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseUnreachable(f"{shown} ({reason})") from None
    pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
        configure=_configure,
        # A connection the server dropped (a restart) is found and replaced before it is lent out.
        check=ConnectionPool.check_connection,
        open=False,
        name="jesr",
    )
    try:
        pool.open(wait=True, timeout=POOL_TIMEOUT_S)
    except PoolTimeout:
        pool.close()
        raise DatabaseUnreachable(shown) from None
    db = PostgresDatabase(path=shown, pool=pool)
    if not read_only:
        apply_dialect_functions(db)
    return db
