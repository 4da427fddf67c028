"""Dashboard facts (migration 0040) and fairness facts (0140): derived tables brought up to date before they are read.

Writes do not touch them: every write is audited, and the audit log says which households
changed. Before a dashboard query, `ensure_facts_current` (called by data_layer.monitoring.coverage) runs
`refresh_facts` if anything was committed since the last refresh: it finds the households audited
since the watermark (facts_state.audit_id), deletes and recomputes their fact rows and the rows
of the stock lines they drew on, and moves the watermark, all in one transaction. Saves keep their
speed and many saves are caught up in one pass; a reader never sees facts behind a commit.
The fairness views' tables (FAIRNESS) are caught up the same way behind a watermark of their own
(facts_fairness_state), by `ensure_fairness_facts_current` before a signal or basket view.
`facts_drift` recomputes every row from the base tables and counts the differences: the test
suite runs it after every test that wrote, and `python -m data_layer facts` on a live file.
"""

from __future__ import annotations

import re
import time
from contextlib import closing
from typing import Any, NamedTuple

from data_layer.core.statuses import (
    DELIVERED_STATUSES,
    INACTIVE_HOUSEHOLD_STATUSES,
    LIVE_ALLOCATION_STATUSES,
    UNCOUNTED_HOUSEHOLD_STATUSES,
)
from data_layer.store.bulk import _identifier as quoted_identifier
from data_layer.store.database import Database
from data_layer.store.dialect import dialect_of
from data_layer.store.queries import Q, run

# The status lists the fact queries take, each query the ones it names.
STATUS_PARAMS: dict[str, list[str]] = {
    "live_statuses": list(LIVE_ALLOCATION_STATUSES),
    "delivered_statuses": list(DELIVERED_STATUSES),
    "uncounted_household_statuses": list(UNCOUNTED_HOUSEHOLD_STATUSES),
    "inactive_household_statuses": list(INACTIVE_HOUSEHOLD_STATUSES),
}

# A step of a refresh beside a table's delete and insert: a named query and the parameters it takes.
Step = tuple[str, dict[str, Any]]


# Each fact table's named queries (sql/queries/monitoring/facts.sql, sql/queries/fairness/facts.sql):
# delete and insert the rows of the pending households (fact_stock_moves, fact_allocation_days: of the
# pending stock lines). Some tables keep totals beside their rows: `before` and `after` run around the
# delete and insert of a catch-up, `after_rebuild` instead of `after` when every row is recomputed.
class FactQueries(NamedTuple):
    delete: str
    insert: str
    before: tuple[Step, ...] = ()
    after: tuple[Step, ...] = ()
    after_rebuild: tuple[Step, ...] | None = None


# The signals' group counts are counted again for every key a pending household had before its
# row was replaced or has now (a household that moves phone changes two phones' counts).
_SIGNAL_COUNTS: tuple[Step, ...] = (
    ("pend_signal_keys", {}),
    ("delete_pending_fact_phone_groups", {}),
    ("insert_pending_fact_phone_groups", {}),
    ("delete_pending_fact_address_groups", {}),
    ("insert_pending_fact_address_groups", {}),
    ("delete_pending_fact_day_groups", {}),
    ("insert_pending_fact_day_groups", {}),
    ("delete_pending_fact_hour_groups", {}),
    ("insert_pending_fact_hour_groups", {}),
    ("clear_pending_signal_keys", {}),
)
# fact_flows: take away what the pending households brought, add what they bring now, sum per key.
_FLOW_TOTALS: tuple[Step, ...] = (
    ("pend_flows_of_pending_households", {"sign": 1}),
    ("pend_stored_flows", {}),
    ("delete_touched_fact_flows", {}),
    ("insert_touched_fact_flows", {}),
    ("clear_pending_flows", {}),
)


