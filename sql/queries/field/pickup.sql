-- name: insert_distribution_point :scalar
-- An association's distribution point; returns its id.
INSERT INTO distribution_points (organisation_id, name, governorate_code, delegation, address, opening_days,
                                 opening_hours, created_by)
VALUES ($organisation_id, $name, $governorate_code, $delegation, $address, $opening_days, $opening_hours, $created_by)
RETURNING id;

-- name: list_distribution_points :frame
-- Distribution points (the open ones, or all with $include_closed), with their organisation.
SELECT p.id AS point_id, p.name, o.code AS organisation, p.organisation_id, p.governorate_code, p.delegation,
       p.address, p.opening_days, p.opening_hours, p.is_active
FROM distribution_points p JOIN organisations o ON o.id = p.organisation_id
WHERE (p.is_active OR $include_closed) AND (CAST($organisation_id AS INTEGER) IS NULL OR p.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR p.governorate_code = $governorate_code)
ORDER BY p.governorate_code, p.name, p.id;

-- name: get_distribution_point :one
-- One distribution point.
SELECT id, organisation_id, name, governorate_code, delegation, address, opening_days, opening_hours, is_active
FROM distribution_points WHERE id = $id;

-- name: get_household_for_handover :one
-- A household's organisation and place, and how it wants its aid today.
SELECT h.id, h.organisation_id, h.governorate_code, h.status, hh.mode, hh.point_id
FROM households h LEFT JOIN household_handover hh ON hh.household_id = h.id WHERE h.id = $id;

-- name: upsert_household_handover
-- Home delivery or pick-up at a point, chosen for a household.
INSERT INTO household_handover (household_id, mode, point_id, updated_by)
VALUES ($household_id, $mode, $point_id, $updated_by)
ON CONFLICT (household_id) DO UPDATE SET mode = excluded.mode, point_id = excluded.point_id,
    updated_by = excluded.updated_by, updated_at = excluded.updated_at;

-- name: list_pickups_to_plan :rows
-- Planned deliveries nobody carries yet whose household chose to pick up, with its point.
SELECT dl.id AS delivery_id, dl.planned_on, hh.point_id
FROM deliveries dl JOIN household_handover hh ON hh.household_id = dl.household_id AND hh.mode = 'pickup'
     JOIN distribution_points p ON p.id = hh.point_id AND p.is_active
WHERE dl.status = 'planned' AND dl.volunteer_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM route_stops rs WHERE rs.delivery_id = dl.id)
  AND NOT EXISTS (SELECT 1 FROM delivery_pickups dp WHERE dp.delivery_id = dl.id)
  AND (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id)
ORDER BY dl.id;

-- name: insert_delivery_pickup
-- A delivery handed over at a point.
INSERT INTO delivery_pickups (delivery_id, point_id) VALUES ($delivery_id, $point_id);

-- name: get_delivery_pickup :one
-- The point a delivery is picked up at, if it is a pick-up.
SELECT delivery_id, point_id FROM delivery_pickups WHERE delivery_id = $delivery_id;

-- name: set_delivery_day
-- The day a planned delivery is handed over.
UPDATE deliveries SET planned_on = $planned_on, updated_at = localtimestamp WHERE id = $id;

-- name: list_point_pickups :frame
-- A point's pick-ups still to hand over, with the household's name for the staff at the desk.
SELECT dl.id AS delivery_id, dl.planned_on, h.id AS household_id, h.full_name, h.delegation,
       (SELECT string_agg(d.item || ' × ' || regexp_replace(CAST(a.quantity AS VARCHAR), '0{1,2}$', '') || ' ' || d.unit, '; '
                          ORDER BY a.id)
        FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE a.delivery_id = dl.id) AS contents
FROM delivery_pickups dp JOIN deliveries dl ON dl.id = dp.delivery_id JOIN households h ON h.id = dl.household_id
WHERE dp.point_id = $point_id AND dl.status IN ('planned', 'out_for_delivery')
ORDER BY dl.planned_on NULLS LAST, dl.id;

-- name: update_distribution_point :scalar
-- A point's name, address and opening days changed; returns its id.
UPDATE distribution_points SET name = $name, address = $address, opening_days = $opening_days
WHERE id = $id
RETURNING id;

-- name: set_distribution_point_active :scalar
-- A point closed or reopened, only if it is not so already; returns its id, or nothing.
UPDATE distribution_points SET is_active = $active
WHERE id = $id AND is_active <> $active
RETURNING id;

-- name: count_point_households :scalar
-- Households still served that chose to pick up their aid at a point.
SELECT count(*) FROM household_handover hh JOIN households h ON h.id = hh.household_id
WHERE hh.mode = 'pickup' AND hh.point_id = $point_id AND NOT list_contains($inactive_statuses, h.status);
