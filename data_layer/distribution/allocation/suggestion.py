"""The suggested allocation: the proposal of which stock line serves which open need.

A greedy that is exact for its objective (docs/allocation.md explains it): within one pool of
interchangeable stock (same category and unit), every unit of need `i` is worth `score_i`, so
serving units in decreasing score order maximises the priority-weighted quantity covered. The
objective is lexicographic: first what each governorate's own stock covers, then what lending
across governorates adds, then, without giving up any of that, how much comes from stock held in
the household's own delegation. `exact.exact_allocation` solves the same problem with SciPy's
HiGHS MILP; the tests compare the two on random small cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.validation import Reference
from data_layer.distribution.allocation.grouping import (
    cumsum_within,
    factorized,
    factorized_delegation,
    grouped_fill,
    joint_codes,
    sum_by,
)
from data_layer.distribution.allocation.priority import list_open_needs
from data_layer.distribution.limits import allowed_remaining
from data_layer.store.database import Database
from data_layer.store.reference import get_reference

# Where the stock serving a need is held, best first: the household's own delegation, elsewhere in
# its governorate (another delegation, or governorate-level stock with no delegation), another governorate.
TIERS = ("delegation", "governorate", "lent")


@dataclass
class Suggestion:
    """Proposed allocations (one row per stock line x need, with its tier) and how much priority they cover."""

    allocations: pd.DataFrame
    needs: pd.DataFrame  # every open need considered, with score and what it would get
    totals: dict[str, Any] = field(default_factory=dict)


def _scale(divisible: bool) -> int:
    # Work in whole units (goods) or millimes (cash), so sums are exact integers.
    return 1000 if divisible else 1


def _greedy(needs: pd.DataFrame, lines: pd.DataFrame, order: str) -> pd.DataFrame:
    """Serve needs in priority order from stock held nearest first: the need_id, donation_id, units, tier rows.

    Phase 1, per pool of one category, unit and governorate: which needs are served is decided
    by priority alone (the best units of the pool's need, as many as its stock), then the served
    amounts take stock held in the household's own delegation before other stock of the
    governorate. Among needs of equal priority at the pool's cut, those that local stock can
    serve go first, so the delegation preference never costs priority-weighted coverage.
    Phase 2 lends what stock is left to the needs left, across governorates, in the same order.

    `needs` has need_id, governorate_code, delegation (optional), category_code, unit, units (int),
    score, waiting_days, already_given, created_at; `lines` has donation_id, governorate_code,
    delegation (optional), category_code, unit, units (int), received_on.
    """
    if order == "priority":
        needs = needs.sort_values(
            ["already_given", "score", "waiting_days", "need_id"], ascending=[True, False, False, True], kind="stable"
        )
        # Needs of one priority class are interchangeable for the objective (see exact_allocation).
        tie_class = pd.factorize(
            needs["score"].to_numpy(dtype=float) + 1e7 * needs["already_given"].to_numpy(dtype=bool)
        )[0]
    else:  # first come, first served: the baseline docs/allocation.md compares against; no ties
        needs = needs.sort_values(["created_at", "need_id"], kind="stable")
        tie_class = np.arange(len(needs))
    lines = lines.sort_values(["received_on", "donation_id"], kind="stable")
    need_parts = [factorized(needs, c) for c in ("category_code", "unit", "governorate_code")]
    line_parts = [factorized(lines, c) for c in ("category_code", "unit", "governorate_code")]
    need_category, line_category, n_category = joint_codes(need_parts[:2], line_parts[:2])
    need_pool, line_pool, n_pool = joint_codes(need_parts, line_parts)
    need_place, line_place, n_place = joint_codes(
        [*need_parts, factorized_delegation(needs)], [*line_parts, factorized_delegation(lines)]
    )
    need_units = needs["units"].to_numpy(dtype=np.int64)
    line_left = lines["units"].to_numpy(dtype=np.int64).copy()

    # Phase 1: in each governorate pool, how much of each need its own stock serves.
    by_pool = np.argsort(need_pool, kind="stable")  # positions, pool by pool, priority order within
    pool, units, tie = need_pool[by_pool], need_units[by_pool], tie_class[by_pool]
    place = need_place[by_pool]
    stock = sum_by(line_pool, line_left, n_pool)
    before = cumsum_within(pool, units, n_pool)
    served = np.clip(stock[pool] - before, 0, units)
    short = np.flatnonzero(served < units)
    cut_pool, first = np.unique(pool[short], return_index=True)
    cut_tie = np.full(n_pool, -1, dtype=np.int64)
    cut_tie[cut_pool] = tie[short[first]]
    at_cut = tie == cut_tie[pool]  # the priority class the pool's stock runs out in
    if at_cut.any():
        above = (served == units) & ~at_cut
        # Stock of each delegation left once the needs above the cut took it, then the part of each need
        # at the cut that it could serve, in priority order within the delegation.
        has_place = place >= 0
        place_stock = sum_by(line_place[line_place >= 0], line_left[line_place >= 0], n_place)
        place_above = sum_by(place[above & has_place], units[above & has_place], n_place)
        room = np.maximum(place_stock - place_above, 0)
        local_part = np.zeros(len(units), dtype=np.int64)
        rows = np.flatnonzero(at_cut & has_place)
        rows = rows[np.argsort(place[rows], kind="stable")]
        local_part[rows] = np.clip(room[place[rows]] - cumsum_within(place[rows], units[rows], n_place), 0, units[rows])
        # The pool's stock left after the needs above the cut goes first to those local parts.
        rows = np.flatnonzero(at_cut)
        budget = stock - sum_by(pool[above], units[above], n_pool)
        local = np.clip(budget[pool[rows]] - cumsum_within(pool[rows], local_part[rows], n_pool), 0, local_part[rows])
        budget = budget - sum_by(pool[rows], local, n_pool)
        rest = units[rows] - local_part[rows]
        served[rows] = local + np.clip(budget[pool[rows]] - cumsum_within(pool[rows], rest, n_pool), 0, rest)

    pieces: list[tuple[np.ndarray, np.ndarray, np.ndarray, str]] = []

    def fill(
        need_pos: np.ndarray,
        need_group: np.ndarray,
        need_qty: np.ndarray,
        line_group: np.ndarray,
        count: int,
        tier: str,
    ) -> np.ndarray:
        """Serve needs (positions in priority order, grouped) from the stock left; return what each got."""
        need_order = np.argsort(need_group, kind="stable")
        line_pos = np.flatnonzero((line_group >= 0) & (line_left > 0))
        line_pos = line_pos[np.argsort(line_group[line_pos], kind="stable")]
        ni, li, amount = grouped_fill(
            need_group[need_order], need_qty[need_order], line_group[line_pos], line_left[line_pos], count
        )
        got = np.zeros(len(need_pos), dtype=np.int64)
        if len(amount):
            np.add.at(got, need_order[ni], amount)
            np.subtract.at(line_left, line_pos[li], amount)
            pieces.append((need_pos[need_order[ni]], line_pos[li], amount, tier))
        return got

    # The amounts phase 1 serves, from the household's own delegation first, then from anywhere in its
    # governorate (other delegations' stock and stock held at governorate level).
    to_place = served.copy()
    rows = np.flatnonzero((to_place > 0) & (place >= 0))
    to_place[rows] -= fill(by_pool[rows], place[rows], to_place[rows], line_place, n_place, "delegation")
    rows = np.flatnonzero(to_place > 0)
    fill(by_pool[rows], pool[rows], to_place[rows], line_pool, n_pool, "governorate")
    # Phase 2: what is left of every need, in priority order, from the stock left in other governorates.
    left = need_units.copy()
    left[by_pool] -= served
    rows = np.flatnonzero(left > 0)
    fill(rows, need_category[rows], left[rows], line_category, n_category, "lent")

    pieces = pieces or [(np.array([], dtype=np.int64),) * 3 + ("lent",)]
    return pd.DataFrame(
        {
            "need_id": needs["need_id"].to_numpy()[np.concatenate([n for n, _, _, _ in pieces])],
            "donation_id": lines["donation_id"].to_numpy()[np.concatenate([j for _, j, _, _ in pieces])],
            "units": np.concatenate([a for _, _, a, _ in pieces]),
            "tier": pd.Categorical.from_codes(
                np.concatenate([np.full(len(a), TIERS.index(t)) for _, _, a, t in pieces]), categories=list(TIERS)
            ),
        }
    )


def _within_countries(needs: pd.DataFrame, lines: pd.DataFrame, order: str, reference: Reference) -> pd.DataFrame:
    """The greedy suggestion run once per country: stock is never lent across a border."""

    def country(frame: pd.DataFrame) -> pd.Series:
        codes = {code: row.get("country_code") for code, row in reference.areas.items()}
        return frame["governorate_code"].map(codes)

    need_country, line_country = country(needs), country(lines)
    if len(set(need_country.dropna()) | set(line_country.dropna())) <= 1:  # one country: no border to keep
        return _greedy(needs, lines, order)
    countries = sorted(set(need_country.dropna()) & set(line_country.dropna()))
    parts = [
        _greedy(
            needs[(need_country == c).to_numpy()].reset_index(drop=True),
            lines[(line_country == c).to_numpy()].reset_index(drop=True),
            order,
        )
        for c in countries
    ]
    return pd.concat(parts, ignore_index=True) if parts else _greedy(needs.iloc[:0], lines.iloc[:0], order)


def suggest_allocations(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str | None = None,
    category_code: str | None = None,
    order: str = "priority",
    as_of: dt.datetime | None = None,
) -> Suggestion:
    """Propose allocations covering the most priority-weighted need with the stock at hand.

    `governorate_code` limits both the needs and the stock to that governorate; `order="fcfs"`
    gives the first-come-first-served baseline. Households' limits (distribution/limits.py) cap what
    each need may get: a need its household may not receive now is left out (`needs_held_by_limits`
    counts the needs left out or cut).
    """
    needs = list_open_needs(db, actor, governorate_code=governorate_code, category_code=category_code, as_of=as_of)
    ordered = needs if order == "priority" else needs.sort_values(["created_at", "need_id"], kind="stable")
    allowed = pd.Series(allowed_remaining(db, ordered, as_of), index=ordered.index).reindex(needs.index).to_numpy()
    limited = allowed < needs["remaining"].to_numpy(dtype=float) - 1e-9
    needs["allowed"] = allowed
    needs = needs[allowed > 0].reset_index(drop=True)
    lines = _available_lines(db, actor, governorate_code, category_code)
    reference = get_reference(db)
    scale_needs = _scales(needs, reference)
    # Floor: a limit never lets a need take part of a unit more than it allows.
    needs["units"] = np.floor(needs["allowed"].to_numpy(dtype=float) * scale_needs + 1e-6).astype(np.int64)
    # Floor: a stock line never lends a fraction of a unit it cannot split.
    lines["units"] = np.floor(lines["available"].to_numpy(dtype=float) * _scales(lines, reference) + 1e-6).astype(
        np.int64
    )
    taken = _within_countries(needs, lines, order, reference)

    position = pd.Index(needs["need_id"]).get_indexer(taken["need_id"])
    for column in ("household_id", "category_code", "unit", "score", "governorate_code"):
        taken[column] = needs[column].array.take(position)  # Arrow strings stay Arrow: no object per row
    taken["quantity"] = taken["units"].to_numpy(dtype=float) / scale_needs[position]
    taken = taken.drop(columns=["units"])[
        [
            "need_id",
            "donation_id",
            "household_id",
            "category_code",
            "unit",
            "quantity",
            "score",
            "governorate_code",
            "tier",
        ]
    ]

    needs["suggested"] = np.bincount(position, weights=taken["quantity"].to_numpy(), minlength=len(needs))
    totals = summarise(needs, taken)
    totals["needs_held_by_limits"] = int(limited.sum())
    return Suggestion(taken, needs, totals)


def _scales(frame: pd.DataFrame, reference: Any) -> np.ndarray:
    """Per row, the integer units one unit of its category is counted in (see _scale)."""
    codes, categories = pd.factorize(frame["category_code"])
    scales = np.array([_scale(reference.categories[c].divisible) for c in categories] + [1], dtype=np.int64)
    return scales[codes]


def _available_lines(
    db: Database, actor: Actor, governorate_code: str | None, category_code: str | None
) -> pd.DataFrame:
    from data_layer.distribution.stock import list_stock_lines

    lines = list_stock_lines(db, actor, governorate_code=governorate_code, category_code=category_code)
    return lines[lines["available"] > 0].reset_index(drop=True)


def summarise(needs: pd.DataFrame, allocations: pd.DataFrame | None = None) -> dict[str, Any]:
    """Totals of a proposal: needs touched and fully covered, priority-weighted need covered, and where
    the stock comes from (`by_tier`: the household's delegation, elsewhere in its governorate, lent).

    Weighted need is score x quantity within a category (units differ between categories);
    `priority_points_covered` adds score x share of each need covered, comparable across categories.
    """
    empty_tiers = {tier: {"allocations": 0, "priority_points": 0.0, "share": 0.0} for tier in TIERS}
    if needs.empty:
        return {
            "needs": 0,
            "needs_served": 0,
            "needs_fully_covered": 0,
            "priority_points": 0.0,
            "priority_points_covered": 0.0,
            "share_covered": 0.0,
            "by_category": {},
            "by_tier": empty_tiers,
        }
    share = (needs["suggested"] / needs["remaining"]).clip(0, 1)
    points = float(needs["score"].sum())
    covered_points = float((needs["score"] * share).sum())
    rows = (
        allocations
        if allocations is not None
        else pd.DataFrame(
            {"need_id": [], "category_code": [], "quantity": [], "tier": pd.Categorical([], categories=list(TIERS))}
        )
    )
    position = pd.Index(needs["need_id"]).get_indexer(rows["need_id"])
    row_points = (
        needs["score"].to_numpy(dtype=float)[position]
        * rows["quantity"].to_numpy(dtype=float)
        / needs["remaining"].to_numpy(dtype=float)[position]
    )
    tier = pd.Categorical(rows["tier"], categories=list(TIERS)).codes
    by_tier = {}
    for code, name in enumerate(TIERS):
        tier_points = float(row_points[tier == code].sum())
        by_tier[name] = {
            "allocations": int((tier == code).sum()),
            "priority_points": round(tier_points, 2),
            "share": round(tier_points / covered_points, 4) if covered_points else 0.0,
        }
    quantities = (
        pd.DataFrame({"category_code": rows["category_code"], "tier": tier, "quantity": rows["quantity"]})
        .groupby(["category_code", "tier"])["quantity"]
        .sum()
    )
    by_category = {}
    for category, group in needs.groupby("category_code"):
        weighted = float((group["score"] * group["remaining"]).sum())
        covered = float((group["score"] * group["suggested"]).sum())
        by_category[str(category)] = {
            "weighted_need": round(weighted, 2),
            "weighted_covered": round(covered, 2),
            "share": round(covered / weighted, 4) if weighted else 0.0,
            "quantity": float(group["suggested"].sum()),
            "quantity_by_tier": {name: float(quantities.get((category, code), 0.0)) for code, name in enumerate(TIERS)},
        }
    return {
        "needs": int(len(needs)),
        "needs_served": int((needs["suggested"] > 0).sum()),
        "needs_fully_covered": int((needs["suggested"] >= needs["remaining"] - 1e-9).sum()),
        "priority_points": round(points, 2),
        "priority_points_covered": round(covered_points, 2),
        "share_covered": round(covered_points / points, 4) if points else 0.0,
        "by_category": by_category,
        "by_tier": by_tier,
    }
