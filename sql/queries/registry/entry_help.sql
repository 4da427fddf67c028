-- name: get_organisation_home_area :scalar
-- The governorate an organisation works from: its own, else the first it covers.
SELECT coalesce(o.governorate_code,
                (SELECT min(oa.area_code) FROM organisation_areas oa WHERE oa.organisation_id = o.id))
FROM organisations o WHERE o.id = $organisation_id;

-- name: list_likely_duplicate_candidates :rows
-- Live households of a governorate sharing the phone, or with a delegation and a name of about the same length.
SELECT h.id, h.full_name, h.phone, h.delegation, h.household_size, h.organisation_id
FROM households h
WHERE h.governorate_code = $governorate_code
  AND NOT list_contains(CAST($closed AS VARCHAR[]), h.status)
  AND (h.phone = $phone
       OR (h.delegation IS NOT NULL AND length(h.full_name) BETWEEN $name_length - 2 AND $name_length + 2))
ORDER BY h.id
LIMIT 2000;
