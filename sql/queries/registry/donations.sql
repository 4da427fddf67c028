-- name: find_donor :scalar
-- A donor already on file with this name and type (so repeat donors are one row).
SELECT id FROM donors WHERE name = $name AND donor_type = $donor_type ORDER BY id LIMIT 1;

-- name: insert_donor :scalar
-- A new donor; returns its id.
INSERT INTO donors (name, donor_type, phone) VALUES ($name, $donor_type, $phone) RETURNING id;

-- name: insert_donation :scalar
-- A donation received by an organisation; returns its id.
INSERT INTO donations (campaign_id, organisation_id, donor_id, kind, category_code, item, quantity, unit,
                       value_tnd, governorate_code, delegation, storage_location, received_on, notes, created_by)
VALUES ($campaign_id, $organisation_id, $donor_id, $kind, $category_code, $item, $quantity, $unit,
        $value_tnd, $governorate_code, $delegation, $storage_location, $received_on, $notes, $created_by)
RETURNING id;

-- name: get_donation :one
-- One donation with its donor and organisation.
SELECT d.*, dn.name AS donor_name, dn.donor_type, o.code AS organisation_code, o.name AS organisation_name
FROM donations d
LEFT JOIN donors dn ON dn.id = d.donor_id
JOIN organisations o ON o.id = d.organisation_id
WHERE d.id = $id;

-- name: list_donations_page :frame
-- One page of donations an actor may see, filtered; newest first.
SELECT d.id, d.received_on, o.code AS organisation_code, dn.name AS donor_name, d.kind, d.category_code,
       d.item, d.quantity, d.unit, d.value_tnd, d.governorate_code, d.delegation, d.storage_location, d.status
FROM donations d
JOIN organisations o ON o.id = d.organisation_id
LEFT JOIN donors dn ON dn.id = d.donor_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR d.governorate_code = $governorate_code)
  AND (CAST($category AS VARCHAR) IS NULL OR d.category_code = $category)
  AND (CAST($status AS VARCHAR) IS NULL OR d.status = $status)
  AND (CAST($text AS VARCHAR) IS NULL OR dn.name ILIKE '%' || $text || '%' OR d.item ILIKE '%' || $text || '%')
ORDER BY d.id DESC
LIMIT $limit OFFSET $offset;

-- name: count_donations_filtered :scalar
-- How many donations the same filters match.
SELECT count(*) FROM donations d LEFT JOIN donors dn ON dn.id = d.donor_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR d.governorate_code = $governorate_code)
  AND (CAST($category AS VARCHAR) IS NULL OR d.category_code = $category)
  AND (CAST($status AS VARCHAR) IS NULL OR d.status = $status)
  AND (CAST($text AS VARCHAR) IS NULL OR dn.name ILIKE '%' || $text || '%' OR d.item ILIKE '%' || $text || '%');

-- name: update_donation_details
-- The fields of a donation that may be corrected without touching stock arithmetic.
UPDATE donations SET item = $item, value_tnd = $value_tnd, delegation = $delegation,
    storage_location = $storage_location, received_on = $received_on, notes = $notes
WHERE id = $id;

-- name: count_live_allocations_of_donation :scalar
-- Allocations that still hold stock from this donation (in a $live status).
SELECT count(*) FROM allocations
WHERE donation_id = $id AND list_contains(CAST($live AS VARCHAR[]), status);

-- name: cancel_donation
-- Withdraw a donation recorded by mistake (the row stays, with its history).
UPDATE donations SET status = 'cancelled' WHERE id = $id AND status = 'received';
