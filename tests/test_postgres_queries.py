"""Every named query is valid on PostgreSQL: it prepares on a database the migrations built.

PREPARE gives every parameter the type PostgreSQL infers from its use, as psycopg's untyped
strings and NULLs leave it to; a query that runs on DuckDB but cannot be typed here fails
at its first call on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import math
import re
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pytest

from data_layer.monitoring.facts import refresh_facts
from data_layer.store.dialect import parameter_names, to_psycopg
from data_layer.store.migrations import list_migrations
from data_layer.store.postgres import connect_postgres
from data_layer.store.queries import Q, run
from tests.conftest import ROOT

POSTGRES_DIALECT = ROOT / "sql" / "dialects" / "postgres.sql"

# The tables a call site registers (a DataFrame or Arrow table on DuckDB, a COPY on PostgreSQL)
# before it runs the query, with the columns the call site gives them.
SCRATCH = {
    "insert_allocations_from_frame": "new_allocations (id BIGINT, donation_id BIGINT, need_id BIGINT, "
    "household_id BIGINT, quantity VARCHAR, created_by BIGINT)",
    "insert_audit_rows_from_frame": "audit_rows (user_id BIGINT, username VARCHAR, action VARCHAR, "
    "table_name VARCHAR, record_id BIGINT, before VARCHAR, after VARCHAR)",
    "insert_limit_exceptions_from_frame": "new_limit_exceptions (allocation_id BIGINT, household_id BIGINT, "
    "campaign_id BIGINT, category_code VARCHAR, reason VARCHAR, granted_by BIGINT)",
    "update_scrubbed_audit_rows": "scrubbed (id BIGINT, before VARCHAR, after VARCHAR)",
    "update_chained_audit_rows": "chained (id BIGINT, chain_seq BIGINT, content_hash VARCHAR, prev_hash VARCHAR, "
    "chain_hash VARCHAR)",
    "update_erased_audit_rows": "erased (id BIGINT, erased_hash VARCHAR)",
    "list_households_on_file_for_import": "import_national_ids (national_id VARCHAR, national_id_key VARCHAR)",
    "insert_import_duplicate_reports": "import_clashes (national_id VARCHAR, national_id_key VARCHAR, household_id BIGINT)",
    "insert_import_duplicate_audit": "import_clashes (national_id VARCHAR, national_id_key VARCHAR, household_id BIGINT)",
    "set_household_national_id_keys": "national_id_keys (id BIGINT, national_id_key VARCHAR)",
    "set_duplicate_report_national_id_keys": "national_id_keys (id BIGINT, national_id_key VARCHAR)",
    "list_receipt_codes_on_file": "new_receipt_codes (code VARCHAR)",
    "insert_receipt_codes": "new_receipt_codes (code VARCHAR, donation_id BIGINT, pledge_id BIGINT)",
    "insert_outbox_messages": "new_outbox_messages (dedupe_key VARCHAR, kind VARCHAR, channel VARCHAR, "
    "recipient VARCHAR, lang VARCHAR, subject VARCHAR, body VARCHAR, related_table VARCHAR, related_id BIGINT, "
    "about_day DATE, about_code VARCHAR)",
    # Areas from an area file come in the shape of the areas table.
    "insert_reference_areas": "bulk_rows (LIKE areas)",
    "update_area_positions": "bulk_rows (LIKE areas)",
    "list_taken_area_codes": "bulk_rows (LIKE areas)",
    # Demo rows come in the shape of the table they fill.
    "insert_demo_organisation_areas": "bulk_rows (LIKE organisation_areas)",
    "insert_demo_donors": "bulk_rows (LIKE donors)",
    "insert_demo_donations": "bulk_rows (LIKE donations)",
    "insert_demo_households": "bulk_rows (LIKE households)",
    "insert_demo_needs": "bulk_rows (LIKE needs)",
    "insert_demo_volunteers": "bulk_rows (LIKE volunteers)",
    "insert_demo_deliveries": "bulk_rows (LIKE deliveries)",
    "insert_demo_allocations": "bulk_rows (LIKE allocations)",
}
# Drift queries written once for every fact table (monitoring/facts.py puts a table's name in):
# checked on one of them, its copy set aside first where the query reads it.
FACT_TABLE = "fact_households"
PER_FACT_TABLE = {
    "set_aside_fact_table": None,
    "count_fact_table_drift": f"stored_{FACT_TABLE} AS SELECT * FROM {FACT_TABLE}",
}
PREPARABLE = {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "MERGE"}
_STATEMENT_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|;")
_PSYCOPG_TOKEN = re.compile(r"%%|%\(([a-z_][a-z0-9_]*)\)s")
databases = itertools.count()


def statements(sql: str) -> list[str]:
    """The statements of a query text, split at each `;` outside literals and comments."""
    parts, start = [], 0
    for match in _STATEMENT_TOKEN.finditer(sql):
        if match.group(0) == ";":
            parts.append(sql[start : match.start()])
            start = match.end()
    parts.append(sql[start:])
    return [
        part.strip()
        for part in parts
        if part.strip() and not all(line.strip().startswith("--") or not line.strip() for line in part.splitlines())
    ]


def as_prepared(sql: str) -> str:
    """`$name` parameters as PREPARE's `$1..$n`, numbered in order of first use."""
    numbers = {name: i for i, name in enumerate(parameter_names(sql), start=1)}

    def replace(match: re.Match[str]) -> str:
        return f"${numbers[match.group(1)]}" if match.group(1) else "%"

    return _PSYCOPG_TOKEN.sub(replace, to_psycopg(sql))


