-- name: list_undelivered_groups :rows
-- Live allocations without a delivery, one row per household and stock organisation.
SELECT a.household_id, d.organisation_id, array_agg(a.id ORDER BY a.id) AS allocation_ids
FROM allocations a JOIN donations d ON d.id = a.donation_id JOIN households h ON h.id = a.household_id
WHERE a.status = 'allocated' AND a.delivery_id IS NULL
  AND (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
GROUP BY a.household_id, d.organisation_id
ORDER BY a.household_id, d.organisation_id;

-- name: insert_delivery :scalar
-- A planned delivery to one household; returns its id.
INSERT INTO deliveries (household_id, organisation_id, planned_on, confirmation_code, created_by)
VALUES ($household_id, $organisation_id, $planned_on, $confirmation_code, $created_by)
RETURNING id;

-- name: attach_allocations_to_delivery
-- Point allocations at the delivery that carries them.
UPDATE allocations SET delivery_id = $delivery_id, updated_at = localtimestamp
WHERE list_contains($allocation_ids, id) AND status = 'allocated' AND delivery_id IS NULL;

-- name: get_delivery :one
-- One delivery with its household's place (for volunteer matching and permission checks).
SELECT dl.*, h.governorate_code, h.delegation, h.organisation_id AS household_organisation_id,
       coalesce((SELECT t.wrong_tries FROM delivery_code_tries t WHERE t.delivery_id = dl.id), 0) AS code_wrong_tries
FROM deliveries dl JOIN households h ON h.id = dl.household_id WHERE dl.id = $id;

-- name: list_deliveries :frame
-- Deliveries with their household (name, phone, address only when it is the organisation's own), volunteer and contents.
SELECT dl.id AS delivery_id, dl.status, dl.planned_on, h.id AS household_id,
       CASE WHEN CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id THEN h.full_name END AS full_name,
       CASE WHEN CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id THEN h.phone END AS phone,
       h.governorate_code, h.delegation,
       CASE WHEN CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id THEN h.address END AS address,
       o.code AS organisation, dl.volunteer_id,
       v.full_name AS volunteer, v.vehicle,
       -- A DECIMAL(18, 3) less up to two trailing zeros reads 5.0, 2.5, 2.25 on both engines.
       (SELECT string_agg(d.item || ' × ' || regexp_replace(CAST(a.quantity AS VARCHAR), '0{1,2}$', '') || ' ' || d.unit, '; '
                          ORDER BY a.id)
        FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE a.delivery_id = dl.id) AS contents,
       dl.failure_reason, dl.confirmation_method, dl.delivered_at, dl.confirmed_at
FROM deliveries dl JOIN households h ON h.id = dl.household_id
LEFT JOIN organisations o ON o.id = dl.organisation_id
LEFT JOIN volunteers v ON v.id = dl.volunteer_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id)
  AND (CAST($volunteer_id AS INTEGER) IS NULL OR dl.volunteer_id = $volunteer_id)
  AND (CAST($status AS VARCHAR) IS NULL OR dl.status = $status)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
ORDER BY dl.planned_on NULLS LAST, dl.id
LIMIT $limit;

-- name: list_eligible_volunteers :frame
-- Active volunteers of a governorate who are available that day, with how many deliveries they already carry then.
SELECT v.id AS volunteer_id, v.full_name, v.vehicle, v.offers_transport, v.offers_distribution,
       (SELECT count(*) FROM deliveries dl WHERE dl.volunteer_id = v.id AND dl.planned_on = $planned_on
        AND NOT list_contains($undelivered_end_statuses, dl.status) AND dl.id <> coalesce($delivery_id, -1))
           AS deliveries_that_day
FROM volunteers v
WHERE v.status = 'active' AND v.governorate_code = $governorate_code
  AND $planned_on BETWEEN v.available_from AND v.available_to
ORDER BY v.id;

-- name: assign_delivery_volunteer
-- Give a delivery its volunteer and day.
UPDATE deliveries SET volunteer_id = $volunteer_id, planned_on = $planned_on, updated_at = localtimestamp
WHERE id = $id;

-- name: set_delivery_status
-- Move a delivery to a new state, stamping what that state records.
UPDATE deliveries SET status = CAST($status AS VARCHAR),
    failure_reason = CASE WHEN $status = 'failed' THEN $failure_reason ELSE failure_reason END,
    delivered_at = CASE WHEN $status = 'delivered' THEN localtimestamp ELSE delivered_at END,
    confirmed_at = CASE WHEN $status = 'confirmed' THEN localtimestamp ELSE confirmed_at END,
    confirmed_by = CASE WHEN $status = 'confirmed' THEN $confirmed_by ELSE confirmed_by END,
    confirmation_method = CASE WHEN $status = 'confirmed' THEN $confirmation_method ELSE confirmation_method END,
    updated_at = localtimestamp
WHERE id = $id;

-- name: set_delivery_allocations_status :rows
-- The allocations a delivery carries follow its state; returns the needs they serve.
UPDATE allocations SET status = $status, updated_at = localtimestamp
WHERE delivery_id = $delivery_id AND list_contains($live_statuses, status)
RETURNING id, need_id;

-- name: mark_household_served
-- A household with a confirmed delivery is served.
UPDATE households SET status = 'served', updated_at = localtimestamp
WHERE id = $id AND status IN ('registered', 'verified', 'submitted');

-- name: count_wrong_delivery_code :scalar
-- One more wrong household code for a delivery; returns its wrong tries so far.
INSERT INTO delivery_code_tries (delivery_id, wrong_tries) VALUES ($id, 1)
ON CONFLICT (delivery_id) DO UPDATE SET wrong_tries = delivery_code_tries.wrong_tries + 1
RETURNING wrong_tries;

-- name: set_delivery_code
-- A new household code.
UPDATE deliveries SET confirmation_code = $confirmation_code, updated_at = localtimestamp WHERE id = $id;

-- name: reset_delivery_code_tries
-- A new code starts with no wrong tries.
UPDATE delivery_code_tries SET wrong_tries = 0 WHERE delivery_id = $id;
