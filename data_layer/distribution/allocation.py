"""Matching stock to needs: the priority score, manual allocations and the suggested allocation.

Every allocation write runs in `db.transaction()` (one writer at a time per database)
and re-reads the available stock and the open need inside it: a save prepared on a
stale screen fails with `StockChanged` and writes nothing. DuckDB would not catch two
inserts against the same stock line on its own (write skew), hence the re-check under
the lock. Allocations are never deleted: they are cancelled or returned.

The suggestion (docs/allocation.md explains it) is a greedy that is exact for its
objective: within one pool of interchangeable stock (same category and unit), every
unit of need `i` is worth `score_i`, so serving units in decreasing score order
maximises the priority-weighted quantity covered. The objective is lexicographic: first
what each governorate's own stock covers, then what lending across governorates adds,
then, without giving up any of that, how much comes from stock held in the household's
own delegation. `exact_allocation` solves the same problem with SciPy's HiGHS MILP; the
tests compare the two on random small cases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from data_layer.core.actor import Actor
from data_layer.core.errors import FieldError, JesrError, PermissionDenied, ValidationError
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES, LIVE_ALLOCATION_STATUSES
from data_layer.core.validation import Reference, _Collector, clean_quantity, clean_reason, delegation_key
from data_layer.distribution.stock import stock_scope
from data_layer.store.audit import write_audit
from data_layer.store.bulk import run_with_rows
from data_layer.store.database import Database
from data_layer.store.queries import run
from data_layer.store.reference import get_reference

# Priority score = urgency + vulnerabilities + household size + waiting time (points).
URGENCY_POINTS = {"low": 1.0, "normal": 2.0, "high": 4.0, "critical": 6.0}
VULNERABILITY_POINTS = {
    "elderly": 2.0,
    "disability": 3.0,
    "chronic_illness": 2.0,
    "lost_income": 1.5,
    "single_parent": 1.5,
}
POINTS_PER_PERSON = 0.5
MAX_PERSONS_COUNTED = 10
POINTS_PER_WAITING_DAY = 0.25
MAX_WAITING_DAYS = 30
SCORE_COLUMNS = ["urgency_points", "vulnerability_points", "size_points", "waiting_points"]


class StockChanged(JesrError):
    """The stock or the need moved since the screen was loaded: reload, nothing was written."""

    code = "distribution.error.stock_changed"


def priority_explanation() -> list[tuple[str, str]]:
    """(factor, points) pairs the allocation page shows under the table."""
    rows = [(f"urgency.{k}", f"{v:g}") for k, v in URGENCY_POINTS.items()]
    rows += [(f"vulnerability.{k}", f"+{v:g}") for k, v in VULNERABILITY_POINTS.items()]
    rows.append(("distribution.priority.size", f"+{POINTS_PER_PERSON:g} × ≤{MAX_PERSONS_COUNTED}"))
    rows.append(("distribution.priority.waiting", f"+{POINTS_PER_WAITING_DAY:g} × ≤{MAX_WAITING_DAYS}"))
    return rows


def score_needs(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the priority score and its parts to a frame from `list_open_needs_scored`."""
    out = frame.copy()
    out["urgency_points"] = out["urgency"].map(URGENCY_POINTS).astype(float)
    vulnerability = np.zeros(len(out))
    for name, points in VULNERABILITY_POINTS.items():
        vulnerability += out[name].to_numpy(dtype=bool) * points
    out["vulnerability_points"] = vulnerability
    out["size_points"] = POINTS_PER_PERSON * np.minimum(
        out["household_size"].to_numpy(dtype=float), MAX_PERSONS_COUNTED
    )
    out["waiting_points"] = POINTS_PER_WAITING_DAY * np.minimum(
        out["waiting_days"].to_numpy(dtype=float), MAX_WAITING_DAYS
    )
    out["score"] = out[SCORE_COLUMNS].sum(axis=1).round(2)
    return out


def list_open_needs(
    db: Database,
    actor: Actor,
    *,
    governorate_code: str | None = None,
    category_code: str | None = None,
    as_of: dt.datetime | None = None,
) -> pd.DataFrame:
    """Open needs the actor may allocate to, highest priority first (households already given
    this category go after everyone else)."""
    with closing(db.cursor()) as cur:
        frame = run(
            cur,
            "list_open_needs_scored",
            {
                "organisation_id": stock_scope(actor),
                "governorate_code": governorate_code or None,
                "category_code": category_code or None,
                "as_of": as_of,
                "live_statuses": list(LIVE_ALLOCATION_STATUSES),
                "closed_household_statuses": list(INACTIVE_HOUSEHOLD_STATUSES),
            },
        )
    frame = score_needs(frame)
    return frame.sort_values(
        ["already_given", "score", "waiting_days", "need_id"], ascending=[True, False, False, True], kind="stable"
    ).reset_index(drop=True)


