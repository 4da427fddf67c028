"""The one module of the dashboards' cache wrappers (`st.cache_data` for aggregates, `st.cache_resource`
for what pages only read): bounded and short-lived.

Each wrapper is keyed by the database path, its latest audit row id and the filters (the
Database itself is not hashed: the leading underscore tells Streamlit to skip it). Every
write is audited, so any write anywhere changes the key and the next view is current;
`clear_dashboard_caches()` frees the memory at once after a page's own write.
The public transparency page reuses `view` (its published tables and totals).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_layer.core.actor import Actor
from data_layer.distribution import reschedule as resch
from data_layer.monitoring import coverage as cov
from data_layer.monitoring import progress as prog
from data_layer.monitoring import regional as reg
from data_layer.monitoring import suppression
from data_layer.monitoring.suppression import must_suppress
from data_layer.store import audit
from data_layer.store.database import Database
from ui.dashboard_view import DashboardView, RegionalView, build_regional_view, build_view

MAX_ENTRIES = 64
TTL_SECONDS = 300
_cached = st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL_SECONDS, show_spinner=False)
# For what pages only read: kept as the object itself, shared by every session. cache_data would
# unpickle a copy on every hit (the campaign list cost 3% of a dashboard rerun; the view as much as
# building it).
_shared = st.cache_resource(max_entries=MAX_ENTRIES, ttl=TTL_SECONDS, show_spinner=False)


@_cached
def _coverage(_db: Database, version: tuple, filters_key: tuple) -> pd.DataFrame:
    return cov.coverage_by_governorate(_db, cov.Filters.from_key(filters_key))


@_cached
def _unmet(_db: Database, version: tuple, filters_key: tuple) -> pd.DataFrame:
    return cov.unmet_by_governorate_category(_db, cov.Filters.from_key(filters_key))


@_cached
def _flows_by_category(_db: Database, version: tuple, filters_key: tuple) -> pd.DataFrame:
    return cov.flows_by_category(_db, cov.Filters.from_key(filters_key))


@_cached
def _flows_by_organisation(_db: Database, version: tuple, filters_key: tuple) -> pd.DataFrame:
    return cov.flows_by_organisation(_db, cov.Filters.from_key(filters_key))


@_cached
def _volunteers(_db: Database, version: tuple, filters_key: tuple) -> pd.DataFrame:
    return cov.volunteer_activity(_db, cov.Filters.from_key(filters_key))


@_shared
def _campaigns(_db: Database, version: tuple) -> pd.DataFrame:
    return cov.list_campaigns(_db)


@_cached
def _progress(
    _db: Database, version: tuple, campaign_id: int | None, as_of: dt.date | None, country_code: str | None = None
) -> prog.Progress | None:
    return prog.campaign_progress(_db, campaign_id, as_of, country_code)


@_shared
def _countries(_db: Database, version: tuple) -> list[dict]:
    return reg.list_countries(_db)


# Keyed by what decides the rows: the reader's country (None: every country) and suppression.
@_shared
def _regional(
    _db: Database, version: tuple, lang: str, country_code: str | None, suppress: bool, _actor: Actor | None
) -> RegionalView:
    return build_regional_view(reg.coverage_by_country(_db, _actor), reg.value_by_country(_db, _actor), lang)


# The tables and totals as the reader may see them (observers and the public: the table of all
# campaigns built from what each campaign's shows, data_layer.monitoring.coverage.published_table).
@_shared
def _published(
    _db: Database, version: tuple, filters_key: tuple, lang: str, suppress: bool, threshold: int, _actor: Actor | None
) -> cov.Published:
    readers = {
        "coverage": _coverage,
        "unmet_needs": _unmet,
        "flows_by_category": _flows_by_category,
        "flows_by_organisation": _flows_by_organisation,
        "volunteer_activity": _volunteers,
    }

    def read(kind: str, filters: cov.Filters) -> pd.DataFrame:
        return readers[kind](_db, version, filters.key())

    return cov.published_aggregates(_db, _actor, cov.Filters.from_key(filters_key), lang, read)


# The built page (plotly figures, translated tables): readers never change it (st.plotly_chart and
# st.dataframe only read what they are given).
@_shared
def _view(
    _db: Database, version: tuple, filters_key: tuple, lang: str, suppress: bool, threshold: int, _actor: Actor | None
) -> DashboardView:
    published = _published(_db, version, filters_key, lang, suppress, threshold, _actor)
    return build_view({}, _actor, lang, published)


# Keyed by the reader's organisation (what the count is scoped to) and the day (what makes a delivery overdue).
@_cached
def _to_reschedule(
    _db: Database, version: tuple, role: str, organisation_id: int | None, today: dt.date, _actor: Actor
) -> int:
    return resch.count_to_reschedule(_db, _actor, today=today)


def _version(db: Database) -> tuple:
    """The database and its latest audit row: every write audits, so any write (from any page or
    data-layer call in this process, the only one that can write the file) makes a new key and
    the next view is current."""
    return (db.path, audit.data_version(db))


def coverage(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    """Per-governorate coverage: one row per governorate, all of them."""
    return _coverage(db, _version(db), filters.key())


def totals(db: Database, filters: cov.Filters = cov.ALL) -> dict:
    """Campaign-wide registered, served, coverage rate and governorates reached."""
    return cov.summarise_coverage(coverage(db, filters))


def unmet(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _unmet(db, _version(db), filters.key())


def flows_by_category(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _flows_by_category(db, _version(db), filters.key())


def flows_by_organisation(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _flows_by_organisation(db, _version(db), filters.key())


def volunteers(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _volunteers(db, _version(db), filters.key())


def view(
    db: Database, filters: cov.Filters, actor: Actor | None, lang: str, version: tuple | None = None
) -> DashboardView:
    """The coverage dashboard as drawn for these filters, language and reader (suppressed or not):
    one key per (data version, filters, language, suppression), shared by every session."""
    suppress = must_suppress(actor)
    shown_filters = cov.filters_for_reader(filters, actor)
    threshold = suppression.SMALL_COUNT_THRESHOLD  # a key too: the figures follow a new threshold at once
    return _view(db, version or data_version(db), shown_filters.key(), lang, suppress, threshold, actor)


def published(
    db: Database, filters: cov.Filters, actor: Actor | None, lang: str, version: tuple | None = None
) -> cov.Published:
    """The aggregate tables and totals as this reader may see them, for these filters."""
    shown_filters = cov.filters_for_reader(filters, actor)
    threshold = suppression.SMALL_COUNT_THRESHOLD
    return _published(
        db, version or data_version(db), shown_filters.key(), lang, must_suppress(actor), threshold, actor
    )


def campaigns(db: Database, version: tuple | None = None) -> pd.DataFrame:
    return _campaigns(db, version or data_version(db))


def data_version(db: Database) -> tuple:
    """The key every cached value of this view is read under; a page may read it once per rerun."""
    return _version(db)


def progress(
    db: Database, campaign_id: int | None = None, as_of: dt.date | None = None, country_code: str | None = None
) -> prog.Progress | None:
    """A campaign's progress (default: the active one; of `country_code` when given)."""
    return _progress(db, _version(db), campaign_id, as_of, country_code)


def countries(db: Database, version: tuple | None = None) -> list[dict]:
    """Every country with its names and currency (the country selector's options)."""
    return _countries(db, version or data_version(db))


def regional(db: Database, actor: Actor | None, lang: str, version: tuple | None = None) -> RegionalView:
    """Every country the reader sees, side by side, as drawn."""
    own = actor.country_code if actor is not None else None
    return _regional(db, version or data_version(db), lang, own, must_suppress(actor), actor)


def to_reschedule(db: Database, actor: Actor, version: tuple | None = None) -> int:
    """How many deliveries of the reader's organisation wait on the reschedule list."""
    return _to_reschedule(db, version or data_version(db), actor.role, actor.organisation_id, dt.date.today(), actor)


def clear_dashboard_caches() -> None:
    """Forget every cached aggregate; call after a successful write."""
    for wrapper in (
        _coverage,
        _unmet,
        _flows_by_category,
        _flows_by_organisation,
        _volunteers,
        _campaigns,
        _progress,
        _published,
        _view,
        _countries,
        _regional,
        _to_reschedule,
    ):
        wrapper.clear()
