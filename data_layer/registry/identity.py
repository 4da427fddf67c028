"""National IDs handled as secrets where only equality is needed.

Every check that asks "is this the same person?" (a repeat registration by another association,
a public request, an imported row, a merge) compares `national_id_key`, the keyed hash of the
cleaned ID (data_layer/core/secrets.py), so the same number typed in Arabic-Indic or ASCII digits
is one key. The clear ID stays on the household for the staff who read it and is never copied
into anything observers or the public receive.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.secrets import key_fingerprint, keyed_hash, keyed_hashes
from data_layer.core.validation import _digits
from data_layer.store.audit import write_audit
from data_layer.store.bulk import rows_table
from data_layer.store.database import Database
from data_layer.store.queries import run

PURPOSE = "national_id"


# 128 of HMAC-SHA256's 256 bits (as 32 hex digits): far more than equality of IDs needs, and the
# shorter key keeps the index an import fills cheaper.
KEY_LENGTH = 32


def national_id_key(national_id: str) -> str:
    """The keyed hash a cleaned national ID is compared by."""
    return keyed_hash(national_id, PURPOSE)[:KEY_LENGTH]


def national_id_keys(national_ids: list[str | None]) -> list[str | None]:
    return [None if key is None else key[:KEY_LENGTH] for key in keyed_hashes(national_ids, PURPOSE)]


def national_id_search_key(text: str | None) -> str | None:
    """The key a search box's text would have as a national ID (typed in any digits), to find it by."""
    digits = _digits(text or "").upper()
    return national_id_key(digits) if digits else None


def _store(cur: Any, rows: list[dict[str, Any]], query: str) -> int:
    if not rows:
        return 0
    table = pa.table(
        {
            "id": pa.array([int(r["id"]) for r in rows], pa.int64()),
            "national_id_key": pa.array(national_id_keys([r["national_id"] for r in rows]), pa.string()),
        }
    )
    with rows_table(cur, table, "national_id_keys"):
        run(cur, query)
    return len(rows)


def refresh_national_id_keys(db: Database, actor: Actor = SYSTEM) -> int:
    """Hash the IDs that have no key yet, or all of them when the key has changed; returns how many.

    Run when the database is opened: rows written before the keys existed, or by bulk writers
    that leave the column empty (demo data), get theirs; otherwise it costs two small reads. A
    database with IDs but no fingerprint yet (hashed before one was recorded) is hashed again once.
    """
    with db.reading() as cur:
        stored = run(cur, "get_keyed_hash_fingerprint", {"purpose": PURPOSE})
        counts = run(cur, "count_national_id_keys")
    # Nothing to hash yet: a new database stays as its migrations left it (no fingerprint either).
    if counts["total"] == 0:
        return 0
    fingerprint = key_fingerprint(PURPOSE)
    if stored == fingerprint and counts["missing"] == 0:
        return 0
    with db.transaction() as cur:
        rehash_all = run(cur, "get_keyed_hash_fingerprint", {"purpose": PURPOSE}) != fingerprint
        params = {"all": rehash_all}
        done = _store(cur, run(cur, "list_household_national_ids", params), "set_household_national_id_keys")
        done += _store(
            cur, run(cur, "list_duplicate_report_national_ids", params), "set_duplicate_report_national_id_keys"
        )
        run(
            cur,
            "set_keyed_hash_fingerprint",
            {"purpose": PURPOSE, "fingerprint": fingerprint, "now": dt.datetime.now()},
        )
        if done:
            write_audit(cur, actor, "hash_national_ids", "households", None, after={"rows": done, "all": rehash_all})
    return done
