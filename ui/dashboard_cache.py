"""The one module of `st.cache_data` wrappers: dashboard aggregates, bounded and short-lived.

Each wrapper is keyed by the database path and the filters (the Database itself is not
hashed: the leading underscore tells Streamlit to skip it). Pages that write call
`clear_dashboard_caches()` after a successful save so the next dashboard view is current;
the ttl bounds staleness from writes made elsewhere (command line, other processes).
The public transparency page reuses `coverage` and `totals`.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data_layer import coverage as cov
from data_layer import progress as prog
from data_layer.connection import Database

MAX_ENTRIES = 64
TTL_SECONDS = 300
_cached = st.cache_data(max_entries=MAX_ENTRIES, ttl=TTL_SECONDS, show_spinner=False)


@_cached
def _coverage(_db: Database, db_path: str, filters_key: tuple) -> pd.DataFrame:
    return cov.coverage_by_governorate(_db, cov.Filters.from_key(filters_key))


@_cached
def _unmet(_db: Database, db_path: str, filters_key: tuple) -> pd.DataFrame:
    return cov.unmet_by_governorate_category(_db, cov.Filters.from_key(filters_key))


@_cached
def _flows_by_category(_db: Database, db_path: str, filters_key: tuple) -> pd.DataFrame:
    return cov.flows_by_category(_db, cov.Filters.from_key(filters_key))


@_cached
def _flows_by_organisation(_db: Database, db_path: str, filters_key: tuple) -> pd.DataFrame:
    return cov.flows_by_organisation(_db, cov.Filters.from_key(filters_key))


@_cached
def _volunteers(_db: Database, db_path: str, filters_key: tuple) -> pd.DataFrame:
    return cov.volunteer_activity(_db, cov.Filters.from_key(filters_key))


@_cached
def _campaigns(_db: Database, db_path: str) -> pd.DataFrame:
    return cov.list_campaigns(_db)


@_cached
def _progress(_db: Database, db_path: str, campaign_id: int | None, as_of: dt.date | None) -> prog.Progress | None:
    return prog.campaign_progress(_db, campaign_id, as_of)


def coverage(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    """Per-governorate coverage: one row per governorate, all of them."""
    return _coverage(db, db.path, filters.key())


def totals(db: Database, filters: cov.Filters = cov.ALL) -> dict:
    """Campaign-wide registered, served, coverage rate and governorates reached."""
    return cov.summarise_coverage(coverage(db, filters))


def unmet(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _unmet(db, db.path, filters.key())


def flows_by_category(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _flows_by_category(db, db.path, filters.key())


def flows_by_organisation(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _flows_by_organisation(db, db.path, filters.key())


def volunteers(db: Database, filters: cov.Filters = cov.ALL) -> pd.DataFrame:
    return _volunteers(db, db.path, filters.key())


def campaigns(db: Database) -> pd.DataFrame:
    return _campaigns(db, db.path)


def progress(db: Database, campaign_id: int | None = None, as_of: dt.date | None = None) -> prog.Progress | None:
    return _progress(db, db.path, campaign_id, as_of)


def clear_dashboard_caches() -> None:
    """Forget every cached aggregate; call after a successful write."""
    for wrapper in (_coverage, _unmet, _flows_by_category, _flows_by_organisation, _volunteers, _campaigns,
                    _progress):
        wrapper.clear()
