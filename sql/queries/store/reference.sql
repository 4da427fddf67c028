-- name: list_areas :frame
-- Every first-level area with its names, census population and centroid (for the map).
SELECT code, country_code, name_ar, name_fr, name_en, population, delegations, region, lat, lon
FROM areas ORDER BY code;

-- name: list_categories :rows
-- Categories with the units that fit each and whether a unit may be split.
SELECT code, units, divisible FROM categories ORDER BY sort_order;

-- name: get_reference_version :scalar
-- The version of the countries, their settings and areas (0156): it moves on with every change to them.
SELECT version FROM reference_version WHERE id = 1;

-- name: bump_reference_version
-- In the transaction that changes countries, their settings or areas: servers holding them read them again.
UPDATE reference_version SET version = version + 1 WHERE id = 1;
