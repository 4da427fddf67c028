-- name: list_stock_lines
-- Each received stock line with what it received, what live allocations hold and what is left.
SELECT s.donation_id, s.organisation_id, o.code AS organisation, s.governorate_code, s.delegation, s.category_code,
       s.item, s.unit, CAST(s.received AS DOUBLE) AS received, CAST(s.allocated AS DOUBLE) AS allocated,
       CAST(s.available AS DOUBLE) AS available, s.received_on
FROM stock_lines s JOIN organisations o ON o.id = s.organisation_id
WHERE ($organisation_id IS NULL OR s.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR s.governorate_code = $governorate_code)
  AND ($category_code IS NULL OR s.category_code = $category_code)
ORDER BY s.donation_id;

-- name: list_stock_summary
-- Stock per organisation, governorate, delegation where held (blank: governorate level), category, item and unit
-- (the stock page and export).
SELECT o.code AS organisation, s.governorate_code AS governorate, s.delegation, s.category_code AS category, s.item,
       s.unit,
       CAST(sum(s.received) AS DOUBLE) AS received, CAST(sum(s.allocated) AS DOUBLE) AS allocated,
       CAST(sum(s.available) AS DOUBLE) AS available, count(*) AS lines
FROM stock_lines s JOIN organisations o ON o.id = s.organisation_id
WHERE ($organisation_id IS NULL OR s.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR s.governorate_code = $governorate_code)
  AND ($category_code IS NULL OR s.category_code = $category_code)
GROUP BY ALL
ORDER BY organisation, governorate, s.delegation NULLS FIRST, category, item, unit;

-- name: get_stock_available
-- Exact (DECIMAL) quantity left on the given stock lines, read inside the allocation transaction.
SELECT donation_id, organisation_id, category_code, unit, available
FROM stock_lines WHERE list_contains($donation_ids, donation_id);

-- name: list_open_needs_scored
-- Open needs still short of their quantity, with the parts of the priority score.
WITH live AS (
    SELECT need_id, sum(quantity) AS allocated FROM allocations
    WHERE status IN ('allocated', 'delivered', 'confirmed') GROUP BY need_id
), given AS (
    SELECT DISTINCT a.household_id, n.category_code, a.need_id FROM allocations a JOIN needs n ON n.id = a.need_id
    WHERE a.status IN ('allocated', 'delivered', 'confirmed')
), clock AS (
    SELECT coalesce(CAST($as_of AS TIMESTAMP), (SELECT max(created_at) FROM needs WHERE status = 'open')) AS now
)
SELECT n.id AS need_id, n.household_id, h.organisation_id, h.governorate_code, h.delegation, n.category_code,
       n.unit, CAST(n.quantity AS DOUBLE) AS quantity,
       CAST(n.quantity - coalesce(l.allocated, 0) AS DOUBLE) AS remaining,
       n.urgency, h.household_size,
       list_contains(h.vulnerabilities, 'elderly') AS elderly,
       list_contains(h.vulnerabilities, 'disability') AS disability,
       list_contains(h.vulnerabilities, 'chronic_illness') AS chronic_illness,
       list_contains(h.vulnerabilities, 'lost_income') AS lost_income,
       list_contains(h.vulnerabilities, 'single_parent') AS single_parent,
       greatest(date_diff('day', n.created_at, clock.now), 0) AS waiting_days,
       EXISTS (SELECT 1 FROM given g WHERE g.household_id = n.household_id AND g.category_code = n.category_code
               AND g.need_id <> n.id) AS already_given,
       n.created_at
FROM needs n JOIN households h ON h.id = n.household_id CROSS JOIN clock
LEFT JOIN live l ON l.need_id = n.id
WHERE n.status = 'open' AND h.status NOT IN ('merged', 'rejected', 'inactive')
  AND n.quantity - coalesce(l.allocated, 0) > 0
  AND ($organisation_id IS NULL OR h.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR h.governorate_code = $governorate_code)
  AND ($category_code IS NULL OR n.category_code = $category_code)
ORDER BY n.id;

-- name: get_needs_for_allocation
-- The needs named in an allocation, with their household and what is still open, read inside the transaction.
SELECT n.id AS need_id, n.household_id, h.organisation_id, n.category_code, n.unit, n.status, h.status AS household_status,
       n.quantity - coalesce((SELECT sum(a.quantity) FROM allocations a WHERE a.need_id = n.id
                              AND a.status IN ('allocated', 'delivered', 'confirmed')), 0) AS remaining
