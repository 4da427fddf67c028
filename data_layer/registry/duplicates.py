"""Duplicate beneficiaries across associations: refused repeats of a national ID, and likely
duplicates without an ID match (same phone, or a very similar name in the same delegation).

Organisers decide: merge (both rows stay; the one merged away gets status 'merged' and its
open needs move to the one kept, every step audited) or dismiss. A decided pair is not
proposed again.
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.statuses import INACTIVE_HOUSEHOLD_STATUSES
from data_layer.core.validation import fold
from data_layer.store.audit import write_audit
from data_layer.store.database import Database
from data_layer.store.queries import run

# token_sort_ratio from 0 to 100: 90 catches "Mohamed Ben Ali" / "Mohammed Ben Ali" and word swaps.
NAME_SIMILARITY = 90
MAX_PAIRS = 500
PAIR_COLUMNS = [
    "household_id",
    "other_household_id",
    "reason",
    "similarity",
    "full_name",
    "other_full_name",
    "phone",
    "other_phone",
    "delegation",
    "organisation",
    "other_organisation",
]


def _require_organiser(actor: Actor) -> None:
    if not actor.sees_all_organisations:
        raise PermissionDenied()


def list_duplicate_reports(db: Database, actor: Actor, status: str | None = "open") -> pd.DataFrame:
    """National IDs registered again and refused at entry (the foundation writes these)."""
    _require_organiser(actor)
    with db.reading() as cur:
        return run(cur, "list_duplicate_reports", {"status": status})


def _name_key(name: str) -> str:
    # Fold each word (accents, Arabic letter variants, case) but keep word order for token_sort.
    return " ".join(fold(word) for word in str(name).split())


def find_likely_duplicates(
    db: Database, actor: Actor, *, threshold: int = NAME_SIMILARITY, limit: int = MAX_PAIRS
) -> pd.DataFrame:
    """Pairs of live households with the same phone or a very similar name in one delegation, with the reason."""
    _require_organiser(actor)
    with db.reading() as cur:
        people = run(cur, "list_households_for_duplicate_matching", {"inactive": list(INACTIVE_HOUSEHOLD_STATUSES)})
        reviewed = {(r["household_id"], r["other_household_id"]) for r in run(cur, "list_decided_duplicate_pairs")}
    pairs: dict[tuple[int, int], tuple[str, float]] = {}
    with_phone = people[people["phone"].notna() & (people["phone"] != "")]
    for ids in with_phone.groupby("phone")["id"].apply(list):
        for a, b in combinations(sorted(ids), 2):
            pairs[(a, b)] = ("same_phone", 100.0)
    people["name_key"] = people["full_name"].map(_name_key)
    for _, group in people.groupby(["governorate_code", "delegation"], sort=False):
        if len(group) < 2:
            continue
        names = group["name_key"].tolist()
        scores = process.cdist(
            names, names, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, dtype=np.uint8, workers=1
        )
        ids = group["id"].to_numpy()
        for i, j in zip(*np.nonzero(np.triu(scores, k=1))):
            key = (int(min(ids[i], ids[j])), int(max(ids[i], ids[j])))
            pairs.setdefault(key, ("similar_name", float(scores[i, j])))
    rows = [(a, b, reason, score) for (a, b), (reason, score) in pairs.items() if (a, b) not in reviewed]
    if not rows:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    frame = pd.DataFrame(rows, columns=["household_id", "other_household_id", "reason", "similarity"])
    frame = frame.sort_values(["reason", "similarity", "household_id"], ascending=[True, False, True]).head(limit)
    info = people.set_index("id")
    for prefix, column in (("", "household_id"), ("other_", "other_household_id")):
        for field in ("full_name", "phone", "organisation"):
            frame[prefix + field] = info[field].reindex(frame[column]).to_numpy()
    frame["delegation"] = info["delegation"].reindex(frame["household_id"]).to_numpy()
    return frame[PAIR_COLUMNS].reset_index(drop=True)


def _ordered(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise JesrError("distribution.error.same_household")
    return (a, b) if a < b else (b, a)


def dismiss_pair(
    db: Database, actor: Actor, household_id: int, other_household_id: int, reason: str, note: str | None = None
) -> int:
    """Record that two households are different people; the pair is not proposed again."""
    _require_organiser(actor)
    low, high = _ordered(int(household_id), int(other_household_id))
    with db.transaction() as cur:
        return _record_decision(cur, actor, "dismiss_duplicate", (low, high), reason, "dismissed", None, note)


def _record_decision(
    cur: Any,
    actor: Actor,
    action: str,
    pair: tuple[int, int],
    reason: str,
    decision: str,
    kept_household_id: int | None,
    note: str | None,
) -> int:
    """One organiser's decision on a pair, audited; the pair is not proposed again."""
    values = {
        "household_id": pair[0],
        "other_household_id": pair[1],
        "reason": reason,
        "decision": decision,
        "kept_household_id": kept_household_id,
        "note": note,
        "decided_by": actor.user_id,
    }
    review_id = run(cur, "insert_duplicate_pair_review", values)
    write_audit(cur, actor, action, "duplicate_reviews", review_id, after=values)
    return review_id


