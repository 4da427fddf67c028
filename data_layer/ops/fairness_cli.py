"""The fairness sub-commands of `campaigns`: limits per household, basket equivalents, the campaign's
fairness figures (docs/fairness.md)."""

from __future__ import annotations

import argparse

from data_layer.core.actor import SYSTEM
from data_layer.store.database import Database

COMMANDS = ("limit", "unlimit", "basket", "fairness")


def add_parsers(campaigns_sub: argparse._SubParsersAction) -> None:
    limit = campaigns_sub.add_parser("limit", help="set how often or how much a household may receive of a category")
    limit.add_argument("id", type=int, help="the campaign")
    limit.add_argument("category", help="category code, e.g. food")
    limit.add_argument("--period-days", required=True, help="the rolling period, in days (1-366)")
    limit.add_argument("--max-times", help="needs served at most, in the period")
    limit.add_argument("--max-quantity", help="quantity at most, in the period (cash: the campaign's currency)")
    unlimit = campaigns_sub.add_parser("unlimit", help="lift a campaign's limit for a category")
    unlimit.add_argument("id", type=int)
    unlimit.add_argument("category")
    basket = campaigns_sub.add_parser("basket", help="say what one household basket is worth in a category and unit")
    basket.add_argument("id", type=int)
    basket.add_argument("category")
    basket.add_argument("unit")
    basket.add_argument("--quantity", required=True, help="this quantity of the unit ...")
    basket.add_argument("--baskets", required=True, help="... counts as this many baskets")
    fairness = campaigns_sub.add_parser("fairness", help="a campaign's limits, baskets per governorate and signals")
    fairness.add_argument("id", type=int)
    fairness.add_argument("-o", "--output", help="also write every flow in native units and baskets to this CSV")


def run_command(db: Database, args: argparse.Namespace) -> int:
    from data_layer.distribution.limits import list_limits, remove_limit, set_limit
    from data_layer.monitoring.baskets import basket_view, baskets_by_governorate, set_basket_equivalent
    from data_layer.monitoring.signals import signal_summary

    if args.campaigns_command == "limit":
        raw = {"period_days": args.period_days, "max_times": args.max_times, "max_quantity": args.max_quantity}
        set_limit(db, SYSTEM, args.id, args.category, raw)
        print(f"Campaign #{args.id}: limit on {args.category} set.")
    elif args.campaigns_command == "unlimit":
        remove_limit(db, SYSTEM, args.id, args.category)
        print(f"Campaign #{args.id}: no more limit on {args.category}.")
    elif args.campaigns_command == "basket":
        set_basket_equivalent(db, SYSTEM, args.id, args.category, args.unit, args.quantity, args.baskets)
        print(f"Campaign #{args.id}: {args.quantity} {args.unit} of {args.category} = {args.baskets} basket(s).")
    else:
        limits = list_limits(db, args.id)
        print("Limits per household:")
        print(limits.drop(columns=["campaign_name"]).to_string(index=False) if len(limits) else "  none")
        print("\nIn baskets, per governorate:")
        totals = baskets_by_governorate(db, SYSTEM, args.id)
        print(totals.to_string(index=False) if len(totals) else "  nothing yet")
        print("\nSignals (groups and records per governorate):")
        summary = signal_summary(db, SYSTEM)
        print(summary.to_string(index=False) if len(summary) else "  none")
        if args.output:
            basket_view(db, SYSTEM, args.id).to_csv(args.output, index=False)
            print(f"\nWrote {args.output}.")
    return 0
