-- name: list_fairness_flows :frame
-- Per governorate, category and unit of one campaign (or all): needs declared, stock received, pledged,
-- allocated (delivered included) and delivered, in native units, with the households that declared the
-- needs; one row each. Needs, allocated and delivered come summed per campaign, organisation and area
-- from fact_flows (migration 0140); stock and pledges from their own tables.
WITH flows AS (
    SELECT governorate_code, category_code, unit, sum(households) AS households, sum(needs) AS needs,
           0 AS stock, 0 AS pledged, sum(allocated) AS allocated, sum(delivered) AS delivered
    FROM fact_flows
    WHERE (CAST($campaign_id AS INTEGER) IS NULL OR campaign_id = $campaign_id)
      AND (CAST($organisation_id AS INTEGER) IS NULL OR organisation_id = $organisation_id)
    GROUP BY governorate_code, category_code, unit
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
