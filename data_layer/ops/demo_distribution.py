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
from data_layer.distribution.allocation import suggest_allocations
from data_layer.monitoring.facts import mark_facts_stale
from data_layer.store.audit import write_audit
from data_layer.store.database import Database

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

    cur = db.cursor()
    try:
        line_org = cur.execute("SELECT id, organisation_id FROM donations").df().set_index("id")["organisation_id"]
        households = (
            cur.execute("SELECT id, governorate_code, CAST(created_at AS DATE) AS created_on FROM households")
            .df()
            .set_index("id")
        )
        volunteers = cur.execute(
            "SELECT id, governorate_code, user_id FROM volunteers WHERE status = 'active' ORDER BY id"
        ).df()
        organiser = cur.execute("SELECT min(id) FROM users WHERE role = 'organiser'").fetchall()[0][0]
    finally:
        cur.close()

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
                states == "failed", np.array(FAILURE_REASONS, dtype=object)[rng.integers(0, 4, count)], None
            ),
            "confirmation_code": pd.Series(rng.integers(0, 1_000_000, count)).astype(str).str.zfill(6),
            "confirmation_method": np.where(is_confirmed, method, None),
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
        if cur.execute("SELECT count(*) FROM deliveries").fetchall()[0][0] > 0:
            return 0
        cur.register("demo_deliveries", deliveries)
        cur.register("demo_allocations", allocations)
        cur.execute(
            "INSERT INTO deliveries (id, household_id, organisation_id, volunteer_id, planned_on, status, "
            "failure_reason, confirmation_code, confirmation_method, confirmed_by, confirmed_at, "
            "delivered_at, created_at, updated_at) SELECT id, household_id, organisation_id, volunteer_id, "
            "planned_on, status, failure_reason, confirmation_code, confirmation_method, confirmed_by, "
            "confirmed_at, delivered_at, created_at, updated_at FROM demo_deliveries"
        )
        cur.execute(
            "INSERT INTO allocations (id, donation_id, need_id, household_id, delivery_id, quantity, status, "
            "created_at, updated_at) SELECT id, donation_id, need_id, household_id, delivery_id, quantity, "
            "status, created_at, created_at FROM demo_allocations"
        )
        cur.unregister("demo_deliveries")
        cur.unregister("demo_allocations")
        cur.execute(f"SELECT max(nextval('seq_deliveries')) FROM range({count})")
        cur.execute(f"SELECT max(nextval('seq_allocations')) FROM range({len(allocations)})")
        cur.execute(
            "UPDATE needs SET status = 'covered' WHERE status = 'open' AND quantity <= "
            "(SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.need_id = needs.id "
            "AND a.status IN ('allocated', 'delivered', 'confirmed'))"
        )
        cur.execute(
            "UPDATE households SET status = 'served' WHERE status IN ('registered', 'verified') AND id IN "
            "(SELECT household_id FROM deliveries WHERE status = 'confirmed')"
        )
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
