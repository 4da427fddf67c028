-- name: create_schema_migrations
-- The record of applied migrations, created before the first one runs.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp());

-- name: list_applied_migrations :rows
-- The versions already applied.
SELECT version FROM schema_migrations;

-- name: insert_schema_migration
-- Record one migration as applied.
INSERT INTO schema_migrations (version, name) VALUES ($version, $name);

-- name: insert_reference_areas
-- One country's first-level areas from its CSV file; areas already present are kept.
INSERT INTO areas
SELECT iso_code, $country_code, name_ar, name_fr, name_en, population_2014, 2014, delegations, region_fr
FROM read_csv($path, header = true, all_varchar = false)
WHERE iso_code NOT IN (SELECT code FROM areas);
