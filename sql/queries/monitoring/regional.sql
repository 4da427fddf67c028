-- The regional view: every country side by side, one row per country (value: per country and
-- currency). Aggregates only, dated by $date_from and $date_to (DATE, NULL = no filter) as the
-- per-country dashboard dates them (data_layer/monitoring/coverage.py).

-- name: list_coverage_by_country :frame
-- Per country: its areas and their population, households registered and served, areas reached.
WITH per_area AS (
    SELECT f.governorate_code, count(*) AS registered,
           count(*) FILTER (WHERE f.served AND (CAST($date_to AS DATE) IS NULL OR f.first_confirmed_on <= $date_to))
               AS served
    FROM fact_households f
    WHERE (CAST($date_from AS DATE) IS NULL OR f.created_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR f.created_on <= $date_to)
    GROUP BY f.governorate_code
)
SELECT c.code AS country_code, c.name_ar, c.name_fr, c.name_en,
       count(a.code) AS areas,
       CAST(sum(a.population) AS BIGINT) AS population,
       CAST(coalesce(sum(p.registered), 0) AS BIGINT) AS households_registered,
       CAST(coalesce(sum(p.served), 0) AS BIGINT) AS households_served,
       count(p.governorate_code) FILTER (WHERE p.served > 0) AS areas_reached
FROM countries c
LEFT JOIN areas a ON a.country_code = c.code
LEFT JOIN per_area p ON p.governorate_code = a.code
GROUP BY c.code, c.name_ar, c.name_fr, c.name_en
ORDER BY c.code;

-- name: list_value_by_country :frame
-- Per country and currency (donation_currencies): value received, allocated and delivered.
WITH received AS (
    SELECT dc.country_code, dc.currency, count(*) AS donation_lines, sum(coalesce(d.value_tnd, 0)) AS value_tnd
    FROM donations d JOIN donation_currencies dc ON dc.donation_id = d.id
    WHERE d.status = 'received'
      AND (CAST($date_from AS DATE) IS NULL OR d.received_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR d.received_on <= $date_to)
    GROUP BY dc.country_code, dc.currency
),
moved AS (
    -- Goods have no price of their own: an allocation is worth its share of the stock line's value.
    SELECT dc.country_code, dc.currency,
           sum(m.allocated / d.quantity * coalesce(d.value_tnd, 0)) AS allocated_value_tnd,
           sum(m.delivered / d.quantity * coalesce(d.value_tnd, 0)) AS delivered_value_tnd
    FROM fact_stock_moves m
    JOIN donations d ON d.id = m.donation_id
    JOIN donation_currencies dc ON dc.donation_id = d.id
    WHERE (CAST($date_from AS DATE) IS NULL OR m.allocated_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR m.allocated_on <= $date_to)
    GROUP BY dc.country_code, dc.currency
),
keys AS (SELECT country_code, currency FROM received UNION SELECT country_code, currency FROM moved)
SELECT k.country_code, k.currency,
       coalesce(r.donation_lines, 0) AS donation_lines,
       CAST(coalesce(r.value_tnd, 0) AS DOUBLE PRECISION) AS received_value,
       round(CAST(coalesce(m.allocated_value_tnd, 0) AS DOUBLE PRECISION), 3) AS allocated_value,
       round(CAST(coalesce(m.delivered_value_tnd, 0) AS DOUBLE PRECISION), 3) AS delivered_value
FROM keys k
LEFT JOIN received r ON r.country_code = k.country_code AND r.currency = k.currency
LEFT JOIN moved m ON m.country_code = k.country_code AND m.currency = k.currency
ORDER BY k.country_code, k.currency;

-- name: list_countries_in_scope :rows
-- Every country with its names and currency, in code order (the country selector's options).
SELECT c.code, c.name_ar, c.name_fr, c.name_en, s.currency
FROM countries c LEFT JOIN country_settings s ON s.country_code = c.code
ORDER BY c.code;

-- name: get_active_campaign_of_country :one
-- The campaign new records of one country take: the rule of get_active_campaign_record, within the country.
SELECT c.id, c.name, s.name_fr, s.name_en, c.country_code, 'active' AS status, c.starts_on, c.ends_on,
       c.target_households, c.target_value_tnd, coalesce(s.currency, cs.currency) AS currency
FROM campaigns c
LEFT JOIN campaign_settings s ON s.campaign_id = c.id
LEFT JOIN country_settings cs ON cs.country_code = c.country_code
WHERE c.is_active AND c.country_code = $country_code
ORDER BY c.starts_on DESC, c.id DESC
LIMIT 1;
