"""The coverage dashboard's SQL on DuckDB, on SQLite loaded with the same rows, and as naive pandas.

The DuckDB set is what pages/dashboard.py runs through ui/dashboard_cache.py: the five
aggregates of data_layer/monitoring/coverage.py plus the campaign list, with no filter (the first view).
They read the fact tables that data_layer/monitoring/facts.py keeps up to date on every write.
SQLite gets the same SQL over the same tables (fact tables included), ported to its dialect
(`$x` -> `:x`, dates as ISO text, `/` made a real division), with an index on every column the
queries join or filter on, then ANALYZE.
The naive pandas variant is what a page without a database engine does: SELECT the needed
columns of each base table into DataFrames, then join and group in pandas. For reference, the
same pandas grouping over the fact tables is timed too (it is not the target's baseline).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from data_layer.monitoring.coverage import ALL
from data_layer.store.database import Database
from data_layer.store.queries import Q

DASHBOARD_QUERIES = [
    "list_coverage_by_governorate",
    "list_unmet_by_category",
    "list_flows_by_category",
    "list_flows_by_organisation",
    "list_volunteer_activity",
    "list_campaigns",
]
# The columns the dashboard queries read, per table (the SQLite copy and the pandas loads hold these).
COLUMNS: dict[str, list[str]] = {
    "areas": ["code", "name_ar", "name_fr", "name_en", "population", "country_code"],
    "categories": ["code", "sort_order"],
    "organisations": ["id", "code", "name", "kind"],
    "campaigns": [
        "id",
        "name",
        "country_code",
        "starts_on",
        "ends_on",
        "target_households",
        "target_value_tnd",
        "is_active",
    ],
    "campaign_settings": ["campaign_id", "name_fr", "name_en"],
    "households": ["id", "governorate_code", "status", "campaign_id", "created_at"],
    "needs": ["id", "household_id", "category_code", "quantity", "unit", "status"],
    "donations": [
        "id",
        "organisation_id",
        "governorate_code",
        "category_code",
        "unit",
        "quantity",
        "value_tnd",
        "status",
        "campaign_id",
        "received_on",
    ],
    "allocations": ["id", "donation_id", "need_id", "household_id", "delivery_id", "quantity", "status", "created_at"],
    "deliveries": ["id", "household_id", "organisation_id", "volunteer_id", "status", "confirmed_at", "delivered_at"],
    "volunteers": ["id", "governorate_code", "status", "available_from", "available_to"],
}
FACT_COLUMNS: dict[str, list[str]] = {
    "fact_households": [
        "household_id",
        "governorate_code",
        "campaign_id",
        "created_on",
        "served",
        "first_confirmed_on",
    ],
    "fact_waiting": [
        "household_id",
        "governorate_code",
        "campaign_id",
        "created_on",
        "category_code",
        "unit",
        "unmet_quantity",
    ],
    "fact_stock_moves": ["donation_id", "governorate_code", "allocated_on", "allocated", "delivered"],
    "fact_served_by": ["household_id", "organisation_id", "confirmed_on", "governorate_code", "campaign_id"],
    "fact_deliveries_done": ["household_id", "volunteer_id", "done_on", "campaign_id", "deliveries"],
}
DATE_COLUMNS = {
    "created_at",
    "confirmed_at",
    "delivered_at",
    "received_on",
    "starts_on",
    "ends_on",
    "available_from",
    "available_to",
    "created_on",
    "first_confirmed_on",
    "allocated_on",
    "confirmed_on",
    "done_on",
}
DECIMAL_COLUMNS = {"quantity", "value_tnd", "target_value_tnd", "unmet_quantity", "allocated", "delivered"}
# The ids first: a real SQLite schema has them as primary keys, and without them SQLite joins the
# per-line allocation totals to donations by a nested scan (126 s at 1M instead of 2 s).
SQLITE_INDEXES = [
    "households(id)",
    "needs(id)",
    "donations(id)",
    "volunteers(id)",
    "deliveries(id)",
    "households(governorate_code)",
    "households(status)",
    "needs(household_id)",
    "needs(status, category_code)",
    "deliveries(household_id)",
    "deliveries(status)",
    "deliveries(volunteer_id)",
    "allocations(need_id)",
    "allocations(donation_id)",
    "allocations(delivery_id)",
    "allocations(household_id)",
    "donations(organisation_id)",
    "donations(status)",
    "volunteers(governorate_code)",
    "areas(code)",
    "organisations(id)",
]


def _params(sql: str) -> dict[str, Any]:
    return {k: v for k, v in ALL.params().items() if f"${k}" in sql}


def _best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest of `repeat` runs: other work on a shared 2-core machine only ever adds time."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def duckdb_set(db: Database) -> dict[str, pd.DataFrame]:
    out = {}
    cur = db.cursor()
    try:
        for name in DASHBOARD_QUERIES:
            sql = getattr(Q, name)
            out[name] = cur.execute(sql, _params(sql)).df()
    finally:
        cur.close()
    return out


def port_to_sqlite(sql: str) -> str:
    """DuckDB dialect of monitoring.sql to SQLite's (checked against DuckDB's answers by the benchmark)."""
    sql = re.sub(r"\$(\w+)", r":\1", sql)
    sql = re.sub(r"CAST\((coalesce\([^()]*\)|[\w.]+) AS DATE\)", r"date(\1)", sql)
    sql = sql.replace("greatest(", "max(").replace("AS DOUBLE PRECISION)", "AS REAL)").replace("AS DOUBLE)", "AS REAL)")
    # DuckDB's `/` divides as real numbers; SQLite's divides integers as integers.
    sql = sql.replace(
        "ELSE p.households_served / p.households_registered", "ELSE p.households_served * 1.0 / p.households_registered"
    )
    sql = sql.replace(
        "ELSE dn.deliveries_done / dn.volunteers_delivering", "ELSE dn.deliveries_done * 1.0 / dn.volunteers_delivering"
    )
    return sql


def build_sqlite(db: Database, path: Path) -> float:
    """Copy the dashboard's tables into a SQLite file with indexes; returns the seconds it took."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    target = sqlite3.connect(path)
    cur = db.cursor()
    try:
        for table, columns in {**COLUMNS, **FACT_COLUMNS}.items():
            target.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
            select = ", ".join(
                f"CAST({c} AS VARCHAR) AS {c}"
                if c in DATE_COLUMNS
                else f"CAST({c} AS DOUBLE) AS {c}"
                if c in DECIMAL_COLUMNS
                else c
                for c in columns
            )
            result = cur.execute(f"SELECT {select} FROM {table}")
            marks = ", ".join("?" * len(columns))
            while batch := result.fetchmany(100_000):
                target.executemany(f"INSERT INTO {table} VALUES ({marks})", batch)
        for index_no, index in enumerate(SQLITE_INDEXES):
            target.execute(f"CREATE INDEX ix_{index_no} ON {index}")
        target.execute("ANALYZE")
        target.commit()
    finally:
        cur.close()
        target.close()
    return time.perf_counter() - started


