-- name: list_signal_shared_phone :frame
-- Phone numbers behind at least $threshold households still in play (within one organisation, or all).
-- Read from fact_phone_groups: only the rows of phones that many households share, first.
SELECT g.phone AS key, CAST(sum(g.households) AS BIGINT) AS households, min(g.governorate_code) AS governorate_code,
       count(DISTINCT g.governorate_code) AS governorates
FROM fact_phone_groups g
WHERE g.phone_households >= $threshold
  AND (CAST($organisation_id AS INTEGER) IS NULL OR g.organisation_id = $organisation_id)
GROUP BY g.phone HAVING sum(g.households) >= $threshold
ORDER BY households DESC, key LIMIT $max_rows;

-- name: list_signal_shared_address :frame
-- Addresses (case and outer spaces ignored) behind at least $threshold households still in play.
SELECT g.address_key AS key, CAST(sum(g.households) AS BIGINT) AS households,
       min(g.governorate_code) AS governorate_code, count(DISTINCT g.governorate_code) AS governorates
FROM fact_address_groups g
WHERE g.address_households >= $threshold
  AND (CAST($organisation_id AS INTEGER) IS NULL OR g.organisation_id = $organisation_id)
GROUP BY g.address_key HAVING sum(g.households) >= $threshold
ORDER BY households DESC, key LIMIT $max_rows;

-- name: list_signal_delegation_bursts :frame
-- Days on which at least $threshold households were registered in one delegation.
SELECT g.governorate_code, g.delegation, g.created_on AS day, CAST(sum(g.households) AS BIGINT) AS households
FROM fact_day_groups g
WHERE g.day_households >= $threshold
  AND (CAST($organisation_id AS INTEGER) IS NULL OR g.organisation_id = $organisation_id)
GROUP BY g.governorate_code, g.delegation, g.created_on HAVING sum(g.households) >= $threshold
ORDER BY households DESC, g.governorate_code, delegation, day LIMIT $max_rows;

-- name: list_signal_account_bursts :frame
-- Hours in which one account typed at least $threshold households (imports left out: bulk by design).
SELECT g.created_by AS user_id, u.username, g.created_hour AS hour,
       min(g.governorate_code) AS governorate_code, CAST(sum(g.households) AS BIGINT) AS households
FROM fact_hour_groups g JOIN users u ON u.id = g.created_by
WHERE g.hour_households >= $threshold
  AND (CAST($organisation_id AS INTEGER) IS NULL OR g.organisation_id = $organisation_id)
GROUP BY g.created_by, u.username, g.created_hour HAVING sum(g.households) >= $threshold
ORDER BY households DESC, u.username, hour LIMIT $max_rows;

-- name: list_organisation_delivery_ratios :frame
-- Per organisation holding the stock: allocations at least $settle_days days old and how many were delivered.
-- fact_allocation_days counts them per stock line and day: "at least N days old" (whole days from the
-- allocation's date to today's, as date_diff('day', ...) counts) is "allocated on or before today - N".
WITH settled AS (
    SELECT f.organisation_id, sum(f.allocations) AS allocations, sum(f.delivered) AS delivered
    FROM fact_allocation_days f
    WHERE f.allocated_on <= CAST(coalesce(CAST($as_of AS TIMESTAMP), localtimestamp) AS DATE) - CAST($settle_days AS INTEGER)
    GROUP BY f.organisation_id
)
SELECT s.organisation_id, o.name AS organisation, o.governorate_code, CAST(s.allocations AS BIGINT) AS allocations,
       CAST(s.delivered AS BIGINT) AS delivered
FROM settled s JOIN organisations o ON o.id = s.organisation_id
ORDER BY s.organisation_id;

-- name: list_signal_fast_deliveries :frame
-- Deliveries marked delivered or confirmed less than $minutes minutes after they were planned.
SELECT t.delivery_id, t.organisation_id, t.governorate_code, t.household_id, t.volunteer_id, t.status,
       t.created_at, t.done_at, t.minutes
