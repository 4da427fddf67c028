-- name: create_schema_migrations
-- The record of applied migrations, created before the first one runs.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT LOCALTIMESTAMP);

-- name: list_applied_migrations :rows
-- The versions already applied.
SELECT version FROM schema_migrations;

-- name: insert_schema_migration
-- Record one migration as applied.
INSERT INTO schema_migrations (version, name) VALUES ($version, $name);

-- name: insert_reference_areas
-- First-level areas from an area file, given as bulk_rows; areas already present are kept.
INSERT INTO areas (code, country_code, name_ar, name_fr, name_en, population, population_year, delegations, region,
                   lat, lon)
SELECT code, country_code, name_ar, name_fr, name_en, population, population_year, delegations, region, lat, lon
FROM bulk_rows
WHERE code NOT IN (SELECT code FROM areas);

-- name: update_area_positions
-- Centroids from an area file (bulk_rows) for the areas that have none yet.
UPDATE areas SET lat = b.lat, lon = b.lon
FROM bulk_rows b
WHERE areas.code = b.code AND areas.lat IS NULL AND b.lat IS NOT NULL AND b.lon IS NOT NULL;
