-- name: insert_volunteer :scalar
-- A volunteer and the services they offer; returns the id.
INSERT INTO volunteers (full_name, national_id, phone, governorate_code, delegation, offers_transport,
                        offers_distribution, vehicle, available_from, available_to, organisation_id,
                        status, created_by)
VALUES ($full_name, $national_id, $phone, $governorate_code, $delegation, $offers_transport,
        $offers_distribution, $vehicle, $available_from, $available_to, $organisation_id, $status, $created_by)
RETURNING id;

-- name: list_volunteers_page :frame
-- One page of volunteers an actor may see, filtered.
SELECT v.id, v.full_name, v.phone, v.governorate_code, v.delegation, v.offers_transport,
       v.offers_distribution, v.vehicle, v.available_from, v.available_to, v.status,
       o.code AS organisation_code
FROM volunteers v LEFT JOIN organisations o ON o.id = v.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR v.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR v.governorate_code = $governorate_code)
  AND (CAST($status AS VARCHAR) IS NULL OR v.status = $status)
  AND (CAST($text AS VARCHAR) IS NULL OR v.full_name ILIKE '%' || $text || '%' OR v.phone LIKE '%' || $text || '%')
ORDER BY v.id DESC
LIMIT $limit OFFSET $offset;

-- name: count_volunteers_filtered :scalar
-- How many volunteers the same filters match.
SELECT count(*) FROM volunteers v
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR v.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR v.governorate_code = $governorate_code)
  AND (CAST($status AS VARCHAR) IS NULL OR v.status = $status)
  AND (CAST($text AS VARCHAR) IS NULL OR v.full_name ILIKE '%' || $text || '%' OR v.phone LIKE '%' || $text || '%');
