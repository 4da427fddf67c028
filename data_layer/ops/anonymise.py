"""Anonymisation of people no longer active (Organic Law 2004-63: keep personal data no longer than needed).

Households, volunteers and pledging donors whose last activity is older than a date
lose their name, national ID, phone, address and notes for good: the values are
replaced by placeholders ('ANON', 'ANON-<id>') that no real 8-digit ID can match, so
duplicate checks and validation keep working. Governorates, sizes, needs, quantities
and statuses are untouched, so every aggregate stays the same.

The audit log is append-only everywhere else; here the personal values inside the
before/after of those records' audit rows are replaced too, or the law's erasure
would be undone by the log. The log's hash chain still checks: each changed row keeps the keyed
hash it was chained with and gets the keyed hash of what it holds now (store/chain.py). The
anonymisation itself is audited (counts and ids only).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from typing import Any

import pandas as pd

from data_layer.core.actor import SYSTEM, Actor
from data_layer.core.errors import PermissionDenied, ValidationError
from data_layer.core.personal import PERSONAL_KEYS
from data_layer.core.validation import _Collector, clean_date
from data_layer.monitoring.facts import mark_facts_stale
from data_layer.store.audit import write_audit
from data_layer.store.bulk import run_with_rows
from data_layer.store.chain import seal_erased_rows
from data_layer.store.database import Database
from data_layer.store.queries import run

PLACEHOLDER = "ANON"


@dataclass(frozen=True)
class AnonymisationPlan:
    """Which records are older than the date: what `anonymise` would change."""

    before: dt.date
    households: list[int]
    volunteers: list[int]
    pledges: list[int]

    @property
    def total(self) -> int:
        return len(self.households) + len(self.volunteers) + len(self.pledges)


def plan_anonymisation(db: Database, before: dt.date) -> AnonymisationPlan:
    with db.reading() as cur:

        def ids(name: str) -> list[int]:
            return [int(r["id"]) for r in run(cur, name, {"before": before, "placeholder": PLACEHOLDER})]

        return AnonymisationPlan(
            before,
            ids("list_households_inactive_before"),
            ids("list_volunteers_inactive_before"),
            ids("list_pledges_inactive_before"),
        )


def _scrub(text: str | None) -> str | None:
    if not isinstance(text, str):  # NULL, which a frame may hold as NaN
        return None
    value = json.loads(text)
    if isinstance(value, dict):
        for key in PERSONAL_KEYS:
            if value.get(key) is not None:
                value[key] = PLACEHOLDER
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _scrub_audit(cur: Any, plan: AnonymisationPlan) -> int:
    rows = run(
        cur,
        "list_audit_rows_of_records",
        {"households": plan.households, "volunteers": plan.volunteers, "pledges": plan.pledges},
    )
    if rows.empty:
        return 0
    scrubbed = pd.DataFrame(
        {
            "id": rows["id"],
            "before": rows["before"].map(_scrub),
            "after": rows["after"].map(_scrub),
        }
    )
    # One set-based update: row-by-row updates manage only ~1,500 rows a second.
    run_with_rows(cur, "update_scrubbed_audit_rows", scrubbed, table="scrubbed")
    # The chain keeps each row's hash as written; what the row holds now is sealed beside it.
    seal_erased_rows(cur, [int(i) for i in rows["id"]])
    return len(rows)


def anonymise(db: Database, actor: Actor, before: dt.date) -> AnonymisationPlan:
    """Replace the personal fields of everyone inactive since before `before`; returns what was changed."""
    if actor.role != "admin":
        raise PermissionDenied()
    plan = plan_anonymisation(db, before)
    with db.transaction() as cur:
        run(cur, "anonymise_households", {"ids": plan.households, "placeholder": PLACEHOLDER})
        run(cur, "anonymise_duplicate_reports", {"ids": plan.households, "placeholder": PLACEHOLDER})
        run(cur, "anonymise_volunteers", {"ids": plan.volunteers, "placeholder": PLACEHOLDER})
        run(cur, "anonymise_pledges", {"ids": plan.pledges, "placeholder": PLACEHOLDER})
        run(cur, "clear_public_submission_keys", {"before": before})
        audit_rows = _scrub_audit(cur, plan)
        # One audit row stands for every record changed, so the facts cannot follow it record by
        # record (the fairness facts group households by phone and address): rebuild them.
        mark_facts_stale(cur)
        write_audit(
            cur,
            actor,
            "anonymise",
            "households",
            None,
            after={
                "before": before,
                "households": plan.households,
                "volunteers": plan.volunteers,
                "pledges": plan.pledges,
                "audit_rows_scrubbed": audit_rows,
            },
        )
    return plan


def run_anonymise_command(db: Database, before_text: str, *, assume_yes: bool) -> int:
    """`anonymise --before DATE [--yes]`: say what will change, ask, then do it (exit code)."""
    errs = _Collector()
    before = clean_date(errs, "before", before_text)
    if before is not None and before > dt.date.today():
        errs.add("before", "error.future_date")
    try:
        errs.raise_if_any()
    except ValidationError:
        print(f"Refused: --before must be a past date such as 2021-06-30 (got {before_text!r}).", file=sys.stderr)
        return 1
    assert before is not None
    plan = plan_anonymisation(db, before)
    print(
        f"Last activity before {before.isoformat()}: {len(plan.households)} households, "
        f"{len(plan.volunteers)} volunteers, {len(plan.pledges)} pledges."
    )
    if plan.total == 0:
        print("Nothing to anonymise.")
        return 0
    if not assume_yes:
        print(
            "Their names, national IDs, phones, addresses and notes will be replaced for good. Type yes to go on: ",
            end="",
            flush=True,
        )
        answer = sys.stdin.readline().strip().casefold()
        if answer != "yes":
            print("Nothing was changed.")
            return 1
    done = anonymise(db, SYSTEM, before)
    print(
        f"Anonymised {len(done.households)} households, {len(done.volunteers)} volunteers and "
        f"{len(done.pledges)} pledges; counts, quantities and governorates are unchanged."
    )
    return 0
