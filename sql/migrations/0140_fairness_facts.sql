-- Fairness facts: the inputs of the signals and of the basket views, kept up to date exactly as the
-- dashboard facts of 0040 are (data_layer/monitoring/facts.py recomputes the rows of the households,
-- and stock lines, audited since the last refresh before a view reads them). At a million
-- households the views grouped the base tables on every read — a hash aggregate over a million
-- phone numbers, needs joined to households and allocations — in 0.1-1.4 s each; over these tables
-- a view first filters one narrow column, or reads a table of a few thousand rows.

-- One row per household: the keys the registration signals group by, and per key how many
-- households share it, so a signal reads only the rows of groups at or above its threshold.
-- The counts are those the signals count: in-play households for a phone or an address (NULL on
-- rows out of play), every household for a delegation's day, typed ones for an account's hour.
CREATE TABLE fact_signal_households (
    household_id       INTEGER NOT NULL,
    organisation_id    INTEGER,
    governorate_code   VARCHAR NOT NULL,
    in_play            BOOLEAN NOT NULL,   -- status not rejected, merged or inactive
    phone              VARCHAR,
    address_key        VARCHAR,            -- lower(trim(address)); NULL when blank
    delegation         VARCHAR NOT NULL,   -- '' when none
    created_on         DATE NOT NULL,
    created_hour       TIMESTAMP NOT NULL,
    created_by         INTEGER,
    typed              BOOLEAN NOT NULL,   -- not imported
    phone_households   BIGINT,
    address_households BIGINT,
    day_households     BIGINT,
    hour_households    BIGINT
);

-- Work list of one refresh: the signal keys of the pending households, before and after; empty outside it.
CREATE TABLE facts_pending_signal_keys (
    phone            VARCHAR,
    address_key      VARCHAR,
    governorate_code VARCHAR,
    delegation       VARCHAR,
    created_on       DATE,
    created_by       INTEGER,
    created_hour     TIMESTAMP
);

-- Per household, category and unit: whether the household counts (1: in play with a need not
-- cancelled), its needs not cancelled, and what its needs were allocated (live) and delivered.
CREATE TABLE fact_flow_households (
    household_id     INTEGER NOT NULL,
    campaign_id      INTEGER,
    organisation_id  INTEGER,
    governorate_code VARCHAR NOT NULL,
    category_code    VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    households       INTEGER NOT NULL,
    needs            DECIMAL(18, 3) NOT NULL,
    allocated        DECIMAL(18, 3) NOT NULL,
    delivered        DECIMAL(18, 3) NOT NULL
);

-- fact_flow_households summed per campaign, organisation, governorate, category and unit (`source_rows`
-- of them behind each row); a refresh adds what the pending households bring and takes away what
-- they brought before, through the work list below.
CREATE TABLE fact_flows (
    campaign_id      INTEGER,
    organisation_id  INTEGER,
    governorate_code VARCHAR NOT NULL,
    category_code    VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    source_rows      BIGINT NOT NULL,
    households       BIGINT NOT NULL,
    needs            DECIMAL(18, 3) NOT NULL,
    allocated        DECIMAL(18, 3) NOT NULL,
    delivered        DECIMAL(18, 3) NOT NULL
);

CREATE TABLE facts_pending_flows (
    campaign_id      INTEGER,
    organisation_id  INTEGER,
    governorate_code VARCHAR NOT NULL,
    category_code    VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    source_rows      BIGINT NOT NULL,
    households       BIGINT NOT NULL,
    needs            DECIMAL(18, 3) NOT NULL,
    allocated        DECIMAL(18, 3) NOT NULL,
    delivered        DECIMAL(18, 3) NOT NULL
);

-- Deliveries that reached the household (delivered or confirmed, with a time), and the minutes
-- from planning to done.
CREATE TABLE fact_delivery_times (
    delivery_id      INTEGER NOT NULL,
    organisation_id  INTEGER,
    governorate_code VARCHAR NOT NULL,
    household_id     INTEGER NOT NULL,
    volunteer_id     INTEGER,
    status           VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    done_at          TIMESTAMP NOT NULL,
    minutes          BIGINT NOT NULL
);

-- Allocations not cancelled per stock line and day, and how many of them were delivered.
CREATE TABLE fact_allocation_days (
    donation_id  INTEGER NOT NULL,
    allocated_on DATE NOT NULL,
    allocations  BIGINT NOT NULL,
    delivered    BIGINT NOT NULL
);

-- The next read rebuilds every fact, these included.
UPDATE facts_state SET audit_id = NULL;