FROM needs n JOIN households h ON h.id = n.household_id
WHERE list_contains($need_ids, n.id);

-- name: insert_allocation
-- One allocation of a stock line to a need; returns its id.
INSERT INTO allocations (donation_id, need_id, household_id, quantity, created_by)
VALUES ($donation_id, $need_id, $household_id, $quantity, $created_by)
RETURNING id;

-- name: set_needs_covered
-- Needs whose live allocations now reach their quantity become covered.
UPDATE needs SET status = 'covered'
WHERE list_contains($need_ids, id) AND status = 'open'
  AND quantity <= (SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.need_id = needs.id
                   AND a.status IN ('allocated', 'delivered', 'confirmed'))
RETURNING id;

-- name: reopen_needs
-- Needs that lost allocations (failed delivery, cancellation) become open again when short.
UPDATE needs SET status = 'open'
WHERE list_contains($need_ids, id) AND status = 'covered'
  AND quantity > (SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.need_id = needs.id
                  AND a.status IN ('allocated', 'delivered', 'confirmed'))
RETURNING id;

-- name: get_allocation
-- One allocation with the organisation of its stock line.
SELECT a.*, d.organisation_id AS stock_organisation_id
FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE a.id = $id;

-- name: cancel_allocation
-- An allocation not yet on its way gives its stock back.
UPDATE allocations SET status = 'cancelled', updated_at = current_localtimestamp()
WHERE id = $id AND status = 'allocated' AND delivery_id IS NULL;

-- name: count_undelivered_allocations
-- Live allocations not yet grouped into a delivery, for the deliveries page.
SELECT count(*) FROM allocations a JOIN donations d ON d.id = a.donation_id
JOIN households h ON h.id = a.household_id
WHERE a.status = 'allocated' AND a.delivery_id IS NULL
  AND ($organisation_id IS NULL OR d.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR h.governorate_code = $governorate_code);

-- name: list_undelivered_groups
-- Live allocations without a delivery, one row per household and stock organisation.
SELECT a.household_id, d.organisation_id, list(a.id ORDER BY a.id) AS allocation_ids
FROM allocations a JOIN donations d ON d.id = a.donation_id JOIN households h ON h.id = a.household_id
WHERE a.status = 'allocated' AND a.delivery_id IS NULL
  AND ($organisation_id IS NULL OR d.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR h.governorate_code = $governorate_code)
GROUP BY a.household_id, d.organisation_id
ORDER BY a.household_id, d.organisation_id;

-- name: insert_delivery
-- A planned delivery to one household; returns its id.
INSERT INTO deliveries (household_id, organisation_id, planned_on, confirmation_code, created_by)
VALUES ($household_id, $organisation_id, $planned_on, $confirmation_code, $created_by)
RETURNING id;

-- name: attach_allocations_to_delivery
-- Point allocations at the delivery that carries them.
UPDATE allocations SET delivery_id = $delivery_id, updated_at = current_localtimestamp()
WHERE list_contains($allocation_ids, id) AND status = 'allocated' AND delivery_id IS NULL;

-- name: get_delivery
-- One delivery with its household's place (for volunteer matching and permission checks).
SELECT dl.*, h.governorate_code, h.delegation, h.organisation_id AS household_organisation_id
FROM deliveries dl JOIN households h ON h.id = dl.household_id WHERE dl.id = $id;

