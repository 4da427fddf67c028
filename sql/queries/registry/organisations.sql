-- name: insert_organisation :scalar
-- A new organisation; returns its id.
INSERT INTO organisations (code, name, kind, governorate_code, phone, country_code)
VALUES ($code, $name, $kind, $governorate_code, $phone, $country_code) RETURNING id;

-- name: insert_organisation_area
-- A governorate an organisation works in.
INSERT INTO organisation_areas (organisation_id, area_code) VALUES ($organisation_id, $area_code);

-- name: list_organisations :frame
-- Every organisation with its country, the governorates it covers and its user count. The country is
-- the one recorded, else its main governorate's, else that of the governorates it covers.
SELECT o.id, o.code, o.name, o.kind, o.governorate_code,
       coalesce(o.country_code, g.country_code, min(a.country_code)) AS country_code, o.phone, o.is_active,
       array_agg(oa.area_code ORDER BY oa.area_code) FILTER (WHERE oa.area_code IS NOT NULL) AS areas,
       (SELECT count(*) FROM users u WHERE u.organisation_id = o.id) AS users
FROM organisations o
LEFT JOIN areas g ON g.code = o.governorate_code
LEFT JOIN organisation_areas oa ON oa.organisation_id = o.id
LEFT JOIN areas a ON a.code = oa.area_code
GROUP BY o.id, o.code, o.name, o.kind, o.governorate_code, o.country_code, g.country_code, o.phone, o.is_active
ORDER BY o.code;

-- name: get_organisation_by_code :one
-- One organisation by its short code.
SELECT id, code, name, kind FROM organisations WHERE code = $code;

-- name: get_organisation_country :scalar
-- The country an organisation works in, as list_organisations reads it.
SELECT coalesce(o.country_code, g.country_code,
                (SELECT min(a.country_code) FROM organisation_areas oa JOIN areas a ON a.code = oa.area_code
                 WHERE oa.organisation_id = o.id))
FROM organisations o LEFT JOIN areas g ON g.code = o.governorate_code
WHERE o.id = $id;
