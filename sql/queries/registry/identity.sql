-- Keyed hashes of national IDs (data_layer/registry/identity.py).

-- name: get_keyed_hash_fingerprint :scalar
-- The fingerprint of the key the stored hashes of $purpose were made with.
SELECT fingerprint FROM keyed_hash_state WHERE purpose = $purpose;

-- name: set_keyed_hash_fingerprint :exec
-- Record the key the stored hashes of $purpose are now made with.
INSERT INTO keyed_hash_state (purpose, fingerprint, updated_at) VALUES ($purpose, $fingerprint, CAST($now AS TIMESTAMP))
ON CONFLICT (purpose) DO UPDATE SET fingerprint = excluded.fingerprint, updated_at = excluded.updated_at;

-- name: count_national_id_keys :one
-- Households and repeat reports in all, and those whose national ID has no keyed hash yet.
SELECT (SELECT count(*) FROM households) + (SELECT count(*) FROM duplicate_reports) AS total,
       (SELECT count(*) FROM households WHERE national_id_key IS NULL)
     + (SELECT count(*) FROM duplicate_reports WHERE national_id_key IS NULL) AS missing;

-- name: list_household_national_ids :rows
-- Households' national IDs to hash: those without a hash, or all ($all).
SELECT id, national_id FROM households WHERE CAST($all AS BOOLEAN) OR national_id_key IS NULL ORDER BY id;

-- name: list_duplicate_report_national_ids :rows
-- Repeat reports' national IDs to hash: those without a hash, or all ($all).
SELECT id, national_id FROM duplicate_reports WHERE CAST($all AS BOOLEAN) OR national_id_key IS NULL ORDER BY id;

-- name: set_household_national_id_keys :exec
-- Store the hashes of the registered table national_id_keys (id, national_id_key) on households.
UPDATE households SET national_id_key = k.national_id_key FROM national_id_keys k WHERE households.id = k.id;

-- name: set_duplicate_report_national_id_keys :exec
-- Store the hashes of the registered table national_id_keys (id, national_id_key) on repeat reports.
UPDATE duplicate_reports SET national_id_key = k.national_id_key FROM national_id_keys k
WHERE duplicate_reports.id = k.id;
