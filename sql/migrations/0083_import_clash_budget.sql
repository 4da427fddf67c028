-- Households of other associations an association's imports ran into, per day: the import's
-- "already registered by another association" answers are a daily budget per organisation, so
-- the import cannot be used to test lists of national IDs.
CREATE SEQUENCE seq_import_clash_counts START 1;
CREATE TABLE import_clash_counts (
    id              BIGINT PRIMARY KEY DEFAULT nextval('seq_import_clash_counts'),
    organisation_id INTEGER NOT NULL,
    counted_on      DATE NOT NULL,
    clashes         INTEGER NOT NULL CHECK (clashes >= 0),
    counted_at      TIMESTAMP NOT NULL DEFAULT localtimestamp
);
CREATE INDEX idx_import_clash_counts_org_day ON import_clash_counts (organisation_id, counted_on);
