-- name: get_country_exists :scalar
-- Whether the country is already in the database.
SELECT count(*) > 0 FROM countries WHERE code = $code;

-- name: insert_country
-- A country with its names.
INSERT INTO countries (code, name_ar, name_fr, name_en) VALUES ($code, $name_ar, $name_fr, $name_en);

-- name: insert_country_settings
-- What the rules need to know of a country.
INSERT INTO country_settings (country_code, currency, phone_region, id_pattern, default_lang)
VALUES ($country_code, $currency, $phone_region, $id_pattern, $default_lang);

-- name: list_taken_area_codes :rows
-- The codes among the file's areas (given as bulk_rows) that another country already holds.
SELECT code FROM areas WHERE code IN (SELECT code FROM bulk_rows) ORDER BY code;

-- name: list_countries :frame
-- Every country with its settings and how many areas it has.
SELECT c.code, c.name_en, c.name_fr, c.name_ar, s.currency, s.phone_region, s.id_pattern, s.default_lang,
       (SELECT count(*) FROM areas a WHERE a.country_code = c.code) AS areas
FROM countries c
LEFT JOIN country_settings s ON s.country_code = c.code
ORDER BY c.code;
