"""Demo allocations and deliveries in proportion to the demo needs, deterministic for a seed.

About 60% of open needs get the suggested allocation; deliveries early in the campaign
are mostly confirmed, later ones still planned or on their way, a few failed (their
stock returned) or cancelled. Rows go in as whole DataFrames, like the rest of the demo.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from data_layer.core.actor import SYSTEM
from data_layer.core.statuses import LIVE_ALLOCATION_STATUSES
from data_layer.distribution.allocation import suggest_allocations
from data_layer.monitoring.facts import mark_facts_stale
from data_layer.store.audit import write_audit
from data_layer.store.bulk import advance_sequence, run_with_rows
from data_layer.store.database import Database
from data_layer.store.queries import run

SHARE_ALLOCATED = 0.6
FAILURE_REASONS = ["not_home", "wrong_address", "refused", "vehicle_problem"]
DELIVERY_STATES = ["confirmed", "delivered", "out_for_delivery", "planned", "failed", "cancelled"]
# Probabilities of each state by how early in the campaign the delivery was planned.
EARLY = [0.84, 0.05, 0.02, 0.01, 0.06, 0.02]
MIDDLE = [0.55, 0.15, 0.10, 0.12, 0.06, 0.02]
LATE = [0.12, 0.12, 0.20, 0.48, 0.05, 0.03]
ALLOCATION_STATE = {
    "confirmed": "confirmed",
    "delivered": "delivered",
    "out_for_delivery": "allocated",
    "planned": "allocated",
    "failed": "returned",
    "cancelled": "cancelled",
}


def generate_demo_distribution(db: Database, seed: int, campaign_start: dt.date, campaign_end: dt.date) -> int:
    """Allocate, group into deliveries and advance them through their states; returns deliveries made."""
    rng = np.random.default_rng(seed + 3)
    proposal = suggest_allocations(db, SYSTEM).allocations
    if proposal.empty:
        return 0
    chosen_needs = proposal["need_id"].drop_duplicates().sort_values().to_numpy()
    chosen_needs = chosen_needs[rng.random(len(chosen_needs)) < SHARE_ALLOCATED]
    allocations = proposal[proposal["need_id"].isin(chosen_needs)].sort_values(["need_id", "donation_id"])
    allocations = allocations.reset_index(drop=True)

    with db.reading() as cur:
        line_org = run(cur, "list_donation_organisations").set_index("id")["organisation_id"]
        households = run(cur, "list_households_created_on").set_index("id")
        volunteers = run(cur, "list_active_volunteers")
        organiser = run(cur, "get_first_user_of_role", {"role": "organiser"})

    allocations["organisation_id"] = line_org.reindex(allocations["donation_id"]).to_numpy()
    groups = allocations[["household_id", "organisation_id"]].drop_duplicates().reset_index(drop=True)
    count = len(groups)
    groups["id"] = np.arange(1, count + 1)
    created_on = pd.to_datetime(households["created_on"].reindex(groups["household_id"]).to_numpy())
    planned = created_on + pd.to_timedelta(rng.integers(0, 5, count), unit="D")
    planned = planned.where(planned <= pd.Timestamp(campaign_end), pd.Timestamp(campaign_end))
    day = (planned - pd.Timestamp(campaign_start)).days.to_numpy()
    draw = rng.random(count)
    states = np.empty(count, dtype=object)
    for mask, probs in ((day <= 6, EARLY), ((day > 6) & (day <= 10), MIDDLE), (day > 10, LATE)):
        states[mask] = np.array(DELIVERY_STATES, dtype=object)[
            np.searchsorted(np.cumsum(probs), draw[mask] * 0.999999, side="right")
        ]
    governorates = households["governorate_code"].reindex(groups["household_id"]).to_numpy()
    by_governorate = volunteers.groupby("governorate_code")["id"].apply(list).to_dict()
    volunteer_ids = [
        (lambda pool: pool[int(r * len(pool))] if pool else None)(by_governorate.get(g, []))
        for g, r in zip(governorates, rng.random(count))
    ]
    volunteer_user = volunteers.set_index("id")["user_id"]
    delivered_at = planned + pd.to_timedelta(rng.integers(9 * 3600, 18 * 3600, count), unit="s")
    confirmed_at = delivered_at + pd.to_timedelta(rng.integers(600, 20 * 3600, count), unit="s")
    method = np.where(rng.random(count) < 0.7, "household_code", "association")
    is_done = np.isin(states, ["delivered", "confirmed"])
    is_confirmed = states == "confirmed"
    confirmed_by = [
        (organiser if m == "association" else (volunteer_user.get(v) if v is not None else None)) if c else None
        for m, v, c in zip(method, volunteer_ids, is_confirmed)
    ]
    deliveries = pd.DataFrame(
        {
            "id": groups["id"],
            "household_id": groups["household_id"],
            "organisation_id": groups["organisation_id"],
            "volunteer_id": pd.array(volunteer_ids, dtype="Int64"),
            "planned_on": planned.date,
            "status": states,
            "failure_reason": np.where(
                states == "failed",
                np.array(FAILURE_REASONS, dtype=object)[rng.integers(0, 4, count)],
                np.array(None, dtype=object),
            ),
            "confirmation_code": pd.Series(rng.integers(0, 1_000_000, count)).astype(str).str.zfill(6),
            "confirmation_method": np.where(is_confirmed, method, np.array(None, dtype=object)),
            "confirmed_by": pd.array(confirmed_by, dtype="Int64"),
            "confirmed_at": pd.Series(confirmed_at).where(is_confirmed, None),
            "delivered_at": pd.Series(delivered_at).where(is_done, None),
            "created_at": pd.Series(created_on),
            "updated_at": pd.Series(planned),
        }
    )
    allocations = allocations.merge(
        groups.rename(columns={"id": "delivery_id"}), on=["household_id", "organisation_id"]
    )
    allocations["status"] = pd.Series(states[allocations["delivery_id"].to_numpy() - 1]).map(ALLOCATION_STATE)
    allocations["id"] = np.arange(1, len(allocations) + 1)
    allocations["created_at"] = created_on[allocations["delivery_id"].to_numpy() - 1]

    with db.transaction() as cur:
        if run(cur, "count_deliveries") > 0:
            return 0
        run_with_rows(cur, "insert_demo_deliveries", deliveries)
        run_with_rows(cur, "insert_demo_allocations", allocations)
        advance_sequence(cur, "seq_deliveries", count)
        advance_sequence(cur, "seq_allocations", len(allocations))
        run(cur, "cover_demo_needs", {"live": list(LIVE_ALLOCATION_STATUSES)})
        run(cur, "serve_demo_households")
        mark_facts_stale(cur)  # bulk rows without an audit row each: rebuild the dashboard facts
        write_audit(
            cur,
            SYSTEM,
            "seed_demo",
            "deliveries",
            None,
            after={"seed": seed, "deliveries": count, "allocations": len(allocations)},
        )
    return count
