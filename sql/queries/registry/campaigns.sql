-- name: get_active_campaign :one
-- The campaign in progress (the latest active one).
SELECT id, name, country_code, starts_on, ends_on, target_households, target_value_tnd
FROM campaigns WHERE is_active ORDER BY starts_on DESC, id DESC LIMIT 1;

-- name: insert_campaign :scalar
-- A new campaign with its deadline and targets.
INSERT INTO campaigns (name, country_code, starts_on, ends_on, target_households, target_value_tnd)
VALUES ($name, $country_code, $starts_on, $ends_on, $target_households, $target_value_tnd)
RETURNING id;
