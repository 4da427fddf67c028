-- Monitoring aggregates: every query returns one row per group, never a person.
-- Shared filters (NULL = no filter): $campaign_id, $date_from, $date_to (DATE),
-- $governorate_code, $category_code, plus $country_code for the list of areas.
-- Households count as registered unless their status is one of $uncounted_household_statuses
-- (data_layer/monitoring/facts.py); a household is served once one of its deliveries is confirmed.
-- The date range selects households registered in it and counts them served if confirmed by its
-- last day; flows (received, allocated, delivered) are dated by their own day.
-- The dashboard's aggregates read the fact tables of migration 0040 (data_layer/monitoring/facts.py
-- keeps them in step with every write), so each is one scan of a narrow table, not joins of the base ones.

-- name: list_coverage_by_governorate :frame
-- Per governorate (all of the country's, even empty): registered, served, coverage, per 10,000 inhabitants,
-- and its centroid for the map.
-- Without a category filter (with one: list_coverage_by_governorate_in_category).
WITH per_area AS (
    SELECT f.governorate_code, count(*) AS households_registered,
           count(*) FILTER (WHERE f.served AND (CAST($date_to AS DATE) IS NULL OR f.first_confirmed_on <= $date_to))
               AS households_served
    FROM fact_households f
    WHERE (CAST($campaign_id AS INTEGER) IS NULL OR f.campaign_id = $campaign_id)
      AND (CAST($date_from AS DATE) IS NULL OR f.created_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR f.created_on <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR f.governorate_code = $governorate_code)
    GROUP BY f.governorate_code
)
SELECT a.code AS governorate_code, a.name_ar, a.name_fr, a.name_en, a.population, a.lat, a.lon,
       coalesce(p.households_registered, 0) AS households_registered,
       coalesce(p.households_served, 0) AS households_served,
       CASE WHEN coalesce(p.households_registered, 0) = 0 THEN NULL
            ELSE CAST(p.households_served AS DOUBLE PRECISION) / p.households_registered END AS coverage_rate,
       CASE WHEN coalesce(a.population, 0) = 0 THEN NULL
            ELSE CAST(coalesce(p.households_registered, 0) AS DOUBLE PRECISION) * 10000 / a.population END AS registered_per_10k
FROM areas a LEFT JOIN per_area p ON p.governorate_code = a.code
WHERE a.country_code = $country_code
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR a.code = $governorate_code)
ORDER BY a.code;

-- name: list_coverage_by_governorate_in_category :frame
-- list_coverage_by_governorate when a category is chosen: households with a need in it, served by a
-- delivery that carried it (the facts hold no category, so this one reads the base tables).
WITH scoped AS (
    SELECT h.id, h.governorate_code
    FROM households h
    WHERE NOT list_contains($uncounted_household_statuses, h.status)
      AND (CAST($campaign_id AS INTEGER) IS NULL OR h.campaign_id = $campaign_id)
      AND (CAST($date_from AS DATE) IS NULL OR CAST(h.created_at AS DATE) >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR CAST(h.created_at AS DATE) <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
      AND EXISTS (
            SELECT 1 FROM needs n
            WHERE n.household_id = h.id AND n.category_code = $category_code AND n.status <> 'cancelled')
),
served AS (
    SELECT d.household_id
    FROM deliveries d
    WHERE d.status = 'confirmed'
      AND (CAST($date_to AS DATE) IS NULL OR CAST(d.confirmed_at AS DATE) <= $date_to)
      AND EXISTS (
            SELECT 1 FROM allocations a JOIN needs n ON n.id = a.need_id
            WHERE a.delivery_id = d.id AND n.category_code = $category_code
              AND list_contains($delivered_statuses, a.status))
),
per_area AS (
    SELECT s.governorate_code, count(*) AS households_registered,
           count(*) FILTER (WHERE s.id IN (SELECT household_id FROM served)) AS households_served
    FROM scoped s
    GROUP BY s.governorate_code
)
SELECT a.code AS governorate_code, a.name_ar, a.name_fr, a.name_en, a.population, a.lat, a.lon,
       coalesce(p.households_registered, 0) AS households_registered,
       coalesce(p.households_served, 0) AS households_served,
       CASE WHEN coalesce(p.households_registered, 0) = 0 THEN NULL
            ELSE CAST(p.households_served AS DOUBLE PRECISION) / p.households_registered END AS coverage_rate,
       CASE WHEN coalesce(a.population, 0) = 0 THEN NULL
            ELSE CAST(coalesce(p.households_registered, 0) AS DOUBLE PRECISION) * 10000 / a.population END AS registered_per_10k
FROM areas a LEFT JOIN per_area p ON p.governorate_code = a.code
WHERE a.country_code = $country_code
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR a.code = $governorate_code)
ORDER BY a.code;

