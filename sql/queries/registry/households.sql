-- name: find_households_by_national_id :rows
-- Live registrations (not in a $closed status) of the national ID whose keyed hash is $national_id_key.
SELECT id, organisation_id, source, status FROM households
WHERE national_id_key = $national_id_key AND NOT list_contains(CAST($closed AS VARCHAR[]), status)
ORDER BY id;

-- name: insert_household :scalar
-- A new household; returns its id.
INSERT INTO households (campaign_id, national_id, national_id_key, full_name, phone, governorate_code, delegation, address,
                        household_size, vulnerabilities, organisation_id, source, status, notes, created_by)
VALUES ($campaign_id, $national_id, $national_id_key, $full_name, $phone, $governorate_code, $delegation, $address,
        $household_size, $vulnerabilities, $organisation_id, $source, $status, $notes, $created_by)
RETURNING id;

-- name: insert_need :scalar
-- One need of a household; returns its id.
INSERT INTO needs (household_id, category_code, quantity, unit, urgency)
VALUES ($household_id, $category_code, $quantity, $unit, $urgency)
RETURNING id;

-- name: get_household :one
-- One household with its registering organisation's name (not the keyed hash of its ID: nobody reads it).
SELECT h.id, h.campaign_id, h.national_id, h.full_name, h.phone, h.governorate_code, h.delegation, h.address,
       h.household_size, h.vulnerabilities, h.organisation_id, h.source, h.status, h.notes, h.created_by,
       h.created_at, h.updated_at, o.name AS organisation_name, o.code AS organisation_code
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE h.id = $id;

-- name: list_needs_of_household :frame
-- The needs of one household.
SELECT id, category_code, quantity, unit, urgency, status, created_at
FROM needs WHERE household_id = $household_id ORDER BY id;

-- name: update_household
-- The editable fields of a household.
UPDATE households SET full_name = $full_name, phone = $phone, governorate_code = $governorate_code,
    delegation = $delegation, address = $address, household_size = $household_size,
    vulnerabilities = $vulnerabilities, notes = $notes, national_id = $national_id,
    national_id_key = $national_id_key,
    updated_at = localtimestamp
WHERE id = $id;

-- name: set_household_status
-- Move a household to another status (rows are never deleted).
UPDATE households SET status = $status, updated_at = localtimestamp WHERE id = $id;

-- name: list_households_page :frame
-- One page of households an actor may see, filtered; newest first.
SELECT h.id, h.national_id, h.full_name, h.phone, h.governorate_code, h.delegation,
       h.household_size, h.vulnerabilities, h.status, h.source, o.code AS organisation_code, h.created_at
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
  AND (CAST($status AS VARCHAR) IS NULL OR h.status = $status)
  AND (CAST($category AS VARCHAR) IS NULL OR EXISTS (SELECT 1 FROM needs n WHERE n.household_id = h.id AND n.category_code = $category))
  AND (CAST($text AS VARCHAR) IS NULL OR h.national_id_key = $text_key OR h.phone LIKE '%' || $text || '%'
       OR h.full_name ILIKE '%' || $text || '%')
ORDER BY h.id DESC
LIMIT $limit OFFSET $offset;

-- name: count_households_filtered :scalar
-- How many households the same filters match (for the pager).
SELECT count(*) FROM households h
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
  AND (CAST($status AS VARCHAR) IS NULL OR h.status = $status)
  AND (CAST($category AS VARCHAR) IS NULL OR EXISTS (SELECT 1 FROM needs n WHERE n.household_id = h.id AND n.category_code = $category))
  AND (CAST($text AS VARCHAR) IS NULL OR h.national_id_key = $text_key OR h.phone LIKE '%' || $text || '%'
       OR h.full_name ILIKE '%' || $text || '%');
