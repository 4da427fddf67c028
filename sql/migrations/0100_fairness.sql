-- Fairness rules of a campaign: how often or how much one household may receive of a category
-- in a rolling period, and what one household basket is worth in each category and unit.
-- One row per (campaign, category): a limit counts times (distinct needs served) or quantity
-- (in the category's unit; cash in the campaign's currency), or both, over `period_days`.
CREATE TABLE household_limits (
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
    category_code  VARCHAR NOT NULL REFERENCES categories (code),
    period_days    INTEGER NOT NULL CHECK (period_days BETWEEN 1 AND 366),
    max_times      INTEGER CHECK (max_times >= 1),
    max_quantity   DECIMAL(18, 3) CHECK (max_quantity > 0),
    set_by         INTEGER,
    set_at         TIMESTAMP NOT NULL DEFAULT localtimestamp,
    PRIMARY KEY (campaign_id, category_code),
    CHECK (max_times IS NOT NULL OR max_quantity IS NOT NULL)
);

-- "`quantity` of `unit` in `category` = `baskets` household baskets", e.g. 60 TND = 1, 1 kit = 0.3.
CREATE TABLE basket_equivalents (
    campaign_id    INTEGER NOT NULL REFERENCES campaigns (id),
    category_code  VARCHAR NOT NULL REFERENCES categories (code),
    unit           VARCHAR NOT NULL,
    quantity       DECIMAL(18, 3) NOT NULL CHECK (quantity > 0),
    baskets        DECIMAL(18, 3) NOT NULL CHECK (baskets > 0),
    set_by         INTEGER,
    set_at         TIMESTAMP NOT NULL DEFAULT localtimestamp,
    PRIMARY KEY (campaign_id, category_code, unit)
);

-- Allocations saved above a limit by an organiser, with the reason (the audit log holds the same).
CREATE TABLE limit_exceptions (
    allocation_id  INTEGER PRIMARY KEY,
    household_id   INTEGER NOT NULL,
    campaign_id    INTEGER NOT NULL,
    category_code  VARCHAR NOT NULL,
    reason         VARCHAR NOT NULL,
    granted_by     INTEGER,
    granted_at     TIMESTAMP NOT NULL DEFAULT localtimestamp
);

