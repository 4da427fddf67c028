"""Campaigns: names in each language, dates, targets and a status organisers move forward.

A campaign is `planned`, then `active`, then `closed`; a closed campaign is never edited or
reopened, so its figures stay as they were and stay readable. Several campaigns may be active
at once (a Ramadan campaign starting before a crisis campaign ends).

Which campaign a new record takes: the active campaign of the record's country (the country its
governorate lies in) that started last (ties: the one created last); a record of a country with
no active campaign takes none, never another country's. Households, donations and public forms
all ask `active_campaign_id`, so one rule holds everywhere; a record keeps its campaign when that
campaign closes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.countries import gift_currency
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.validation import clean_campaign, is_blank, resolve_country
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

STATUSES = ("planned", "active", "closed")
# Where a campaign may go from each status; closed is final.
NEXT_STATUSES = {"planned": ("active", "closed"), "active": ("closed",), "closed": ()}
EDITABLE = ("name", "name_fr", "name_en", "starts_on", "ends_on", "target_households", "target_value", "currency")


def get_active_campaign(db: Database, country_code: str | None = None) -> dict[str, Any] | None:
    """The campaign new records of `country_code` take (see the module's rule); without a
    country, the active campaign that started last in any country."""
    cur = db.cursor()
    try:
        if country_code is None:
            return run(cur, "get_active_campaign_record")
        return run(cur, "get_active_campaign_of_country", {"country_code": country_code})
    finally:
        cur.close()


def active_campaign_id(db: Database, governorate_code: str | None = None) -> int | None:
    """The campaign a new record of `governorate_code` takes: its country's active one."""
    country = get_reference(db).country_of(governorate_code) if governorate_code else None
    campaign = get_active_campaign(db, country)
    return campaign["id"] if campaign else None


def active_campaigns_by_area(db: Database) -> dict[str, int | None]:
    """For a file of records of many governorates: the campaign each governorate's records take."""
    reference = get_reference(db)
    by_country: dict[str, int | None] = {}
    out: dict[str, int | None] = {}
    for code, row in reference.areas.items():
        country = row["country_code"]
        if country not in by_country:
            campaign = get_active_campaign(db, country)
            by_country[country] = campaign["id"] if campaign else None
        out[code] = by_country[country]
    return out


def campaign_name(campaign: dict[str, Any] | pd.Series, lang: str) -> str:
    """The campaign's name in `lang`, or its main name where none was given in that language."""
    named = campaign.get(f"name_{lang}") if lang != "ar" else None
    return str(campaign["name"]) if is_blank(named) else str(named)


def _require_organiser(actor: Actor) -> None:
    if actor.role not in ("admin", "organiser"):
        raise PermissionDenied()


def _write_settings(cur: Any, campaign_id: int, values: dict[str, Any], status: str) -> None:
    settings = {k: values[k] for k in ("name_fr", "name_en", "currency")}
    run(cur, "upsert_campaign_settings", dict(settings, id=campaign_id, status=status))


def _write_targets(cur: Any, campaign_id: int, targets: dict[str, int]) -> None:
    run(cur, "delete_campaign_targets_of", {"campaign_id": campaign_id})
    for code, target in sorted(targets.items()):
        run(
            cur,
            "insert_campaign_target",
            {"campaign_id": campaign_id, "governorate_code": code, "target_households": target},
        )


def create_campaign(db: Database, actor: Actor, raw: dict[str, Any], *, status: str = "active") -> int:
    """Save a new campaign, active at once unless `status` is planned; return its id."""
    _require_organiser(actor)
    if status not in ("planned", "active"):
        raise JesrError("error.choice", value=status, choices="planned, active")
    reference = get_reference(db)
    record = clean_campaign(reference, raw)
    # Its country: the one named (its governorate targets must lie there), else theirs, else the only one.
    country = resolve_country(
        reference, raw.get("country_code"), areas=list(record["governorate_targets"]), required=True
    )
    values = {k: record[k] for k in EDITABLE}
    if values["currency"] is None:
        values["currency"] = gift_currency(None, reference.settings.get(country or ""))
    values.update(country_code=country, status=status)
    with db.transaction() as cur:
        campaign_id = run(
            cur,
            "insert_campaign_record",
            {k: v for k, v in values.items() if k not in ("name_fr", "name_en", "currency")},
        )
        _write_settings(cur, campaign_id, values, status)
        _write_targets(cur, campaign_id, record["governorate_targets"])
        write_audit(
            cur, actor, "insert", "campaigns", campaign_id, after=dict(values, targets=record["governorate_targets"])
        )
    return campaign_id


def list_campaign_records(db: Database, country_code: str | None = None) -> pd.DataFrame:
    """Every campaign (with `country_code`, that country's) with its status and how many households
    it holds; dates as `datetime.date`."""
    cur = db.cursor()
    try:
        frame = run(cur, "list_campaign_records")
    finally:
        cur.close()
    if country_code is not None:
        frame = frame[frame["country_code"] == country_code].reset_index(drop=True)
    for column in ("starts_on", "ends_on"):
        frame[column] = pd.Series([pd.Timestamp(v).date() for v in frame[column]], index=frame.index, dtype=object)
    return frame


def get_campaign(db: Database, campaign_id: int) -> dict[str, Any]:
    """One campaign with its governorate targets ({code: households})."""
    cur = db.cursor()
    try:
        campaign = run(cur, "get_campaign_record", {"id": int(campaign_id)})
        if campaign is None:
            raise NotFound()
        rows = run(cur, "list_campaign_targets_of", {"campaign_id": int(campaign_id)})
    finally:
        cur.close()
    campaign["governorate_targets"] = {r["governorate_code"]: r["target_households"] for r in rows}
    return campaign


def _locked_campaign(cur: Any, campaign_id: int) -> dict[str, Any]:
    campaign = run(cur, "get_campaign_record", {"id": int(campaign_id)})
    if campaign is None:
        raise NotFound()
    return campaign


def update_campaign(db: Database, actor: Actor, campaign_id: int, raw: dict[str, Any]) -> None:
    """Save new names, dates and targets; a closed campaign is refused (its figures are final)."""
    _require_organiser(actor)
    record = clean_campaign(get_reference(db), raw)
    values = {k: record[k] for k in EDITABLE}
    with db.transaction() as cur:
        before = _locked_campaign(cur, campaign_id)
        if before["status"] == "closed":
            raise JesrError("campaigns.error.closed", id=campaign_id)
        if values["currency"] is None:
            values["currency"] = before["currency"]
        # A cash gift's unit is its campaign's currency (registry/donations.py): changing it would
        # leave the gifts already saved counted in the old one.
        if values["currency"] != before["currency"]:
            gifts = int(run(cur, "count_campaign_cash_gifts", {"campaign_id": int(campaign_id)}))
            if gifts:
                raise JesrError(
                    "currency.error.campaign_has_cash",
                    currency=before["currency"],
                    target=values["currency"],
                    count=gifts,
                )
        before["targets"] = {
            r["governorate_code"]: r["target_households"]
            for r in run(cur, "list_campaign_targets_of", {"campaign_id": int(campaign_id)})
        }
        own = {k: v for k, v in values.items() if k not in ("name_fr", "name_en", "currency")}
        run(cur, "update_campaign_record", dict(own, id=int(campaign_id)))
        _write_settings(cur, int(campaign_id), values, before["status"])
        _write_targets(cur, int(campaign_id), record["governorate_targets"])
        write_audit(
            cur,
            actor,
            "update",
            "campaigns",
            int(campaign_id),
            before={k: before[k] for k in (*EDITABLE, "targets")},
            after=dict(values, targets=record["governorate_targets"]),
        )


def set_campaign_status(db: Database, actor: Actor, campaign_id: int, status: str) -> None:
    """Activate or close a campaign; only forward moves (planned → active → closed)."""
    _require_organiser(actor)
    if status not in STATUSES:
        raise JesrError("error.choice", value=str(status)[:40], choices=", ".join(STATUSES))
    with db.transaction() as cur:
        before = _locked_campaign(cur, campaign_id)
        if status not in NEXT_STATUSES[before["status"]]:
            raise JesrError(
                "campaigns.error.status_move",
                id=campaign_id,
                status=before["status"],
                target=status,
            )
        run(
            cur,
            "upsert_campaign_settings",
            {**{k: before[k] for k in ("name_fr", "name_en", "currency")}, "id": int(campaign_id), "status": status},
        )
        run(cur, "set_campaign_active_flag", {"id": int(campaign_id), "is_active": status == "active"})
        if status == "closed":
            run(cur, "set_campaign_closed_at", {"id": int(campaign_id)})
        write_audit(
            cur,
            actor,
            status,
            "campaigns",
            int(campaign_id),
            before={"status": before["status"]},
            after={"status": status},
        )


def activate_campaign(db: Database, actor: Actor, campaign_id: int) -> None:
    set_campaign_status(db, actor, campaign_id, "active")


def close_campaign(db: Database, actor: Actor, campaign_id: int) -> None:
    set_campaign_status(db, actor, campaign_id, "closed")


def campaign_dates_default(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """A month from today: what the new-campaign form starts from."""
    today = today or dt.date.today()
    return today, today + dt.timedelta(days=30)
