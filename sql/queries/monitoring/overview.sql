-- name: get_campaign_overview :one
-- Headline counts for the home page (aggregates only, no personal data).
SELECT
    (SELECT count(*) FROM households WHERE NOT list_contains($uncounted_household_statuses, status)) AS households,
    (SELECT count(*) FROM needs WHERE status = 'open') AS open_needs,
    (SELECT count(*) FROM donations WHERE status = 'received') AS donations,
    (SELECT coalesce(sum(value_tnd), 0) FROM donations WHERE status = 'received') AS donations_value_tnd,
    (SELECT count(*) FROM volunteers WHERE status = 'active') AS volunteers,
    (SELECT count(*) FROM organisations WHERE kind = 'association') AS associations;

-- name: list_received_by_category :frame
-- What was received per category: quantity by unit and estimated value.
SELECT category_code, unit, sum(quantity) AS quantity, sum(value_tnd) AS value_tnd, count(*) AS donations
FROM donations WHERE status = 'received'
GROUP BY category_code, unit ORDER BY category_code, unit;