-- name: list_deliveries
-- Deliveries with their household (name, phone, address only when it is the organisation's own), volunteer and contents.
SELECT dl.id AS delivery_id, dl.status, dl.planned_on, h.id AS household_id,
       CASE WHEN $organisation_id IS NULL OR h.organisation_id = $organisation_id THEN h.full_name END AS full_name,
       CASE WHEN $organisation_id IS NULL OR h.organisation_id = $organisation_id THEN h.phone END AS phone,
       h.governorate_code, h.delegation,
       CASE WHEN $organisation_id IS NULL OR h.organisation_id = $organisation_id THEN h.address END AS address,
       o.code AS organisation, dl.volunteer_id,
       v.full_name AS volunteer, v.vehicle,
       (SELECT string_agg(d.item || ' × ' || CAST(CAST(a.quantity AS DOUBLE) AS VARCHAR) || ' ' || d.unit, '; '
                          ORDER BY a.id)
        FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE a.delivery_id = dl.id) AS contents,
       dl.failure_reason, dl.confirmation_method, dl.delivered_at, dl.confirmed_at
FROM deliveries dl JOIN households h ON h.id = dl.household_id
LEFT JOIN organisations o ON o.id = dl.organisation_id
LEFT JOIN volunteers v ON v.id = dl.volunteer_id
WHERE ($organisation_id IS NULL OR dl.organisation_id = $organisation_id)
  AND ($volunteer_id IS NULL OR dl.volunteer_id = $volunteer_id)
  AND ($status IS NULL OR dl.status = $status)
  AND ($governorate_code IS NULL OR h.governorate_code = $governorate_code)
ORDER BY dl.planned_on NULLS LAST, dl.id
LIMIT $limit;

-- name: list_eligible_volunteers
-- Active volunteers of a governorate who are available that day, with how many deliveries they already carry then.
SELECT v.id AS volunteer_id, v.full_name, v.vehicle, v.offers_transport, v.offers_distribution,
       (SELECT count(*) FROM deliveries dl WHERE dl.volunteer_id = v.id AND dl.planned_on = $planned_on
        AND dl.status NOT IN ('failed', 'cancelled') AND dl.id <> coalesce($delivery_id, -1)) AS deliveries_that_day
FROM volunteers v
WHERE v.status = 'active' AND v.governorate_code = $governorate_code
  AND $planned_on BETWEEN v.available_from AND v.available_to
ORDER BY v.id;

-- name: assign_delivery_volunteer
-- Give a delivery its volunteer and day.
UPDATE deliveries SET volunteer_id = $volunteer_id, planned_on = $planned_on, updated_at = current_localtimestamp()
WHERE id = $id;

-- name: set_delivery_status
-- Move a delivery to a new state, stamping what that state records.
UPDATE deliveries SET status = $status,
    failure_reason = CASE WHEN $status = 'failed' THEN $failure_reason ELSE failure_reason END,
    delivered_at = CASE WHEN $status = 'delivered' THEN current_localtimestamp() ELSE delivered_at END,
    confirmed_at = CASE WHEN $status = 'confirmed' THEN current_localtimestamp() ELSE confirmed_at END,
    confirmed_by = CASE WHEN $status = 'confirmed' THEN $confirmed_by ELSE confirmed_by END,
    confirmation_method = CASE WHEN $status = 'confirmed' THEN $confirmation_method ELSE confirmation_method END,
    updated_at = current_localtimestamp()
WHERE id = $id;

-- name: set_delivery_allocations_status
-- The allocations a delivery carries follow its state; returns the needs they serve.
UPDATE allocations SET status = $status, updated_at = current_localtimestamp()
WHERE delivery_id = $delivery_id AND status IN ('allocated', 'delivered', 'confirmed')
RETURNING id, need_id;

-- name: mark_household_served
-- A household with a confirmed delivery is served.
UPDATE households SET status = 'served', updated_at = current_localtimestamp()
WHERE id = $id AND status IN ('registered', 'verified', 'submitted');

-- name: export_allocations
-- Every allocation with the household's national ID (only for the organisation's own households), the item and where it went.
SELECT a.id AS allocation_id,
       CASE WHEN $organisation_id IS NULL OR h.organisation_id = $organisation_id THEN h.national_id END AS national_id,
       h.governorate_code AS governorate, d.category_code AS category,
       d.item, CAST(a.quantity AS DOUBLE) AS quantity, d.unit, a.status, a.donation_id, a.need_id,
       a.household_id, a.delivery_id, o.code AS organisation, a.created_at
FROM allocations a JOIN donations d ON d.id = a.donation_id JOIN households h ON h.id = a.household_id
JOIN organisations o ON o.id = d.organisation_id
WHERE ($organisation_id IS NULL OR d.organisation_id = $organisation_id)
ORDER BY a.id;

-- name: list_active_households_for_matching
-- Households still in play, with what duplicate matching compares.
SELECT h.id, h.full_name, h.phone, h.governorate_code, h.delegation, h.national_id, o.code AS organisation,
       h.status, h.created_at
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE h.status NOT IN ('merged', 'rejected', 'inactive')
ORDER BY h.id;

-- name: list_reviewed_pairs
-- Pairs of households an organiser already merged or dismissed.
SELECT household_id, other_household_id FROM duplicate_reviews;

-- name: list_duplicate_reports_open
-- Repeat registrations of a national ID refused at entry, newest first.
SELECT r.id AS report_id, r.national_id, r.existing_household_id AS household_id, h.full_name,
       h.governorate_code, eo.code AS organisation, ao.code AS attempted_by, r.source, r.reason, r.status,
       r.reported_at
