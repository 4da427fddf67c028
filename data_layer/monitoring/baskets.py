"""Household-basket equivalents: every flow of a campaign in one unit, so governorates compare fairly.

An organiser says, per campaign, what one basket is worth in each category and unit ("60 TND = 1
basket", "1 hygiene kit = 0.3 basket"; cash in the campaign's currency). Needs, stock, pledges,
allocations and deliveries are then shown in baskets beside their native units, per governorate.
A category and unit without an equivalent stays in native units only (its baskets are missing,
never guessed).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data_layer.core.actor import ALL_ORGANISATION_ROLES, Actor
from data_layer.core.errors import JesrError, PermissionDenied
from data_layer.core.statuses import OPEN_PLEDGE_STATUSES
from data_layer.core.validation import _Collector, clean_quantity
from data_layer.monitoring import suppression
from data_layer.monitoring.facts import ensure_fairness_facts_current
from data_layer.monitoring.suppression import must_suppress
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

FLOWS = ("needs", "stock", "pledged", "allocated", "delivered")
KEYS = ("governorate_code", "category_code", "unit")


def basket_units(db: Database, campaign_id: int, category_code: str) -> tuple[str, ...]:
    """The units an equivalent of the category may be given in: its own, and for cash the
    campaign's currency (its own, else its country's), the unit its cash needs and gifts are in."""
    category = get_reference(db).categories.get(category_code)
    if category is None:
        return ()
    if category_code == "cash":
        with db.reading() as cur:
            campaign = run(cur, "get_campaign_record", {"id": campaign_id})
        if campaign is not None and campaign["currency"]:
            return (str(campaign["currency"]),)
    return category.units


def set_basket_equivalent(
    db: Database, actor: Actor, campaign_id: int, category_code: str, unit: str, quantity: Any, baskets: Any
) -> None:
    """`quantity` of `unit` in `category_code` counts as `baskets` household baskets in this campaign."""
    if actor.role not in ALL_ORGANISATION_ROLES:
        raise PermissionDenied()
    category = get_reference(db).categories.get(category_code)
    if category is None:
        raise JesrError("fairness.error.unknown_category", value=category_code)
    if unit not in basket_units(db, campaign_id, category_code):
        raise JesrError("fairness.error.unit", unit=unit, category=category_code)
    errs = _Collector()
    amount = clean_quantity(errs, quantity, None, field="quantity")
    worth = clean_quantity(errs, baskets, None, field="baskets")
    errs.raise_if_any()
    key = {"campaign_id": campaign_id, "category_code": category_code, "unit": unit}
    with db.transaction() as cur:
        if run(cur, "get_campaign_record", {"id": campaign_id}) is None:
            raise JesrError("error.not_found")
        before = run(cur, "get_basket_equivalent", key)
        run(cur, "delete_basket_equivalent", key)
        run(cur, "insert_basket_equivalent", {**key, "quantity": amount, "baskets": worth, "set_by": actor.user_id})
        write_audit(
            cur,
            actor,
            "set_basket",
            "basket_equivalents",
            campaign_id,
            before=dict(before) if before else None,
            after={**key, "quantity": amount, "baskets": worth},
        )


def list_basket_equivalents(db: Database, campaign_id: int) -> pd.DataFrame:
    with db.reading() as cur:
        return run(cur, "list_basket_equivalents", {"campaign_id": campaign_id})


def flows(db: Database, campaign_id: int | None, organisation_id: int | None = None) -> pd.DataFrame:
    """One row per governorate, category and unit: each flow's quantity and the households with needs."""
    ensure_fairness_facts_current(db)  # needs, allocated and delivered come from fact_flows (migration 0140)
    with db.reading() as cur:
        return run(
            cur,
            "list_fairness_flows",
            {
                "campaign_id": campaign_id,
                "organisation_id": organisation_id,
                "open_pledge_statuses": list(OPEN_PLEDGE_STATUSES),
            },
        )


def in_baskets(frame: pd.DataFrame, equivalents: pd.DataFrame) -> pd.DataFrame:
    """`frame` (flows) with a `<flow>_baskets` column beside each flow; missing where no equivalent is set."""
    out = frame.merge(
        equivalents.rename(columns={"quantity": "per_quantity", "baskets": "per_baskets"}),
        on=["category_code", "unit"],
        how="left",
    )
    factor = out["per_baskets"].astype(float) / out["per_quantity"].astype(float)
    for flow in FLOWS:
        out[f"{flow}_baskets"] = (out[flow].astype(float) * factor).round(3)
    return out.drop(columns=["per_quantity", "per_baskets"])


def scope_of(actor: Actor | None) -> int | None:
    """The organisation an actor's figures are limited to: association staff their own, others none."""
    return actor.organisation_id if actor is not None and actor.role == "association" else None


def basket_frame(db: Database, actor: Actor | None, campaign_id: int) -> pd.DataFrame:
    """Every flow of the campaign per governorate, category and unit, in native units and in baskets
    (the actor's organisation only for association staff; nothing suppressed)."""
    return scoped_basket_frame(db, campaign_id, scope_of(actor))


def scoped_basket_frame(db: Database, campaign_id: int, scope: int | None) -> pd.DataFrame:
    """`basket_frame` for one organisation's records (None: all), for caches keyed by that scope."""
    return in_baskets(flows(db, campaign_id, scope), list_basket_equivalents(db, campaign_id))


def basket_view(db: Database, actor: Actor | None, campaign_id: int) -> pd.DataFrame:
    """`basket_frame` as the actor may see it: observers get every governorate with the figures of
    rows under the small-count threshold of households hidden."""
    return suppress_rows(basket_frame(db, actor, campaign_id), actor)


def baskets_by_governorate(db: Database, actor: Actor | None, campaign_id: int) -> pd.DataFrame:
    """Per governorate, every flow summed in baskets (categories without an equivalent left out)."""
    return governorate_totals(basket_frame(db, actor, campaign_id), actor)


def governorate_totals(frame: pd.DataFrame, actor: Actor | None) -> pd.DataFrame:
    """A `basket_frame` summed per governorate in baskets, as the actor may see it.

    For the small-count rule a governorate counts the households of its largest category: a lower
    bound of its households with needs (a sum over categories would count a household twice).
    """
    columns = [f"{flow}_baskets" for flow in FLOWS]
    if must_suppress(actor) and not frame.empty:
        # A governorate's sum over the rows the table shows, not over all: with a hidden row in
        # it, the true sum minus the shown rows would give that row's baskets back.
        frame = frame[frame["households"] >= suppression.SMALL_COUNT_THRESHOLD]
    totals = frame.groupby("governorate_code", as_index=False).agg(
        households=("households", "max"), **{c: (c, lambda s: float(s.sum(min_count=1))) for c in columns}
    )
    totals[columns] = totals[columns].round(3)
    return suppress_rows(totals, actor).drop(columns=["households"])


def suppress_rows(frame: pd.DataFrame, actor: Actor | None) -> pd.DataFrame:
    """For observers, a row resting on fewer households than the threshold shows "<5" for every figure
    (every figure of the row is derived from those households' needs or what they received)."""
    if not must_suppress(actor) or frame.empty:
        return frame
    out = frame.copy()
    small = out["households"] < suppression.SMALL_COUNT_THRESHOLD
    figures = [c for c in out.columns if c not in KEYS]
    for column in figures:
        out[column] = out[column].astype(object).where(~small, suppression.SUPPRESSED)
    return out