def first_keyword(statement: str) -> str:
    code = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--"))
    return code.split(None, 1)[0].upper()


@pytest.fixture
def pg_conn(pg_server):
    """A connection to a new database with every migration applied, then the PostgreSQL dialect file."""
    name = f"queries_{next(databases)}"
    pg_server.psql(f"CREATE DATABASE {name}")
    with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
        for _version, _name, path in list_migrations():
            conn.execute(path.read_text(encoding="utf-8"))
        conn.execute(POSTGRES_DIALECT.read_text(encoding="utf-8"))
        yield conn


def check_query(conn: psycopg.Connection, name: str) -> str | None:
    """None when the query prepares (or, for a statement PREPARE does not take, runs); else the error."""
    sql = Q.get(name).sql_for("postgres")
    if name in PER_FACT_TABLE:
        sql = re.sub(r"\bfact_table\b", FACT_TABLE, sql.replace("stored_fact_table", f"stored_{FACT_TABLE}"))
    parts = statements(sql)
    if len(parts) > 1 and parameter_names(sql):
        return "several statements with parameters: psycopg sends those one statement at a time"
    try:
        with conn.transaction():
            if name in SCRATCH:
                conn.execute(f"CREATE TEMP TABLE {SCRATCH[name]} ON COMMIT DROP")
            if PER_FACT_TABLE.get(name):
                conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {PER_FACT_TABLE[name]}")
            for statement in parts:
                if first_keyword(statement) == "COPY":
                    with conn.cursor() as cur, cur.copy(statement):
                        pass  # no rows: the statement itself is what is checked
                elif first_keyword(statement) in PREPARABLE:
                    conn.execute(f"PREPARE named_query AS {as_prepared(statement)}")
                    conn.execute("DEALLOCATE named_query")
                else:
                    conn.execute(statement)
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def test_every_named_query_prepares_on_postgresql(pg_conn):
    # Statements PREPARE does not take (DDL) run first: the runner creates its own table that way.
    order = sorted(Q.by_name, key=lambda n: (first_keyword(statements(Q.get(n).sql)[0]) in PREPARABLE, n))
    failures = {}
    for name in order:
        error = check_query(pg_conn, name)
        if error is not None:
            failures[name] = f"{Q.get(name).source}: {error}"
    listing = "\n".join(f"  {name} ({failure})" for name, failure in sorted(failures.items()))
    assert not failures, f"{len(failures)} of {len(Q.by_name)} named queries fail on PostgreSQL:\n{listing}"