-- name: list_unmet_by_category :frame
-- Open needs not yet covered by live allocations, per governorate (of $country_code), category and unit.
SELECT w.governorate_code, w.category_code, w.unit,
       count(*) AS households_waiting,
       CAST(sum(w.unmet_quantity) AS DOUBLE PRECISION) AS unmet_quantity
FROM fact_waiting w
WHERE w.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code)
  AND (CAST($campaign_id AS INTEGER) IS NULL OR w.campaign_id = $campaign_id)
  AND (CAST($date_from AS DATE) IS NULL OR w.created_on >= $date_from)
  AND (CAST($date_to AS DATE) IS NULL OR w.created_on <= $date_to)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR w.governorate_code = $governorate_code)
  AND (CAST($category_code AS VARCHAR) IS NULL OR w.category_code = $category_code)
GROUP BY w.governorate_code, w.category_code, w.unit
ORDER BY w.governorate_code, w.category_code, w.unit;

-- name: list_flows_by_category :frame
-- Per category, unit and currency (donation_currencies): quantity and value received, allocated
-- (live) and delivered, of the stock held in $country_code. Values of two currencies stay apart.
WITH received AS (
    SELECT d.category_code, d.unit, dc.currency, sum(d.quantity) AS quantity,
           sum(coalesce(d.value_tnd, 0)) AS value_tnd
    FROM donations d JOIN donation_currencies dc ON dc.donation_id = d.id
    WHERE d.status = 'received' AND dc.country_code = $country_code
      AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
      AND (CAST($date_from AS DATE) IS NULL OR d.received_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR d.received_on <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR d.governorate_code = $governorate_code)
      AND (CAST($category_code AS VARCHAR) IS NULL OR d.category_code = $category_code)
    GROUP BY d.category_code, d.unit, dc.currency
),
per_line AS (
    SELECT m.donation_id, sum(m.allocated) AS allocated, sum(m.delivered) AS delivered
    FROM fact_stock_moves m
    WHERE (CAST($date_from AS DATE) IS NULL OR m.allocated_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR m.allocated_on <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR m.governorate_code = $governorate_code)
    GROUP BY m.donation_id
),
moved AS (
    -- Goods have no price of their own: an allocation is worth its share of the stock line's value.
    SELECT d.category_code, d.unit, dc.currency, sum(l.allocated) AS allocated, sum(l.delivered) AS delivered,
           sum(l.allocated / d.quantity * coalesce(d.value_tnd, 0)) AS allocated_value_tnd,
           sum(l.delivered / d.quantity * coalesce(d.value_tnd, 0)) AS delivered_value_tnd
    FROM per_line l JOIN donations d ON d.id = l.donation_id JOIN donation_currencies dc ON dc.donation_id = d.id
    WHERE dc.country_code = $country_code
      AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
      AND (CAST($category_code AS VARCHAR) IS NULL OR d.category_code = $category_code)
    GROUP BY d.category_code, d.unit, dc.currency
),
keys AS (
    SELECT category_code, unit, currency FROM received UNION SELECT category_code, unit, currency FROM moved
)
SELECT k.category_code, k.unit, k.currency,
       CAST(coalesce(r.quantity, 0) AS DOUBLE PRECISION) AS received_quantity,
       CAST(coalesce(m.allocated, 0) AS DOUBLE PRECISION) AS allocated_quantity,
       CAST(coalesce(m.delivered, 0) AS DOUBLE PRECISION) AS delivered_quantity,
       CAST(coalesce(r.value_tnd, 0) AS DOUBLE PRECISION) AS received_value_tnd,
       round(CAST(coalesce(m.allocated_value_tnd, 0) AS DOUBLE PRECISION), 3) AS allocated_value_tnd,
       round(CAST(coalesce(m.delivered_value_tnd, 0) AS DOUBLE PRECISION), 3) AS delivered_value_tnd
