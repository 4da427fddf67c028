"""Traceability: a donation to the households it reached, a household back to its donations,
with the audit trail of each step. Association staff see personal data of their own
households only; other households show as their number and governorate.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any

import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import NotFound, PermissionDenied
from data_layer.distribution.stock import stock_scope
from data_layer.registry.identity import national_id_search_key
from data_layer.store.database import Database
from data_layer.store.queries import run

PERSONAL_COLUMNS = ("national_id", "full_name", "phone")


def search(db: Database, actor: Actor, text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Households (by number, national ID, name or phone) and donations (by number, donor or item)."""
    scope = stock_scope(actor)
    text = (text or "").strip()
    # No text matches nothing (the queries say so), and still gives the frames' columns.
    params = {"organisation_id": scope, "text": text}
    with closing(db.cursor()) as cur:
        households = run(cur, "search_trace_households", dict(params, text_key=national_id_search_key(text)))
        return households, run(cur, "search_trace_donations", params)


def _mask(frame: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """Blank personal data of households the actor's organisation did not register."""
    scope = stock_scope(actor)
    frame = frame.copy()
    if scope is not None and not frame.empty:
        foreign = frame["household_organisation_id"] != scope
        for column in PERSONAL_COLUMNS:
            frame[column] = frame[column].astype(object).where(~foreign, None)
    return frame.drop(columns=["household_organisation_id"])


def _audit(cur: Any, allocations: pd.DataFrame, donation_ids: list[int], household_ids: list[int]) -> pd.DataFrame:
    ids = {
        "donation_ids": donation_ids,
        "household_ids": household_ids,
        "need_ids": sorted({int(i) for i in allocations["need_id"]}),
        "allocation_ids": sorted({int(i) for i in allocations["allocation_id"]}),
        "delivery_ids": sorted({int(i) for i in allocations["delivery_id"].dropna()}),
    }
    return run(cur, "list_trace_audit", ids)


def trace_donation(db: Database, actor: Actor, donation_id: int) -> dict[str, Any]:
    """The donation, the allocations made from it (to which households, delivered how) and their audit."""
    scope = stock_scope(actor)
    with closing(db.cursor()) as cur:
        donation = run(cur, "get_trace_donation", {"id": donation_id})
        if donation is None:
            raise NotFound()
        if scope is not None and donation["organisation_id"] != scope:
            raise PermissionDenied()
        allocations = run(cur, "list_trace_allocations", {"donation_id": donation_id, "household_id": None})
        audit = _audit(cur, allocations, [donation_id], [])
    return {"donation": donation, "allocations": _mask(allocations, actor), "audit": audit}


def trace_household(db: Database, actor: Actor, household_id: int) -> dict[str, Any]:
    """The household, every allocation it received (from which donation and donor) and their audit."""
    scope = stock_scope(actor)
    with closing(db.cursor()) as cur:
        household = run(cur, "get_household", {"id": household_id})
        if household is None:
            raise NotFound()
        if scope is not None and household["organisation_id"] != scope:
            raise PermissionDenied()
        allocations = run(cur, "list_trace_allocations", {"donation_id": None, "household_id": household_id})
        audit = _audit(cur, allocations, sorted({int(i) for i in allocations["donation_id"]}), [household_id])
    return {"household": household, "allocations": _mask(allocations, actor), "audit": audit}
