"""Exports of the registers, scoped to what the actor may read.

Each feature adds its export kinds to EXPORTERS (stock, allocations, coverage, ...);
the command line and the pages offer whatever is listed there.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pandas as pd

from data_layer.core.actor import Actor, organisation_scope
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.distribution.deliveries import export_deliveries
from data_layer.distribution.stock import export_stock
from data_layer.registry.spreadsheets import write_table
from data_layer.store.database import Database
from data_layer.store.queries import run

Exporter = Callable[[Database, Actor], pd.DataFrame]


def _scoped_query(name: str) -> Exporter:
    def export(db: Database, actor: Actor) -> pd.DataFrame:
        with closing(db.cursor()) as cur:
            return run(cur, name, {"organisation_id": organisation_scope(actor)})

    return export


EXPORTERS: dict[str, Exporter] = {
    "households": _scoped_query("export_households"),
    "donations": _scoped_query("export_donations"),
    "volunteers": _scoped_query("export_volunteers"),
    "stock": export_stock,
    "allocations": _scoped_query("export_allocations"),
    "deliveries": export_deliveries,
}


def _aggregate(kind: str) -> Exporter:
    # Aggregates only: every role that sees dashboards may export them; observers get "<5" for small counts.
    def export(db: Database, actor: Actor) -> pd.DataFrame:
        from data_layer.monitoring.coverage import aggregate_export
        from data_layer.monitoring.progress import progress_export

        if actor.role not in ("admin", "organiser", "association", "observer"):
            raise PermissionDenied()
        if kind.startswith("progress_"):
            return progress_export(db, actor, kind)
        return aggregate_export(db, actor, kind)

    return export


for _kind in ("coverage", "unmet_needs", "flows_by_category", "flows_by_organisation", "volunteer_activity"):
    EXPORTERS[_kind] = _aggregate(_kind)
for _kind in ("progress_daily", "progress_governorates"):
    EXPORTERS[_kind] = _aggregate(_kind)


def export_table(db: Database, actor: Actor, kind: str) -> pd.DataFrame:
    if kind not in EXPORTERS:
        raise JesrError("error.export_kind", value=kind, choices=", ".join(sorted(EXPORTERS)))
    return EXPORTERS[kind](db, actor)


def export_to_file(db: Database, actor: Actor, kind: str, fmt: str, path: str | Path) -> int:
    frame = export_table(db, actor, kind)
    if fmt == "hxl":
        from data_layer.monitoring.coverage import HXL_TAGS, with_hxl_tags

        if kind not in HXL_TAGS:
            raise JesrError("error.export_no_hxl", value=kind)
        # HXL is a CSV with a row of hashtags under the header.
        write_table(with_hxl_tags(frame, HXL_TAGS[kind]), path, "csv")
        return len(frame)
    write_table(frame, path, fmt)
    return len(frame)
