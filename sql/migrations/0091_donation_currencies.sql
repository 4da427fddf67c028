-- The currency each donation's value is counted in, and the country it is held in: the
-- campaign's currency where the donation belongs to a campaign that names one, else the currency
-- of the country its governorate lies in. Every figure of value groups by this currency, so
-- amounts of two currencies are never added up (no exchange rate is invented).
CREATE VIEW donation_currencies AS
SELECT d.id AS donation_id, a.country_code, coalesce(s.currency, cs.currency) AS currency
FROM donations d
JOIN areas a ON a.code = d.governorate_code
LEFT JOIN campaign_settings s ON s.campaign_id = d.campaign_id
LEFT JOIN country_settings cs ON cs.country_code = a.country_code;
