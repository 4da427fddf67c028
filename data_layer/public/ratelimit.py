"""Daily limits on public submissions, counted in the database (not in memory).

A client address may send CLIENT_DAILY_LIMIT accepted forms a day; a national ID or
phone number SUBJECT_DAILY_LIMIT. Addresses, IDs and phones are kept only as keyed
hashes (data_layer/core/secrets.py: without the installation's key, an 8-digit ID cannot be
found by hashing every number), and `anonymise` clears the old ones.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Iterable, Sequence
from typing import Any

from data_layer.core.errors import JesrError
from data_layer.core.secrets import keyed_hash
from data_layer.store.queries import run

CLIENT_DAILY_LIMIT = 10
SUBJECT_DAILY_LIMIT = 3
LIMITS_PURPOSE = "public_limits"


# Proxies whose X-Forwarded-For is believed: loopback by default (the cluster's HAProxy runs
# beside the app servers), more with JESR_TRUSTED_PROXIES="10.0.0.0/8,192.0.2.7".
DEFAULT_TRUSTED_PROXIES = "127.0.0.1/32,::1/128"
UNKNOWN_CLIENT = "unknown-client"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_proxies(setting: str | None = None) -> list[Network]:
    text = os.environ.get("JESR_TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES) if setting is None else setting
    return [ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip()]


def _is_trusted(address: str, proxies: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(peer: str | None, forwarded_for: str | None, proxies: Sequence[Network]) -> str:
    """The address a day's forms are counted against.

    `peer` is the connection's address (Streamlit gives None for loopback). X-Forwarded-For is
    read only when the connection comes from a trusted proxy, and from the right: each proxy
    appends the address it saw, so the right-most entry that is not a trusted proxy is the
    visitor, whatever the visitor wrote to the left of it.
    """
    peer = peer or "127.0.0.1"
    if not _is_trusted(peer, proxies):
        return peer
    for entry in reversed((forwarded_for or "").split(",")):
        entry = entry.strip()
        if entry and not _is_trusted(entry, proxies):
            return entry
    return peer


class RateLimited(JesrError):
    """Too many forms today from this connection, or for this national ID / phone."""

    code = "public.error.limit_client"


def limit_key(value: str) -> str:
    return keyed_hash(value.strip().casefold(), LIMITS_PURPOSE)[:32]


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
