-- name: list_main_tables :rows
-- The base tables of the main schema, by name: what a backup holds.
SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name;
-- postgres:
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name;

-- name: list_sequence_defaults :rows
-- Columns whose default takes the next value of a sequence, with that sequence's name.
SELECT table_name, column_name,
       regexp_extract(column_default, 'nextval\(''([a-z_0-9]+)''\)', 1) AS sequence_name
FROM duckdb_columns() WHERE schema_name = 'main' AND column_default LIKE 'nextval(%';
-- postgres:
SELECT table_name, column_name,
       substring(column_default FROM 'nextval\(''([a-z_0-9]+)''') AS sequence_name
FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%';

-- name: list_sequence_starts :rows
-- The value each sequence hands out next.
SELECT sequence_name, start_value FROM duckdb_sequences();
-- postgres:
SELECT sequencename AS sequence_name, coalesce(last_value + 1, start_value) AS start_value FROM pg_sequences;

-- name: checkpoint
-- Write the restored tables into the file itself, leaving no log to replay.
CHECKPOINT;
