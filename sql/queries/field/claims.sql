-- name: list_volunteer_delegations :rows
-- The delegations a volunteer covers besides their own.
SELECT governorate_code, delegation FROM volunteer_delegations WHERE volunteer_id = $volunteer_id ORDER BY delegation;

-- name: insert_volunteer_delegation
-- One more delegation a volunteer covers (a repeat changes nothing).
INSERT INTO volunteer_delegations (volunteer_id, governorate_code, delegation)
VALUES ($volunteer_id, $governorate_code, $delegation) ON CONFLICT DO NOTHING;

-- name: list_open_work :frame
-- Planned deliveries nobody carries in a governorate (and its delegations, when given): no name, address or number before a claim.
SELECT dl.id AS delivery_id, dl.planned_on, h.governorate_code, coalesce(h.delegation, '') AS delegation,
       (SELECT string_agg(d.item || ' × ' || regexp_replace(CAST(a.quantity AS VARCHAR), '0{1,2}$', '') || ' ' || d.unit, '; '
                          ORDER BY a.id)
        FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE a.delivery_id = dl.id) AS contents
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE dl.status = 'planned' AND dl.volunteer_id IS NULL
  AND NOT EXISTS (SELECT 1 FROM route_stops rs WHERE rs.delivery_id = dl.id)
  AND NOT EXISTS (SELECT 1 FROM delivery_pickups dp WHERE dp.delivery_id = dl.id)
  AND h.governorate_code = $governorate_code
  AND (CAST($all_delegations AS BOOLEAN) OR list_contains($delegations, coalesce(h.delegation, '')))
  AND (dl.planned_on IS NULL OR dl.planned_on >= $today)
ORDER BY dl.planned_on NULLS LAST, coalesce(h.delegation, ''), dl.id
LIMIT 100;

-- name: get_volunteer_place :one
-- Where a volunteer works: governorate and own delegation.
SELECT id, governorate_code, delegation FROM volunteers WHERE id = $volunteer_id;