FROM duplicate_reports r JOIN households h ON h.id = r.existing_household_id
LEFT JOIN organisations eo ON eo.id = h.organisation_id LEFT JOIN organisations ao ON ao.id = r.attempted_by_org
WHERE ($status IS NULL OR r.status = $status)
ORDER BY r.reported_at DESC, r.id DESC
LIMIT 500;

-- name: set_duplicate_report_status
-- An organiser closes a repeat-registration report.
UPDATE duplicate_reports SET status = $status WHERE id = $id;

-- name: insert_duplicate_review
-- An organiser's decision on a pair of likely duplicates; returns its id.
INSERT INTO duplicate_reviews (household_id, other_household_id, reason, decision, kept_household_id, note, decided_by)
VALUES ($household_id, $other_household_id, $reason, $decision, $kept_household_id, $note, $decided_by)
RETURNING id;

-- name: list_needs_for_merge
-- The needs of a household that a merge moves or cancels.
SELECT id, category_code, quantity, unit, urgency, status FROM needs
WHERE household_id = $household_id ORDER BY id;

-- name: cancel_need
-- A need that a merge moved elsewhere or found repeated stays, cancelled.
UPDATE needs SET status = 'cancelled' WHERE id = $id;

-- name: insert_need_with_status
-- A need moved by a merge onto the household kept; returns its id.
INSERT INTO needs (household_id, category_code, quantity, unit, urgency, status)
VALUES ($household_id, $category_code, $quantity, $unit, $urgency, $status)
RETURNING id;

-- name: search_trace_households
-- Households matching an ID, national ID, name or phone, within the actor's organisation if any.
SELECT h.id AS household_id, h.national_id, h.full_name, h.phone, h.governorate_code, h.status,
       o.code AS organisation
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE ($organisation_id IS NULL OR h.organisation_id = $organisation_id)
  AND (CAST(h.id AS VARCHAR) = $text OR h.national_id = $text OR h.phone LIKE '%' || $text
       OR h.full_name ILIKE '%' || $text || '%')
ORDER BY h.id LIMIT 50;

-- name: search_trace_donations
-- Donations matching an ID, donor name or item, within the actor's organisation if any.
SELECT d.id AS donation_id, dn.name AS donor_name, d.category_code, d.item, CAST(d.quantity AS DOUBLE) AS quantity,
       d.unit, d.governorate_code, o.code AS organisation, d.received_on
FROM donations d JOIN organisations o ON o.id = d.organisation_id LEFT JOIN donors dn ON dn.id = d.donor_id
WHERE ($organisation_id IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST(d.id AS VARCHAR) = $text OR dn.name ILIKE '%' || $text || '%' OR d.item ILIKE '%' || $text || '%')
ORDER BY d.id LIMIT 50;

-- name: get_trace_donation
-- One donation with its donor and organisation.
SELECT d.id AS donation_id, d.organisation_id, o.code AS organisation, dn.name AS donor_name, dn.donor_type,
       d.category_code, d.item, CAST(d.quantity AS DOUBLE) AS quantity, d.unit, d.governorate_code,
       d.received_on, d.status
FROM donations d JOIN organisations o ON o.id = d.organisation_id LEFT JOIN donors dn ON dn.id = d.donor_id
WHERE d.id = $id;

-- name: list_trace_allocations
-- Allocations of a donation or of a household, with both ends and the delivery that carried them.
SELECT a.id AS allocation_id, a.donation_id, dn.name AS donor_name, d.item, CAST(a.quantity AS DOUBLE) AS quantity,
       d.unit, a.status, a.household_id, h.organisation_id AS household_organisation_id, h.national_id, h.full_name,
       h.phone, h.governorate_code, a.need_id, a.delivery_id, dl.status AS delivery_status, dl.planned_on,
       dl.confirmation_method, dl.confirmed_at, a.created_at
FROM allocations a JOIN donations d ON d.id = a.donation_id LEFT JOIN donors dn ON dn.id = d.donor_id
JOIN households h ON h.id = a.household_id LEFT JOIN deliveries dl ON dl.id = a.delivery_id
WHERE ($donation_id IS NULL OR a.donation_id = $donation_id)
  AND ($household_id IS NULL OR a.household_id = $household_id)
ORDER BY a.id;

-- name: list_trace_audit
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

-- name: get_duplicate_report_status
-- The state of one repeat-registration report.
SELECT status FROM duplicate_reports WHERE id = $id;
