-- name: get_campaign_by_id :one
-- One campaign with its dates and targets.
SELECT id, name, country_code, starts_on, ends_on, target_households, target_value_tnd
FROM campaigns WHERE id = $id;

-- name: list_served_per_day :frame
-- Households first served on each day (the day of their first confirmed delivery), per governorate.
SELECT f.first_confirmed_on AS served_on, f.governorate_code, count(*) AS households_served
FROM fact_households f
WHERE f.first_confirmed_on <= $as_of
  AND (CAST($campaign_id AS INTEGER) IS NULL OR f.campaign_id = $campaign_id)
GROUP BY f.first_confirmed_on, f.governorate_code
ORDER BY served_on, f.governorate_code;

-- name: list_registered_by_governorate :frame
-- Households registered on or before a day, per governorate (the base of per-governorate targets).
SELECT f.governorate_code, count(*) AS households_registered
FROM fact_households f
WHERE f.created_on <= $as_of
  AND (CAST($campaign_id AS INTEGER) IS NULL OR f.campaign_id = $campaign_id)
GROUP BY f.governorate_code
ORDER BY f.governorate_code;

-- name: list_area_codes :frame
-- The first-level area codes of a country, in code order.
SELECT code AS governorate_code FROM areas WHERE country_code = $country_code ORDER BY code;
