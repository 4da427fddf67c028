"""Matching stock to needs: the priority score, manual allocations and the suggested allocation.

Every allocation write runs in `db.transaction()` (one writer at a time per database)
and re-reads the available stock and the open need inside it: a save prepared on a
stale screen fails with `StockChanged` and writes nothing. DuckDB would not catch two
inserts against the same stock line on its own (write skew), hence the re-check under
the lock. Allocations are never deleted: they are cancelled or returned.

The suggestion (see README, "Distribution") is a greedy that is exact for its
objective: within one pool of interchangeable stock (same category and unit), every
unit of need `i` is worth `score_i`, so serving units in decreasing score order
maximises the priority-weighted quantity covered. `exact_allocation` solves the same
problem with SciPy's HiGHS MILP; the tests compare the two on random small cases.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from data_layer.actor import Actor
from data_layer.connection import Database
from data_layer.errors import FieldError, JesrError, PermissionDenied, ValidationError
from data_layer.queries import Q
from data_layer.reference import get_reference
from data_layer.stock import stock_scope
from data_layer.validation import _Collector, clean_quantity

LIVE_STATUSES = ("allocated", "delivered", "confirmed")

# Priority score = urgency + vulnerabilities + household size + waiting time (points).
URGENCY_POINTS = {"low": 1.0, "normal": 2.0, "high": 4.0, "critical": 6.0}
VULNERABILITY_POINTS = {"elderly": 2.0, "disability": 3.0, "chronic_illness": 2.0, "lost_income": 1.5,
                        "single_parent": 1.5}
POINTS_PER_PERSON = 0.5
MAX_PERSONS_COUNTED = 10
POINTS_PER_WAITING_DAY = 0.25
MAX_WAITING_DAYS = 30
# Stock held in another governorate serves a need only once no local need is left for it.
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
    out["size_points"] = POINTS_PER_PERSON * np.minimum(out["household_size"].to_numpy(dtype=float),
                                                        MAX_PERSONS_COUNTED)
    out["waiting_points"] = POINTS_PER_WAITING_DAY * np.minimum(out["waiting_days"].to_numpy(dtype=float),
                                                                MAX_WAITING_DAYS)
    out["score"] = out[SCORE_COLUMNS].sum(axis=1).round(2)
    return out


def list_open_needs(db: Database, actor: Actor, *, governorate_code: str | None = None,
                    category_code: str | None = None, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """Open needs the actor may allocate to, highest priority first (households already given
    this category go after everyone else)."""
    cur = db.cursor()
    try:
        frame = cur.execute(Q.list_open_needs_scored, {
            "organisation_id": stock_scope(actor), "governorate_code": governorate_code or None,
            "category_code": category_code or None, "as_of": as_of}).df()
    finally:
        cur.close()
    frame = score_needs(frame)
    return frame.sort_values(["already_given", "score", "waiting_days", "need_id"],
                             ascending=[True, False, False, True], kind="stable").reset_index(drop=True)


def _divisible_categories(cur: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Category code -> may its unit be split, read with the caller's cursor."""
    return {code: bool(divisible) for code, _, divisible in cur.execute(Q.list_categories).fetchall()}


# --- writing allocations ------------------------------------------------------------------------

def _bulk_audit(cur: duckdb.DuckDBPyConnection, actor: Actor, action: str, table_name: str,
                record_ids: list[int], befores: list[dict | None], afters: list[dict | None]) -> None:
    """Audit many rows in one insert (a row-by-row loop manages ~1,500 rows a second)."""
    from data_layer.audit import to_json

    rows = pd.DataFrame({
        "user_id": pd.array([actor.user_id] * len(record_ids), dtype="Int64"),
        "username": actor.username, "action": action, "table_name": table_name,
        "record_id": pd.array(record_ids, dtype="Int64"),
        "before": [to_json(b) for b in befores], "after": [to_json(a) for a in afters],
    })
    cur.register("audit_rows", rows)
    try:
        cur.execute("INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after) "
                    "SELECT user_id, username, action, table_name, record_id, before, after FROM audit_rows")
    finally:
        cur.unregister("audit_rows")


