"""Daily limits on public submissions, counted in the database (not in memory).

A client address may send CLIENT_DAILY_LIMIT accepted forms a day; a national ID or
phone number SUBJECT_DAILY_LIMIT. Addresses, IDs and phones are kept only as salted
hashes, and `anonymise` clears the old ones.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from data_layer.core.errors import JesrError
from data_layer.store.queries import run

CLIENT_DAILY_LIMIT = 10
SUBJECT_DAILY_LIMIT = 3
_SALT = "jesr-public-limits:"


class RateLimited(JesrError):
    """Too many forms today from this connection, or for this national ID / phone."""

    code = "public.error.limit_client"


def limit_key(value: str) -> str:
    return hashlib.sha256((_SALT + value.strip().casefold()).encode("utf-8")).hexdigest()[:32]


def subject_keys(values: Iterable[str | None]) -> list[str]:
    return sorted({limit_key(v) for v in values if v})


def check_and_count(cur: Any, kind: str, client: str, subjects: list[str], now: dt.datetime) -> None:
    """Refuse when today's limits are reached, else count this submission (caller holds the transaction)."""
    client_key = limit_key(client)
    today = run(
        cur, "count_public_submissions_today", {"day": now.date(), "client_key": client_key, "subject_keys": subjects}
    )
    if today["by_client"] >= CLIENT_DAILY_LIMIT:
        raise RateLimited("public.error.limit_client", limit=CLIENT_DAILY_LIMIT)
    if subjects and today["by_subject"] >= SUBJECT_DAILY_LIMIT:
        raise RateLimited("public.error.limit_subject", limit=SUBJECT_DAILY_LIMIT)
    run(
        cur,
        "insert_public_submission",
        {
            "kind": kind,
            "client_key": client_key,
            "subject_keys": subjects,
            "submitted_on": now.date(),
            "submitted_at": now,
        },
    )
