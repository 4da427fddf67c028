-- name: list_fairness_flows :frame
-- Per governorate, category and unit of one campaign (or all): needs declared, stock received, pledged,
-- allocated and delivered, in native units, with the households that declared the needs.
WITH flows AS (
    SELECT h.governorate_code, n.category_code, n.unit, 'needs' AS flow, sum(n.quantity) AS quantity,
           count(DISTINCT n.household_id) AS households
    FROM needs n JOIN households h ON h.id = n.household_id
    WHERE n.status <> 'cancelled' AND NOT list_contains($inactive_household_statuses, h.status)
      AND (CAST($campaign_id AS INTEGER) IS NULL OR h.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
    GROUP BY h.governorate_code, n.category_code, n.unit
    UNION ALL
    SELECT d.governorate_code, d.category_code, d.unit, 'stock', sum(d.quantity), 0
    FROM donations d
    WHERE d.status = 'received'
      AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
    GROUP BY d.governorate_code, d.category_code, d.unit
    UNION ALL
    SELECT p.governorate_code, p.category_code, p.unit, 'pledged', sum(p.quantity), 0
    FROM pledges p
    WHERE list_contains($open_pledge_statuses, p.status)
      AND (CAST($campaign_id AS INTEGER) IS NULL OR p.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR p.organisation_id = $organisation_id)
    GROUP BY p.governorate_code, p.category_code, p.unit
    UNION ALL
    SELECT h.governorate_code, n.category_code, n.unit,
           CASE WHEN list_contains($delivered_statuses, a.status) THEN 'delivered' ELSE 'allocated' END,
           sum(a.quantity), count(DISTINCT n.household_id)
    FROM allocations a JOIN needs n ON n.id = a.need_id JOIN households h ON h.id = n.household_id
    WHERE list_contains($live_statuses, a.status)
      AND (CAST($campaign_id AS INTEGER) IS NULL OR h.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
    GROUP BY h.governorate_code, n.category_code, n.unit,
             CASE WHEN list_contains($delivered_statuses, a.status) THEN 'delivered' ELSE 'allocated' END
)
SELECT governorate_code, category_code, unit, flow, CAST(quantity AS DOUBLE PRECISION) AS quantity,
       CAST(households AS BIGINT) AS households
FROM flows
ORDER BY governorate_code, category_code, unit, flow;

-- name: list_basket_equivalents :frame
-- What one household basket is worth in each category and unit of one campaign.
SELECT category_code, unit, CAST(quantity AS DOUBLE PRECISION) AS quantity, CAST(baskets AS DOUBLE PRECISION) AS baskets
FROM basket_equivalents WHERE campaign_id = $campaign_id ORDER BY category_code, unit;

-- name: get_basket_equivalent :one
-- One campaign's basket equivalent for one category and unit.
SELECT campaign_id, category_code, unit, quantity, baskets FROM basket_equivalents
WHERE campaign_id = $campaign_id AND category_code = $category_code AND unit = $unit;

-- name: delete_basket_equivalent
-- Remove one basket equivalent (before writing its new value, or for good).
DELETE FROM basket_equivalents WHERE campaign_id = $campaign_id AND category_code = $category_code AND unit = $unit;

-- name: insert_basket_equivalent
-- "quantity of unit = baskets household baskets" for one campaign, category and unit.
INSERT INTO basket_equivalents (campaign_id, category_code, unit, quantity, baskets, set_by)
VALUES ($campaign_id, $category_code, $unit, $quantity, $baskets, $set_by);
