-- Repeat registrations of a national ID that is already on file. The second
-- association is refused (or the public form gets a neutral answer); organisers
-- review the list.
CREATE SEQUENCE seq_duplicate_reports START 1;
CREATE TABLE duplicate_reports (
    id                     INTEGER PRIMARY KEY DEFAULT nextval('seq_duplicate_reports'),
    national_id            VARCHAR NOT NULL,
    existing_household_id  INTEGER NOT NULL,   -- no FK: see needs.household_id
    attempted_by_org       INTEGER REFERENCES organisations (id),
    source                 VARCHAR NOT NULL,
    reason                 VARCHAR NOT NULL,
    status                 VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'merged', 'dismissed')),
    reported_at            TIMESTAMP NOT NULL DEFAULT localtimestamp
);
