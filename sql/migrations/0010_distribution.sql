-- Distribution: allocations of stock lines (donations) to needs, grouped into deliveries.
-- Stock is never typed in: available = donation quantity - live allocations of it.
-- Nothing here is deleted; cancelled or returned rows keep their history.

CREATE SEQUENCE seq_deliveries START 1;
CREATE TABLE deliveries (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('seq_deliveries'),
    household_id         INTEGER NOT NULL,   -- no FK to households: see needs.household_id in 0001
    organisation_id      INTEGER REFERENCES organisations (id),
    -- No FK: DuckDB rewrites a row whose FK column changes as delete + insert, which a
    -- delivery referenced by allocations refuses ("still referenced"); reassigning must work.
    volunteer_id         INTEGER,
    planned_on           DATE,
    status               VARCHAR NOT NULL DEFAULT 'planned'
                         CHECK (status IN ('planned', 'out_for_delivery', 'delivered', 'confirmed', 'failed', 'cancelled')),
    failure_reason       VARCHAR,
    -- A short code given to the household, read back by the volunteer as proof.
    confirmation_code    VARCHAR,
    confirmation_method  VARCHAR CHECK (confirmation_method IN ('household_code', 'association')),
    confirmed_by         INTEGER,
    confirmed_at         TIMESTAMP,
    delivered_at         TIMESTAMP,
    created_by           INTEGER,
    created_at           TIMESTAMP NOT NULL DEFAULT localtimestamp,
    updated_at           TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE SEQUENCE seq_allocations START 1;
CREATE TABLE allocations (
    id            INTEGER PRIMARY KEY DEFAULT nextval('seq_allocations'),
    donation_id   INTEGER NOT NULL REFERENCES donations (id),   -- the stock line
    need_id       INTEGER NOT NULL,   -- no FK: merges move needs between households (see 0001)
    household_id  INTEGER NOT NULL,
    delivery_id   INTEGER REFERENCES deliveries (id),
    quantity      DECIMAL(18, 3) NOT NULL CHECK (quantity > 0),
    -- allocated / delivered / confirmed hold stock; returned (delivery failed) and cancelled give it back.
    status        VARCHAR NOT NULL DEFAULT 'allocated'
                  CHECK (status IN ('allocated', 'delivered', 'confirmed', 'returned', 'cancelled')),
    created_by    INTEGER,
    created_at    TIMESTAMP NOT NULL DEFAULT localtimestamp,
    updated_at    TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE INDEX idx_allocations_donation ON allocations (donation_id);
CREATE INDEX idx_allocations_household ON allocations (household_id);
CREATE INDEX idx_deliveries_household ON deliveries (household_id);
