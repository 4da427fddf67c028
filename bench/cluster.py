"""PostgreSQL against the DuckDB file, and two app replicas against one, measured in one run.

`python -m bench.cluster [--households N]` (and the end of `make bench`) builds the same demo
campaign on both backends — a DuckDB file in bench/work/ and a PostgreSQL server of its own in a
temporary directory, with PostgreSQL's fsync and synchronous commit on — then measures:

- the dashboard's query set and each query (best of 3) on both backends;
- the allocation proposal over every open need on both;
- a 100,000-row households import into a copy of each demo database (rows per second);
- the dashboard under websocket sessions: the app on the DuckDB file, then one and two replicas
  on PostgreSQL behind HAProxy (reruns/s, p50/p95, errors, app-server CPU seconds per rerun,
  peak memory per replica);
- public visitors: two processes (the data layers of two replicas), each with half the visitors,
  submitting the aid request form at once for a while, every fifth national ID sent from both.

The machine is shared: compare the ratios of one run, not figures of different runs. Writes
bench/cluster.json and prints it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from bench import datasets, inprocess, sessions
from bench.queries import DASHBOARD_QUERIES, _best_of, _params
from data_layer.ops.bootstrap import open_database
from data_layer.ops.demo import generate_demo
from data_layer.store.database import Database
from data_layer.store.queries import Q, run
from scripts.cluster import Cluster
from tests.pg_server import PostgresServer, start_postgres
from tests.servers import cluster_command, start_cluster, status_mb

HERE = Path(__file__).resolve().parent
DEFAULT_HOUSEHOLDS = 20_000
IMPORT_ROWS = 100_000
SPAWN = multiprocessing.get_context("spawn")


def log(message: str) -> None:
    print(f"[bench.cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def guarded(results: dict[str, Any], key: str, fn: Any) -> Any:
    """One measurement; a failure is recorded and the run goes on."""
    try:
        results[key] = fn()
    except Exception as exc:  # noqa: BLE001 - the results say what failed
        log(f"{key} FAILED: {exc!r}")
        traceback.print_exc()
        results.setdefault("failures", {})[key] = repr(exc)
        return None
    log(f"{key}: {json.dumps(results[key], default=str)[:300]}")
    return results[key]


# --- in one process ------------------------------------------------------------------------------


def query_set(db: Database) -> dict[str, Any]:
    """The dashboard's queries through the named-query runner, the same call on either backend."""

    def every() -> None:
        with db.reading() as cur:
            for name in DASHBOARD_QUERIES:
                sql = getattr(Q, name)
                run(cur, name, _params(sql))

    total, _ = _best_of(every, 3)
    per_query = {}
    with db.reading() as cur:
        for name in DASHBOARD_QUERIES:
            params = _params(getattr(Q, name))
            per_query[name], _ = _best_of(lambda name=name, params=params: run(cur, name, params), 3)
    return {"set_s": total, "per_query_s": per_query}


def import_rows(target: str | Path, csv_path: Path) -> dict[str, Any]:
    from data_layer.core.actor import SYSTEM
    from data_layer.registry.imports import import_file

    db = open_database(target)
    try:
        started = time.perf_counter()
        report = import_file(db, SYSTEM, "households", csv_path, organisation_id=None)
        seconds = time.perf_counter() - started
    finally:
        db.close()
    if report.errors or report.imported != IMPORT_ROWS:
        raise RuntimeError(f"import refused rows: {report.errors[:3]}")
    return {"rows": IMPORT_ROWS, "seconds": seconds, "rows_per_s": IMPORT_ROWS / seconds}


# --- app servers -----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User and system CPU of a process so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dashboard_load(url_port: int, replica_ports: list[int], pids: list[int], count: int, seconds: float) -> dict:
    """Warm each replica directly, then `count` sessions through `url_port` for `seconds`."""
    cookie = sessions.login_cookie("organiser")
    for port in replica_ports:
        sessions.open_main_page(port, cookie)  # app.py once per server (see bench/sessions.py)
        sessions.warm_filters(port, cookie)
    cpu_before = [cpu_seconds(pid) for pid in pids]
    out = sessions.load(url_port, count, reruns_per_session=10_000, max_seconds=seconds)
    cpu = sum(cpu_seconds(pid) for pid in pids) - sum(cpu_before)
    out["server_cpu_s"] = cpu
    out["server_cpu_s_per_rerun"] = cpu / out["reruns"] if out["reruns"] else None
    out["peak_rss_mb_per_replica"] = [status_mb(pid, "VmHWM") for pid in pids]
    return out