def test_scratch_tables_belong_to_queries_that_read_them():
    for name, table in SCRATCH.items():
        relation = table.split(None, 1)[0]
        assert re.search(rf"\b{relation}\b", Q.get(name).sql), f"{name} does not read {relation}"


def test_query_text_helpers():
    assert as_prepared("SELECT $b, $a, $b WHERE x LIKE '%$a' AND y = $a") == (
        "SELECT $1, $2, $1 WHERE x LIKE '%$a' AND y = $2"
    )
    assert statements("DELETE FROM a; -- why\nDELETE FROM b WHERE c = ';';\n") == [
        "DELETE FROM a",
        "-- why\nDELETE FROM b WHERE c = ';'",
    ]
    assert first_keyword("-- why\nwith x AS (SELECT 1) SELECT * FROM x") == "WITH"


# A campaign small enough to read: three governorates, two associations, five households.
DATASET = """
INSERT INTO areas (code, country_code, name_ar, name_fr, name_en, population, population_year, delegations, region)
VALUES
    ('TN-11', 'TN', 'تونس', 'Tunis', 'Tunis', 1000000, 2014, 21, 'Nord-Est'),
    ('TN-12', 'TN', 'أريانة', 'Ariana', 'Ariana', 600000, 2014, 7, 'Nord-Est'),
    ('TN-13', 'TN', 'بن عروس', 'Ben Arous', 'Ben Arous', NULL, 2014, 12, 'Nord-Est');
INSERT INTO campaigns (id, name, country_code, starts_on, ends_on, target_households, target_value_tnd, created_at)
VALUES (1, 'Ramadan', 'TN', DATE '2024-03-01', DATE '2024-04-30', 10, 5000, TIMESTAMP '2024-03-01 08:00:00');
INSERT INTO organisations (id, code, name, kind, governorate_code, phone) VALUES
    (1, 'ATSS', 'Association Tunis Solidarité', 'association', 'TN-11', '71000000'),
    (2, 'AMAL', 'Amal Ariana', 'association', 'TN-12', NULL),
    (3, 'ORG', 'Coordination', 'organiser', NULL, NULL);
INSERT INTO organisation_areas VALUES (1, 'TN-11'), (1, 'TN-13'), (2, 'TN-12');
INSERT INTO donors (id, name, donor_type) VALUES (1, 'Ali Ben Salah', 'individual'), (2, 'Société Nour', 'company');
INSERT INTO donations (id, campaign_id, organisation_id, donor_id, kind, category_code, item, quantity, unit,
                       value_tnd, governorate_code, delegation, received_on) VALUES
    (1, 1, 1, 1, 'in_kind', 'food', 'Rice', 100, 'kg', 250, 'TN-11', NULL, DATE '2024-03-02'),
    (2, 1, 2, 2, 'in_kind', 'hygiene', 'Soap kit', 20, 'kit', 100, 'TN-12', 'Ariana Ville', DATE '2024-03-03'),
    (3, 1, 1, 1, 'cash', 'cash', 'Cash', 500, 'TND', 500, 'TN-11', NULL, DATE '2024-03-04');
INSERT INTO households (id, campaign_id, national_id, full_name, phone, governorate_code, delegation, household_size,
                        vulnerabilities, organisation_id, source, status, created_at, updated_at) VALUES
    (1, 1, '01234567', 'Amina Ben Ali', '20111111', 'TN-11', 'Bab Bhar', 4, ARRAY['elderly', 'lost_income'], 1,
     'association', 'registered', TIMESTAMP '2024-03-02 09:00:00', TIMESTAMP '2024-03-02 09:00:00'),
    (2, 1, '11111111', 'Karim Saidi', '20222222', 'TN-11', NULL, 2, CAST(ARRAY[] AS VARCHAR[]), 1,
     'association', 'served', TIMESTAMP '2024-03-02 10:30:00', TIMESTAMP '2024-03-04 16:00:00'),
    (3, 1, '22222222', 'Leila Mansour', '20333333', 'TN-12', 'Ariana Ville', 5, ARRAY['single_parent'], 2,
     'association', 'verified', TIMESTAMP '2024-03-03 08:15:00', TIMESTAMP '2024-03-03 20:45:00'),
    (4, 1, '01234567', 'Amina B. Ali', '20111111', 'TN-12', NULL, 4, ARRAY['elderly'], NULL,
     'self', 'submitted', TIMESTAMP '2024-03-05 12:00:00', TIMESTAMP '2024-03-05 12:00:00'),
    (5, 1, '33333333', 'Omar Trabelsi', NULL, 'TN-12', NULL, 1, CAST(ARRAY[] AS VARCHAR[]), 2,
     'association', 'rejected', TIMESTAMP '2023-01-05 12:00:00', TIMESTAMP '2023-01-06 12:00:00');
INSERT INTO needs (id, household_id, category_code, quantity, unit, urgency, status, created_at) VALUES
    (1, 1, 'food', 10, 'kg', 'high', 'open', TIMESTAMP '2024-03-02 09:00:00'),
    (2, 1, 'hygiene', 2, 'kit', 'normal', 'open', TIMESTAMP '2024-03-02 09:00:00'),
    (3, 2, 'food', 5, 'kg', 'normal', 'covered', TIMESTAMP '2024-03-02 10:30:00'),
    (4, 3, 'food', 2.5, 'kg', 'critical', 'open', TIMESTAMP '2024-03-03 08:15:00'),
    (5, 3, 'hygiene', 1, 'kit', 'low', 'open', TIMESTAMP '2024-03-03 08:15:00'),
    (6, 4, 'food', 3, 'kg', 'normal', 'open', TIMESTAMP '2024-03-05 12:00:00'),
    (7, 5, 'food', 1, 'kg', 'normal', 'open', TIMESTAMP '2023-01-05 12:00:00');
INSERT INTO volunteers (id, full_name, national_id, phone, governorate_code, offers_transport, offers_distribution,
                        vehicle, available_from, available_to, organisation_id, status, created_at) VALUES
    (1, 'Sami Jaziri', '44444444', '20444444', 'TN-11', true, false, 'car', DATE '2024-03-01', DATE '2024-04-30', 1,
     'active', TIMESTAMP '2024-03-01 09:00:00'),
    (2, 'Nadia Gharbi', NULL, '20555555', 'TN-12', false, true, 'none', DATE '2024-03-10', DATE '2024-03-20', NULL,
     'submitted', TIMESTAMP '2024-03-05 09:00:00');
INSERT INTO deliveries (id, household_id, organisation_id, volunteer_id, planned_on, status, confirmation_method,
                        confirmed_at, delivered_at, created_at, updated_at) VALUES
    (1, 2, 1, 1, DATE '2024-03-04', 'confirmed', 'association', TIMESTAMP '2024-03-04 16:00:00',
     TIMESTAMP '2024-03-04 15:00:00', TIMESTAMP '2024-03-03 10:00:00', TIMESTAMP '2024-03-04 16:00:00'),
    (2, 1, 1, NULL, DATE '2024-03-06', 'planned', NULL, NULL, NULL,
     TIMESTAMP '2024-03-05 11:00:00', TIMESTAMP '2024-03-05 11:00:00');
INSERT INTO allocations (id, donation_id, need_id, household_id, delivery_id, quantity, status, created_at, updated_at)
VALUES
    (1, 1, 3, 2, 1, 5, 'confirmed', TIMESTAMP '2024-03-03 10:00:00', TIMESTAMP '2024-03-04 16:00:00'),
    (2, 1, 1, 1, 2, 4, 'allocated', TIMESTAMP '2024-03-05 11:00:00', TIMESTAMP '2024-03-05 11:00:00'),
    (3, 2, 5, 3, NULL, 1, 'allocated', TIMESTAMP '2024-03-05 11:00:00', TIMESTAMP '2024-03-05 11:00:00'),
    (4, 1, 4, 3, NULL, 1.25, 'cancelled', TIMESTAMP '2024-03-05 11:00:00', TIMESTAMP '2024-03-06 11:00:00');
INSERT INTO pledges (id, campaign_id, donor_name, donor_type, phone, category_code, item, quantity, unit,
                     governorate_code, status, organisation_id, created_at, updated_at) VALUES
    (1, 1, 'Hedi Karray', 'individual', '20666666', 'food', 'Oil', 20, 'litre', 'TN-11', 'submitted', NULL,
     TIMESTAMP '2024-03-05 08:00:00', TIMESTAMP '2024-03-05 08:00:00'),
    (2, 1, 'Pharmacie Centrale', 'company', '71777777', 'medicine', 'Paracetamol', 12.5, 'box', 'TN-12', 'accepted',
     2, TIMESTAMP '2024-03-04 08:00:00', TIMESTAMP '2024-03-04 18:00:00');
INSERT INTO public_receipts (reference, kind, record_id, lang) VALUES
    ('R-4', 'request', 4, 'ar'), ('R-V2', 'volunteer', 2, 'fr'), ('R-P1', 'pledge', 1, 'ar');
INSERT INTO queue_reviews (subject_table, subject_id, decision, reviewed_at) VALUES
    ('households', 3, 'verified', TIMESTAMP '2024-03-03 20:45:00'),
    ('pledges', 2, 'accepted', TIMESTAMP '2024-03-04 18:00:00');
INSERT INTO duplicate_reports (national_id, existing_household_id, attempted_by_org, source, reason, reported_at)
VALUES ('01234567', 1, 2, 'association', 'same_national_id', TIMESTAMP '2024-03-05 12:00:00');
INSERT INTO public_submissions (kind, client_key, subject_keys, submitted_on, submitted_at) VALUES
    ('request', 'client-a', ARRAY['id-1', 'phone-1'], DATE '2024-03-05', TIMESTAMP '2024-03-05 12:00:00'),
    ('pledge', 'client-b', ARRAY['phone-2'], DATE '2024-03-05', TIMESTAMP '2024-03-05 08:00:00'),
    ('request', 'client-a', ARRAY['id-9'], DATE '2024-03-01', TIMESTAMP '2024-03-01 08:00:00');
INSERT INTO audit_log (logged_at, user_id, username, action, table_name, record_id, before, after) VALUES
    (TIMESTAMP '2024-03-02 08:00:00', 1, 'atss', 'insert', 'donations', 1, NULL, '{"item": "Rice"}'),
    (TIMESTAMP '2024-03-03 10:00:00', 1, 'atss', 'insert', 'allocations', 1, NULL, '{"quantity": "5"}'),
    (TIMESTAMP '2024-03-04 16:00:00', 1, 'atss', 'update', 'deliveries', 1, '{"status": "planned"}',
     '{"status": "confirmed"}');
-- Keyed hashes stand in as 'k-' and the ID: the queries only compare them.
UPDATE households SET national_id_key = 'k-' || national_id;
UPDATE duplicate_reports SET national_id_key = 'k-' || national_id;
CREATE TEMP TABLE import_national_ids (national_id VARCHAR, national_id_key VARCHAR);
INSERT INTO import_national_ids VALUES ('01234567', 'k-01234567'), ('22222222', 'k-22222222'),
    ('99999999', 'k-99999999');
CREATE TEMP TABLE import_clashes (national_id VARCHAR, national_id_key VARCHAR, household_id BIGINT);
INSERT INTO import_clashes VALUES ('22222222', 'k-22222222', 3);
"""
LIVE = ["allocated", "delivered", "confirmed"]
DELIVERED = ["delivered", "confirmed"]
UNCOUNTED = ["submitted", "rejected", "merged"]
CLOSED = ["rejected", "merged"]
AREAS = ["TN-11", "TN-12", "TN-13"]
NOW = dt.datetime(2024, 3, 10, 12, 0)
NO_FILTER = {"campaign_id": None, "date_from": None, "date_to": None, "governorate_code": None, "category_code": None}
DASHBOARD = {
    **NO_FILTER,
    "country_code": "TN",
    "uncounted_household_statuses": UNCOUNTED,
    "delivered_statuses": DELIVERED,
}
PAGE = {
    "organisation_id": None,
    "governorate_code": None,
    "status": None,
    "category": None,
    "text": None,
    "text_key": None,
    "limit": 50,
    "offset": 0,
}

