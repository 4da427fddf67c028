-- name: list_household_limits :frame
-- The limits of one campaign (or every campaign), by category.
SELECT l.campaign_id, c.name AS campaign_name, l.category_code, l.period_days, l.max_times,
       CAST(l.max_quantity AS DOUBLE PRECISION) AS max_quantity, l.set_at
FROM household_limits l JOIN campaigns c ON c.id = l.campaign_id
WHERE CAST($campaign_id AS INTEGER) IS NULL OR l.campaign_id = $campaign_id
ORDER BY l.campaign_id, l.category_code;

-- name: get_household_limit :one
-- One campaign's limit for one category, if it has one.
SELECT campaign_id, category_code, period_days, max_times, max_quantity
FROM household_limits WHERE campaign_id = $campaign_id AND category_code = $category_code;

-- name: delete_household_limit
-- Remove one campaign's limit for one category (before writing its new value, or for good).
DELETE FROM household_limits WHERE campaign_id = $campaign_id AND category_code = $category_code;

-- name: insert_household_limit
-- One campaign's limit for one category.
INSERT INTO household_limits (campaign_id, category_code, period_days, max_times, max_quantity, set_by)
VALUES ($campaign_id, $category_code, $period_days, $max_times, $max_quantity, $set_by);

-- name: list_limits_for_households :rows
-- The limit each given household's campaign sets on each category (households of no campaign have none).
SELECT h.id AS household_id, l.campaign_id, l.category_code, l.period_days, l.max_times, l.max_quantity
FROM households h JOIN household_limits l ON l.campaign_id = h.campaign_id
WHERE list_contains($household_ids, h.id);

-- name: list_limit_usage :rows
-- What each given household received within its limits' periods: live allocations by need, exact quantities.
SELECT n.household_id, n.category_code, a.need_id, sum(a.quantity) AS quantity
FROM allocations a JOIN needs n ON n.id = a.need_id JOIN households h ON h.id = n.household_id
JOIN household_limits l ON l.campaign_id = h.campaign_id AND l.category_code = n.category_code
WHERE list_contains($household_ids, n.household_id) AND list_contains($live_statuses, a.status)
  AND date_diff('minute', a.created_at, coalesce(CAST($as_of AS TIMESTAMP), localtimestamp)) < l.period_days * 1440
GROUP BY n.household_id, n.category_code, a.need_id;

-- name: list_limit_usage_all :frame
-- The same for every household under a limit: live allocations within the period, by need.
SELECT n.household_id, n.category_code, a.need_id, CAST(sum(a.quantity) AS DOUBLE PRECISION) AS quantity
FROM allocations a JOIN needs n ON n.id = a.need_id JOIN households h ON h.id = n.household_id
JOIN household_limits l ON l.campaign_id = h.campaign_id AND l.category_code = n.category_code
WHERE list_contains($live_statuses, a.status)
  AND date_diff('minute', a.created_at, coalesce(CAST($as_of AS TIMESTAMP), localtimestamp)) < l.period_days * 1440
GROUP BY n.household_id, n.category_code, a.need_id;

-- name: list_campaign_limits :frame
-- Every limit, to match open needs (by their household's campaign) against.
SELECT campaign_id, category_code, period_days, max_times, CAST(max_quantity AS DOUBLE PRECISION) AS max_quantity
FROM household_limits;

-- name: insert_limit_exceptions_from_frame
-- Allocations saved above a limit, registered as `new_limit_exceptions`, with the organiser and the reason.
INSERT INTO limit_exceptions (allocation_id, household_id, campaign_id, category_code, reason, granted_by)
SELECT allocation_id, household_id, campaign_id, category_code, reason, granted_by FROM new_limit_exceptions;