def merge_households(
    db: Database, actor: Actor, keep_id: int, merge_id: int, reason: str, note: str | None = None
) -> int:
    """Merge `merge_id` into `keep_id`, keeping both rows and every history.

    The merged-away household gets status 'merged'; each of its open needs moves to the kept
    household (a new need there, the old one cancelled) unless the kept household already has
    that category, in which case it is only cancelled. Its allocations and deliveries stay where
    they happened; `duplicate_reviews` points it at the household kept.
    """
    _require_organiser(actor)
    low, high = _ordered(int(keep_id), int(merge_id))
    with db.transaction() as cur:
        keep = run(cur, "get_household", {"id": keep_id})
        gone = run(cur, "get_household", {"id": merge_id})
        if keep is None or gone is None:
            raise NotFound()
        if "merged" in (keep["status"], gone["status"]):
            raise JesrError("distribution.error.already_merged")
        kept_categories = {
            need["category_code"]
            for need in run(cur, "list_needs_to_merge", {"household_id": keep_id})
            if need["status"] != "cancelled"
        }
        for need in run(cur, "list_needs_to_merge", {"household_id": merge_id}):
            if need["status"] != "open":
                continue
            moved_to = None
            if need["category_code"] not in kept_categories:
                moved = {
                    "household_id": keep_id,
                    "category_code": need["category_code"],
                    "quantity": need["quantity"],
                    "unit": need["unit"],
                    "urgency": need["urgency"],
                }
                moved_to = run(cur, "insert_need", moved)  # a new need is open
                write_audit(
                    cur,
                    actor,
                    "insert",
                    "needs",
                    moved_to,
                    after={**moved, "status": "open", "moved_from_need": need["id"]},
                )
                kept_categories.add(need["category_code"])
            run(cur, "cancel_merged_need", {"id": need["id"]})
            write_audit(
                cur,
                actor,
                "merge_cancel",
                "needs",
                need["id"],
                before={"status": need["status"]},
                after={"status": "cancelled", "moved_to_need": moved_to},
            )
        run(cur, "set_household_status", {"id": merge_id, "status": "merged"})
        write_audit(
            cur,
            actor,
            "merge",
            "households",
            merge_id,
            before={"status": gone["status"]},
            after={"status": "merged", "merged_into": keep_id},
        )
        review_id = _record_decision(cur, actor, "merge", (low, high), reason, "merged", keep_id, note)
        write_audit(cur, actor, "merge_keep", "households", keep_id, after={"absorbed_household": merge_id})
    return review_id


def close_report(db: Database, actor: Actor, report_id: int, status: str = "dismissed") -> None:
    """Mark a refused repeat registration as dealt with."""
    _require_organiser(actor)
    if status not in ("merged", "dismissed"):
        raise JesrError("error.choice", choices="merged, dismissed")
    with db.transaction() as cur:
        before = run(cur, "get_duplicate_report", {"id": report_id})
        if before is None:
            raise NotFound()
        run(cur, "set_duplicate_report_decision", {"id": report_id, "status": status})
        write_audit(cur, actor, "review", "duplicate_reports", report_id, before=before, after={"status": status})