def sqlite_set(path: Path) -> dict[str, pd.DataFrame]:
    conn = sqlite3.connect(path)
    try:
        out = {}
        for name in DASHBOARD_QUERIES:
            sql = port_to_sqlite(getattr(Q, name))
            params = {k: (None if v is None else v) for k, v in _params(getattr(Q, name)).items()}
            out[name] = pd.read_sql_query(sql, conn, params=params)
        return out
    finally:
        conn.close()


def load_frames(db: Database, tables: dict[str, list[str]] = COLUMNS) -> dict[str, pd.DataFrame]:
    cur = db.cursor()
    try:
        return {
            table: cur.execute(f"SELECT {', '.join(columns)} FROM {table}").df() for table, columns in tables.items()
        }
    finally:
        cur.close()


# The small tables the fact-based grouping still needs besides the facts.
FACT_FRAME_TABLES = {
    **FACT_COLUMNS,
    **{t: COLUMNS[t] for t in ("areas", "categories", "organisations", "campaigns", "donations", "volunteers")},
}


REGISTERED_OUT = ("submitted", "rejected", "merged")


def pandas_set(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same five aggregates (no filter) grouped in pandas from whole-table frames."""
    h, n, d, a = frames["households"], frames["needs"], frames["donations"], frames["allocations"]
    dl, v, areas = frames["deliveries"], frames["volunteers"], frames["areas"]
    areas = areas[areas["country_code"] == "TN"].sort_values("code")
    registered = h[~h["status"].isin(REGISTERED_OUT)]
    served_ids = dl.loc[dl["status"] == "confirmed", "household_id"].unique()
    per_area = (
        registered.assign(served=registered["id"].isin(served_ids))
        .groupby("governorate_code")
        .agg(households_registered=("id", "size"), households_served=("served", "sum"))
    )
    coverage = areas.set_index("code").join(per_area).fillna({"households_registered": 0, "households_served": 0})
    coverage["coverage_rate"] = coverage["households_served"] / coverage["households_registered"].where(
        coverage["households_registered"] > 0
    )
    coverage["registered_per_10k"] = coverage["households_registered"] * 10000.0 / coverage["population"]

    live = a[a["status"].isin(["allocated", "delivered", "confirmed"])].groupby("need_id")["quantity"].sum()
    open_needs = n[n["status"] == "open"].assign(allocated=lambda x: x["id"].map(live).fillna(0))
    open_needs = open_needs[open_needs["quantity"] > open_needs["allocated"]]
    open_needs = open_needs.merge(
        registered[["id", "governorate_code"]], left_on="household_id", right_on="id", suffixes=("", "_h")
    )
    open_needs["unmet"] = (open_needs["quantity"] - open_needs["allocated"]).clip(lower=0)
    unmet = open_needs.groupby(["governorate_code", "category_code", "unit"], as_index=False).agg(
        households_waiting=("household_id", "nunique"), unmet_quantity=("unmet", "sum")
    )

    received = d[d["status"] == "received"]
    moved = a.merge(
        d[["id", "category_code", "unit", "quantity", "value_tnd", "organisation_id"]],
        left_on="donation_id",
        right_on="id",
        suffixes=("", "_d"),
    )
    moved = moved[moved["household_id"].isin(h["id"])]
    moved["value"] = moved["quantity"] / moved["quantity_d"] * moved["value_tnd"].fillna(0)
    is_live = moved["status"].isin(["allocated", "delivered", "confirmed"])
    is_done = moved["status"].isin(["delivered", "confirmed"])
    moved = moved.assign(
        alloc_q=moved["quantity"].where(is_live),
        done_q=moved["quantity"].where(is_done),
        alloc_v=moved["value"].where(is_live),
        done_v=moved["value"].where(is_done),
    )
    by_category = (
        received.groupby(["category_code", "unit"])
        .agg(received_quantity=("quantity", "sum"), received_value_tnd=("value_tnd", "sum"))
        .join(moved.groupby(["category_code", "unit"])[["alloc_q", "done_q", "alloc_v", "done_v"]].sum(), how="outer")
        .fillna(0)
        .reset_index()
    )

    organisations = frames["organisations"]
    by_org = (
        organisations[organisations["kind"] == "association"]
        .set_index("id")
        .join(
            received.groupby("organisation_id").agg(
                donation_lines=("id", "size"), received_value_tnd=("value_tnd", "sum")
            )
        )
        .join(moved.groupby("organisation_id")[["alloc_v", "done_v"]].sum())
        .join(dl[dl["status"] == "confirmed"].groupby("organisation_id")["household_id"].nunique().rename("served"))
        .fillna(0)
        .sort_values("code")
        .reset_index()
    )

    active = v[v["status"] == "active"].groupby("governorate_code").size().rename("volunteers_active")
    done = dl[dl["status"].isin(["delivered", "confirmed"])].merge(
        v[["id", "governorate_code"]], left_on="volunteer_id", right_on="id"
    )
    done = done.groupby("governorate_code").agg(
        volunteers_delivering=("volunteer_id", "nunique"), deliveries_done=("volunteer_id", "size")
    )
    volunteers = areas.set_index("code").join(active).join(done).fillna(0).reset_index()
    campaigns = frames["campaigns"].sort_values(["is_active", "starts_on", "id"], ascending=False)
    return {
        "list_coverage_by_governorate": coverage.reset_index(),
        "list_unmet_by_category": unmet,
        "list_flows_by_category": by_category,
        "list_flows_by_organisation": by_org,
        "list_volunteer_activity": volunteers,
        "list_campaigns": campaigns,
    }


def pandas_facts_set(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The same aggregates grouped in pandas from the fact tables (reference only)."""
    fh, fw, fm = frames["fact_households"], frames["fact_waiting"], frames["fact_stock_moves"]
    fs, fd, d, v = frames["fact_served_by"], frames["fact_deliveries_done"], frames["donations"], frames["volunteers"]
    areas = frames["areas"]
    areas = areas[areas["country_code"] == "TN"].sort_values("code").set_index("code")
    coverage = areas.join(
        fh.groupby("governorate_code").agg(
            households_registered=("household_id", "size"), households_served=("served", "sum")
        )
    )
    coverage = coverage.fillna({"households_registered": 0, "households_served": 0})
    unmet = fw.groupby(["governorate_code", "category_code", "unit"], as_index=False).agg(
        households_waiting=("household_id", "size"), unmet_quantity=("unmet_quantity", "sum")
    )
    received = d[d["status"] == "received"]
    per_line = (
        fm.groupby("donation_id")[["allocated", "delivered"]]
        .sum()
        .join(d.set_index("id")[["category_code", "unit", "quantity", "value_tnd", "organisation_id"]])
    )
    per_line["alloc_v"] = per_line["allocated"] / per_line["quantity"] * per_line["value_tnd"].fillna(0)
    per_line["done_v"] = per_line["delivered"] / per_line["quantity"] * per_line["value_tnd"].fillna(0)
    by_category = (
        received.groupby(["category_code", "unit"])
        .agg(received_quantity=("quantity", "sum"), received_value_tnd=("value_tnd", "sum"))
        .join(
            per_line.groupby(["category_code", "unit"])[["allocated", "delivered", "alloc_v", "done_v"]].sum(),
            how="outer",
        )
        .fillna(0)
        .reset_index()
    )
    organisations = frames["organisations"]
    by_org = (
        organisations[organisations["kind"] == "association"]
        .set_index("id")
        .join(
            received.groupby("organisation_id").agg(
                donation_lines=("id", "size"), received_value_tnd=("value_tnd", "sum")
            )
        )
        .join(per_line.groupby("organisation_id")[["alloc_v", "done_v"]].sum())
        .join(fs.groupby("organisation_id")["household_id"].nunique().rename("served"))
        .fillna(0)
        .reset_index()
    )
    done = (
        fd.groupby("volunteer_id")["deliveries"]
        .sum()
        .rename("deliveries_done")
        .to_frame()
        .join(v.set_index("id")["governorate_code"])
        .groupby("governorate_code")
        .agg(volunteers_delivering=("deliveries_done", "size"), deliveries_done=("deliveries_done", "sum"))
    )
    active = v[v["status"] == "active"].groupby("governorate_code").size().rename("volunteers_active")
    volunteers = areas.join(active).join(done).fillna(0).reset_index()
    campaigns = frames["campaigns"].sort_values(["is_active", "starts_on", "id"], ascending=False)
    return {
        "list_coverage_by_governorate": coverage.reset_index(),
        "list_unmet_by_category": unmet,
        "list_flows_by_category": by_category,
        "list_flows_by_organisation": by_org,
        "list_volunteer_activity": volunteers,
        "list_campaigns": campaigns,
    }


def served_total(result: dict[str, pd.DataFrame]) -> tuple[int, int]:
    """Registered and served households, the figures checked to agree between engines."""
    frame = result["list_coverage_by_governorate"]
    return int(frame["households_registered"].sum()), int(frame["households_served"].sum())


def measure(db: Database, sqlite_path: Path, repeat: int = 3) -> dict[str, Any]:
    """Best-of-`repeat` seconds for the whole dashboard set on each engine, and the checks that they agree."""
    load_seconds = build_sqlite(db, sqlite_path)
    duck_s, duck = _best_of(lambda: duckdb_set(db), repeat)
    sqlite_s, lite = _best_of(lambda: sqlite_set(sqlite_path), repeat)
    load_s, frames = _best_of(lambda: load_frames(db), repeat)
    group_s, pand = _best_of(lambda: pandas_set(frames), repeat)
    facts_load_s, fact_frames = _best_of(lambda: load_frames(db, FACT_FRAME_TABLES), repeat)
    facts_group_s, pand_facts = _best_of(lambda: pandas_facts_set(fact_frames), repeat)
    per_query: dict[str, float] = {}
    cur = db.cursor()
    try:
        for name in DASHBOARD_QUERIES:
            sql = getattr(Q, name)
            per_query[name], _ = _best_of(lambda sql=sql: cur.execute(sql, _params(sql)).df(), repeat)
    finally:
        cur.close()
    unmet_duck = round(float(duck["list_unmet_by_category"]["unmet_quantity"].sum()), 3)
    return {
        "duckdb_s": duck_s,
        "sqlite_s": sqlite_s,
        "pandas_load_s": load_s,
        "pandas_group_s": group_s,
        "pandas_s": load_s + group_s,
        "sqlite_build_s": load_seconds,
        "sqlite_over_duckdb": sqlite_s / duck_s,
        "pandas_over_duckdb": (load_s + group_s) / duck_s,
        "pandas_group_only_over_duckdb": group_s / duck_s,
        "pandas_facts_s": facts_load_s + facts_group_s,
        "pandas_facts_group_s": facts_group_s,
        "pandas_facts_over_duckdb": (facts_load_s + facts_group_s) / duck_s,
        "duckdb_per_query_s": per_query,
        "agree": {
            "registered_served": [served_total(duck), served_total(lite), served_total(pand), served_total(pand_facts)],
            "unmet_quantity": [
                unmet_duck,
                round(float(lite["list_unmet_by_category"]["unmet_quantity"].sum()), 3),
                round(float(pand["list_unmet_by_category"]["unmet_quantity"].sum()), 3),
            ],
        },
    }
