"""Organisations (associations, organisers, the ministry) and the governorates they cover."""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import FieldError, JesrError, PermissionDenied, ValidationError
from data_layer.core.validation import clean_organisation, resolve_country
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference


class OrganisationDisabled(JesrError):
    """The organisation was disabled: it takes no new record, account or login."""

    code = "organisations.error.disabled"


def require_active_organisation(cur: Any, organisation_id: int | None) -> None:
    """Refuse a write for a disabled organisation (None: a record of no organisation, always allowed)."""
    if organisation_id is not None and run(cur, "get_organisation_is_active", {"id": int(organisation_id)}) is False:
        raise OrganisationDisabled()


def create_organisation(db: Database, actor: Actor, raw: dict[str, Any]) -> int:
    if actor.role != "admin":
        raise PermissionDenied()
    reference = get_reference(db)
    record = clean_organisation(reference, raw)
    # Its country: the one named, which must hold its governorates, else theirs.
    areas = [*record["areas"], *([record["governorate_code"]] if record["governorate_code"] else [])]
    country = resolve_country(reference, raw.get("country_code"), areas=areas, required=True)
    with db.transaction() as cur:
        if run(cur, "get_organisation_by_code", {"code": record["code"]}) is not None:
            raise ValidationError([FieldError("code", "error.code_taken", {"value": record["code"]})])
        values = {k: record[k] for k in ("code", "name", "kind", "governorate_code", "phone")}
        values["country_code"] = country
        org_id = run(cur, "insert_organisation", values)
        for area in sorted(set(record["areas"])):
            run(cur, "insert_organisation_area", {"organisation_id": org_id, "area_code": area})
        write_audit(cur, actor, "insert", "organisations", org_id, after=dict(values, areas=record["areas"]))
    return org_id


def list_organisations(db: Database, country_code: str | None = None) -> pd.DataFrame:
    """Every organisation with its country; with `country_code`, that country's only."""
    with db.reading() as cur:
        frame = run(cur, "list_organisations")
    if country_code is not None:
        frame = frame[frame["country_code"] == country_code].reset_index(drop=True)
    return frame


def organisation_country(db: Database, organisation_id: int) -> str | None:
    """The country an organisation works in (None: it names none and covers no governorate)."""
    with db.reading() as cur:
        return run(cur, "get_organisation_country", {"id": int(organisation_id)})


def get_organisation_id(db: Database, code: str) -> int | None:
    with db.reading() as cur:
        row = run(cur, "get_organisation_by_code", {"code": (code or "").strip().upper()})
    return row["id"] if row else None


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
