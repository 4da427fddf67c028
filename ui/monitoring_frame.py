"""What the dashboard and the progress page share: the country the reader looks at, with its
campaigns, and a table offered as files built when clicked."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from data_layer.monitoring.regional import preferred_country, scope_of
from data_layer.registry.spreadsheets import table_bytes
from ui import dashboard_cache as cache
from ui.country_widgets import country_select
from ui.session import PageContext

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CountryView:
    """The data version read once for this rerun, the countries the reader may see (`scope`), the
    one chosen and its campaigns (`all_campaigns` holds every country's)."""

    version: tuple
    scope: list[str]
    country: str
    all_campaigns: pd.DataFrame
    campaigns: pd.DataFrame


def country_view(ctx: PageContext, prefix: str) -> CountryView:
    """The reader's country (an association's is its organisation's; an account of no country, a
    regional one, picks one); stops the page for a reader of no country."""
    version = cache.data_version(ctx.db)
    all_campaigns = cache.campaigns(ctx.db, version)
    countries = cache.countries(ctx.db, version)
    scope = scope_of([row["code"] for row in countries], ctx.actor)
    if not scope:
        st.error(ctx.tr("error.permission_denied"))
        st.stop()
    country = country_select(ctx, prefix + "country", countries, scope, preferred_country(scope, all_campaigns))
    campaigns = all_campaigns[all_campaigns["country_code"] == country]
    return CountryView(version, scope, country, all_campaigns, campaigns)


def download_buttons(
    container: Any, table: pd.DataFrame, file_stem: str, key: str, *, hxl_table: pd.DataFrame | None = None
) -> None:
    """CSV and XLSX of `table` (and the HXL CSV where it has tags), each file built when clicked:
    an XLSX written on every rerun cost a third of a render."""
    files = [("CSV", table, "csv", ".csv", "text/csv"), ("XLSX", table, "xlsx", ".xlsx", XLSX_MIME)]
    if hxl_table is not None:
        files.append(("HXL", hxl_table, "csv", "_hxl.csv", "text/csv"))
    for label, frame, kind, ending, mime in files:
        container.download_button(
            label,
            partial(table_bytes, frame, kind),
            file_name=file_stem + ending,
            mime=mime,
            key=f"{key}_{label.lower()}",
        )
