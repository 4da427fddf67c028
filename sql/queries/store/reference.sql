-- name: list_areas :frame
-- Every first-level area with its names, census population and centroid (for the map).
SELECT code, country_code, name_ar, name_fr, name_en, population, delegations, region, lat, lon
FROM areas ORDER BY code;

-- name: list_categories :rows
-- Categories with the units that fit each and whether a unit may be split.
SELECT code, units, divisible FROM categories ORDER BY sort_order;
