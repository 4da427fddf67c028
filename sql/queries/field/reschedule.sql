-- name: list_to_reschedule :frame
-- Deliveries to plan again: failed, or not confirmed by $overdue_before, and not yet re-planned; with the household's failures.
SELECT dl.id AS delivery_id, dl.status, dl.planned_on, h.id AS household_id,
       CASE WHEN CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id THEN h.full_name END AS full_name,
       CASE WHEN CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id THEN h.phone END AS phone,
       h.governorate_code, h.delegation,
       CASE WHEN dl.status = 'failed' THEN dl.failure_reason ELSE 'not_confirmed' END AS reason,
       (SELECT count(*) FROM deliveries f WHERE f.household_id = dl.household_id AND f.status = 'failed')
           + CASE WHEN dl.status = 'failed' THEN 0 ELSE 1 END AS failures
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE (dl.status = 'failed'
       OR (dl.status IN ('planned', 'out_for_delivery', 'delivered') AND dl.planned_on < $overdue_before))
  AND NOT EXISTS (SELECT 1 FROM delivery_reschedules r WHERE r.delivery_id = dl.id)
  AND NOT list_contains($inactive_statuses, h.status)
  AND (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id)
ORDER BY failures DESC, dl.planned_on NULLS LAST, dl.id
LIMIT $limit;

-- name: count_to_reschedule :scalar
-- How many deliveries wait on the reschedule list (the same rule as list_to_reschedule).
SELECT count(*)
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE (dl.status = 'failed'
       OR (dl.status IN ('planned', 'out_for_delivery', 'delivered') AND dl.planned_on < $overdue_before))
  AND NOT EXISTS (SELECT 1 FROM delivery_reschedules r WHERE r.delivery_id = dl.id)
  AND NOT list_contains($inactive_statuses, h.status)
  AND (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id);

-- name: list_household_deliveries :frame
-- Every delivery of a household, oldest first, with what re-planned it.
SELECT dl.id AS delivery_id, dl.status, dl.planned_on, dl.failure_reason, v.full_name AS volunteer,
       r.new_delivery_id AS replanned_as, r.replanned_at
FROM deliveries dl LEFT JOIN volunteers v ON v.id = dl.volunteer_id
LEFT JOIN delivery_reschedules r ON r.delivery_id = dl.id
WHERE dl.household_id = $household_id
  AND (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id)
ORDER BY dl.id;

-- name: list_returned_allocations :rows
-- What a failed delivery carried, to allocate again.
SELECT a.donation_id, a.need_id, a.quantity FROM allocations a
WHERE a.delivery_id = $delivery_id AND a.status = 'returned' ORDER BY a.id;

-- name: get_reschedule :one
-- Whether a delivery was already re-planned, and as which.
SELECT delivery_id, new_delivery_id FROM delivery_reschedules WHERE delivery_id = $delivery_id;

-- name: insert_reschedule
-- The link from a failed delivery to the one that plans it again.
INSERT INTO delivery_reschedules (delivery_id, new_delivery_id, replanned_by)
VALUES ($delivery_id, $new_delivery_id, $replanned_by);
