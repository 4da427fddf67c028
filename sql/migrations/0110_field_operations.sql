-- Field operations: routes, claims of open work, pick-up points, rescheduling and the outbox.
-- `deliveries` is referenced by allocations, and DuckDB refuses to alter a referenced table, so
-- what a delivery gains here lives in tables of their own keyed by the delivery.

-- Delegations a volunteer covers besides their own (`volunteers.delegation`); a volunteer with
-- neither covers the whole governorate.
CREATE TABLE volunteer_delegations (
    volunteer_id      INTEGER NOT NULL,
    governorate_code  VARCHAR NOT NULL,
    delegation        VARCHAR NOT NULL,
    PRIMARY KEY (volunteer_id, governorate_code, delegation)
);

-- One volunteer's day in one delegation; its stops are deliveries in order.
CREATE SEQUENCE seq_routes START 1;
CREATE TABLE routes (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_routes'),
    organisation_id   INTEGER,
    volunteer_id      INTEGER NOT NULL,
    route_day         DATE NOT NULL,
    governorate_code  VARCHAR NOT NULL,
    delegation        VARCHAR NOT NULL,
    created_by        INTEGER,
    created_at        TIMESTAMP NOT NULL DEFAULT localtimestamp
);
-- A delivery is a stop of one route at most: the key says so in the database.
CREATE TABLE route_stops (
    delivery_id  INTEGER PRIMARY KEY,
    route_id     INTEGER NOT NULL,
    stop_order   INTEGER NOT NULL,
    UNIQUE (route_id, stop_order)
);

-- An association's distribution point; opening days are ISO weekdays as digits ('135' = Mon, Wed, Fri).
CREATE SEQUENCE seq_distribution_points START 1;
CREATE TABLE distribution_points (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_distribution_points'),
    organisation_id   INTEGER NOT NULL,
    name              VARCHAR NOT NULL,
    governorate_code  VARCHAR NOT NULL,
    delegation        VARCHAR,
    address           VARCHAR,
    opening_days      VARCHAR NOT NULL,
    opening_hours     VARCHAR,
    is_active         BOOLEAN NOT NULL DEFAULT true,
    created_by        INTEGER,
    created_at        TIMESTAMP NOT NULL DEFAULT localtimestamp
);
-- How a household wants its aid: brought home, or picked up at a point.
CREATE TABLE household_handover (
    household_id  INTEGER PRIMARY KEY,
    mode          VARCHAR NOT NULL CHECK (mode IN ('home', 'pickup')),
    point_id      INTEGER,
    updated_by    INTEGER,
    updated_at    TIMESTAMP NOT NULL DEFAULT localtimestamp,
    CHECK (mode = 'home' OR point_id IS NOT NULL)
);
-- A delivery handed over at a point instead of at the door.
CREATE TABLE delivery_pickups (
    delivery_id  INTEGER PRIMARY KEY,
    point_id     INTEGER NOT NULL
);

-- A failed or overdue delivery planned again: the key lets it be re-planned once, on any server.
CREATE TABLE delivery_reschedules (
    delivery_id      INTEGER PRIMARY KEY,
    new_delivery_id  INTEGER NOT NULL,
    replanned_by     INTEGER,
    replanned_at     TIMESTAMP NOT NULL DEFAULT localtimestamp
);

-- The language and e-mail address a household, volunteer or donor is written to in.
CREATE TABLE contact_preferences (
    party      VARCHAR NOT NULL CHECK (party IN ('household', 'volunteer', 'donor')),
    party_id   INTEGER NOT NULL,
    lang       VARCHAR NOT NULL DEFAULT 'ar' CHECK (lang IN ('ar', 'fr', 'en')),
    email      VARCHAR,
    PRIMARY KEY (party, party_id)
);

-- Messages to send. `dedupe_key` names what a message is about (the code of delivery 12, the
-- reminder of its day...), so deriving the outbox again never queues a message twice.
CREATE SEQUENCE seq_outbox START 1;
CREATE TABLE outbox (
    id               BIGINT PRIMARY KEY DEFAULT nextval('seq_outbox'),
    dedupe_key       VARCHAR NOT NULL UNIQUE,
    kind             VARCHAR NOT NULL CHECK (kind IN ('household_code', 'reminder', 'route', 'receipt')),
    channel          VARCHAR NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        VARCHAR NOT NULL,
    lang             VARCHAR NOT NULL,
    subject          VARCHAR,
    body             VARCHAR NOT NULL,
    related_table    VARCHAR NOT NULL,
    related_id       INTEGER NOT NULL,
    -- pending: waits for next_attempt_at; sending: taken by one sender until lease_until;
    -- sent; abandoned: gave up after the last attempt.
    status           VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'abandoned')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMP NOT NULL,
    lease_until      TIMESTAMP,
    last_error       VARCHAR,
    created_at       TIMESTAMP NOT NULL DEFAULT localtimestamp,
    sent_at          TIMESTAMP
);
CREATE INDEX idx_outbox_due ON outbox (status, next_attempt_at);
-- Every attempt and its outcome, append-only.
CREATE SEQUENCE seq_outbox_attempts START 1;
CREATE TABLE outbox_attempts (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_outbox_attempts'),
    message_id    BIGINT NOT NULL,
    attempted_at  TIMESTAMP NOT NULL,
    outcome       VARCHAR NOT NULL CHECK (outcome IN ('sent', 'error')),
    detail        VARCHAR
);
