"""Duplicate beneficiaries across associations: refused repeats of a national ID, and likely
duplicates without an ID match (same phone, or a very similar name in the same delegation).

Organisers decide: merge (both rows stay; the one merged away gets status 'merged' and its
open needs move to the one kept, every step audited) or dismiss. A decided pair is not
proposed again.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from data_layer.core.actor import Actor
from data_layer.core.errors import JesrError, NotFound, PermissionDenied
from data_layer.core.validation import fold
from data_layer.store.audit import row_as_dict, write_audit
from data_layer.store.database import Database
from data_layer.store.queries import Q

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
    cur = db.cursor()
    try:
        return cur.execute(Q.list_duplicate_reports_open, {"status": status}).df()
    finally:
        cur.close()


def _name_key(name: str) -> str:
    # Fold each word (accents, Arabic letter variants, case) but keep word order for token_sort.
    return " ".join(fold(word) for word in str(name).split())


def find_likely_duplicates(
    db: Database, actor: Actor, *, threshold: int = NAME_SIMILARITY, limit: int = MAX_PAIRS
) -> pd.DataFrame:
    """Pairs of live households with the same phone or a very similar name in one delegation, with the reason."""
    _require_organiser(actor)
    cur = db.cursor()
    try:
        people = cur.execute(Q.list_active_households_for_matching).df()
        reviewed = {tuple(r) for r in cur.execute(Q.list_reviewed_pairs).fetchall()}
    finally:
        cur.close()
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
        values = {
            "household_id": low,
            "other_household_id": high,
            "reason": reason,
            "decision": "dismissed",
            "kept_household_id": None,
            "note": note,
            "decided_by": actor.user_id,
        }
        review_id = cur.execute(Q.insert_duplicate_review, values).fetchall()[0][0]
        write_audit(cur, actor, "dismiss_duplicate", "duplicate_reviews", review_id, after=values)
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
        keep = row_as_dict(cur, Q.get_household, {"id": keep_id})
        gone = row_as_dict(cur, Q.get_household, {"id": merge_id})
        if keep is None or gone is None:
            raise NotFound()
        if "merged" in (keep["status"], gone["status"]):
            raise JesrError("distribution.error.already_merged")
        kept_categories = {
            r[1]
            for r in cur.execute(Q.list_needs_for_merge, {"household_id": keep_id}).fetchall()
            if r[5] != "cancelled"
        }
        for need_id, category, quantity, unit, urgency, status in cur.execute(
            Q.list_needs_for_merge, {"household_id": merge_id}
        ).fetchall():
            if status != "open":
                continue
            moved_to = None
            if category not in kept_categories:
                moved = {
                    "household_id": keep_id,
                    "category_code": category,
                    "quantity": quantity,
                    "unit": unit,
                    "urgency": urgency,
                    "status": "open",
                }
                moved_to = cur.execute(Q.insert_need_with_status, moved).fetchall()[0][0]
                write_audit(cur, actor, "insert", "needs", moved_to, after={**moved, "moved_from_need": need_id})
                kept_categories.add(category)
            cur.execute(Q.cancel_need, {"id": need_id})
            write_audit(
                cur,
                actor,
                "merge_cancel",
                "needs",
                need_id,
                before={"status": status},
                after={"status": "cancelled", "moved_to_need": moved_to},
            )
        cur.execute(Q.set_household_status, {"id": merge_id, "status": "merged"})
        write_audit(
            cur,
            actor,
            "merge",
            "households",
            merge_id,
            before={"status": gone["status"]},
            after={"status": "merged", "merged_into": keep_id},
        )
        values = {
            "household_id": low,
            "other_household_id": high,
            "reason": reason,
            "decision": "merged",
            "kept_household_id": keep_id,
            "note": note,
            "decided_by": actor.user_id,
        }
        review_id = cur.execute(Q.insert_duplicate_review, values).fetchall()[0][0]
        write_audit(cur, actor, "merge", "duplicate_reviews", review_id, after=values)
        write_audit(cur, actor, "merge_keep", "households", keep_id, after={"absorbed_household": merge_id})
    return review_id


def close_report(db: Database, actor: Actor, report_id: int, status: str = "dismissed") -> None:
    """Mark a refused repeat registration as dealt with."""
    _require_organiser(actor)
    if status not in ("merged", "dismissed"):
        raise JesrError("error.choice", choices="merged, dismissed")
    with db.transaction() as cur:
        before = row_as_dict(cur, Q.get_duplicate_report_status, {"id": report_id})
        if before is None:
            raise NotFound()
        cur.execute(Q.set_duplicate_report_status, {"id": report_id, "status": status})
        write_audit(cur, actor, "review", "duplicate_reports", report_id, before=before, after={"status": status})
