-- name: search_trace_households :frame
-- Households matching an ID, national ID, name or phone, within the actor's organisation if any.
SELECT h.id AS household_id, h.national_id, h.full_name, h.phone, h.governorate_code, h.status,
       o.code AS organisation
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
  AND CAST($text AS VARCHAR) <> ''
  AND (CAST(h.id AS VARCHAR) = $text OR h.national_id_key = $text_key OR h.phone LIKE '%' || $text
       OR h.full_name ILIKE '%' || $text || '%')
ORDER BY h.id LIMIT 50;

-- name: search_trace_donations :frame
-- Donations matching an ID, donor name or item, within the actor's organisation if any.
SELECT d.id AS donation_id, dn.name AS donor_name, d.category_code, d.item, CAST(d.quantity AS DOUBLE PRECISION) AS quantity,
       d.unit, d.governorate_code, o.code AS organisation, d.received_on
FROM donations d JOIN organisations o ON o.id = d.organisation_id LEFT JOIN donors dn ON dn.id = d.donor_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND CAST($text AS VARCHAR) <> ''
  AND (CAST(d.id AS VARCHAR) = $text OR dn.name ILIKE '%' || $text || '%' OR d.item ILIKE '%' || $text || '%')
ORDER BY d.id LIMIT 50;

-- name: get_trace_donation :one
-- One donation with its donor and organisation.
SELECT d.id AS donation_id, d.organisation_id, o.code AS organisation, dn.name AS donor_name, dn.donor_type,
       d.category_code, d.item, CAST(d.quantity AS DOUBLE PRECISION) AS quantity, d.unit, d.governorate_code,
       d.received_on, d.status
FROM donations d JOIN organisations o ON o.id = d.organisation_id LEFT JOIN donors dn ON dn.id = d.donor_id
WHERE d.id = $id;

-- name: list_trace_allocations :frame
-- Allocations of a donation or of a household, with both ends and the delivery that carried them.
SELECT a.id AS allocation_id, a.donation_id, dn.name AS donor_name, d.item, CAST(a.quantity AS DOUBLE PRECISION) AS quantity,
       d.unit, a.status, a.household_id, h.organisation_id AS household_organisation_id, h.national_id, h.full_name,
       h.phone, h.governorate_code, a.need_id, a.delivery_id, dl.status AS delivery_status, dl.planned_on,
       dl.confirmation_method, dl.confirmed_at, a.created_at
FROM allocations a JOIN donations d ON d.id = a.donation_id LEFT JOIN donors dn ON dn.id = d.donor_id
JOIN households h ON h.id = a.household_id LEFT JOIN deliveries dl ON dl.id = a.delivery_id
WHERE (CAST($donation_id AS INTEGER) IS NULL OR a.donation_id = $donation_id)
  AND (CAST($household_id AS INTEGER) IS NULL OR a.household_id = $household_id)
ORDER BY a.id;

-- name: list_trace_audit :frame
-- The audit trail of the rows along one trace, oldest first.
SELECT logged_at, username, action, table_name, record_id, before, after
FROM audit_log
WHERE (table_name = 'donations' AND list_contains($donation_ids, record_id))
   OR (table_name = 'households' AND list_contains($household_ids, record_id))
   OR (table_name = 'needs' AND list_contains($need_ids, record_id))
   OR (table_name = 'allocations' AND list_contains($allocation_ids, record_id))
   OR (table_name = 'deliveries' AND list_contains($delivery_ids, record_id))
ORDER BY logged_at, id
LIMIT 1000;
