-- What the operator's health probe reads.

-- name: list_applied_migration_versions :rows
-- The schema versions recorded as applied.
SELECT version FROM schema_migrations ORDER BY version;

-- name: count_campaigns_for_health :scalar
-- A read of a base table, to prove the file answers queries.
SELECT count(*) FROM campaigns;
