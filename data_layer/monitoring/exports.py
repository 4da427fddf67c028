"""Exports of the registers, scoped to what the actor may read, for one campaign or all of them.

Each feature adds its export kinds to EXPORTERS (stock, allocations, coverage, ...);
the command line and the pages offer whatever is listed there. A campaign filter keeps the
records of that campaign (allocations: of its households); a closed campaign is exported like
any other, its figures stay readable. Volunteers, stock and deliveries belong to no campaign.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.distribution.deliveries import export_deliveries
from data_layer.distribution.stock import export_stock
from data_layer.monitoring.audit_view import export_audit
from data_layer.registry.spreadsheets import write_table
from data_layer.store.database import Database
from data_layer.store.queries import run

# (database, actor, campaign id or None for every campaign) -> the table
Exporter = Callable[[Database, Actor, "int | None"], pd.DataFrame]


def _scoped_query(name: str) -> Exporter:
    def export(db: Database, actor: Actor, campaign_id: int | None) -> pd.DataFrame:
        with db.reading() as cur:
            return run(cur, name, {"organisation_id": organisation_scope(actor), "campaign_id": campaign_id})

    return export


def _without_campaign(kind: str, read: Callable[[Database, Actor], pd.DataFrame]) -> Exporter:
    def export(db: Database, actor: Actor, campaign_id: int | None) -> pd.DataFrame:
        if campaign_id is not None:
            raise JesrError("error.export_no_campaign", value=kind)
        return read(db, actor)

    return export


def _volunteers(db: Database, actor: Actor) -> pd.DataFrame:
    with db.reading() as cur:
        return run(cur, "export_volunteers", {"organisation_id": organisation_scope(actor)})


EXPORTERS: dict[str, Exporter] = {
    "households": _scoped_query("export_households"),
    "donations": _scoped_query("export_donations"),
    "volunteers": _without_campaign("volunteers", _volunteers),
    "stock": _without_campaign("stock", export_stock),
    "allocations": _scoped_query("export_allocations"),
    "deliveries": _without_campaign("deliveries", export_deliveries),
    # The audit log as the actor may read it (docs/audit.md): observers are refused.
    "audit": _without_campaign("audit", lambda db, actor: export_audit(db, actor)),
}


DASHBOARD_ROLES = ("admin", "organiser", "association", "observer")
# Aggregate tables of one country: (database, actor, campaign id, country) -> the table.
CountryExporter = Callable[[Database, Actor, "int | None", str], pd.DataFrame]


def _aggregate(kind: str) -> CountryExporter:
    # Aggregates only: every role that sees dashboards may export them; observers get "<5" for small counts.
    def export(db: Database, actor: Actor, campaign_id: int | None, country_code: str) -> pd.DataFrame:
        from data_layer.monitoring.coverage import Filters, aggregate_export
        from data_layer.monitoring.progress import progress_export

        if actor.role not in DASHBOARD_ROLES:
            raise PermissionDenied()
        if kind.startswith("progress_"):
            return progress_export(
                db, actor, kind, campaign_id=campaign_id, country_code=None if campaign_id else country_code
            )
        return aggregate_export(db, actor, kind, Filters(campaign_id=campaign_id, country_code=country_code))

    return export


COUNTRY_AGGREGATES: dict[str, CountryExporter] = {
    kind: _aggregate(kind)
    for kind in (
        "coverage",
        "unmet_needs",
        "flows_by_category",
        "flows_by_organisation",
        "volunteer_activity",
        "progress_daily",
        "progress_governorates",
    )
}


def _regional(kind: str) -> Exporter:
    # Every country the actor sees side by side, one row per country (value: per country and currency).
    def export(db: Database, actor: Actor, campaign_id: int | None) -> pd.DataFrame:
        from data_layer.monitoring import regional

        if actor.role not in DASHBOARD_ROLES:
            raise PermissionDenied()
        if campaign_id is not None:
            raise JesrError("error.export_no_campaign", value=kind)
        if kind == "coverage_by_country":
            return regional.coverage_by_country(db, actor)[REGIONAL_COLUMNS[kind]]
        return regional.value_by_country(db, actor)[REGIONAL_COLUMNS[kind]]

    return export


REGIONAL_COLUMNS = {
    "coverage_by_country": [
        "country_code",
        "name_en",
        "areas",
        "population",
        "households_registered",
        "households_served",
        "coverage_rate",
        "registered_per_10k",
        "areas_reached",
    ],
    "value_by_country": [
        "country_code",
        "currency",
        "donation_lines",
        "received_value",
        "allocated_value",
        "delivered_value",
    ],
}


def _in_default_country(kind: str) -> Exporter:
    def export(db: Database, actor: Actor, campaign_id: int | None) -> pd.DataFrame:
        return _one_country(db, actor, kind, campaign_id)

    return export


for _kind in COUNTRY_AGGREGATES:
    EXPORTERS[_kind] = _in_default_country(_kind)
for _kind in REGIONAL_COLUMNS:
    EXPORTERS[_kind] = _regional(_kind)


def _one_country(
    db: Database, actor: Actor, kind: str, campaign_id: int | None, country_code: str | None = None
) -> pd.DataFrame:
    """An aggregate of one country: the one named, else the campaign's, else the only one."""
    from data_layer.monitoring.regional import check_country, countries_in_scope

    if country_code is None and campaign_id is not None:
        with db.reading() as cur:
            country_code = run(cur, "get_campaign_by_id", {"id": int(campaign_id)})["country_code"]
    if country_code is None:
        scope = countries_in_scope(db, actor)
        if len(scope) > 1:
            raise JesrError("scope.error.name_country", choices=", ".join(scope))
    return COUNTRY_AGGREGATES[kind](db, actor, campaign_id, check_country(db, actor, country_code))


