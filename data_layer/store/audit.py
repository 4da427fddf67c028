"""The append-only audit log: who did what, when, with the values before and after."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.store.database import Database
from data_layer.store.queries import run


def to_json(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None

    def default(obj: Any) -> Any:
        if isinstance(obj, (dt.date, dt.datetime)):
            return obj.isoformat()
        if isinstance(obj, Decimal):
            return float(obj) if obj != obj.to_integral_value() else int(obj)
        if hasattr(obj, "tolist"):
            return obj.tolist()
        return str(obj)

    return json.dumps(value, ensure_ascii=False, default=default, sort_keys=True)


def write_audit(
    cur: Any,
    actor: Actor,
    action: str,
    table_name: str,
    record_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Audit one change inside the caller's transaction, so both commit or neither does."""
    run(
        cur,
        "insert_audit",
        {
            "user_id": actor.user_id,
            "username": actor.username,
            "action": action,
            "table_name": table_name,
            "record_id": record_id,
            "before": to_json(before),
            "after": to_json(after),
        },
    )


def row_as_dict(cur: Any, sql: str, params: Any) -> dict[str, Any] | None:
    """One row of SQL text as a dict; named queries get the same from `run` with shape :one."""
    result = cur.execute(sql, params)
    row = result.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in result.description], row))


def latest_audit_id(db: Database) -> int:
    """Grows with every write (all writes are audited): a cheap version of the data."""
    with db.reading() as cur:
        return int(run(cur, "get_latest_audit_id"))


def data_version(db: Database) -> int:
    """latest_audit_id, queried again only after a write committed through `db` when `db` is the
    data's single writer (a DuckDB file, where every write goes through db.transaction()): the
    dashboard asks on every rerun, and the query was a fifteenth of the server's time per rerun.
    A database other servers write too is asked each time (the max of a primary key is cheap), so
    a save on one server shows on another's dashboard at its next rerun."""
    if not db.single_writer:
        return latest_audit_id(db)
    commits = db.commits  # read before the query: a commit racing it makes the next call query again
    memo = db.memo.get("data_version")
    if memo is None or memo[0] != commits:
        memo = (commits, latest_audit_id(db))
        db.memo["data_version"] = memo
    return memo[1]


def search_audit(
    db: Database,
    *,
    organisation_id: int | None = None,
    table_name: str | None = None,
    record_id: int | None = None,
    username: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    text: str | None = None,
    limit: int | None = 50,
    offset: int = 0,
) -> pd.DataFrame:
    """Audit rows matching every filter given, newest first; `organisation_id` keeps the rows its
    accounts wrote, `limit=None` every match. The values before and after come as JSON text."""
    with db.reading() as cur:
        return run(
            cur,
            "search_audit",
            {
                "organisation_id": organisation_id,
                "table_name": table_name,
                "record_id": record_id,
                "username": username,
                "date_from": date_from,
                "date_to": date_to,
                "text": text or None,
                "limit": limit,
                "offset": offset,
            },
        )


def audit_filter_choices(db: Database, organisation_id: int | None) -> tuple[list[str], list[str]]:
    """The actors and the tables that occur in the audit rows (of one organisation's accounts)."""
    with db.reading() as cur:
        params = {"organisation_id": organisation_id}
        actors = [row["username"] for row in run(cur, "list_audit_actors", params)]
        tables = [row["table_name"] for row in run(cur, "list_audit_tables", params)]
    return actors, tables
