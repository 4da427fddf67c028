"""`make bench` (python -m bench.run): Jesr at 10,000, 100,000 and 1,000,000 households.

Builds each demo database once (bench/work/, gitignored), runs every measurement on it, and
writes bench/results.json and the table in bench/RESULTS.md. BENCH_SIZES=10000,100000 shortens
a run; BENCH_SESSIONS=10,50 and BENCH_SESSION_SECONDS=40 bound the load test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench import datasets, fairness, inprocess, queries, sessions
from bench.report import write_markdown
from data_layer.ops.bootstrap import open_database

HERE = Path(__file__).resolve().parent
DEFAULT_SIZES = [10_000, 100_000, 1_000_000]
IMPORT_ROWS = 100_000


def _sizes() -> list[int]:
    raw = os.environ.get("BENCH_SIZES")
    return sorted(int(s) for s in raw.split(",")) if raw else DEFAULT_SIZES


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def guarded(results: dict[str, Any], key: str, fn: Any) -> Any:
    """Run one measurement; a failure is recorded in the results instead of ending the run."""
    try:
        value = fn()
    except Exception as exc:  # noqa: BLE001 - the report says what failed
        log(f"{key} FAILED: {exc!r}")
        results.setdefault("failures", {})[key] = "".join(traceback.format_exception_only(exc)).strip()
        traceback.print_exc()
        return None
    results[key] = value
    return value


def measure_size(households: int, results: dict[str, Any]) -> Path:
    log(f"building the {households:,}-household demo database")
    path, build_s = datasets.build_database(households)
    size = results["sizes"].setdefault(str(households), {})
    size["build_s"] = build_s
    size["file_mb"] = path.stat().st_size / 1e6
    db = open_database(path)
    try:
        cur = db.cursor()
        size["rows"] = dict(
            zip(
                ["households", "needs", "open_needs", "donations", "allocations", "deliveries"],
                cur.execute(
                    "SELECT (SELECT count(*) FROM households), (SELECT count(*) FROM needs), "
                    "(SELECT count(*) FROM needs WHERE status = 'open'), (SELECT count(*) FROM donations), "
                    "(SELECT count(*) FROM allocations), (SELECT count(*) FROM deliveries)"
                ).fetchone(),
            )
        )
        cur.close()
        organiser = inprocess.actor(db, "organiser")
        association = inprocess.actor(db, "atss")
        log("dashboard queries: DuckDB, SQLite, pandas")
        guarded(size, "queries", lambda: queries.measure(db, datasets.WORK / f"demo_{households}.sqlite"))
        (datasets.WORK / f"demo_{households}.sqlite").unlink(missing_ok=True)
        log("allocation proposal")
        guarded(size, "allocation", lambda: inprocess.allocation(db, organiser))
    finally:
        db.close()
    log("dashboard page under AppTest")
    guarded(size, "page", lambda: inprocess.page_render(path, organiser))
    # On a copy: the measurement sets a campaign's basket equivalents and a limit.
    fairness_path = datasets.copy_database(path, f"fairness_{households}.duckdb")
    db = open_database(fairness_path)
    try:
        log("fairness: signals, basket views, projection")
        guarded(size, "fairness", lambda: fairness.measure(db, organiser, inprocess.actor(db, "observer")))
    finally:
        db.close()
        fairness_path.unlink(missing_ok=True)
    # Data entry last: its 200 households would otherwise count in the other measurements.
    entry_path = datasets.copy_database(path, f"entry_{households}.duckdb")
    db = open_database(entry_path)
    try:
        log("data entry: 200 saves")
        guarded(size, "entry", lambda: inprocess.data_entry(db, association))
    finally:
        db.close()
        entry_path.unlink(missing_ok=True)
    log(f"{households:,}: {json.dumps({k: v for k, v in size.items() if k != 'queries'}, default=str)[:400]}")
    return path


def measure_server(path: Path, households: int, results: dict[str, Any]) -> None:
    counts = [int(c) for c in os.environ.get("BENCH_SESSIONS", "10,50").split(",")]
    seconds = float(os.environ.get("BENCH_SESSION_SECONDS", "40"))
    server = sessions.start_server(path, datasets.WORK / "server.log")
    port = server.port
    log(f"streamlit on 127.0.0.1:{port} with the {households:,}-household database")
    out: dict[str, Any] = {"households": households, "port": port, "runs": {}}
    results["sessions"] = out
    try:
        cookie = sessions.login_cookie("organiser")
        first = sessions.open_main_page(port, cookie)
        out["first_main_page_s"] = first.seconds
        out["rss_after_start_mb"] = server.rss_mb()
        log("one pass over the governorate filter to fill the aggregate caches")
        out["warm_up"] = sessions.warm_filters(port, cookie)
        for count in counts:
            log(f"{count} sessions for up to {seconds:.0f} s")
            guarded(
                out["runs"],
                str(count),
                lambda count=count: sessions.load(
                    port, count, reruns_per_session=max(20, int(seconds * 30 / count)), max_seconds=seconds
                ),
            )
            log(f"{count} sessions: {out['runs'].get(str(count))}")
        out["peak_rss_mb"] = server.peak_rss_mb()
        out["rss_end_mb"] = server.rss_mb()
    finally:
        server.stop()


def main() -> int:
    started = time.perf_counter()
    sizes = _sizes()
    results: dict[str, Any] = {
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_start": os.getloadavg(),
        },
        "sizes": {},
    }
    datasets.WORK.mkdir(parents=True, exist_ok=True)
    largest: Path | None = None
    for households in sizes:
        largest = measure_size(households, results)
    log(f"import of a {IMPORT_ROWS:,}-row households CSV into a copy of the {sizes[0]:,} database")
    csv_path = datasets.households_csv(IMPORT_ROWS)
    guarded(results, "import", lambda: inprocess.import_rate(datasets.WORK / f"demo_{sizes[0]}.duckdb", csv_path))
    log(f"import: {results.get('import')}")
    if largest is not None:
        guarded(results, "sessions_run", lambda: measure_server(largest, sizes[-1], results))
        results.pop("sessions_run", None)
    results["total_s"] = time.perf_counter() - started
    # Other work on the machine skews every timing: record how busy it was.
    results["machine"]["load_average_end"] = os.getloadavg()
    (HERE / "results.json").write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False) + "\n")
    write_markdown(results, HERE / "RESULTS.md")
    log(f"done in {results['total_s']:.0f} s: bench/results.json, bench/RESULTS.md")
    print((HERE / "RESULTS.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