def _in_country(db: Database, frame: pd.DataFrame, country_code: str) -> pd.DataFrame:
    """The rows of a register whose governorate lies in the country."""
    from data_layer.store.reference import get_reference

    areas = [code for code, row in get_reference(db).areas.items() if row["country_code"] == country_code]
    column = "governorate" if "governorate" in frame.columns else "governorate_code"
    return frame[frame[column].isin(areas)].reset_index(drop=True)


def export_table(
    db: Database, actor: Actor, kind: str, *, campaign_id: int | None = None, country_code: str | None = None
) -> pd.DataFrame:
    """One export table; `campaign_id` keeps one campaign's records (None: every campaign),
    `country_code` one country's (None: registers of every country; an aggregate of the only
    country, or of the campaign's)."""
    from data_layer.monitoring.regional import check_country

    if kind not in EXPORTERS:
        raise JesrError("error.export_kind", value=kind, choices=", ".join(sorted(EXPORTERS)))
    if campaign_id is not None:
        with db.reading() as cur:
            if not run(cur, "get_campaign_exists", {"id": int(campaign_id)}):
                raise JesrError("error.unknown_campaign", value=campaign_id)
    if kind in COUNTRY_AGGREGATES:
        return _one_country(db, actor, kind, campaign_id, country_code)
    frame = EXPORTERS[kind](db, actor, campaign_id)
    if country_code is None:
        return frame
    if kind == "audit":
        raise JesrError("audit.error.no_country")
    code = check_country(db, actor, country_code)
    if kind in REGIONAL_COLUMNS:
        return frame[frame["country_code"] == code].reset_index(drop=True)
    return _in_country(db, frame, code)


def export_to_file(
    db: Database,
    actor: Actor,
    kind: str,
    fmt: str,
    path: str | Path,
    *,
    campaign_id: int | None = None,
    country_code: str | None = None,
) -> int:
    frame = export_table(db, actor, kind, campaign_id=campaign_id, country_code=country_code)
    if fmt == "hxl":
        from data_layer.monitoring.coverage import HXL_TAGS, with_area_names, with_hxl_tags
        from data_layer.store.reference import get_reference

        if kind not in HXL_TAGS:
            raise JesrError("error.export_no_hxl", value=kind)
        # HXL is a CSV with a row of hashtags under the header.
        named = with_area_names(frame, get_reference(db).areas)
        write_table(with_hxl_tags(named, HXL_TAGS[kind]), path, "csv")
        return len(frame)
    write_table(frame, path, fmt)
    return len(frame)
