"""Organisations (associations, organisers, the ministry) and the governorates they cover."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import FieldError, JesrError, PermissionDenied, ValidationError
from data_layer.core.validation import clean_organisation
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import Q, run
from data_layer.store.reference import get_reference


def create_organisation(db: Database, actor: Actor, raw: dict[str, Any]) -> int:
    if actor.role != "admin":
        raise PermissionDenied()
    record = clean_organisation(get_reference(db), raw)
    with db.transaction() as cur:
        if cur.execute(Q.get_organisation_by_code, {"code": record["code"]}).fetchone():
            raise ValidationError([FieldError("code", "error.code_taken", {"value": record["code"]})])
        values = {k: record[k] for k in ("code", "name", "kind", "governorate_code", "phone")}
        org_id = cur.execute(Q.insert_organisation, values).fetchone()[0]
        for area in sorted(set(record["areas"])):
            cur.execute(Q.insert_organisation_area, {"organisation_id": org_id, "area_code": area})
        write_audit(cur, actor, "insert", "organisations", org_id, after=dict(values, areas=record["areas"]))
    return org_id


def list_organisations(db: Database) -> pd.DataFrame:
    cur = db.cursor()
    try:
        return cur.execute(Q.list_organisations).df()
    finally:
        cur.close()


def get_organisation_id(db: Database, code: str) -> int | None:
    cur = db.cursor()
    try:
        row = cur.execute(Q.get_organisation_by_code, {"code": code.strip().upper()}).fetchone()
    except duckdb.Error:
        return None
    finally:
        cur.close()
    return row[0] if row else None


def disable_organisation(db: Database, actor: Actor, code: str) -> int:
    """Mark an organisation inactive (admins); its records, stock and accounts stay. Returns its id."""
    if actor.role != "admin":
        raise PermissionDenied()
    wanted = (code or "").strip().upper()
    with db.transaction() as cur:
        before = run(cur, "get_organisation_record", {"code": wanted})
        if before is None:
            raise JesrError("error.unknown_organisation", value=wanted or "—")
        if not before["is_active"]:
            raise JesrError("organisations.error.already_disabled", value=wanted)
        run(cur, "set_organisation_active", {"id": before["id"], "is_active": False})
        write_audit(
            cur, actor, "disable", "organisations", before["id"], before={"is_active": True}, after={"is_active": False}
        )
    return before["id"]