FACT_QUERIES: dict[str, FactQueries] = {
    "fact_households": FactQueries(
        "delete_pending_fact_households",
        "insert_fact_households",
    ),
    "fact_waiting": FactQueries("delete_pending_fact_waiting", "insert_fact_waiting"),
    "fact_served_by": FactQueries(
        "delete_pending_fact_served_by",
        "insert_fact_served_by",
    ),
    "fact_deliveries_done": FactQueries(
        "delete_pending_fact_deliveries_done",
        "insert_fact_deliveries_done",
    ),
    "fact_stock_moves": FactQueries(
        "delete_pending_fact_stock_moves",
        "insert_fact_stock_moves",
    ),
    # The fairness views' facts (migration 0140, data_layer/monitoring/signals.py and baskets.py).
    "fact_signal_households": FactQueries(
        "delete_pending_fact_signal_households",
        "insert_fact_signal_households",
        before=(("pend_signal_keys", {}),),
        after=_SIGNAL_COUNTS,
        after_rebuild=(("delete_all_fact_signal_groups", {}), *_SIGNAL_COUNTS),
    ),
    "fact_flow_households": FactQueries(
        "delete_pending_fact_flow_households",
        "insert_fact_flow_households",
        before=(("pend_flows_of_pending_households", {"sign": -1}),),
        after=_FLOW_TOTALS,
        after_rebuild=(("delete_all_fact_flows", {}), ("insert_all_fact_flows", {})),
    ),
    "fact_delivery_times": FactQueries(
        "delete_pending_fact_delivery_times",
        "insert_fact_delivery_times",
    ),
    "fact_allocation_days": FactQueries(
        "delete_pending_fact_allocation_days",
        "insert_fact_allocation_days",
    ),
}
ALL_FACTS = frozenset(FACT_QUERIES)
# Facts of stock lines: recomputed for the stock lines the pending households drew on.
DONATION_FACTS = frozenset({"fact_stock_moves", "fact_allocation_days"})
# Tables derived from a fact table by its `after` steps (no rows of their own per household), checked by facts_drift.
DERIVED_FACTS = ("fact_flows", "fact_phone_groups", "fact_address_groups", "fact_day_groups", "fact_hour_groups")
# The fact tables each kind of audited write can change (kinds from list_audited_kinds_since).
# A household's own row can change anything of it (governorate, campaign, status), unless the
# household is new: then nothing else of it exists yet. Catching up one new household then
# refreshes four tables instead of nine.
FACTS_CHANGED_BY: dict[str, frozenset[str]] = {
    "new_household": frozenset({"fact_households", "fact_waiting", "fact_signal_households", "fact_flow_households"}),
    "households": ALL_FACTS,
    "needs": frozenset({"fact_waiting", "fact_flow_households"}),
    "allocations": frozenset({"fact_waiting", "fact_stock_moves", "fact_flow_households", "fact_allocation_days"}),
    "deliveries": frozenset({"fact_households", "fact_served_by", "fact_deliveries_done", "fact_delivery_times"}),
}


class FactGroup(NamedTuple):
    """Fact tables caught up together, behind one watermark (the last audit row they reflect)."""

    tables: frozenset[str]
    get_audit_id: str
    set_audit_id: str
    count_unreflected: str
    memo_key: str


FAIRNESS_FACTS = frozenset(
    {"fact_signal_households", "fact_flow_households", "fact_delivery_times", "fact_allocation_days"}
)
# The dashboard's facts and the fairness views' facts keep watermarks of their own: a save is
# caught up by the next read of each, so the dashboard never waits on the fairness tables.
DASHBOARD = FactGroup(
    ALL_FACTS - FAIRNESS_FACTS,
    "get_facts_audit_id",
    "set_facts_audit_id",
    "count_unreflected_audit_rows",
    "facts_current_at_commit",
)
FAIRNESS = FactGroup(
    FAIRNESS_FACTS,
    "get_fairness_facts_audit_id",
    "set_fairness_facts_audit_id",
    "count_unreflected_audit_rows_for_fairness",
    "fairness_facts_current_at_commit",
)
GROUPS = (DASHBOARD, FAIRNESS)


def refresh_facts(cur: Any, group: FactGroup = DASHBOARD) -> None:
    """In the caller's transaction: recompute the group's fact rows of everything audited since its watermark."""
    audit_id = run(cur, group.get_audit_id)
    rebuild = audit_id is None
    if rebuild:
        stale = group.tables
        run(cur, "pend_all_households")
    else:
        kinds = [row["kind"] for row in run(cur, "list_audited_kinds_since", {"audit_id": audit_id})]
        stale = frozenset().union(*(FACTS_CHANGED_BY[kind] for kind in kinds)) & group.tables
        if stale:
            run(cur, "pend_households_touched_since", {"audit_id": audit_id})
    if stale:
        if stale & DONATION_FACTS:
            run(cur, "pend_donations_of_pending_households")
        for table, queries in FACT_QUERIES.items():
            if table in stale:
                _recompute(cur, queries, rebuild=rebuild)
        run(cur, "clear_facts_pending")
    run(cur, group.set_audit_id)


