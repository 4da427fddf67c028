"""bench/RESULTS.md from bench/results.json: one table per measurement and the targets, met or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _get(data: dict[str, Any] | None, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}×"


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else "met" if ok else "**missed**"


def targets(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    sizes = results["sizes"]
    keys = sorted(sizes, key=int)
    small, large = (keys[0], keys[-1]) if keys else (None, None)
    rows = []
    q = _get(sizes, large, "queries") if large else None
    for engine, key in (("SQLite", "sqlite_over_duckdb"), ("naive pandas", "pandas_over_duckdb")):
        ratio = _get(q, key)
        rows.append(
            (
                f"dashboard queries at {int(large):,}: DuckDB ≥ 10× faster than {engine}" if large else engine,
                _x(ratio),
                _verdict(None if ratio is None else ratio >= 10),
            )
        )
    warm_small, warm_large = _get(sizes, small, "page", "warm_s"), _get(sizes, large, "page", "warm_s")
    ratio = warm_large / warm_small if warm_small and warm_large else None
    rows.append(
        (
            "dashboard warm render: largest within 3× of smallest",
            _x(ratio),
            _verdict(None if ratio is None or small == large else ratio <= 3),
        )
    )
    p95_small, p95_large = _get(sizes, small, "entry", "p95_s"), _get(sizes, large, "entry", "p95_s")
    ratio = p95_large / p95_small if p95_small and p95_large else None
    rows.append(
        (
            "data entry p95: largest within 1.5× of smallest",
            _x(ratio),
            _verdict(None if ratio is None or small == large else ratio <= 1.5),
        )
    )
    imp = results.get("import") or {}
    rate = imp.get("rows_per_s")
    rows.append(
        (
            "import ≥ 50,000 rows/s",
            "—" if rate is None else f"{rate:,.0f} rows/s",
            _verdict(None if rate is None else rate >= 50_000),
        )
    )
    over = imp.get("over_parse")
    rows.append(("import within 3× of bare pandas.read_csv", _x(over), _verdict(None if over is None else over <= 3)))
    enough = [k for k in keys if (_get(sizes, k, "allocation", "open_needs") or 0) >= 100_000]
    if enough:
        alloc = _get(sizes, enough[0], "allocation")
        rows.append(
            (
                f"allocation proposal for ≥ 100,000 open needs < 10 s ({alloc['open_needs']:,} open needs)",
                _ms(alloc["seconds"]),
                _verdict(alloc["seconds"] < 10),
            )
        )
    else:
        rows.append(("allocation proposal for 100,000 open needs < 10 s", "—", _verdict(None)))
    ten = _get(results, "sessions", "runs", "10")
    rate = _get(ten, "reruns_per_s")
    rows.append(
        (
            "≥ 25 dashboard reruns/s with 10 sessions",
            "—" if rate is None else f"{rate:.1f}/s",
            _verdict(None if rate is None else rate >= 25),
        )
    )
    peak = _get(results, "sessions", "peak_rss_mb")
    rows.append(
        (
            "server peak memory < 1.5 GB",
            "—" if peak is None else f"{peak:,.0f} MB",
            _verdict(None if peak is None else peak < 1536),
        )
    )
    return rows


def write_markdown(results: dict[str, Any], path: Path) -> None:
    sizes = results["sizes"]
    keys = sorted(sizes, key=int)
    lines = [
        f"# Benchmark results ({results['started_at']}, {results['machine']['cpus']} CPUs, "
        f"Python {results['machine']['python']})",
        "",
        "Written by `make bench` (bench/run.py); raw numbers in bench/results.json. Load average of the machine "
        f"at start {results['machine'].get('load_average_start', ['?'])[0]:.2f}, at end "
        f"{(results['machine'].get('load_average_end') or ['?'])[0]:.2f} (other work skews timings).",
        "",
        "## Targets",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {value} | {verdict} |" for name, value, verdict in targets(results)]
    header = "| | " + " | ".join(f"{int(k):,} households" for k in keys) + " |"
    rule = "| --- |" + " --- |" * len(keys)

    def row(label: str, fn: Any) -> str:
        return f"| {label} | " + " | ".join(fn(sizes[k]) for k in keys) + " |"

    lines += [
        "",
        "## Per database size",
        "",
        header,
        rule,
        row(
            "rows: needs / open needs",
            lambda s: f"{_get(s, 'rows', 'needs') or 0:,} / {_get(s, 'rows', 'open_needs') or 0:,}",
        ),
        row(
            "rows: allocations / deliveries",
            lambda s: f"{_get(s, 'rows', 'allocations') or 0:,} / {_get(s, 'rows', 'deliveries') or 0:,}",
        ),
        row("demo build", lambda s: _ms(s.get("build_s"))),
        row("dashboard queries: DuckDB (best of 3)", lambda s: _ms(_get(s, "queries", "duckdb_s"))),
        row("dashboard queries: SQLite (indexed)", lambda s: _ms(_get(s, "queries", "sqlite_s"))),
        row("dashboard queries: pandas load + group", lambda s: _ms(_get(s, "queries", "pandas_s"))),
        row("… of which pandas group only", lambda s: _ms(_get(s, "queries", "pandas_group_s"))),
        row("SQLite / DuckDB", lambda s: _x(_get(s, "queries", "sqlite_over_duckdb"))),
        row(
            "pandas / DuckDB (group only)",
            lambda s: (
                f"{_x(_get(s, 'queries', 'pandas_over_duckdb'))} "
                f"({_x(_get(s, 'queries', 'pandas_group_only_over_duckdb'))})"
            ),
        ),
        row(
            "for reference: pandas over the fact tables (load + group)",
            lambda s: (
                f"{_ms(_get(s, 'queries', 'pandas_facts_s'))} "
                f"({_x(_get(s, 'queries', 'pandas_facts_over_duckdb'))} DuckDB)"
            ),
        ),
        row(
            "engines agree (registered, served)",
            lambda s: (
                "yes"
                if (a := _get(s, "queries", "agree", "registered_served"))
                and all(x == a[0] for x in a)
                and len(set(_get(s, "queries", "agree", "unmet_quantity"))) == 1
                else "NO"
            ),
        ),
        row("dashboard page, cold (AppTest)", lambda s: _ms(_get(s, "page", "cold_s"))),
        row(
            "dashboard page, warm (AppTest, best / median of 5)",
            lambda s: f"{_ms(_get(s, 'page', 'warm_s'))} / {_ms(_get(s, 'page', 'warm_median_s'))}",
        ),
        row("save one household: median", lambda s: _ms(_get(s, "entry", "median_s"))),
        row("save one household: p95", lambda s: _ms(_get(s, "entry", "p95_s"))),
        row("dashboard facts caught up after those 200 saves", lambda s: _ms(_get(s, "entry", "facts_catch_up_s"))),
        row("allocation proposal (all open needs)", lambda s: _ms(_get(s, "allocation", "seconds"))),
        row("fairness: the seven signals (organiser, best of 3)", lambda s: _ms(_get(s, "fairness", "all_signals_s"))),
        row(
            "fairness: basket view + per governorate + projection",
            lambda s: _ms(_get(s, "fairness", "basket_views_s")),
        ),
        row("… dashboard query set on the same copy", lambda s: _ms(_get(s, "fairness", "dashboard_queries_s"))),
    ]
    lines += [
        "",
        "DuckDB and SQLite run the dashboard's SQL, which reads the fact tables that "
        "`data_layer/monitoring/facts.py` brings up to date from the audit log before a dashboard read (their "
        "upkeep is the catch-up row above, and the catch-up after the import below); naive pandas "
        "loads the base tables and joins and groups them, as a page without a database engine would.",
    ]
    per_query = _get(sizes, keys[-1], "queries", "duckdb_per_query_s") if keys else None
    if per_query:
        lines += [
            "",
            f"DuckDB per query at {int(keys[-1]):,} households: "
            + ", ".join(f"`{name}` {_ms(sec)}" for name, sec in per_query.items())
            + ".",
        ]
    imp = results.get("import")
    if imp:
        lines += [
            "",
            "## Import",
            "",
            f"{imp['rows']:,} households (with needs) imported by `data_layer.registry.imports.import_file` into a copy of "
            f"the {int(keys[0]):,} database in {_ms(imp['seconds'])}: **{imp['rows_per_s']:,.0f} rows/s**; "
            f"`pandas.read_csv(dtype=str)` of the same file takes {_ms(imp['parse_s'])} "
            f"(import = {imp['over_parse']:.1f}× parsing). The next dashboard read then brings the "
            f"dashboard facts up to date for the 100,000 new households in "
            f"{_ms(imp.get('facts_catch_up_s'))}, and the checkpoint that writes the logged rows into the "
            f"file (at 128 MB of log or at close) takes {_ms(imp.get('checkpoint_after_s'))}.",
        ]
        phases = imp.get("phases_s")
        if phases:
            lines += [
                "",
                "One more import, step by step: "
                + ", ".join(
                    f"{name.replace('_', ' ')} {_ms(sec)} ({sec / imp['parse_s']:.1f}× parsing)"
                    for name, sec in phases.items()
                )
                + ".",
            ]
        floor = imp.get("write_floor_s")
        if floor:

            def share(key: str) -> str:
                return f"{_ms(floor[key])} ({floor[key] / imp['parse_s']:.1f}× parsing)"

            lines += [
                "",
                "What the import's guarantees cost (`bench.inprocess.import_write_floor`): the same validated "
                "rows inserted and committed, fastest of 2, into Jesr's tables "
                f"{share('jesr_with_audit_rows')}, the same without their audit rows "
                f"{share('jesr_without_audit_rows')}; into tables of the same columns without keys, indexes or "
                f"foreign keys {share('bare_with_audit_rows')}, and without audit rows either "
                f"{share('bare_without_audit_rows')}. Reading and validating come on top of these.",
            ]
    server = results.get("sessions")
    if server:
        lines += [
            "",
            "## Server under load",
            "",
            f"`streamlit run app.py` on 127.0.0.1 with the {server['households']:,}-household database; "
            "each session is a websocket client of Streamlit's protocol logged in by the session cookie, "
            "submitting the dashboard's filter form with a random governorate (its first tab, coverage by "
            "governorate, open: map, three charts and the table), after one untimed pass over "
            f"the {_get(server, 'warm_up', 'filters') or 0} governorate filters filled the shared aggregate "
            f"caches ({_ms(_get(server, 'warm_up', 'seconds'))}; slowest cold filter "
            f"{_ms(_get(server, 'warm_up', 'slowest_s'))}).",
            "",
            "| sessions | reruns | reruns/s | median | p95 | errors |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for count, run in server.get("runs", {}).items():
            if run:
                lines.append(
                    f"| {count} | {run['reruns']} | {run['reruns_per_s']:.1f} | {_ms(run['median_s'])} | "
                    f"{_ms(run['p95_s'])} | {run['error_count']} sessions, "
                    f"{run['script_exceptions']} page exceptions |"
                )
        lines += [
            "",
            f"Server memory: {server.get('rss_after_start_mb') or 0:,.0f} MB after the first page, "
            f"peak (VmHWM) {server.get('peak_rss_mb') or 0:,.0f} MB.",
        ]
    failures = results.get("failures") or {}
    for size in keys:
        failures.update({f"{size}/{k}": v for k, v in (sizes[size].get("failures") or {}).items()})
    if failures:
        lines += ["", "## Failures", ""] + [f"- {k}: `{v}`" for k, v in failures.items()]
    lines += ["", f"Total benchmark time: {results.get('total_s', 0):,.0f} s."]
    path.write_text("\n".join(lines) + "\n")
