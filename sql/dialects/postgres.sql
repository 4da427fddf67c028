-- DuckDB functions the named queries use, defined on PostgreSQL under the same names so that one
-- query text serves both engines. Applied when a PostgreSQL database is opened, after the
-- migrations; CREATE OR REPLACE, so applying it again is harmless. Each is a one-SELECT SQL
-- function, IMMUTABLE where it may be: PostgreSQL inlines those into the calling query, so an
-- index or a hash on the column still serves.
-- The queries themselves type each optional filter at its first use (`CAST($x AS INTEGER) IS NULL
-- OR col = $x`): PostgreSQL types a parameter where it first meets it, and IS NULL says nothing.

-- list_contains(list, x): whether x is an element of list (NULL list: NULL, as on DuckDB).
CREATE OR REPLACE FUNCTION list_contains(list anycompatiblearray, x anycompatible) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT x = ANY(list) $$;

-- range(n): the table 0, 1, ..., n - 1 (DuckDB's one-argument range).
CREATE OR REPLACE FUNCTION range(n bigint) RETURNS SETOF bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT generate_series(0, n - 1) $$;

-- date_diff(part, a, b): how many boundaries of `part` lie between a and b, as on DuckDB
-- (whole days from a's date to b's, whole minutes from a's minute to b's). Parts the queries use only.
CREATE OR REPLACE FUNCTION date_diff(part text, a timestamp, b timestamp) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(part)
        WHEN 'day' THEN CAST(b AS date) - CAST(a AS date)
        WHEN 'hour' THEN CAST((extract(epoch FROM date_trunc('hour', b))
                               - extract(epoch FROM date_trunc('hour', a))) / 3600 AS bigint)
        WHEN 'minute' THEN CAST((extract(epoch FROM date_trunc('minute', b))
                                 - extract(epoch FROM date_trunc('minute', a))) / 60 AS bigint)
    END
$$;

-- round(x, digits) of a DOUBLE gives a DOUBLE on DuckDB; PostgreSQL rounds only NUMERIC.
CREATE OR REPLACE FUNCTION round(x double precision, digits integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CAST(round(CAST(x AS numeric), digits) AS double precision) $$;
