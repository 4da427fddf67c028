-- Receipt codes: the short code a donor keeps to follow a gift on the public receipt page.
-- One per donation, and one per public pledge from the moment it is sent; a pledge that arrives
-- keeps its code, which then names the donation recorded for it too. The codes are random
-- (data_layer/core/receipt_codes.py), so they are drawn by the application, not here: rows
-- written before this table existed get theirs when the database is next opened
-- (data_layer/registry/receipts.py). Beside donations rather than a column of it: the codes are
-- added to rows that allocations already reference, which DuckDB refuses for an indexed column.
CREATE TABLE receipt_codes (
    code         VARCHAR PRIMARY KEY,
    donation_id  INTEGER UNIQUE,
    pledge_id    INTEGER UNIQUE,
    created_at   TIMESTAMP NOT NULL DEFAULT localtimestamp,
    CHECK (donation_id IS NOT NULL OR pledge_id IS NOT NULL)
);

-- Lookups on the public receipt page, counted for its limits as public_submissions are for the
-- forms: the client address only as a hash, and whether the code or reference existed.
CREATE SEQUENCE seq_public_lookups START 1;
CREATE TABLE public_lookups (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_public_lookups'),
    client_key    VARCHAR,
    found         BOOLEAN NOT NULL,
    looked_up_on  DATE NOT NULL,
    looked_up_at  TIMESTAMP NOT NULL
);
CREATE INDEX idx_public_lookups_day ON public_lookups (looked_up_on);