FROM keys k
LEFT JOIN received r ON r.category_code = k.category_code AND r.unit = k.unit AND r.currency = k.currency
LEFT JOIN moved m ON m.category_code = k.category_code AND m.unit = k.unit AND m.currency = k.currency
JOIN categories c ON c.code = k.category_code
ORDER BY c.sort_order, k.unit, k.currency;

-- name: list_flows_by_organisation :frame
-- Per association of $country_code (or with stock there) and currency: value received, value
-- allocated and delivered (share of each stock line's value), households served there.
WITH received AS (
    SELECT d.organisation_id, dc.currency, count(*) AS donation_lines, sum(coalesce(d.value_tnd, 0)) AS value_tnd
    FROM donations d JOIN donation_currencies dc ON dc.donation_id = d.id
    WHERE d.status = 'received' AND dc.country_code = $country_code
      AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
      AND (CAST($date_from AS DATE) IS NULL OR d.received_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR d.received_on <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR d.governorate_code = $governorate_code)
      AND (CAST($category_code AS VARCHAR) IS NULL OR d.category_code = $category_code)
    GROUP BY d.organisation_id, dc.currency
),
per_line AS (
    SELECT m.donation_id, sum(m.allocated) AS allocated, sum(m.delivered) AS delivered
    FROM fact_stock_moves m
    WHERE (CAST($date_from AS DATE) IS NULL OR m.allocated_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR m.allocated_on <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR m.governorate_code = $governorate_code)
    GROUP BY m.donation_id
),
moved AS (
    -- Goods have no price of their own: an allocation is worth its share of the stock line's value.
    SELECT d.organisation_id, dc.currency,
           sum(l.allocated / d.quantity * coalesce(d.value_tnd, 0)) AS allocated_value_tnd,
           sum(l.delivered / d.quantity * coalesce(d.value_tnd, 0)) AS delivered_value_tnd
    FROM per_line l JOIN donations d ON d.id = l.donation_id JOIN donation_currencies dc ON dc.donation_id = d.id
    WHERE dc.country_code = $country_code
      AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
      AND (CAST($category_code AS VARCHAR) IS NULL OR d.category_code = $category_code)
    GROUP BY d.organisation_id, dc.currency
),
served AS (
    SELECT s.organisation_id, count(DISTINCT s.household_id) AS households_served
    FROM fact_served_by s
    WHERE s.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code)
      AND (CAST($campaign_id AS INTEGER) IS NULL OR s.campaign_id = $campaign_id)
      AND (CAST($date_from AS DATE) IS NULL OR s.confirmed_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR s.confirmed_on <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR s.governorate_code = $governorate_code)
    GROUP BY s.organisation_id
),
with_value AS (SELECT organisation_id, currency FROM received UNION SELECT organisation_id, currency FROM moved),
keys AS (
    -- The country's associations (one of no known country counts in every country), each in the
    -- country's currency where it has no value yet, and any association with value there.
    SELECT o.id AS organisation_id, cs.currency
    FROM organisations o
    LEFT JOIN areas g ON g.code = o.governorate_code
    JOIN country_settings cs ON cs.country_code = $country_code
    WHERE coalesce(o.country_code, g.country_code, $country_code) = $country_code
      AND o.id NOT IN (SELECT organisation_id FROM with_value)
    UNION SELECT organisation_id, currency FROM with_value
)
SELECT o.code AS organisation_code, o.name AS organisation_name, k.currency,
       coalesce(r.donation_lines, 0) AS donation_lines,
       CAST(coalesce(r.value_tnd, 0) AS DOUBLE PRECISION) AS received_value_tnd,
       round(CAST(coalesce(m.allocated_value_tnd, 0) AS DOUBLE PRECISION), 3) AS allocated_value_tnd,
       round(CAST(coalesce(m.delivered_value_tnd, 0) AS DOUBLE PRECISION), 3) AS delivered_value_tnd,
       coalesce(s.households_served, 0) AS households_served