def _clean_rows(db: Database, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Positive quantities, whole units for goods: each row checked before the transaction."""
    reference = get_reference(db)
    errs = _Collector()
    cleaned = []
    for row in rows:
        category = reference.categories.get(str(row.get("category_code") or ""))
        quantity = clean_quantity(errs, row.get("quantity"), category)
        if quantity is not None:
            cleaned.append({"donation_id": int(row["donation_id"]), "need_id": int(row["need_id"]),
                            "quantity": quantity})
    errs.raise_if_any()
    return pd.DataFrame(cleaned, columns=["donation_id", "need_id", "quantity"])


def save_allocations(db: Database, actor: Actor, rows: list[dict[str, Any]]) -> list[int]:
    """Save allocations typed on the allocation page, all or none; returns their ids.

    Each row: donation_id (stock line), need_id, quantity, and category_code (for the unit rule).
    """
    frame = _clean_rows(db, [r for r in rows if r.get("quantity") not in (None, "", 0)])
    if frame.empty:
        return []
    with db.transaction() as cur:
        return _write_allocations(cur, actor, frame)


def _write_allocations(cur: duckdb.DuckDBPyConnection, actor: Actor, frame: pd.DataFrame) -> list[int]:
    """Re-check stock and needs under the write lock, then insert and audit (caller holds the transaction)."""
    scope = stock_scope(actor)
    frame = frame.copy()
    frame["quantity"] = [Decimal(str(q)).quantize(Decimal("0.001")) for q in frame["quantity"]]
    line_ids = sorted({int(i) for i in frame["donation_id"]})
    need_ids = sorted({int(i) for i in frame["need_id"]})
    lines = {r[0]: r for r in cur.execute(Q.get_stock_available, {"donation_ids": line_ids}).fetchall()}
    needs = {r[0]: r for r in cur.execute(Q.get_needs_for_allocation, {"need_ids": need_ids}).fetchall()}
    divisible = _divisible_categories(cur)
    asked_per_line: dict[int, Decimal] = {}
    asked_per_need: dict[int, Decimal] = {}
    for donation_id, need_id, quantity in frame[["donation_id", "need_id", "quantity"]].itertuples(index=False):
        line, need = lines.get(int(donation_id)), needs.get(int(need_id))
        if line is None or need is None:
            raise StockChanged()
        _, line_org, line_category, line_unit, _ = line
        _, _, household_org, need_category, need_unit, need_status, household_status, _ = need
        if scope is not None and (line_org != scope or household_org != scope):
            raise PermissionDenied()
        if (line_category, line_unit) != (need_category, need_unit):
            raise JesrError("distribution.error.unit_mismatch", stock=f"{line_category}/{line_unit}",
                            need=f"{need_category}/{need_unit}")
        if not divisible[line_category] and quantity != quantity.to_integral_value():
            raise ValidationError([FieldError("quantity", "error.whole_units")])
        if need_status != "open" or household_status in ("merged", "rejected", "inactive"):
            raise StockChanged()
        asked_per_line[int(donation_id)] = asked_per_line.get(int(donation_id), Decimal(0)) + quantity
        asked_per_need[int(need_id)] = asked_per_need.get(int(need_id), Decimal(0)) + quantity
    for donation_id, asked in asked_per_line.items():
        if asked > lines[donation_id][4]:
            raise StockChanged()
    for need_id, asked in asked_per_need.items():
        if asked > needs[need_id][7]:
            raise JesrError("distribution.error.more_than_needed", need_id=need_id)

    count = len(frame)
    ids = [r[0] for r in cur.execute(f"SELECT nextval('seq_allocations') FROM range({count})").fetchall()]
    frame["id"] = ids
    frame["household_id"] = [needs[int(n)][1] for n in frame["need_id"]]
    frame["created_by"] = pd.array([actor.user_id] * count, dtype="Int64")
    frame["quantity"] = frame["quantity"].astype(str)
    cur.register("new_allocations", frame)
    try:
        cur.execute("INSERT INTO allocations (id, donation_id, need_id, household_id, quantity, created_by) "
                    "SELECT id, donation_id, need_id, household_id, CAST(quantity AS DECIMAL(18, 3)), created_by "
                    "FROM new_allocations")
    finally:
        cur.unregister("new_allocations")
    afters = [{"donation_id": int(d), "need_id": int(n), "household_id": int(h), "quantity": q,
               "status": "allocated"}
              for d, n, h, q in frame[["donation_id", "need_id", "household_id", "quantity"]].itertuples(index=False)]
    _bulk_audit(cur, actor, "allocate", "allocations", ids, [None] * count, afters)
    covered = [r[0] for r in cur.execute(Q.set_needs_covered, {"need_ids": need_ids}).fetchall()]
    if covered:
        _bulk_audit(cur, actor, "update", "needs", covered, [{"status": "open"}] * len(covered),
                    [{"status": "covered"}] * len(covered))
    return ids


def cancel_allocation(db: Database, actor: Actor, allocation_id: int) -> None:
    """Give back the stock of an allocation that is not yet on a delivery (the row stays, cancelled)."""
    from data_layer.audit import row_as_dict, write_audit

    scope = stock_scope(actor)
    with db.transaction() as cur:
        before = row_as_dict(cur, Q.get_allocation, {"id": allocation_id})
        if before is None:
            raise JesrError("error.not_found")
        if scope is not None and before["stock_organisation_id"] != scope:
            raise PermissionDenied()
        if before["status"] != "allocated" or before["delivery_id"] is not None:
            raise StockChanged()
        cur.execute(Q.cancel_allocation, {"id": allocation_id})
        write_audit(cur, actor, "cancel", "allocations", allocation_id, before={"status": "allocated"},
                    after={"status": "cancelled"})
        for (need_id,) in cur.execute(Q.reopen_needs, {"need_ids": [before["need_id"]]}).fetchall():
            write_audit(cur, actor, "update", "needs", need_id, before={"status": "covered"},
                        after={"status": "open"})


# --- the suggested allocation -------------------------------------------------------------------

@dataclass
class Suggestion:
    """Proposed allocations (one row per stock line x need) and how much priority they cover."""

    allocations: pd.DataFrame
    needs: pd.DataFrame               # every open need considered, with score and what it would get
    totals: dict[str, Any] = field(default_factory=dict)


def _scale(divisible: bool) -> int:
    # Work in whole units (goods) or millimes (cash), so sums are exact integers.
    return 1000 if divisible else 1


def _fill(need_qty: np.ndarray, line_qty: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Serve needs in the given order from lines in the given order: (need index, line index, amount)."""
    total = min(int(need_qty.sum()), int(line_qty.sum()))
    if total <= 0:
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    need_end = np.cumsum(need_qty)
    line_end = np.cumsum(line_qty)
    cuts = np.unique(np.concatenate([need_end[need_end < total], line_end[line_end < total], [0, total]]))
    starts, ends = cuts[:-1], cuts[1:]
    need_index = np.searchsorted(need_end, starts, side="right")
    line_index = np.searchsorted(line_end, starts, side="right")
    return need_index, line_index, ends - starts


def _greedy(needs: pd.DataFrame, lines: pd.DataFrame, order: str) -> pd.DataFrame:
    """Phase 1 serves each governorate from its own stock; phase 2 lends what is left across governorates.

    `needs` has need_id, household_id, governorate_code, category_code, unit, units (int), score,
    waiting_days, already_given, created_at; `lines` has donation_id, governorate_code, category_code,
    unit, units (int), received_on.
    """
    if order == "priority":
        needs = needs.sort_values(["already_given", "score", "waiting_days", "need_id"],
                                  ascending=[True, False, False, True], kind="stable")
    else:  # first come, first served: the baseline the README compares against
        needs = needs.sort_values(["created_at", "need_id"], kind="stable")
    lines = lines.sort_values(["received_on", "donation_id"], kind="stable")
    need_left = pd.Series(needs["units"].to_numpy(dtype=np.int64), index=needs["need_id"].to_numpy())
    line_left = pd.Series(lines["units"].to_numpy(dtype=np.int64), index=lines["donation_id"].to_numpy())
    pieces: list[pd.DataFrame] = []

    def serve(pool_keys: list[str], local: bool) -> None:
        live_needs = needs[need_left.reindex(needs["need_id"]).to_numpy() > 0]
        live_lines = lines[line_left.reindex(lines["donation_id"]).to_numpy() > 0]
        line_groups = live_lines.groupby(pool_keys, sort=False).indices
        for key, need_rows in live_needs.groupby(pool_keys, sort=False).indices.items():
            line_rows = line_groups.get(key)
            if line_rows is None:
                continue
            need_ids = live_needs["need_id"].to_numpy()[need_rows]
            line_ids = live_lines["donation_id"].to_numpy()[line_rows]
            ni, li, amount = _fill(need_left.loc[need_ids].to_numpy(), line_left.loc[line_ids].to_numpy())
            if len(amount) == 0:
                continue
            taken = pd.DataFrame({"need_id": need_ids[ni], "donation_id": line_ids[li], "units": amount})
            taken["local"] = local
            pieces.append(taken)
            need_left.loc[need_ids] -= np.bincount(ni, weights=amount, minlength=len(need_ids)).astype(np.int64)
            line_left.loc[line_ids] -= np.bincount(li, weights=amount, minlength=len(line_ids)).astype(np.int64)

    serve(["category_code", "unit", "governorate_code"], True)
    serve(["category_code", "unit"], False)
    if not pieces:
        return pd.DataFrame(columns=["need_id", "donation_id", "units", "local"])
    return pd.concat(pieces, ignore_index=True)


def suggest_allocations(db: Database, actor: Actor, *, governorate_code: str | None = None,
                        category_code: str | None = None, order: str = "priority",
                        as_of: dt.datetime | None = None) -> Suggestion:
    """Propose allocations covering the most priority-weighted need with the stock at hand.

    `governorate_code` limits both the needs and the stock to that governorate; `order="fcfs"`
    gives the first-come-first-served baseline.
    """
    needs = list_open_needs(db, actor, governorate_code=governorate_code, category_code=category_code,
                            as_of=as_of)
    lines = _available_lines(db, actor, governorate_code, category_code)
    reference = get_reference(db)
    divisible = {code: c.divisible for code, c in reference.categories.items()}
    scale_needs = needs["category_code"].map(lambda c: _scale(divisible[c])).to_numpy(dtype=np.int64)
    needs["units"] = np.rint(needs["remaining"].to_numpy(dtype=float) * scale_needs).astype(np.int64)
    scale_lines = lines["category_code"].map(lambda c: _scale(divisible[c])).to_numpy(dtype=np.int64)
    # Floor: a stock line never lends a fraction of a unit it cannot split.
    lines["units"] = np.floor(lines["available"].to_numpy(dtype=float) * scale_lines + 1e-6).astype(np.int64)
    taken = _greedy(needs, lines, order)

    info = needs.set_index("need_id")
    taken["household_id"] = info["household_id"].reindex(taken["need_id"]).to_numpy()
    taken["category_code"] = info["category_code"].reindex(taken["need_id"]).to_numpy()
    taken["unit"] = info["unit"].reindex(taken["need_id"]).to_numpy()
    taken["score"] = info["score"].reindex(taken["need_id"]).to_numpy()
    taken["governorate_code"] = info["governorate_code"].reindex(taken["need_id"]).to_numpy()
    scale_taken = taken["category_code"].map(lambda c: _scale(divisible[c])).to_numpy(dtype=float) \
        if len(taken) else np.array([], dtype=float)
    taken["quantity"] = taken["units"].to_numpy(dtype=float) / scale_taken if len(taken) else []
    taken = taken.drop(columns=["units"])

    given = taken.groupby("need_id")["quantity"].sum() if len(taken) else pd.Series(dtype=float)
    needs["suggested"] = given.reindex(needs["need_id"]).fillna(0.0).to_numpy()
    return Suggestion(taken, needs, summarise(needs))


def _available_lines(db: Database, actor: Actor, governorate_code: str | None,
                     category_code: str | None) -> pd.DataFrame:
    from data_layer.stock import list_stock_lines

    lines = list_stock_lines(db, actor, governorate_code=governorate_code, category_code=category_code)
    return lines[lines["available"] > 0].reset_index(drop=True)


def summarise(needs: pd.DataFrame) -> dict[str, Any]:
    """Totals of a proposal: needs touched and fully covered, and priority-weighted need covered.

    Weighted need is score x quantity within a category (units differ between categories);
    `priority_points_covered` adds score x share of each need covered, comparable across categories.
    """
    if needs.empty:
        return {"needs": 0, "needs_served": 0, "needs_fully_covered": 0, "priority_points": 0.0,
                "priority_points_covered": 0.0, "share_covered": 0.0, "by_category": {}}
    share = (needs["suggested"] / needs["remaining"]).clip(0, 1)
    points = float(needs["score"].sum())
    covered_points = float((needs["score"] * share).sum())
    by_category = {}
    for category, group in needs.groupby("category_code"):
        weighted = float((group["score"] * group["remaining"]).sum())
        covered = float((group["score"] * group["suggested"]).sum())
        by_category[str(category)] = {"weighted_need": round(weighted, 2), "weighted_covered": round(covered, 2),
                                      "share": round(covered / weighted, 4) if weighted else 0.0,
                                      "quantity": float(group["suggested"].sum())}
    return {"needs": int(len(needs)), "needs_served": int((needs["suggested"] > 0).sum()),
            "needs_fully_covered": int((needs["suggested"] >= needs["remaining"] - 1e-9).sum()),
            "priority_points": round(points, 2), "priority_points_covered": round(covered_points, 2),
            "share_covered": round(covered_points / points, 4) if points else 0.0, "by_category": by_category}


def apply_suggestion(db: Database, actor: Actor, suggestion: Suggestion) -> list[int]:
    """Save a proposal in one transaction; stock that moved since it was computed refuses it whole."""
    frame = suggestion.allocations
    if frame.empty:
        return []
    with db.transaction() as cur:
        return _write_allocations(cur, actor, frame[["donation_id", "need_id", "quantity"]])


def describe_totals(totals: dict[str, Any]) -> str:
    return json.dumps(totals, ensure_ascii=False, indent=1)


# --- the exact solver, the yardstick for the greedy ---------------------------------------------

def exact_allocation(needs: pd.DataFrame, lines: pd.DataFrame) -> tuple[float, float]:
    """Best (local, total) priority-weighted units for one category/unit, by HiGHS MILP (small cases).

    Lexicographic like the greedy: first the most weighted need served from stock in the same
    governorate, then, keeping that, the most weighted need served in all. `needs`: need_id,
    governorate_code, units, score, already_given; `lines`: donation_id, governorate_code, units.
    Households already given the category count after everyone else via a small weight.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    n, m = len(needs), len(lines)
    if n == 0 or m == 0:
        return 0.0, 0.0
    weight = needs["score"].to_numpy(dtype=float) * np.where(needs["already_given"].to_numpy(dtype=bool), 1e-3, 1.0)
    local = (needs["governorate_code"].to_numpy()[:, None] == lines["governorate_code"].to_numpy()[None, :])
    value = np.repeat(weight, m)                       # variable (i, j) at i * m + j
    need_rows = np.kron(np.eye(n), np.ones(m))         # sum_j x_ij <= units_i
    line_rows = np.kron(np.ones(n), np.eye(m))         # sum_i x_ij <= units_j
    constraints = [LinearConstraint(need_rows, 0, needs["units"].to_numpy(dtype=float)),
                   LinearConstraint(line_rows, 0, lines["units"].to_numpy(dtype=float))]
    bounds = Bounds(0, np.inf)
    integrality = np.ones(n * m)
    local_value = value * local.ravel()
    first = milp(-local_value, constraints=constraints, bounds=bounds, integrality=integrality)
    best_local = -first.fun
    keep_local = LinearConstraint(local_value[None, :], best_local - 1e-6, np.inf)
    second = milp(-value, constraints=[*constraints, keep_local], bounds=bounds, integrality=integrality)
    return float(best_local), float(-second.fun)


def print_allocation(db: Database, actor: Actor, args: Any) -> int:
    """The `allocate` command: show the proposal's totals (and FCFS's), save it with --apply."""
    import sys
    import time

    started = time.perf_counter()
    suggestion = suggest_allocations(db, actor, governorate_code=args.governorate, category_code=args.category)
    elapsed = time.perf_counter() - started
    totals = suggestion.totals
    print(f"Open needs considered: {totals['needs']}; stock lines with stock: "
          f"{suggestion.allocations['donation_id'].nunique() if len(suggestion.allocations) else 0} used.")
    print(f"Proposal: {len(suggestion.allocations)} allocations, {totals['needs_served']} needs served, "
          f"{totals['needs_fully_covered']} fully covered; priority points covered "
          f"{totals['priority_points_covered']:.1f} of {totals['priority_points']:.1f} "
          f"({totals['share_covered']:.1%}); computed in {elapsed:.2f} s.")
    for category, row in totals["by_category"].items():
        print(f"  {category:9} quantity {row['quantity']:>12,.0f}  priority-weighted need covered "
              f"{row['weighted_covered']:>14,.1f} of {row['weighted_need']:>14,.1f} ({row['share']:.1%})")
    if getattr(args, "compare_fcfs", False):
        baseline = suggest_allocations(db, actor, governorate_code=args.governorate, category_code=args.category,
                                       order="fcfs").totals
        print(f"First come, first served: priority points covered {baseline['priority_points_covered']:.1f} "
              f"({baseline['share_covered']:.1%})")
        for category, row in baseline["by_category"].items():
            print(f"  {category:9} priority-weighted need covered {row['weighted_covered']:>14,.1f} "
                  f"({row['share']:.1%})")
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
