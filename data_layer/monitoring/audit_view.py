"""The audit viewer and its export: who changed what and when, scoped to what the actor may read.

Organisers and admins read every row; association staff the rows their organisation's accounts
wrote; observers, volunteers and the public none (organisation_scope refuses them). Personal fields
inside the values before and after (core/personal.py) are shown in clear to admins only, who answer
for erasure and access requests; everyone else sees them masked: the log answers "who did what",
and the records themselves are where staff read a person's details.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.personal import PERSONAL_KEYS
from data_layer.core.validation import _Collector, clean_date, clean_int, is_blank
from data_layer.store.audit import audit_filter_choices, search_audit
from data_layer.store.database import Database

MASK = "•••"
# Roles that read personal values in the audit log in clear.
CLEAR_ROLES = ("admin",)
# Rows the viewer shows at once (the newest); the download holds every matching row.
VIEW_ROWS = 200
_QUOTED_KEYS = tuple(f'"{key}"' for key in PERSONAL_KEYS)


@dataclass(frozen=True)
class AuditFilters:
    """What the viewer or an export is asked for; values as typed (checked by `check_filters`)."""

    username: str | None = None
    table_name: str | None = None
    record_id: Any = None
    date_from: Any = None
    date_to: Any = None


def audit_choices(db: Database, actor: Actor) -> tuple[list[str], list[str]]:
    """The actors and tables the actor may filter by: those of the rows in its scope."""
    return audit_filter_choices(db, organisation_scope(actor))


def check_filters(db: Database, actor: Actor, filters: AuditFilters) -> dict[str, Any]:
    """The filters as search parameters, or a ValidationError naming every bad one."""
    scope = organisation_scope(actor)
    actors, tables = audit_filter_choices(db, scope)
    errs = _Collector()
    username = None if is_blank(filters.username) else str(filters.username).strip() or None
    if username is not None and username not in actors:
        errs.add("audit_actor", "audit.error.unknown_actor", value=username)
    table = None if is_blank(filters.table_name) else str(filters.table_name).strip() or None
    if table is not None and table not in tables:
        errs.add("audit_table", "audit.error.unknown_table", value=table, choices=", ".join(tables))
    record_id = clean_int(errs, "audit_record", filters.record_id, low=1, high=2**62, required=False)
    date_from = clean_date(errs, "audit_date_from", filters.date_from, required=False)
    date_to = clean_date(errs, "audit_date_to", filters.date_to, required=False)
    if date_from is not None and date_to is not None and date_from > date_to:
        errs.add("audit_date_to", "audit.error.date_order")
    errs.raise_if_any()
    return {
        "organisation_id": scope,
        "username": username,
        "table_name": table,
        "record_id": record_id,
        "date_from": date_from,
        "date_to": date_to,
    }


def _masked(text: Any) -> Any:
    if not isinstance(text, str) or not any(key in text for key in _QUOTED_KEYS):
        return text
    value = json.loads(text)
    if not isinstance(value, dict):
        return text
    for key in PERSONAL_KEYS:
        if value.get(key) is not None:
            value[key] = MASK
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def mask_personal(frame: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """The rows with personal values masked, unless the actor's role reads them in clear."""
    if actor.role in CLEAR_ROLES or frame.empty:
        return frame
    frame = frame.copy()
    for column in ("before", "after"):
        frame[column] = frame[column].map(_masked)
    return frame


def list_audit(db: Database, actor: Actor, filters: AuditFilters, *, limit: int | None = VIEW_ROWS) -> pd.DataFrame:
    """The newest matching rows the actor may see (`limit=None`: all of them), masked by role."""
    params = check_filters(db, actor, filters)
    return mask_personal(search_audit(db, **params, limit=limit), actor)


def export_audit(db: Database, actor: Actor, filters: AuditFilters | None = None) -> pd.DataFrame:
    """Every matching row the actor may see, masked by role: the viewer's download and `export audit`."""
    return list_audit(db, actor, filters or AuditFilters(), limit=None)
