"""The one way the app, the command line and the tests open a database ready for use."""

from __future__ import annotations

import os

from data_layer.monitoring.facts import ensure_facts_current, ensure_fairness_facts_current
from data_layer.registry.identity import refresh_national_id_keys
from data_layer.registry.receipts import assign_missing_receipt_codes
from data_layer.store.database import Database, connect
from data_layer.store.migrations import apply_migrations


def open_database(path: str | os.PathLike[str], *, read_only: bool = False) -> Database:
    """Open the database (a DuckDB file, created if needed, or a PostgreSQL URL) and bring its schema
    and facts up to date."""
    db = connect(path, read_only=read_only)
    if not read_only:
        apply_migrations(db)
        assign_missing_receipt_codes(db)  # donations and pledges saved before receipt codes existed
        refresh_national_id_keys(db)  # IDs saved before their keyed hashes, or hashed under another key
        ensure_facts_current(db)  # a database upgraded to 0040, or demo data: build them now
        ensure_fairness_facts_current(db)  # likewise the fairness views' facts (0140)
    return db