def _recompute(cur: Any, queries: FactQueries, *, rebuild: bool) -> None:
    """Replace the pending rows of one table; `rebuild`: every row is pending (totals summed afresh)."""
    if not rebuild:
        _steps(cur, queries.before)
    run(cur, queries.delete)
    run(cur, queries.insert, _status_params(Q.get(queries.insert).sql))
    after = queries.after_rebuild if rebuild and queries.after_rebuild is not None else queries.after
    _steps(cur, after)


def _steps(cur: Any, steps: tuple[Step, ...]) -> None:
    for name, params in steps:
        run(cur, name, params or None)


def _status_params(sql: str) -> dict[str, list[str]]:
    # DuckDB refuses parameters a statement does not use.
    return {name: value for name, value in STATUS_PARAMS.items() if f"${name}" in sql}


def mark_facts_stale(cur: Any) -> None:
    """For bulk loads that write no audit row per record: the next refresh of each group rebuilds everything."""
    run(cur, "mark_facts_stale")


def ensure_facts_current(db: Database, group: FactGroup = DASHBOARD) -> None:
    """Refresh the group's facts if anything was committed since they were last found current.

    Only this process writes the file (DuckDB), so when no transaction has committed through `db`
    since the last check, nothing is asked of the database at all: dashboard reruns stay free."""
    commits = db.commits  # read first: a commit racing this check makes the next call look again
    if db.memo.get(group.memo_key) == commits:
        return
    with closing(db.cursor()) as cur:
        behind = run(cur, group.count_unreflected) != 0
    if behind:
        with db.transaction() as cur:
            refresh_facts(cur, group)
    db.memo[group.memo_key] = commits


def ensure_fairness_facts_current(db: Database) -> None:
    """`ensure_facts_current` for the facts the signals and basket views read (migration 0140)."""
    ensure_facts_current(db, FAIRNESS)


def _run_on_table(cur: Any, name: str, table: str) -> Any:
    """Run a drift query written once for every fact table (:exec or :scalar): the words
    `fact_table` and `stored_fact_table` of its text become `table`'s name and its copy's, quoted."""
    query = Q.get(name)
    names = {"fact_table": quoted_identifier(table), "stored_fact_table": quoted_identifier("stored_" + table)}
    sql = re.sub(r"\b(stored_fact_table|fact_table)\b", lambda m: names[m.group(1)], query.sql_for(dialect_of(cur)))
    result = cur.execute(sql)
    return result.fetchall()[0][0] if query.shape == "scalar" else None


def facts_drift(db: Database) -> dict[str, int]:
    """Rows that differ, per fact table, between the stored facts and a recomputation from scratch."""
    for group in GROUPS:
        ensure_facts_current(db, group)  # facts not yet refreshed after a write are behind, not wrong
    drift: dict[str, int] = {}
    # A transaction that is rolled back: the pending lists it fills are never committed.
    with db.write_lock, closing(db.cursor()) as cur:
        cur.execute("BEGIN TRANSACTION")
        try:
            for table in (*FACT_QUERIES, *DERIVED_FACTS):
                _run_on_table(cur, "set_aside_fact_table", table)
            run(cur, "pend_all_households")
            run(cur, "pend_all_donations")
            for table, queries in FACT_QUERIES.items():
                _recompute(cur, queries, rebuild=True)
                drift[table] = _run_on_table(cur, "count_fact_table_drift", table)
            for table in DERIVED_FACTS:
                drift[table] = _run_on_table(cur, "count_fact_table_drift", table)
        finally:
            cur.execute("ROLLBACK")
    return drift


def run_facts_command(db: Database, *, rebuild: bool) -> int:
    """`facts [--rebuild]`: report rows out of step per fact table (exit 1 if any), after a rebuild if asked."""
    if rebuild:
        started = time.perf_counter()
        with db.transaction() as cur:
            mark_facts_stale(cur)
            for group in GROUPS:
                refresh_facts(cur, group)
        print(f"Dashboard facts rebuilt in {time.perf_counter() - started:.1f} s.")
    drift = facts_drift(db)
    for table, rows in drift.items():
        print(f"{table}: {'in step' if rows == 0 else f'{rows} differing rows'}")
    if any(drift.values()):
        print("Run `facts --rebuild` to recompute them.")
        return 1
    return 0