FROM fact_delivery_times t
WHERE t.minutes < $minutes
  AND (CAST($organisation_id AS INTEGER) IS NULL OR t.organisation_id = $organisation_id)
ORDER BY t.minutes, t.delivery_id LIMIT $max_rows;

-- name: list_signal_above_limit :frame
-- Households given more of a category, in the limit's period ending now, than $factor times their limit.
WITH used AS (
    SELECT n.household_id, n.category_code, h.campaign_id, h.governorate_code, h.organisation_id,
           count(DISTINCT a.need_id) AS times, sum(a.quantity) AS quantity
    FROM allocations a JOIN needs n ON n.id = a.need_id JOIN households h ON h.id = n.household_id
    JOIN household_limits l ON l.campaign_id = h.campaign_id AND l.category_code = n.category_code
    WHERE list_contains($live_statuses, a.status)
      AND date_diff('minute', a.created_at, coalesce(CAST($as_of AS TIMESTAMP), localtimestamp)) < l.period_days * 1440
      AND (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
    GROUP BY n.household_id, n.category_code, h.campaign_id, h.governorate_code, h.organisation_id
)
SELECT u.household_id, u.category_code, u.campaign_id, u.governorate_code, u.organisation_id, u.times,
       l.max_times, CAST(u.quantity AS DOUBLE PRECISION) AS quantity,
       CAST(l.max_quantity AS DOUBLE PRECISION) AS max_quantity, l.period_days
FROM used u JOIN household_limits l ON l.campaign_id = u.campaign_id AND l.category_code = u.category_code
WHERE (l.max_times IS NOT NULL AND u.times > l.max_times * $factor)
   OR (l.max_quantity IS NOT NULL AND u.quantity > l.max_quantity * $factor)
ORDER BY u.household_id, u.category_code LIMIT $max_rows;

-- name: list_signal_households :frame
-- The households behind a phone or address signal, or registered in one delegation on one day.
SELECT h.id AS household_id, h.full_name, h.phone, h.address, h.governorate_code, h.delegation, h.status,
       h.organisation_id, h.created_by, h.created_at
FROM households h
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
  AND (CAST($phone AS VARCHAR) IS NULL OR h.phone = $phone)
  AND (CAST($address AS VARCHAR) IS NULL OR lower(trim(h.address)) = $address)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
  AND (CAST($delegation AS VARCHAR) IS NULL OR coalesce(h.delegation, '') = $delegation)
  AND (CAST($day AS DATE) IS NULL OR CAST(h.created_at AS DATE) = $day)
  AND (CAST($user_id AS INTEGER) IS NULL OR h.created_by = $user_id)
  AND (CAST($hour AS TIMESTAMP) IS NULL OR date_trunc('hour', h.created_at) = $hour)
  AND (CAST($household_id AS INTEGER) IS NULL OR h.id = $household_id)
ORDER BY h.id LIMIT $max_rows;

-- name: list_signal_allocations :frame
-- The allocations behind an association's ratio (not delivered, settled) or a household above its limit.
SELECT a.id AS allocation_id, a.household_id, n.category_code, CAST(a.quantity AS DOUBLE PRECISION) AS quantity,
       n.unit, a.status, a.delivery_id, a.created_at, d.organisation_id
FROM allocations a JOIN needs n ON n.id = a.need_id JOIN donations d ON d.id = a.donation_id
WHERE a.status <> 'cancelled'
  AND (CAST($stock_organisation_id AS INTEGER) IS NULL OR d.organisation_id = $stock_organisation_id)
  AND (CAST($household_id AS INTEGER) IS NULL OR n.household_id = $household_id)
  AND (CAST($category_code AS VARCHAR) IS NULL OR n.category_code = $category_code)
  AND (NOT $undelivered_only OR NOT list_contains($delivered_statuses, a.status))
  AND date_diff('day', a.created_at, coalesce(CAST($as_of AS TIMESTAMP), localtimestamp)) >= $min_age_days
  AND date_diff('day', a.created_at, coalesce(CAST($as_of AS TIMESTAMP), localtimestamp)) < $max_age_days
ORDER BY a.id LIMIT $max_rows;
