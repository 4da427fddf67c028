-- National IDs compared as keyed hashes (data_layer/core/secrets.py): duplicate checks across
-- associations, the public forms and imports match on national_id_key, never on the clear ID,
-- which stays only where staff read it. The hashes need the installation's key, so they are
-- computed by the application when the database is opened (data_layer/registry/identity.py),
-- which also recomputes them all when the key has changed (keyed_hash_state holds a fingerprint).
ALTER TABLE households ADD COLUMN national_id_key VARCHAR;
ALTER TABLE duplicate_reports ADD COLUMN national_id_key VARCHAR;
CREATE INDEX idx_households_national_id_key ON households (national_id_key);
-- No query compares the clear ID any more: its index would only slow every insert and import.
DROP INDEX idx_households_national_id;

CREATE TABLE keyed_hash_state (
    purpose      VARCHAR PRIMARY KEY,
    fingerprint  VARCHAR NOT NULL,
    updated_at   TIMESTAMP NOT NULL DEFAULT localtimestamp
);
