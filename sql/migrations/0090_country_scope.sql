-- The country an account works in. NULL: its organisation's country; an account of no
-- organisation and no country (the organisation running the whole platform) sees every country,
-- side by side. No foreign key: DuckDB cannot add a column with one.
ALTER TABLE users ADD COLUMN country_code VARCHAR;

-- Each first-level area's centroid from its area file (#geo+lat, #geo+lon), which places its
-- square on the offline map; NULL where the file gives none.
ALTER TABLE areas ADD COLUMN lat DOUBLE PRECISION;
ALTER TABLE areas ADD COLUMN lon DOUBLE PRECISION;
