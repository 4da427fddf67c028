"""Cache wrappers of the Fairness page, keyed like the dashboard's: the database, its latest audit
row (any write makes a new key), the campaign and the reader's scope. Bounded and short-lived."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_layer.core.actor import Actor
from data_layer.monitoring import baskets, signals
from data_layer.store import audit
from data_layer.store.database import Database

_cached = st.cache_data(max_entries=64, ttl=300, show_spinner=False)


def _version(db: Database) -> tuple:
    return (db.path, audit.data_version(db))


def _scope_key(actor: Actor | None) -> tuple:
    return (None, None) if actor is None else (actor.role, actor.organisation_id)


@_cached
def _basket_frame(_db: Database, version: tuple, campaign_id: int, scope: int | None) -> pd.DataFrame:
    return baskets.scoped_basket_frame(_db, campaign_id, scope)


@_cached
def _signal(_db: Database, version: tuple, signal: str, scope_key: tuple, _actor: Actor) -> pd.DataFrame:
    return signals.signal_list(_db, _actor, signal)


@_cached
def _summary(_db: Database, version: tuple, scope_key: tuple, _actor: Actor | None) -> pd.DataFrame:
    return signals.signal_summary(_db, _actor)


def basket_frame(db: Database, actor: Actor | None, campaign_id: int) -> pd.DataFrame:
    return _basket_frame(db, _version(db), campaign_id, baskets.scope_of(actor))


def signal_list(db: Database, actor: Actor, signal: str) -> pd.DataFrame:
    return _signal(db, _version(db), signal, _scope_key(actor), actor)


def signal_summary(db: Database, actor: Actor | None) -> pd.DataFrame:
    return _summary(db, _version(db), _scope_key(actor), actor)
