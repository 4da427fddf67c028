-- name: get_campaign_overview :one
-- Headline counts for the home page (aggregates only, no personal data), of $country_code (NULL: every country).
SELECT
    (SELECT count(*) FROM households h
     WHERE NOT list_contains($uncounted_household_statuses, h.status)
       AND (CAST($country_code AS VARCHAR) IS NULL
            OR h.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code))) AS households,
    (SELECT count(*) FROM needs n JOIN households h ON h.id = n.household_id
     WHERE n.status = 'open'
       AND (CAST($country_code AS VARCHAR) IS NULL
            OR h.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code))) AS open_needs,
    (SELECT count(*) FROM donations d
     WHERE d.status = 'received'
       AND (CAST($country_code AS VARCHAR) IS NULL
            OR d.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code))) AS donations,
    (SELECT count(*) FROM volunteers v
     WHERE v.status = 'active'
       AND (CAST($country_code AS VARCHAR) IS NULL
            OR v.governorate_code IN (SELECT code FROM areas WHERE country_code = $country_code))) AS volunteers;

-- name: list_received_value_by_currency :frame
-- Estimated value received per currency (donation_currencies), of $country_code and $campaign_id
-- (NULL: every country, every campaign): amounts of two currencies are never added up.
SELECT dc.currency, sum(coalesce(d.value_tnd, 0)) AS value, count(*) AS donations
FROM donations d JOIN donation_currencies dc ON dc.donation_id = d.id
WHERE d.status = 'received' AND (CAST($country_code AS VARCHAR) IS NULL OR dc.country_code = $country_code)
  AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
GROUP BY dc.currency ORDER BY dc.currency;

-- name: list_received_by_category :frame
-- What was received per category, unit and currency: quantity and estimated value, of $country_code (NULL: every country).
SELECT d.category_code, d.unit, dc.currency, sum(d.quantity) AS quantity, sum(d.value_tnd) AS value,
       count(*) AS donations
FROM donations d JOIN donation_currencies dc ON dc.donation_id = d.id
WHERE d.status = 'received' AND (CAST($country_code AS VARCHAR) IS NULL OR dc.country_code = $country_code)
GROUP BY d.category_code, d.unit, dc.currency ORDER BY d.category_code, d.unit, dc.currency;