# Reads, each with the parameters of a call site: the dashboards, stock, allocation, queues, exports.
READS = [
    ("list_coverage_by_governorate", DASHBOARD),
    ("list_coverage_by_governorate", {**DASHBOARD, "campaign_id": 1, "date_to": dt.date(2024, 3, 4)}),
    ("list_coverage_by_governorate_in_category", {**DASHBOARD, "category_code": "food"}),
    ("list_unmet_by_category", NO_FILTER),
    ("list_unmet_by_category", {**NO_FILTER, "governorate_code": "TN-12"}),
    ("list_flows_by_category", NO_FILTER),
    ("list_flows_by_category", {**NO_FILTER, "date_from": dt.date(2024, 3, 4), "category_code": "food"}),
    ("list_flows_by_organisation", NO_FILTER),
    ("list_volunteer_activity", {**NO_FILTER, "country_code": "TN"}),
    ("list_served_per_day", {"as_of": dt.date(2024, 3, 10), "campaign_id": None}),
    ("list_registered_by_governorate", {"as_of": dt.date(2024, 3, 4), "campaign_id": 1}),
    ("get_campaign_overview", {"uncounted_household_statuses": UNCOUNTED, "country_code": None}),
    ("get_campaign_overview", {"uncounted_household_statuses": UNCOUNTED, "country_code": "TN"}),
    ("list_received_by_category", {"country_code": None}),
    ("list_received_value_by_currency", {"country_code": "TN", "campaign_id": None}),
    ("list_received_value_by_currency", {"country_code": None, "campaign_id": 1}),
    ("list_stock_lines", {"organisation_id": None, "governorate_code": None, "category_code": None}),
    ("list_stock_lines", {"organisation_id": 1, "governorate_code": None, "category_code": "food"}),
    ("list_stock_summary", {"organisation_id": None, "governorate_code": None, "category_code": None}),
    ("get_stock_available", {"donation_ids": [1, 2]}),
    ("get_needs_for_allocation", {"live_statuses": LIVE, "need_ids": [1, 4, 5]}),
    (
        "list_open_needs_scored",
        {
            "live_statuses": LIVE,
            "closed_household_statuses": [*CLOSED, "inactive"],
            "as_of": NOW,
            "organisation_id": None,
            "governorate_code": None,
            "category_code": None,
        },
    ),
    (
        "list_open_needs_scored",
        {
            "live_statuses": LIVE,
            "closed_household_statuses": CLOSED,
            "as_of": None,
            "organisation_id": 2,
            "governorate_code": "TN-12",
            "category_code": "food",
        },
    ),
    ("list_undelivered_groups", {"organisation_id": None, "governorate_code": None}),
    (
        "list_deliveries",
        {"organisation_id": None, "volunteer_id": None, "status": None, "governorate_code": None, "limit": 100},
    ),
    (
        "list_deliveries",
        {"organisation_id": 2, "volunteer_id": None, "status": "confirmed", "governorate_code": None, "limit": 100},
    ),
    (
        "list_eligible_volunteers",
        {
            "planned_on": dt.date(2024, 3, 4),
            "undelivered_end_statuses": ["failed", "cancelled"],
            "delivery_id": None,
            "governorate_code": "TN-11",
        },
    ),
    ("list_cancellable_allocations", {"organisation_id": None, "governorate_code": None}),
    ("list_request_queue", {"areas": AREAS, "now": NOW, "closed": CLOSED}),
    ("list_volunteer_queue", {"areas": AREAS, "now": NOW}),
    ("list_pledge_queue", {"areas": AREAS, "now": NOW, "all_organisations": False, "organisation_id": 2}),
    ("list_queue_summary", {"areas": AREAS, "now": NOW}),
    ("list_merge_candidates", {"national_id_key": "k-01234567", "id": 4, "not_mergeable": [*CLOSED, "submitted"]}),
    ("export_households", {"organisation_id": None, "campaign_id": None}),
    ("export_households", {"organisation_id": None, "campaign_id": 1}),
    ("export_donations", {"organisation_id": 1, "campaign_id": None}),
    ("export_volunteers", {"organisation_id": None}),
    ("export_allocations", {"organisation_id": 1, "campaign_id": 1}),
    ("list_organisations", None),
    ("list_households_page", PAGE),
    ("list_households_page", {**PAGE, "text": "amina", "category": "food"}),
    ("list_households_page", {**PAGE, "text": "01234567", "text_key": "k-01234567"}),
    ("count_households_filtered", {k: v for k, v in PAGE.items() if k not in ("limit", "offset")}),
    ("list_donations_page", {**PAGE, "text": "rice"}),
    (
        "count_donations_filtered",
        {**{k: v for k, v in PAGE.items() if k not in ("limit", "offset")}, "status": "received"},
    ),
    ("list_volunteers_page", {k: v for k, v in PAGE.items() if k != "category"}),
    ("count_volunteers_filtered", {k: v for k, v in PAGE.items() if k not in ("category", "limit", "offset")}),
    ("list_duplicate_reports", {"status": None}),
    ("list_households_for_duplicate_matching", {"inactive": [*CLOSED, "inactive"]}),
    ("find_households_by_national_id", {"national_id_key": "k-01234567", "closed": CLOSED}),
    ("count_live_allocations_of_donation", {"id": 1, "live": LIVE}),
    ("search_trace_households", {"organisation_id": None, "text": "0123", "text_key": "k-01234567"}),
    ("search_trace_donations", {"organisation_id": 1, "text": "ric"}),
    ("get_trace_donation", {"id": 2}),
    ("list_trace_allocations", {"donation_id": 1, "household_id": None}),
    (
        "list_trace_audit",
        {"donation_ids": [1], "household_ids": [], "need_ids": [], "allocation_ids": [1], "delivery_ids": [1]},
    ),
    ("list_households_on_file_for_import", None),
    (
        "count_public_submissions_today",
        {"day": dt.date(2024, 3, 5), "client_key": "client-a", "subject_keys": ["phone-2", "id-9"]},
    ),
    ("list_households_inactive_before", {"placeholder": "anon", "before": dt.datetime(2024, 1, 1)}),
    ("list_audit_rows_of_records", {"households": [1], "volunteers": [], "pledges": []}),
]
# Writes whose text differs by engine in what it stores, then what they stored.
WRITES = [
    ("insert_import_duplicate_reports", {"attempted_by_org": 1}),
    ("insert_import_duplicate_audit", {"attempted_by_org": 1, "user_id": 1, "username": "atss"}),
    ("anonymise_households", {"ids": [5], "placeholder": "anon"}),
    ("anonymise_volunteers", {"ids": [2], "placeholder": "anon"}),
    ("clear_public_submission_keys", {"before": dt.date(2024, 3, 5)}),
    (
        "set_delivery_status",
        {"id": 2, "status": "failed", "failure_reason": "absent", "confirmed_by": None, "confirmation_method": None},
    ),
    ("list_new_allocation_ids", {"count": 3}),
]
STORED = """
SELECT id, national_id, existing_household_id, attempted_by_org, source, reason, status FROM duplicate_reports
ORDER BY id;
SELECT user_id, username, action, table_name, record_id, CAST(after AS VARCHAR) AS after FROM audit_log
WHERE action = 'refused_duplicate' ORDER BY id;
SELECT id, national_id, full_name, phone, address, notes FROM households ORDER BY id;
SELECT id, full_name, national_id, phone FROM volunteers ORDER BY id;
SELECT id, client_key, subject_keys FROM public_submissions ORDER BY id;
SELECT id, status, failure_reason FROM deliveries ORDER BY id;
SELECT * FROM fact_households ORDER BY household_id;
SELECT * FROM fact_waiting ORDER BY household_id, category_code, unit;
SELECT * FROM fact_served_by ORDER BY household_id, organisation_id;
SELECT * FROM fact_deliveries_done ORDER BY household_id, volunteer_id;
SELECT * FROM fact_stock_moves ORDER BY donation_id, governorate_code, allocated_on;
"""


