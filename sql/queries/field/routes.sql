-- name: list_route_candidates :frame
-- Planned deliveries of one delegation nobody carries yet (no volunteer, no route, no pick-up), with their address for ordering.
SELECT dl.id AS delivery_id, dl.planned_on, h.governorate_code, h.delegation, h.address,
       (SELECT count(*) FROM allocations a WHERE a.delivery_id = dl.id) AS items
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE dl.status = 'planned' AND dl.volunteer_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM route_stops rs WHERE rs.delivery_id = dl.id)
  AND NOT EXISTS (SELECT 1 FROM delivery_pickups dp WHERE dp.delivery_id = dl.id)
  AND (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id)
  AND h.governorate_code = $governorate_code
  AND coalesce(h.delegation, '') = $delegation
ORDER BY dl.id;

-- name: list_open_delegations :frame
-- Delegations of a governorate with planned deliveries nobody carries yet, and how many.
SELECT coalesce(h.delegation, '') AS delegation, count(*) AS deliveries
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE dl.status = 'planned' AND dl.volunteer_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM route_stops rs WHERE rs.delivery_id = dl.id)
  AND NOT EXISTS (SELECT 1 FROM delivery_pickups dp WHERE dp.delivery_id = dl.id)
  AND (CAST($organisation_id AS INTEGER) IS NULL OR dl.organisation_id = $organisation_id)
  AND h.governorate_code = $governorate_code
GROUP BY coalesce(h.delegation, '')
ORDER BY coalesce(h.delegation, '');

-- name: get_volunteer_day :one
-- A volunteer, whether they work that day, and how many deliveries they already carry then.
SELECT v.id AS volunteer_id, v.full_name, v.vehicle, v.governorate_code, v.delegation, v.status,
       ($day BETWEEN v.available_from AND v.available_to) AS available,
       (SELECT count(*) FROM deliveries dl WHERE dl.volunteer_id = v.id AND dl.planned_on = $day
        AND NOT list_contains($undelivered_end_statuses, dl.status)) AS deliveries_that_day
FROM volunteers v WHERE v.id = $volunteer_id;

-- name: insert_route :scalar
-- A volunteer's route of one day in one delegation; returns its id.
INSERT INTO routes (organisation_id, volunteer_id, route_day, governorate_code, delegation, created_by)
VALUES ($organisation_id, $volunteer_id, $route_day, $governorate_code, $delegation, $created_by)
RETURNING id;

-- name: insert_route_stop
-- One delivery as the route's stop number $stop_order.
INSERT INTO route_stops (delivery_id, route_id, stop_order) VALUES ($delivery_id, $route_id, $stop_order);

-- name: take_delivery_for_volunteer
-- Give a planned delivery nobody carries to a volunteer for a day; changes nothing when someone took it first.
-- (No RETURNING: DuckDB rewrites a returned row as delete + insert, which the allocations' key refuses.)
UPDATE deliveries SET volunteer_id = $volunteer_id, planned_on = $planned_on, updated_at = localtimestamp
WHERE id = $id AND status = 'planned' AND volunteer_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM delivery_pickups dp WHERE dp.delivery_id = $id);

-- name: get_delivery_carrier :scalar
-- Who carries a delivery now (read back after take_delivery_for_volunteer, in the same transaction).
SELECT volunteer_id FROM deliveries WHERE id = $id;

-- name: list_routes :frame
-- Routes with their volunteer and how far their stops have gone.
SELECT r.id AS route_id, r.route_day, r.governorate_code, r.delegation, v.full_name AS volunteer, v.vehicle,
       count(rs.delivery_id) AS stops,
       count(rs.delivery_id) FILTER (WHERE dl.status IN ('delivered', 'confirmed')) AS done,
       count(rs.delivery_id) FILTER (WHERE dl.status = 'failed') AS failed
FROM routes r JOIN volunteers v ON v.id = r.volunteer_id
LEFT JOIN route_stops rs ON rs.route_id = r.id LEFT JOIN deliveries dl ON dl.id = rs.delivery_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR r.organisation_id = $organisation_id)
  AND (CAST($volunteer_id AS INTEGER) IS NULL OR r.volunteer_id = $volunteer_id)
  AND (CAST($route_day AS DATE) IS NULL OR r.route_day = $route_day)
GROUP BY r.id, r.route_day, r.governorate_code, r.delegation, v.full_name, v.vehicle
ORDER BY r.route_day DESC, r.id DESC
LIMIT 200;

-- name: list_route_positions :frame
-- Where each of a volunteer's deliveries stands on its route (route, day, stop number).
SELECT rs.delivery_id, rs.route_id, rs.stop_order, r.route_day, r.delegation AS route_delegation,
       (SELECT count(*) FROM route_stops o WHERE o.route_id = rs.route_id) AS route_stops
FROM route_stops rs JOIN routes r ON r.id = rs.route_id
WHERE r.volunteer_id = $volunteer_id;
