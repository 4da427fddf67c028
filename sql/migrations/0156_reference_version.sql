-- The version of the reference data: countries, their settings and their areas. It moves on in
-- the same transaction as every change to them (`countries add`, the built-in areas loaded after
-- an upgrade), and each app server asks it before using the areas it holds in memory, so a
-- country added on one server is offered by every other at its next rerun, without a restart.
CREATE TABLE reference_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 1);
