-- name: list_stock_lines :frame
-- Each received stock line with what it received, what live allocations hold and what is left.
SELECT s.donation_id, s.organisation_id, o.code AS organisation, s.governorate_code, s.delegation, s.category_code,
       s.item, s.unit, CAST(s.received AS DOUBLE PRECISION) AS received, CAST(s.allocated AS DOUBLE PRECISION) AS allocated,
       CAST(s.available AS DOUBLE PRECISION) AS available, s.received_on
FROM stock_lines s JOIN organisations o ON o.id = s.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR s.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR s.governorate_code = $governorate_code)
  AND (CAST($category_code AS VARCHAR) IS NULL OR s.category_code = $category_code)
ORDER BY s.donation_id;

-- name: list_stock_summary :frame
-- Stock per organisation, governorate, delegation where held (blank: governorate level), category, item and unit
-- (the stock page and export).
SELECT o.code AS organisation, s.governorate_code AS governorate, s.delegation, s.category_code AS category, s.item,
       s.unit,
       CAST(sum(s.received) AS DOUBLE PRECISION) AS received, CAST(sum(s.allocated) AS DOUBLE PRECISION) AS allocated,
       CAST(sum(s.available) AS DOUBLE PRECISION) AS available, count(*) AS lines
FROM stock_lines s JOIN organisations o ON o.id = s.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR s.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR s.governorate_code = $governorate_code)
  AND (CAST($category_code AS VARCHAR) IS NULL OR s.category_code = $category_code)
GROUP BY o.code, s.governorate_code, s.delegation, s.category_code, s.item, s.unit
ORDER BY organisation, governorate, s.delegation NULLS FIRST, category, item, unit;
