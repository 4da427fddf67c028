-- name: list_fairness_flows :frame
-- Per governorate, category and unit of one campaign (or all): needs declared, stock received, pledged,
-- allocated (delivered included) and delivered, in native units, with the households that declared the
-- needs; one row each. Allocations are summed per need first, so needs meet households in one join.
WITH per_need AS (
    SELECT need_id, sum(quantity) AS allocated,
           sum(CASE WHEN list_contains($delivered_statuses, status) THEN quantity ELSE 0 END) AS delivered
    FROM allocations WHERE list_contains($live_statuses, status)
    GROUP BY need_id
), flows AS (
    SELECT h.governorate_code, n.category_code, n.unit,
           count(DISTINCT CASE WHEN n.status <> 'cancelled' AND NOT list_contains($inactive_household_statuses, h.status)
                          THEN n.household_id END) AS households,
           sum(CASE WHEN n.status <> 'cancelled' AND NOT list_contains($inactive_household_statuses, h.status)
                    THEN n.quantity ELSE 0 END) AS needs,
           0 AS stock, 0 AS pledged, coalesce(sum(p.allocated), 0) AS allocated,
           coalesce(sum(p.delivered), 0) AS delivered
    FROM needs n JOIN households h ON h.id = n.household_id LEFT JOIN per_need p ON p.need_id = n.id
    WHERE (CAST($campaign_id AS INTEGER) IS NULL OR h.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
    GROUP BY h.governorate_code, n.category_code, n.unit
    UNION ALL
    SELECT d.governorate_code, d.category_code, d.unit, 0, 0, sum(d.quantity), 0, 0, 0
    FROM donations d
    WHERE d.status = 'received'
      AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
    GROUP BY d.governorate_code, d.category_code, d.unit
    UNION ALL
    SELECT p.governorate_code, p.category_code, p.unit, 0, 0, 0, sum(p.quantity), 0, 0
    FROM pledges p
    WHERE list_contains($open_pledge_statuses, p.status)
      AND (CAST($campaign_id AS INTEGER) IS NULL OR p.campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR p.organisation_id = $organisation_id)
    GROUP BY p.governorate_code, p.category_code, p.unit
)
SELECT governorate_code, category_code, unit, CAST(sum(households) AS BIGINT) AS households,
       CAST(sum(needs) AS DOUBLE PRECISION) AS needs, CAST(sum(stock) AS DOUBLE PRECISION) AS stock,
       CAST(sum(pledged) AS DOUBLE PRECISION) AS pledged, CAST(sum(allocated) AS DOUBLE PRECISION) AS allocated,
       CAST(sum(delivered) AS DOUBLE PRECISION) AS delivered
FROM flows
GROUP BY governorate_code, category_code, unit
ORDER BY governorate_code, category_code, unit;

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
