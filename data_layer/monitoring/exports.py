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
}


def _aggregate(kind: str) -> Exporter:
    # Aggregates only: every role that sees dashboards may export them; observers get "<5" for small counts.
    def export(db: Database, actor: Actor, campaign_id: int | None) -> pd.DataFrame:
        from data_layer.monitoring.coverage import Filters, aggregate_export
        from data_layer.monitoring.progress import progress_export

        if actor.role not in ("admin", "organiser", "association", "observer"):
            raise PermissionDenied()
        if kind.startswith("progress_"):
            return progress_export(db, actor, kind, campaign_id=campaign_id)
        return aggregate_export(db, actor, kind, Filters(campaign_id=campaign_id))

    return export


for _kind in ("coverage", "unmet_needs", "flows_by_category", "flows_by_organisation", "volunteer_activity"):
    EXPORTERS[_kind] = _aggregate(_kind)
for _kind in ("progress_daily", "progress_governorates"):
    EXPORTERS[_kind] = _aggregate(_kind)


def export_table(db: Database, actor: Actor, kind: str, *, campaign_id: int | None = None) -> pd.DataFrame:
    """One export table; `campaign_id` keeps one campaign's records (None: every campaign)."""
    if kind not in EXPORTERS:
        raise JesrError("error.export_kind", value=kind, choices=", ".join(sorted(EXPORTERS)))
    if campaign_id is not None:
        with db.reading() as cur:
            if not run(cur, "get_campaign_exists", {"id": int(campaign_id)}):
                raise JesrError("error.unknown_campaign", value=campaign_id)
    return EXPORTERS[kind](db, actor, campaign_id)


def export_to_file(
    db: Database, actor: Actor, kind: str, fmt: str, path: str | Path, *, campaign_id: int | None = None
) -> int:
    frame = export_table(db, actor, kind, campaign_id=campaign_id)
    if fmt == "hxl":
        from data_layer.monitoring.coverage import HXL_TAGS, with_hxl_tags

        if kind not in HXL_TAGS:
            raise JesrError("error.export_no_hxl", value=kind)
        # HXL is a CSV with a row of hashtags under the header.
        write_table(with_hxl_tags(frame, HXL_TAGS[kind]), path, "csv")
        return len(frame)
    write_table(frame, path, fmt)
    return len(frame)