FROM keys k
JOIN organisations o ON o.id = k.organisation_id
LEFT JOIN received r ON r.organisation_id = k.organisation_id AND r.currency = k.currency
LEFT JOIN moved m ON m.organisation_id = k.organisation_id AND m.currency = k.currency
LEFT JOIN served s ON s.organisation_id = k.organisation_id
WHERE o.kind = 'association'
ORDER BY o.code, k.currency;

-- name: list_volunteer_activity :frame
-- Per governorate: active volunteers (available in the period), those who delivered, deliveries done.
WITH active AS (
    SELECT v.governorate_code, count(*) AS volunteers_active
    FROM volunteers v
    WHERE v.status = 'active'
      AND (CAST($date_from AS DATE) IS NULL OR v.available_to >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR v.available_from <= $date_to)
      AND (CAST($governorate_code AS VARCHAR) IS NULL OR v.governorate_code = $governorate_code)
    GROUP BY v.governorate_code
),
per_volunteer AS (
    SELECT f.volunteer_id, sum(f.deliveries) AS deliveries_done
    FROM fact_deliveries_done f
    WHERE (CAST($campaign_id AS INTEGER) IS NULL OR f.campaign_id = $campaign_id)
      AND (CAST($date_from AS DATE) IS NULL OR f.done_on >= $date_from)
      AND (CAST($date_to AS DATE) IS NULL OR f.done_on <= $date_to)
    GROUP BY f.volunteer_id
),
done AS (
    SELECT v.governorate_code, count(*) AS volunteers_delivering, sum(p.deliveries_done) AS deliveries_done
    FROM per_volunteer p JOIN volunteers v ON v.id = p.volunteer_id
    WHERE (CAST($governorate_code AS VARCHAR) IS NULL OR v.governorate_code = $governorate_code)
    GROUP BY v.governorate_code
)
SELECT a.code AS governorate_code, coalesce(ac.volunteers_active, 0) AS volunteers_active,
       coalesce(dn.volunteers_delivering, 0) AS volunteers_delivering,
       coalesce(dn.deliveries_done, 0) AS deliveries_done,
       CASE WHEN coalesce(dn.volunteers_delivering, 0) = 0 THEN NULL
            ELSE CAST(dn.deliveries_done AS DOUBLE PRECISION) / dn.volunteers_delivering END AS deliveries_per_volunteer
FROM areas a
LEFT JOIN active ac ON ac.governorate_code = a.code
LEFT JOIN done dn ON dn.governorate_code = a.code
WHERE a.country_code = $country_code
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR a.code = $governorate_code)
ORDER BY a.code;

-- name: list_campaigns :frame
-- Every campaign with its names in each language, dates, targets and currency (its own, else its
-- country's); active first, then newest.
SELECT c.id, c.name, s.name_fr, s.name_en, c.country_code, c.starts_on, c.ends_on, c.target_households,
       c.target_value_tnd, c.is_active, coalesce(s.currency, cs.currency) AS currency
FROM campaigns c LEFT JOIN campaign_settings s ON s.campaign_id = c.id
LEFT JOIN country_settings cs ON cs.country_code = c.country_code
ORDER BY c.is_active DESC, c.starts_on DESC, c.id DESC;

-- name: count_households_of_no_campaign_of_country :scalar
-- Households in $country_code's areas whose campaign is none, or another country's: when there
-- are none, the figures of all campaigns are the sum of the country's campaigns alone.
SELECT count(*)
FROM households h
LEFT JOIN campaigns c ON c.id = h.campaign_id
WHERE h.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code)
  AND (c.id IS NULL OR c.country_code <> $country_code);
