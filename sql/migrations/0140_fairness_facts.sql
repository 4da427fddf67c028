-- Fairness facts: the inputs of the signals and of the basket views, kept up to date exactly as the
-- dashboard facts of 0040 are (data_layer/monitoring/facts.py recomputes the rows of the households,
-- and stock lines, audited since the last refresh before a view reads them). At a million
-- households the views grouped the base tables on every read — a hash aggregate over a million
-- phone numbers, needs joined to households and allocations — in 0.1-1.4 s each; over these tables
-- a view first filters one narrow column, or reads a table of a few thousand rows.

-- One row per household: the keys the registration signals group by.
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
    typed              BOOLEAN NOT NULL    -- not imported
);

-- The households each signal counts, per key, organisation and governorate, with the key's count
-- over every organisation beside them, so a signal reads only the rows of keys at its threshold
-- (a million phone numbers, or 200 addresses each shared by thousands: both stay one narrow scan).
-- Phones and addresses count households in play; a delegation's day every household registered;
-- an account's hour the households it typed.
CREATE TABLE fact_phone_groups (
    phone            VARCHAR NOT NULL,
    organisation_id  INTEGER,
    governorate_code VARCHAR NOT NULL,
    households       BIGINT NOT NULL,
    phone_households BIGINT NOT NULL
);
CREATE TABLE fact_address_groups (
    address_key        VARCHAR NOT NULL,
    organisation_id    INTEGER,
    governorate_code   VARCHAR NOT NULL,
    households         BIGINT NOT NULL,
    address_households BIGINT NOT NULL
);
CREATE TABLE fact_day_groups (
    governorate_code VARCHAR NOT NULL,
    delegation       VARCHAR NOT NULL,
    created_on       DATE NOT NULL,
    organisation_id  INTEGER,
    households       BIGINT NOT NULL,
    day_households   BIGINT NOT NULL
);
CREATE TABLE fact_hour_groups (
    created_by       INTEGER NOT NULL,
    created_hour     TIMESTAMP NOT NULL,
    organisation_id  INTEGER,
    governorate_code VARCHAR NOT NULL,
    households       BIGINT NOT NULL,
    hour_households  BIGINT NOT NULL
);

-- A refresh recounts the groups of the phones and addresses a save touched, and replaces the
-- rows of the households it touched: found through these instead of a scan of a million rows
-- (at a million households one catch-up took 0.4 s in the phone tables alone).
CREATE INDEX idx_fact_signal_households_household ON fact_signal_households (household_id);
CREATE INDEX idx_fact_signal_households_phone ON fact_signal_households (phone);
CREATE INDEX idx_fact_signal_households_address ON fact_signal_households (address_key);
CREATE INDEX idx_fact_phone_groups_phone ON fact_phone_groups (phone);
CREATE INDEX idx_fact_address_groups_address ON fact_address_groups (address_key);

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
CREATE INDEX idx_fact_flow_households_household ON fact_flow_households (household_id);

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

-- Allocations not cancelled per stock line (and the organisation holding it) and day, and how many
-- of them were delivered.
CREATE TABLE fact_allocation_days (
    donation_id     INTEGER NOT NULL,
    organisation_id INTEGER,
    allocated_on DATE NOT NULL,
    allocations  BIGINT NOT NULL,
    delivered    BIGINT NOT NULL
);

-- The last audit row these facts reflect, as facts_state for the dashboard's; NULL: rebuild them.
-- A watermark of their own, so a save is caught up for the dashboard without these tables.
CREATE TABLE facts_fairness_state (audit_id BIGINT);
INSERT INTO facts_fairness_state VALUES (NULL);