def duckdb_dashboard(path: Path, count: int, seconds: float) -> dict:
    server = sessions.start_server(path, datasets.WORK / "cluster_duckdb.log")
    try:
        return dashboard_load(server.port, [server.port], [server.process.pid], count, seconds)
    finally:
        server.stop()


def postgres_dashboard(url: str, replicas: int, count: int, seconds: float) -> dict:
    run_dir = Path(tempfile.mkdtemp(prefix="jesr-bench-cluster-"))
    try:
        start_cluster(run_dir, url, replicas=replicas)
        cluster = Cluster.load(run_dir)
        try:
            pids = [int((run_dir / f"{name}.pid").read_text()) for name in cluster.names()]
            ports = [cluster.port(name) for name in cluster.names()]
            return dashboard_load(cluster.proxy_port, ports, pids, count, seconds)
        finally:
            cluster_command(run_dir, "stop")
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)


# --- public visitors -------------------------------------------------------------------------------


def _visitor_process(url: str, replica: int, visitors: int, seconds: float, start: Any, results: Any) -> None:
    """The data layer of one replica: `visitors` threads sending the aid request form until time is up."""
    from data_layer.core.errors import JesrError
    from data_layer.public.forms import submit_aid_request

    db = open_database(url)
    outcomes: list[tuple[str, str, str]] = []  # (national ID, outcome, reference or code)
    lock = threading.Lock()
    start.wait(timeout=600)
    deadline = time.monotonic() + seconds

    def visit(visitor: int) -> None:
        number = 0
        while time.monotonic() < deadline:
            number += 1
            # Every fifth form of visitor v carries an ID the same visitor of the other replica also sends;
            # IDs start with 0, a range the demo never uses.
            repeat = number % 5 == 0
            national_id = f"00{visitor:02d}{number:04d}" if repeat else f"0{replica}{visitor:02d}{number:04d}"
            raw = {
                "national_id": national_id,
                "full_name": "Zeineb Public",
                "phone": f"2{replica}{visitor:02d}{number:04d}"[:8],
                "governorate": "TN-11",
                "delegation": "Bab Souika",
                "address": "نهج 1",
                "household_size": 3,
                "vulnerabilities": [],
                "needs": [{"category": "food", "quantity": 1}],
            }
            # A visitor's address per form: the daily limit per address is not what is measured.
            client = f"10.{replica}.{visitor}.{number % 250}"
            try:
                receipt = submit_aid_request(db, raw, client=client, consent_given=True, lang="ar")
                outcome = ("saved", receipt.reference)
            except JesrError as exc:
                outcome = ("refused", exc.code)
            except Exception as exc:  # noqa: BLE001 - counted as lost
                outcome = ("error", repr(exc))
            with lock:
                outcomes.append((raw["national_id"], *outcome))

    threads = [threading.Thread(target=visit, args=(v,)) for v in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.close()
    results.put(outcomes)


def public_visitors(url: str, visitors: int, seconds: float) -> dict[str, Any]:
    start, results = SPAWN.Barrier(2), SPAWN.Queue()
    half = visitors // 2
    processes = [
        SPAWN.Process(target=_visitor_process, args=(url, replica, half, seconds, start, results)) for replica in (1, 2)
    ]
    for process in processes:
        process.start()
    outcomes = [o for _ in processes for o in results.get(timeout=seconds + 600)]
    for process in processes:
        process.join(timeout=60)
    saved = [o for o in outcomes if o[1] == "saved"]
    sent = [o[0] for o in saved if o[0].startswith("00")]
    sent_twice = sorted({nid for nid in sent if sent.count(nid) == 2})
    db = open_database(url)
    try:
        with db.reading() as cur:
            references = {
                row[0]
                for row in cur.execute(
                    "SELECT reference FROM public_receipts WHERE reference = ANY($refs)",
                    {"refs": [o[2] for o in saved]},
                ).fetchall()
            }
            per_id = {
                row[0]: (row[1], row[2])
                for row in cur.execute(
                    "SELECT h.national_id, count(*), "
                    "(SELECT count(*) FROM duplicate_reports d WHERE d.national_id = h.national_id) "
                    "FROM households h WHERE h.national_id = ANY($ids) GROUP BY h.national_id",
                    {"ids": sent_twice},
                ).fetchall()
            }
    finally:
        db.close()
    return {
        "visitors": visitors,
        "seconds": seconds,
        "forms": len(outcomes),
        "forms_per_s": len(outcomes) / seconds,
        "saved": len(saved),
        "refused": sorted({o[2] for o in outcomes if o[1] == "refused"}),
        "errors": [o[2] for o in outcomes if o[1] == "error"][:5],
        "lost": len(saved) - len(references),
        "repeated_ids": len(sent_twice),
        "repeated_ids_one_household_one_report": sum(per_id.get(nid) == (1, 1) for nid in sent_twice),
    }


# --- the run ---------------------------------------------------------------------------------------


def build_postgres(server: PostgresServer, households: int) -> tuple[str, float]:
    server.psql("CREATE DATABASE demo")
    url = server.url("demo")
    started = time.perf_counter()
    db = open_database(url)
    try:
        generate_demo(db, households=households, seed=datasets.SEED)
    finally:
        db.close()
    return url, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=DEFAULT_HOUSEHOLDS)
    parser.add_argument("--sessions", type=int, default=10, help="websocket sessions on the dashboard")
    parser.add_argument("--seconds", type=float, default=20, help="how long each dashboard load runs")
    parser.add_argument("--visitors", type=int, default=20, help="public visitors, split over two replicas")
    parser.add_argument("--visitor-seconds", type=float, default=20)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "started_at": dt.datetime.now().isoformat(timespec="seconds"),
        "households": args.households,
        "sessions": args.sessions,
        "load_average_start": os.getloadavg(),
    }
    log(f"DuckDB demo of {args.households:,} households")
    duck_path, results["duckdb_build_s"] = datasets.build_database(args.households)
    server = start_postgres(durable=True)
    try:
        log("PostgreSQL demo of the same campaign")
        pg_url, results["postgres_build_s"] = build_postgres(server, args.households)
        for backend, target in (("duckdb", duck_path), ("postgres", pg_url)):
            db = open_database(target)
            try:
                organiser = inprocess.actor(db, "organiser")
                guarded(results, f"{backend}_queries", lambda db=db: query_set(db))
                guarded(results, f"{backend}_allocation", lambda db=db, o=organiser: inprocess.allocation(db, o))
            finally:
                db.close()
        csv_path = datasets.households_csv(IMPORT_ROWS)
        guarded(
            results,
            "duckdb_import",
            lambda: import_rows(datasets.copy_database(duck_path, "cluster_import.duckdb"), csv_path),
        )
        (datasets.WORK / "cluster_import.duckdb").unlink(missing_ok=True)
        server.psql("CREATE DATABASE import_copy TEMPLATE demo")
        guarded(results, "postgres_import", lambda: import_rows(server.url("import_copy"), csv_path))
        server.psql("DROP DATABASE import_copy")
        count, seconds = args.sessions, args.seconds
        guarded(results, "dashboard_duckdb", lambda: duckdb_dashboard(duck_path, count, seconds))
        guarded(results, "dashboard_postgres_1", lambda: postgres_dashboard(pg_url, 1, count, seconds))
        guarded(results, "dashboard_postgres_2", lambda: postgres_dashboard(pg_url, 2, count, seconds))
        server.psql("CREATE DATABASE public_copy TEMPLATE demo")
        guarded(
            results,
            "public_visitors",
            lambda: public_visitors(server.url("public_copy"), args.visitors, args.visitor_seconds),
        )
    finally:
        server.stop()
    results["ratios"] = ratios(results)
    results["load_average_end"] = os.getloadavg()
    (HERE / "cluster.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results["ratios"], indent=2))
    return 0


def ratios(results: dict[str, Any]) -> dict[str, float | None]:
    def rate(key: str) -> float | None:
        return (results.get(key) or {}).get("reruns_per_s")

    def over(a: float | None, b: float | None) -> float | None:
        return a / b if a and b else None

    duck_q, pg_q = results.get("duckdb_queries") or {}, results.get("postgres_queries") or {}
    duck_a, pg_a = results.get("duckdb_allocation") or {}, results.get("postgres_allocation") or {}
    return {
        "dashboard_pg1_over_duckdb": over(rate("dashboard_postgres_1"), rate("dashboard_duckdb")),
        "dashboard_pg2_over_pg1": over(rate("dashboard_postgres_2"), rate("dashboard_postgres_1")),
        "queries_pg_over_duckdb_time": over(pg_q.get("set_s"), duck_q.get("set_s")),
        "allocation_pg_over_duckdb_time": over(pg_a.get("seconds"), duck_a.get("seconds")),
    }


if __name__ == "__main__":
    sys.exit(main())