def plain(value: Any) -> Any:
    """One spelling per value across drivers: numbers as int or float, dates as datetimes, lists as lists."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, bool) or not isinstance(value, (int, float, decimal.Decimal)):
        return value
    number = float(value)
    return int(number) if number.is_integer() else round(number, 9)


def result(cur: Any, name: str, params: dict | None) -> Any:
    if params is not None:  # DuckDB refuses a parameter the query does not use
        params = {"country_code": "TN", **params}  # the dataset is of one country
        params = {key: params[key] for key in parameter_names(Q.get(name).sql)}
    got = run(cur, name, params)
    if isinstance(got, pd.DataFrame):
        return list(got.columns), [[plain(v) for v in row] for row in got.itertuples(index=False)]
    if isinstance(got, list):
        return [{k: plain(v) for k, v in row.items()} for row in got]
    if isinstance(got, dict):
        return {k: plain(v) for k, v in got.items()}
    return plain(got)


def stored(cur: Any) -> list:
    return [[[plain(v) for v in row] for row in cur.execute(sql).fetchall()] for sql in statements(STORED)]


@pytest.fixture
def both(tmp_path, pg_server):
    """The dataset, with its dashboard facts built, in a DuckDB file and in a PostgreSQL database."""
    duck = duckdb.connect(str(tmp_path / "same.duckdb"))
    name = f"queries_{next(databases)}"
    pg_server.psql(f"CREATE DATABASE {name}")
    with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
        for _version, _name, path in list_migrations():
            conn.execute(path.read_text(encoding="utf-8"))
            duck.execute(path.read_text(encoding="utf-8"))
        conn.execute(POSTGRES_DIALECT.read_text(encoding="utf-8"))
    pg = connect_postgres(pg_server.url(name), max_size=1)
    pg_cur = pg.cursor()  # one connection throughout: the scratch tables are TEMP
    duck_cur = duck.cursor()
    try:
        for cur in (duck_cur, pg_cur):
            for statement in statements(DATASET):
                cur.execute(statement)
            refresh_facts(cur)
        yield duck_cur, pg_cur
    finally:
        pg_cur.close()
        pg.close()
        duck.close()


def test_reads_and_writes_give_the_same_answers_on_both_engines(both):
    duck, pg = both
    differ = []
    for name, params in READS:
        on_duckdb, on_postgres = result(duck, name, params), result(pg, name, params)
        if on_duckdb != on_postgres:
            differ.append(f"{name} {params}:\n    duckdb   {on_duckdb}\n    postgres {on_postgres}")
    for name, params in WRITES:
        on_duckdb, on_postgres = result(duck, name, params), result(pg, name, params)
        if on_duckdb != on_postgres:
            differ.append(f"{name} {params}:\n    duckdb   {on_duckdb}\n    postgres {on_postgres}")
    for sql, on_duckdb, on_postgres in zip(statements(STORED), stored(duck), stored(pg)):
        if on_duckdb != on_postgres:
            differ.append(f"after the writes, {sql}:\n    duckdb   {on_duckdb}\n    postgres {on_postgres}")
    assert not differ, "\n".join(differ)


def test_the_dataset_reaches_every_branch_it_compares(both):
    # Empty answers would agree whatever the SQL: the reads above must see rows.
    duck, _pg = both
    empty = [name for name, params in READS if name.startswith("list_") and not len(result(duck, name, params))]
    assert empty == []
