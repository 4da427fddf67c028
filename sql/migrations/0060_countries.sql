-- What differs between countries beyond their areas: the currency cash is counted in, the
-- numbering plan phones are read with (a phonenumbers region), the pattern a national ID must
-- match once its digits are folded to ASCII, and the language the country's pages open in.
CREATE TABLE country_settings (
    country_code VARCHAR PRIMARY KEY REFERENCES countries (code),
    currency     VARCHAR NOT NULL,                 -- ISO 4217
    phone_region VARCHAR NOT NULL,
    id_pattern   VARCHAR NOT NULL,
    default_lang VARCHAR NOT NULL DEFAULT 'ar' CHECK (default_lang IN ('ar', 'fr', 'en'))
);
INSERT INTO country_settings (country_code, currency, phone_region, id_pattern, default_lang)
VALUES ('TN', 'TND', 'TN', '[0-9]{8}', 'ar');

-- The country an organisation works in. NULL: the country of its governorate, or the only
-- country while the database has one. No foreign key: DuckDB cannot add a column with one.
ALTER TABLE organisations ADD COLUMN country_code VARCHAR;
