-- Dashboard facts: the monitoring aggregates' inputs, kept up to date as rows are written.
-- At national scale (a million households) grouping the base tables on every dashboard view took
-- ~350 ms of hash joins and aggregation; these narrow tables hold, per household (and per stock
-- line), exactly the columns the dashboard groups and filters by, so each chart is one scan.
-- They are derived state: data_layer/facts.py recomputes the rows of every household (and stock
-- line) written since the last refresh, finding them through the audit log (every write is
-- audited), before the dashboard reads them. facts_state.audit_id is the last audit row already
-- reflected; NULL means "rebuild everything" (this migration, demo data).

CREATE TABLE facts_state (audit_id BIGINT);
INSERT INTO facts_state VALUES (NULL);

-- Work lists of one refresh; empty outside it.
CREATE TABLE facts_pending_households (household_id INTEGER NOT NULL);
CREATE TABLE facts_pending_donations (donation_id INTEGER NOT NULL);

-- One row per counted household (status not submitted, rejected or merged).
CREATE TABLE fact_households (
    household_id       INTEGER NOT NULL,
    governorate_code   VARCHAR NOT NULL,
    campaign_id        INTEGER,
    created_on         DATE NOT NULL,
    served             BOOLEAN NOT NULL,   -- has a confirmed delivery
    first_confirmed_on DATE                -- day of its first dated confirmation
);

-- One row per counted household, category and unit with open needs not covered by live allocations.
CREATE TABLE fact_waiting (
    household_id     INTEGER NOT NULL,
    governorate_code VARCHAR NOT NULL,
    campaign_id      INTEGER,
    created_on       DATE NOT NULL,
    category_code    VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    unmet_quantity   DECIMAL(18, 3) NOT NULL
);

-- Allocations per stock line, household governorate and day: live and delivered quantities.
CREATE TABLE fact_stock_moves (
    donation_id      INTEGER NOT NULL,
    governorate_code VARCHAR,
    allocated_on     DATE NOT NULL,
    allocated        DECIMAL(18, 3),
    delivered        DECIMAL(18, 3)
);

-- Confirmed deliveries per household, delivering association and day.
CREATE TABLE fact_served_by (
    household_id     INTEGER NOT NULL,
    organisation_id  INTEGER,
    confirmed_on     DATE,
    governorate_code VARCHAR NOT NULL,
    campaign_id      INTEGER
);

-- Deliveries done (delivered or confirmed) per household, volunteer and day.
CREATE TABLE fact_deliveries_done (
    household_id INTEGER NOT NULL,
    volunteer_id INTEGER NOT NULL,
    done_on      DATE,
    campaign_id  INTEGER,
    deliveries   BIGINT NOT NULL
);
