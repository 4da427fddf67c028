"""The fairness views at scale: every signal, the observers' summary, the basket views and the
projection, timed on a copy of a benchmark demo database against the dashboard's own query set
timed on the same copy at the same moment (the budget).

    .venv/bin/python -m bench.fairness [--households 1000000]

reuses bench/work/demo_N.duckdb when `bench.run` built it (else builds it), writes
bench/fairness.json and prints the figures. `bench.run` calls `measure` for every size.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench import datasets, inprocess, queries
from data_layer.core.actor import SYSTEM, Actor
from data_layer.ops.bootstrap import open_database
from data_layer.store.database import Database

OUT = Path(__file__).resolve().parent / "fairness.json"


def _best_of(fn: Any, repeat: int) -> float:
    return queries._best_of(fn, repeat)[0]


def _prepare(db: Database) -> int:
    """The demo campaign's basket equivalents and a food limit, as an organiser would set them."""
    from data_layer.distribution.limits import set_limit
    from data_layer.monitoring.baskets import set_basket_equivalent

    cur = db.cursor()
    try:
        campaign_id = int(cur.execute("SELECT min(id) FROM campaigns").fetchone()[0])
    finally:
        cur.close()
    for category, unit, quantity, baskets in (
        ("food", "basket", "1", "1"),
        ("cash", "TND", "60", "1"),
        ("hygiene", "kit", "1", "0.3"),
        ("medicine", "box", "1", "0.5"),
    ):
        set_basket_equivalent(db, SYSTEM, campaign_id, category, unit, quantity, baskets)
    set_limit(db, SYSTEM, campaign_id, "food", {"period_days": 14, "max_times": 1})
    return campaign_id


def measure(db: Database, organiser: Actor, observer: Actor, repeat: int = 3) -> dict[str, Any]:
    """Best-of-`repeat` seconds of each fairness view, and of the dashboard's query set beside them."""
    from data_layer.monitoring.baskets import basket_view, baskets_by_governorate
    from data_layer.monitoring.projection import shortfall_projection
    from data_layer.monitoring.signals import SIGNALS, signal_list, signal_summary

    campaign_id = _prepare(db)
    signals = {s: _best_of(lambda s=s: signal_list(db, organiser, s), repeat) for s in SIGNALS}
    found = {s: int(len(signal_list(db, organiser, s))) for s in SIGNALS}
    views = {
        "signal_summary_observer": _best_of(lambda: signal_summary(db, observer), repeat),
        "basket_view": _best_of(lambda: basket_view(db, organiser, campaign_id), repeat),
        "basket_view_observer": _best_of(lambda: basket_view(db, observer, campaign_id), repeat),
        "baskets_by_governorate": _best_of(lambda: baskets_by_governorate(db, organiser, campaign_id), repeat),
        "shortfall_projection": _best_of(lambda: shortfall_projection(db, organiser, campaign_id), repeat),
    }
    dashboard_s = _best_of(lambda: queries.duckdb_set(db), repeat)
    signals_s = sum(signals.values())
    baskets_s = views["basket_view"] + views["baskets_by_governorate"] + views["shortfall_projection"]
    return {
        "signals_s": signals,
        "signal_groups_found": found,
        "views_s": views,
        "all_signals_s": signals_s,
        "basket_views_s": baskets_s,
        "dashboard_queries_s": dashboard_s,
        "signals_over_dashboard": signals_s / dashboard_s,
        "baskets_over_dashboard": baskets_s / dashboard_s,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    source = datasets.WORK / f"demo_{args.households}.duckdb"
    if not source.exists():
        print(f"building {source.name}", file=sys.stderr)
        source, _ = datasets.build_database(args.households)
    copy = datasets.copy_database(source, f"fairness_{args.households}.duckdb")
    started = time.perf_counter()
    db = open_database(copy)
    try:
        result = measure(db, inprocess.actor(db, "organiser"), inprocess.actor(db, "observer"))
    finally:
        db.close()
        copy.unlink(missing_ok=True)
        Path(str(copy) + ".wal").unlink(missing_ok=True)
    result["households"] = args.households
    result["total_s"] = time.perf_counter() - started
    OUT.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
