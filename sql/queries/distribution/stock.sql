-- name: list_stock_lines :frame
-- Each received stock line with what it received, what live allocations hold and what is left.
SELECT s.donation_id, s.organisation_id, o.code AS organisation, s.governorate_code, s.delegation, s.category_code,
       s.item, s.unit, CAST(s.received AS DOUBLE) AS received, CAST(s.allocated AS DOUBLE) AS allocated,
       CAST(s.available AS DOUBLE) AS available, s.received_on
FROM stock_lines s JOIN organisations o ON o.id = s.organisation_id
WHERE ($organisation_id IS NULL OR s.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR s.governorate_code = $governorate_code)
  AND ($category_code IS NULL OR s.category_code = $category_code)
ORDER BY s.donation_id;

-- name: list_stock_summary :frame
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
