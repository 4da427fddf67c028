"""The one set of migrations builds the same schema on DuckDB and on PostgreSQL."""

from __future__ import annotations

import itertools

import psycopg

from data_layer.store.migrations import list_migrations

COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = {schema} AND table_name <> 'schema_migrations'
ORDER BY table_name, column_name
"""
counter = itertools.count()


def test_every_migration_applies_on_postgresql_and_gives_duckdbs_tables(pg_server, empty_db):
    name = f"schema_{next(counter)}"
    pg_server.psql(f"CREATE DATABASE {name}")
    with psycopg.connect(pg_server.url(name), autocommit=True) as conn:
        for _version, _name, path in list_migrations():
            conn.execute(path.read_text(encoding="utf-8"))
        on_postgres = conn.execute(COLUMNS.format(schema="'public'")).fetchall()
    on_duckdb = empty_db.conn.execute(COLUMNS.format(schema="'main'")).fetchall()
    assert len(on_duckdb) > 100
    assert on_postgres == on_duckdb
