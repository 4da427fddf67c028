-- name: list_country_settings :rows
-- The settings of every country, for the rules that check phones and identity numbers.
SELECT country_code, currency, phone_region, id_pattern, default_lang FROM country_settings ORDER BY country_code;
