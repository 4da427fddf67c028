-- name: list_open_needs_scored :frame
-- Open needs still short of their quantity, with the parts of the priority score.
-- Written for both planners: whether the household was already given the category is a join
-- with its count of served needs (less the need itself), not a subquery per need, which
-- PostgreSQL would run once per open need; the waiting days are a difference of dates, computed
-- inline (PostgreSQL calls the date_diff function of sql/dialects/postgres.sql once per row).
WITH live AS (
    SELECT need_id, sum(quantity) AS allocated FROM allocations
    WHERE list_contains($live_statuses, status) GROUP BY need_id
), given AS (
    SELECT DISTINCT a.household_id, n.category_code, a.need_id FROM allocations a JOIN needs n ON n.id = a.need_id
    WHERE list_contains($live_statuses, a.status)
), given_needs AS (
    SELECT household_id, category_code, count(*) AS needs FROM given GROUP BY household_id, category_code
), clock AS (
    SELECT coalesce(CAST($as_of AS TIMESTAMP), (SELECT max(created_at) FROM needs WHERE status = 'open')) AS now
)
SELECT n.id AS need_id, n.household_id, h.campaign_id, h.organisation_id, h.governorate_code, h.delegation, n.category_code,
       n.unit, CAST(n.quantity AS DOUBLE PRECISION) AS quantity,
       CAST(n.quantity - coalesce(l.allocated, 0) AS DOUBLE PRECISION) AS remaining,
       n.urgency, h.household_size,
       list_contains(h.vulnerabilities, 'elderly') AS elderly,
       list_contains(h.vulnerabilities, 'disability') AS disability,
       list_contains(h.vulnerabilities, 'chronic_illness') AS chronic_illness,
       list_contains(h.vulnerabilities, 'lost_income') AS lost_income,
       list_contains(h.vulnerabilities, 'single_parent') AS single_parent,
       greatest(CAST(clock.now AS DATE) - CAST(n.created_at AS DATE), 0) AS waiting_days,
       coalesce(gn.needs, 0) - CASE WHEN g.need_id IS NULL THEN 0 ELSE 1 END > 0 AS already_given,
       n.created_at
FROM needs n JOIN households h ON h.id = n.household_id CROSS JOIN clock
LEFT JOIN live l ON l.need_id = n.id
LEFT JOIN given_needs gn ON gn.household_id = n.household_id AND gn.category_code = n.category_code
LEFT JOIN given g ON g.household_id = n.household_id AND g.category_code = n.category_code AND g.need_id = n.id
WHERE n.status = 'open' AND NOT list_contains($closed_household_statuses, h.status)
  AND n.quantity - coalesce(l.allocated, 0) > 0
  AND (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
  AND (CAST($category_code AS VARCHAR) IS NULL OR n.category_code = $category_code)
ORDER BY n.id;

-- name: get_stock_available :rows
-- Exact (DECIMAL) quantity left on the given stock lines, read inside the allocation transaction.
SELECT donation_id, organisation_id, governorate_code, category_code, unit, available
FROM stock_lines WHERE list_contains($donation_ids, donation_id);

-- name: get_needs_for_allocation :rows
-- The needs named in an allocation, with their household and what is still open, read inside the transaction.
SELECT n.id AS need_id, n.household_id, h.organisation_id, h.governorate_code, n.category_code, n.unit, n.status,
       h.status AS household_status,
       n.quantity - coalesce((SELECT sum(a.quantity) FROM allocations a WHERE a.need_id = n.id
                              AND list_contains($live_statuses, a.status)), 0) AS remaining
FROM needs n JOIN households h ON h.id = n.household_id
WHERE list_contains($need_ids, n.id);

-- name: set_needs_covered :rows
-- Needs whose live allocations now reach their quantity become covered.
UPDATE needs SET status = 'covered'
WHERE list_contains($need_ids, id) AND status = 'open'
  AND quantity <= (SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.need_id = needs.id
                   AND list_contains($live_statuses, a.status))
RETURNING id;

-- name: reopen_needs :rows
-- Needs that lost allocations (failed delivery, cancellation) become open again when short.
UPDATE needs SET status = 'open'
WHERE list_contains($need_ids, id) AND status = 'covered'
  AND quantity > (SELECT coalesce(sum(a.quantity), 0) FROM allocations a WHERE a.need_id = needs.id
                  AND list_contains($live_statuses, a.status))
RETURNING id;

-- name: get_allocation :one
-- One allocation with the organisation of its stock line.
SELECT a.*, d.organisation_id AS stock_organisation_id
FROM allocations a JOIN donations d ON d.id = a.donation_id WHERE a.id = $id;

-- name: cancel_allocation
-- An allocation not yet on its way gives its stock back.
UPDATE allocations SET status = 'cancelled', updated_at = localtimestamp
WHERE id = $id AND status = 'allocated' AND delivery_id IS NULL;

-- name: list_new_allocation_ids :rows
-- $count fresh allocation ids, for a batch inserted in one statement.
SELECT nextval('seq_allocations') AS id FROM range($count);

-- name: insert_allocations_from_frame
-- The batch registered as `new_allocations` (id, donation_id, need_id, household_id, quantity as text, created_by).
INSERT INTO allocations (id, donation_id, need_id, household_id, quantity, created_by)
SELECT id, donation_id, need_id, household_id, CAST(quantity AS DECIMAL(18, 3)), created_by
FROM new_allocations;

-- name: insert_audit_rows_from_frame
-- The audit rows registered as `audit_rows`, in one insert (a row-by-row loop manages ~1,500 rows a second).
INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
SELECT user_id, username, action, table_name, record_id, CAST(before AS JSON), CAST(after AS JSON) FROM audit_rows;
