"""Volunteers who offer transport or distribution."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.errors import PermissionDenied
from data_layer.core.paging import search_text
from data_layer.core.validation import clean_volunteer
from data_layer.registry.listing import read_page
from data_layer.registry.organisations import require_active_organisation
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference


def insert_volunteer_row(
    cur: Any, actor: Actor, record: dict[str, Any], *, organisation_id: int | None, status: str = "active"
) -> int:
    values = dict(record, organisation_id=organisation_id, status=status, created_by=actor.user_id)
    volunteer_id = run(cur, "insert_volunteer", values)
    write_audit(cur, actor, "insert", "volunteers", volunteer_id, after=values)
    return volunteer_id


def register_volunteer(
    db: Database, actor: Actor, raw: dict[str, Any], *, organisation_id: int | None = None, status: str = "active"
) -> int:
    """Validate and save a volunteer, audited; return the id."""
    if status != "submitted" and not actor.may_enter_records:
        raise PermissionDenied()
    record = clean_volunteer(get_reference(db), raw)
    org_id = actor.organisation_id if actor.role == "association" else organisation_id
    with db.transaction() as cur:
        require_active_organisation(cur, org_id)
        return insert_volunteer_row(cur, actor, record, organisation_id=org_id, status=status)


def list_volunteers(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str | None = None,
    status: str | None = None,
    text: str | None = None,
    page: int = 1,
    page_size: int = 25,
) -> tuple[pd.DataFrame, int]:
    organisation_id = organisation_scope(actor)
    params = {
        "organisation_id": organisation_id,
        "governorate_code": governorate_code or None,
        "status": status or None,
        "text": search_text(text),
    }
    return read_page(db, "count_volunteers_filtered", "list_volunteers_page", params, page, page_size)
