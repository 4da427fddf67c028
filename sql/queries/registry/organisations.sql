-- name: insert_organisation :scalar
-- A new organisation; returns its id.
INSERT INTO organisations (code, name, kind, governorate_code, phone)
VALUES ($code, $name, $kind, $governorate_code, $phone) RETURNING id;

-- name: insert_organisation_area
-- A governorate an organisation works in.
INSERT INTO organisation_areas (organisation_id, area_code) VALUES ($organisation_id, $area_code);

-- name: list_organisations :frame
-- Every organisation with the governorates it covers and its user count.
SELECT o.id, o.code, o.name, o.kind, o.governorate_code, o.phone, o.is_active,
       array_agg(oa.area_code ORDER BY oa.area_code) FILTER (WHERE oa.area_code IS NOT NULL) AS areas,
       (SELECT count(*) FROM users u WHERE u.organisation_id = o.id) AS users
FROM organisations o LEFT JOIN organisation_areas oa ON oa.organisation_id = o.id
GROUP BY o.id, o.code, o.name, o.kind, o.governorate_code, o.phone, o.is_active
ORDER BY o.code;

-- name: get_organisation_by_code :one
-- One organisation by its short code.
SELECT id, code, name, kind FROM organisations WHERE code = $code;
