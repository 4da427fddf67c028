-- name: list_areas
-- Every first-level area with its names and census population.
SELECT code, country_code, name_ar, name_fr, name_en, population, delegations, region
FROM areas ORDER BY code;

-- name: list_categories
-- Categories with the units that fit each and whether a unit may be split.
SELECT code, units, divisible FROM categories ORDER BY sort_order;

-- name: insert_audit
-- One row of the append-only audit log, in the caller's transaction.
INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
VALUES ($user_id, $username, $action, $table_name, $record_id, $before, $after);

-- name: get_active_campaign
-- The campaign in progress (the latest active one).
SELECT id, name, country_code, starts_on, ends_on, target_households, target_value_tnd
FROM campaigns WHERE is_active ORDER BY starts_on DESC, id DESC LIMIT 1;

-- name: insert_campaign
-- A new campaign with its deadline and targets.
INSERT INTO campaigns (name, country_code, starts_on, ends_on, target_households, target_value_tnd)
VALUES ($name, $country_code, $starts_on, $ends_on, $target_households, $target_value_tnd)
RETURNING id;

-- name: search_audit
-- Audit rows matching a table, a record, a user or free text, newest first.
SELECT id, logged_at, username, action, table_name, record_id, before, after
FROM audit_log
WHERE ($table_name IS NULL OR table_name = $table_name)
  AND ($record_id IS NULL OR record_id = $record_id)
  AND ($username IS NULL OR username = $username)
  AND ($text IS NULL OR CAST(before AS VARCHAR) ILIKE '%' || $text || '%' OR CAST(after AS VARCHAR) ILIKE '%' || $text || '%')
ORDER BY id DESC
LIMIT $limit OFFSET $offset;