# --- writing allocations ------------------------------------------------------------------------


def _bulk_audit(
    cur: Any,
    actor: Actor,
    action: str,
    table_name: str,
    record_ids: list[int],
    befores: Sequence[dict[str, Any] | None],
    afters: Sequence[dict[str, Any] | None],
) -> None:
    """Audit many rows in one insert."""
    from data_layer.store.audit import to_json

    rows = pd.DataFrame(
        {
            "user_id": pd.array([actor.user_id] * len(record_ids), dtype="Int64"),
            "username": actor.username,
            "action": action,
            "table_name": table_name,
            "record_id": pd.array(record_ids, dtype="Int64"),
            "before": [to_json(b) for b in befores],
            "after": [to_json(a) for a in afters],
        }
    )
    run_with_rows(cur, "insert_audit_rows_from_frame", rows, table="audit_rows")


def _clean_rows(reference: Reference, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Positive quantities, whole units for goods: each row checked before the transaction."""
    errs = _Collector()
    cleaned = []
    for row in rows:
        category = reference.categories.get(str(row.get("category_code") or ""))
        quantity = clean_quantity(errs, row.get("quantity"), category)
        if quantity is not None:
            cleaned.append(
                {"donation_id": int(row["donation_id"]), "need_id": int(row["need_id"]), "quantity": quantity}
            )
    errs.raise_if_any()
    return pd.DataFrame(cleaned, columns=["donation_id", "need_id", "quantity"])


def save_allocations(db: Database, actor: Actor, rows: list[dict[str, Any]]) -> list[int]:
    """Save allocations typed on the allocation page, all or none; returns their ids.

    Each row: donation_id (stock line), need_id, quantity, and category_code (for the unit rule).
    """
    reference = get_reference(db)
    frame = _clean_rows(reference, [r for r in rows if r.get("quantity") not in (None, "", 0)])
    if frame.empty:
        return []
    with db.transaction() as cur:
        return _write_allocations(cur, actor, frame, reference)


def _write_allocations(cur: Any, actor: Actor, frame: pd.DataFrame, reference: Reference) -> list[int]:
    """Re-check stock and needs under the write lock, then insert and audit (caller holds the transaction)."""
    scope = stock_scope(actor)
    frame = frame.copy()
    frame["quantity"] = [Decimal(str(q)).quantize(Decimal("0.001")) for q in frame["quantity"]]
    line_ids = sorted({int(i) for i in frame["donation_id"]})
    need_ids = sorted({int(i) for i in frame["need_id"]})
    live = {"live_statuses": list(LIVE_ALLOCATION_STATUSES)}
    lines = {r["donation_id"]: r for r in run(cur, "get_stock_available", {"donation_ids": line_ids})}
    needs = {r["need_id"]: r for r in run(cur, "get_needs_for_allocation", {"need_ids": need_ids, **live})}
    asked_per_line: dict[int, Decimal] = {}
    asked_per_need: dict[int, Decimal] = {}
    for donation_id, need_id, quantity in frame[["donation_id", "need_id", "quantity"]].itertuples(index=False):
        line, need = lines.get(int(donation_id)), needs.get(int(need_id))
        if line is None or need is None:
            raise StockChanged()
        if scope is not None and (line["organisation_id"] != scope or need["organisation_id"] != scope):
            raise PermissionDenied()
        if reference.country_of(line["governorate_code"]) != reference.country_of(need["governorate_code"]):
            raise JesrError(
                "distribution.error.across_border", stock=line["governorate_code"], need=need["governorate_code"]
            )
        if (line["category_code"], line["unit"]) != (need["category_code"], need["unit"]):
            raise JesrError(
                "distribution.error.unit_mismatch",
                stock=f"{line['category_code']}/{line['unit']}",
                need=f"{need['category_code']}/{need['unit']}",
            )
        if not reference.categories[line["category_code"]].divisible and quantity != quantity.to_integral_value():
            raise ValidationError([FieldError("quantity", "error.whole_units")])
        if need["status"] != "open" or need["household_status"] in INACTIVE_HOUSEHOLD_STATUSES:
            raise StockChanged()
        asked_per_line[int(donation_id)] = asked_per_line.get(int(donation_id), Decimal(0)) + quantity
        asked_per_need[int(need_id)] = asked_per_need.get(int(need_id), Decimal(0)) + quantity
    for donation_id, asked in asked_per_line.items():
        if asked > lines[donation_id]["available"]:
            raise StockChanged()
    for need_id, asked in asked_per_need.items():
        if asked > needs[need_id]["remaining"]:
            raise JesrError("distribution.error.more_than_needed", need_id=need_id)

    count = len(frame)
    ids = [r["id"] for r in run(cur, "list_new_allocation_ids", {"count": count})]
    frame["id"] = ids
    frame["household_id"] = [needs[int(n)]["household_id"] for n in frame["need_id"]]
    frame["created_by"] = pd.array([actor.user_id] * count, dtype="Int64")
    frame["quantity"] = frame["quantity"].astype(str)
    run_with_rows(cur, "insert_allocations_from_frame", frame, table="new_allocations")
    afters = [
        {"donation_id": int(d), "need_id": int(n), "household_id": int(h), "quantity": q, "status": "allocated"}
        for d, n, h, q in frame[["donation_id", "need_id", "household_id", "quantity"]].itertuples(index=False)
    ]
    _bulk_audit(cur, actor, "allocate", "allocations", ids, [None] * count, afters)
    covered = [r["id"] for r in run(cur, "set_needs_covered", {"need_ids": need_ids, **live})]
    if covered:
        _bulk_audit(
            cur,
            actor,
            "update",
            "needs",
            covered,
            [{"status": "open"}] * len(covered),
            [{"status": "covered"}] * len(covered),
        )
    return ids


def list_cancellable_allocations(db: Database, actor: Actor, governorate_code: str | None = None) -> pd.DataFrame:
    """Allocations not yet on a delivery that the actor may cancel (its own stock's, or all for organisers)."""
    with db.reading() as cur:
        return run(
            cur,
            "list_cancellable_allocations",
            {"organisation_id": stock_scope(actor), "governorate_code": governorate_code or None},
        )


def cancel_allocation(db: Database, actor: Actor, allocation_id: int, reason: str | None) -> None:
    """Give back the stock of an allocation that is not yet on a delivery (the row stays, cancelled).

    Who cancelled and why go into the same audit entry as the cancellation, in its transaction:
    there is never a cancellation without its reason.
    """
    text = clean_reason(reason)
    scope = stock_scope(actor)
    with db.transaction() as cur:
        before = run(cur, "get_allocation", {"id": allocation_id})
        if before is None:
            raise JesrError("error.not_found")
        if scope is not None and before["stock_organisation_id"] != scope:
            raise PermissionDenied()
        if before["status"] != "allocated" or before["delivery_id"] is not None:
            raise StockChanged()
        run(cur, "cancel_allocation", {"id": allocation_id})
        write_audit(
            cur,
            actor,
            "cancel",
            "allocations",
            allocation_id,
            before={"status": "allocated"},
            after={"status": "cancelled", "reason": text},
        )
        reopened = run(
            cur, "reopen_needs", {"need_ids": [before["need_id"]], "live_statuses": list(LIVE_ALLOCATION_STATUSES)}
        )
        for row in reopened:
            write_audit(
                cur, actor, "update", "needs", row["id"], before={"status": "covered"}, after={"status": "open"}
            )


# --- the suggested allocation -------------------------------------------------------------------

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


def _group_starts(group: np.ndarray, count: int) -> np.ndarray:
    """Where each of `count` groups starts in an ascending array of group codes (and where the last ends)."""
    return np.searchsorted(group, np.arange(count + 1))


def _cumsum_within(group: np.ndarray, qty: np.ndarray, count: int) -> np.ndarray:
    """Running total of `qty` within each group, exclusive of the row itself (`group` ascending)."""
    running = np.concatenate([[0], np.cumsum(qty)])
    return running[:-1] - running[_group_starts(group, count)[:-1]][group]


def _group_sums(group: np.ndarray, qty: np.ndarray, count: int) -> np.ndarray:
    """Exact integer sum of `qty` per group (`group` ascending)."""
    running = np.concatenate([[0], np.cumsum(qty)])
    starts = _group_starts(group, count)
    return running[starts[1:]] - running[starts[:-1]]


def _sum_by(group: np.ndarray, qty: np.ndarray, count: int) -> np.ndarray:
    """Exact integer sum of `qty` per group, in any order."""
    order = np.argsort(group, kind="stable")
    return _group_sums(group[order], qty[order], count)


def _grouped_fill(
    need_group: np.ndarray, need_qty: np.ndarray, line_group: np.ndarray, line_qty: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Within each group, serve needs in their order from lines in theirs: (need index, line index, amount).

    Both sides ascending by group (order kept within a group). Each group gets a window of
    min(need, stock) units on one shared axis; needs and lines are laid end to end inside their
    group's window, and every stretch between two consecutive ends is one (need, line) piece.
    All groups at once, with no Python loop over groups.
    """
    need_total = _group_sums(need_group, need_qty, count)
    line_total = _group_sums(line_group, line_qty, count)
    window = np.minimum(need_total, line_total)
    total = int(window.sum())
    if total <= 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    base = np.cumsum(window) - window
    need_end = base[need_group] + np.minimum(_cumsum_within(need_group, need_qty, count) + need_qty, window[need_group])
    line_end = base[line_group] + np.minimum(_cumsum_within(line_group, line_qty, count) + line_qty, window[line_group])
    # Both ends arrays are sorted: a stable sort of the two runs is a merge (cheaper than np.unique's hashing).
    cuts = np.sort(
        np.concatenate([[0], need_end[need_end < total], line_end[line_end < total], [total]]), kind="stable"
    )
    cuts = cuts[np.concatenate([[True], cuts[1:] != cuts[:-1]])]
    starts, ends = cuts[:-1], cuts[1:]
    need_index = np.searchsorted(need_end, starts, side="right")
    line_index = np.searchsorted(line_end, starts, side="right")
    return need_index, line_index, ends - starts


Codes = tuple[np.ndarray, pd.Index]  # a column factorized: one code per row (-1: missing), the distinct values


def _factorized(frame: pd.DataFrame, column: str) -> Codes:
    codes, uniques = pd.factorize(frame[column])  # on the Arrow strings themselves: no Python objects per row
    return codes, pd.Index(uniques)


def _factorized_delegation(frame: pd.DataFrame) -> Codes:
    """The frame's delegations by their folded form (delegation_key); -1 where there is none."""
    if "delegation" not in frame:
        return np.full(len(frame), -1, dtype=np.int64), pd.Index([])
    codes, names = pd.factorize(frame["delegation"])
    key_codes, keys = pd.factorize(np.array([delegation_key(name) for name in names] + [None], dtype=object))
    return key_codes[codes], pd.Index(keys)  # code -1 picks the trailing None's -1


def _joint_codes(need_parts: list[Codes], line_parts: list[Codes]) -> tuple[np.ndarray, np.ndarray, int]:
    """One code per distinct combination of the parts across needs and lines (-1 if a part is missing),
    and how many codes there are."""
    need_code = np.zeros(len(need_parts[0][0]), dtype=np.int64)
    line_code = np.zeros(len(line_parts[0][0]), dtype=np.int64)
    missing = np.zeros(len(need_code) + len(line_code), dtype=bool)
    for (need_part, need_values), (line_part, line_values) in zip(need_parts, line_parts):
        values = need_values.append(line_values.difference(need_values, sort=False))
        line_part = np.append(values.get_indexer(line_values), -1)[line_part]  # -1 (missing) stays -1
        missing |= np.concatenate([need_part, line_part]) < 0
        need_code = need_code * (len(values) + 1) + need_part + 1
        line_code = line_code * (len(values) + 1) + line_part + 1
    code, uniques = pd.factorize(np.concatenate([need_code, line_code]))
    code = np.where(missing, -1, code)
    return code[: len(need_code)], code[len(need_code) :], len(uniques)


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
    need_parts = [_factorized(needs, c) for c in ("category_code", "unit", "governorate_code")]
    line_parts = [_factorized(lines, c) for c in ("category_code", "unit", "governorate_code")]
    need_category, line_category, n_category = _joint_codes(need_parts[:2], line_parts[:2])
    need_pool, line_pool, n_pool = _joint_codes(need_parts, line_parts)
    need_place, line_place, n_place = _joint_codes(
        [*need_parts, _factorized_delegation(needs)], [*line_parts, _factorized_delegation(lines)]
    )
    need_units = needs["units"].to_numpy(dtype=np.int64)
    line_left = lines["units"].to_numpy(dtype=np.int64).copy()

    # Phase 1: in each governorate pool, how much of each need its own stock serves.
    by_pool = np.argsort(need_pool, kind="stable")  # positions, pool by pool, priority order within
    pool, units, tie = need_pool[by_pool], need_units[by_pool], tie_class[by_pool]
    place = need_place[by_pool]
    stock = _sum_by(line_pool, line_left, n_pool)
    before = _cumsum_within(pool, units, n_pool)
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
        place_stock = _sum_by(line_place[line_place >= 0], line_left[line_place >= 0], n_place)
        place_above = _sum_by(place[above & has_place], units[above & has_place], n_place)
        room = np.maximum(place_stock - place_above, 0)
        local_part = np.zeros(len(units), dtype=np.int64)
        rows = np.flatnonzero(at_cut & has_place)
        rows = rows[np.argsort(place[rows], kind="stable")]
        local_part[rows] = np.clip(
            room[place[rows]] - _cumsum_within(place[rows], units[rows], n_place), 0, units[rows]
        )
        # The pool's stock left after the needs above the cut goes first to those local parts.
        rows = np.flatnonzero(at_cut)
        budget = stock - _sum_by(pool[above], units[above], n_pool)
        local = np.clip(budget[pool[rows]] - _cumsum_within(pool[rows], local_part[rows], n_pool), 0, local_part[rows])
        budget = budget - _sum_by(pool[rows], local, n_pool)
        rest = units[rows] - local_part[rows]
        served[rows] = local + np.clip(budget[pool[rows]] - _cumsum_within(pool[rows], rest, n_pool), 0, rest)

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
        ni, li, amount = _grouped_fill(
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
    gives the first-come-first-served baseline.
    """
    needs = list_open_needs(db, actor, governorate_code=governorate_code, category_code=category_code, as_of=as_of)
    lines = _available_lines(db, actor, governorate_code, category_code)
    reference = get_reference(db)
    scale_needs = _scales(needs, reference)
    needs["units"] = np.rint(needs["remaining"].to_numpy(dtype=float) * scale_needs).astype(np.int64)
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
    return Suggestion(taken, needs, summarise(needs, taken))


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


def apply_suggestion(db: Database, actor: Actor, suggestion: Suggestion) -> list[int]:
    """Save a proposal in one transaction; stock that moved since it was computed refuses it whole."""
    frame = suggestion.allocations
    if frame.empty:
        return []
    reference = get_reference(db)
    with db.transaction() as cur:
        return _write_allocations(cur, actor, frame[["donation_id", "need_id", "quantity"]], reference)


# --- the exact solver, the yardstick for the greedy ---------------------------------------------


class ExactValues(NamedTuple):
    """The three objectives of the suggestion, each at its best given the ones before it."""

    governorate: float  # priority-weighted units served from stock held in the need's governorate
    total: float  # priority-weighted units served in all
    delegation: float  # of which from stock held in the household's own delegation


def exact_allocation(needs: pd.DataFrame, lines: pd.DataFrame) -> ExactValues:
    """Best values of the suggestion's lexicographic objective for one category/unit, by HiGHS MILP.

    1. the most weighted need served from stock in the same governorate; then, keeping that,
    2. the most weighted need served in all; then, keeping both,
    3. the most weighted need served from stock held in the household's own delegation.
    The delegation is a tie-break below coverage: it chooses which stock serves the needs that
    (1) and (2) serve anyway, and among needs of equal weight those it can serve locally; it never
    costs priority-weighted coverage. Solving the stages in turn is the same as one objective
    with bonuses far enough apart, without having to pick the bonus sizes.
    `needs`: need_id, governorate_code, delegation (optional), units, score, already_given;
    `lines`: donation_id, governorate_code, delegation (optional, None = governorate level), units.
    Households already given the category count after everyone else via a small weight.
    For small cases: the model has needs x lines variables.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = len(needs), len(lines)
    if n == 0 or m == 0:
        return ExactValues(0.0, 0.0, 0.0)
    weight = needs["score"].to_numpy(dtype=float) * np.where(needs["already_given"].to_numpy(dtype=bool), 1e-3, 1.0)
    same_governorate = needs["governorate_code"].to_numpy()[:, None] == lines["governorate_code"].to_numpy()[None, :]
    need_place, line_place, _ = _joint_codes(
        [_factorized(needs, "governorate_code"), _factorized_delegation(needs)],
        [_factorized(lines, "governorate_code"), _factorized_delegation(lines)],
    )
    same_delegation = (need_place[:, None] == line_place[None, :]) & (need_place >= 0)[:, None]
    value = np.repeat(weight, m)  # variable (i, j) at i * m + j
    need_rows = np.kron(np.eye(n), np.ones(m))  # sum_j x_ij <= units_i
    line_rows = np.kron(np.ones(n), np.eye(m))  # sum_i x_ij <= units_j
    constraints = [
        LinearConstraint(need_rows, 0, needs["units"].to_numpy(dtype=float)),
        LinearConstraint(line_rows, 0, lines["units"].to_numpy(dtype=float)),
    ]
    bounds = Bounds(0, np.inf)
    integrality = np.ones(n * m)
    best = []
    for objective in (value * same_governorate.ravel(), value, value * same_delegation.ravel()):
        result = milp(
            -objective, constraints=constraints, bounds=bounds, integrality=integrality, options={"mip_rel_gap": 0}
        )
        if not result.success:
            raise RuntimeError(f"HiGHS: {result.message}")
        # The value of the rounded solution: HiGHS may return 0.9999995 for 1 (within its integrality
        # tolerance) and so a value a hair above what whole units reach, which the next stage cannot keep.
        best.append(float(objective @ np.rint(result.x)))
        constraints.append(LinearConstraint(objective[None, :], best[-1] - 1e-6, np.inf))
    return ExactValues(*best)


def print_allocation(db: Database, actor: Actor, args: Any) -> int:
    """The `allocate` command: show the proposal's totals (and FCFS's), save it with --apply."""
    import sys
    import time

    started = time.perf_counter()
    suggestion = suggest_allocations(db, actor, governorate_code=args.governorate, category_code=args.category)
    elapsed = time.perf_counter() - started
    totals = suggestion.totals
    print(
        f"Open needs considered: {totals['needs']}; stock lines with stock: "
        f"{suggestion.allocations['donation_id'].nunique() if len(suggestion.allocations) else 0} used."
    )
    print(
        f"Proposal: {len(suggestion.allocations)} allocations, {totals['needs_served']} needs served, "
        f"{totals['needs_fully_covered']} fully covered; priority points covered "
        f"{totals['priority_points_covered']:.1f} of {totals['priority_points']:.1f} "
        f"({totals['share_covered']:.1%}); computed in {elapsed:.2f} s."
    )
    tiers = totals["by_tier"]
    print(
        "Where the stock is held (share of the priority points covered): "
        f"the household's delegation {tiers['delegation']['allocations']:,} allocations "
        f"({tiers['delegation']['share']:.1%}), elsewhere in its governorate {tiers['governorate']['allocations']:,} "
        f"({tiers['governorate']['share']:.1%}), lent by other governorates {tiers['lent']['allocations']:,} "
        f"({tiers['lent']['share']:.1%})."
    )
    for category, row in totals["by_category"].items():
        by_tier = row["quantity_by_tier"]
        print(
            f"  {category:9} quantity {row['quantity']:>12,.0f}  priority-weighted need covered "
            f"{row['weighted_covered']:>14,.1f} of {row['weighted_need']:>14,.1f} ({row['share']:.1%});  "
            f"delegation {by_tier['delegation']:,.0f} / governorate {by_tier['governorate']:,.0f} / "
            f"lent {by_tier['lent']:,.0f}"
        )
    if getattr(args, "compare_fcfs", False):
        baseline = suggest_allocations(
            db, actor, governorate_code=args.governorate, category_code=args.category, order="fcfs"
        ).totals
        print(
            f"First come, first served: priority points covered {baseline['priority_points_covered']:.1f} "
            f"({baseline['share_covered']:.1%})"
        )
        for category, row in baseline["by_category"].items():
            print(
                f"  {category:9} priority-weighted need covered {row['weighted_covered']:>14,.1f} ({row['share']:.1%})"
            )
    if args.apply:
        try:
            ids = apply_suggestion(db, actor, suggestion)
        except StockChanged:
            print("Refused: the stock changed while the proposal was computed; nothing was saved.", file=sys.stderr)
            return 1
        print(f"Saved {len(ids)} allocations.")
    else:
        print("Nothing saved (add --apply to save this proposal).")
    return 0
