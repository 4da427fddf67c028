"""The `allocate` command's report: the proposal's totals, optionally FCFS's, saved with --apply."""

from __future__ import annotations

from typing import Any

from data_layer.core.actor import Actor
from data_layer.distribution.allocation.saving import StockChanged, apply_suggestion
from data_layer.distribution.allocation.suggestion import suggest_allocations
from data_layer.store.database import Database


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
