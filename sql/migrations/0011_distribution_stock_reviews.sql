-- Distribution, second step: the derived stock as one view (so the page, the allocation
-- check, the suggestion and the export agree), and the organisers' decisions on likely
-- duplicate households.

-- Stock is never typed in: a received donation line minus what live allocations hold.
-- 'returned' (failed delivery) and 'cancelled' allocations give their quantity back.
CREATE VIEW stock_lines AS
SELECT d.id AS donation_id, d.organisation_id, d.governorate_code, d.category_code, d.item, d.unit,
       d.received_on, d.donor_id, d.quantity AS received,
       coalesce(a.allocated, 0) AS allocated,
       d.quantity - coalesce(a.allocated, 0) AS available
FROM donations d
LEFT JOIN (SELECT donation_id, sum(quantity) AS allocated FROM allocations
           WHERE status IN ('allocated', 'delivered', 'confirmed') GROUP BY donation_id) a
       ON a.donation_id = d.id
WHERE d.status = 'received';

-- One decision on a pair of likely duplicates (same phone, or similar name in one delegation).
-- A decided pair is not proposed again. Merges keep both rows: the merged-away household
-- gets status 'merged' and this row points it at the one kept.
CREATE SEQUENCE seq_duplicate_reviews START 1;
CREATE TABLE duplicate_reviews (
    id                  INTEGER PRIMARY KEY DEFAULT nextval('seq_duplicate_reviews'),
    household_id        INTEGER NOT NULL,
    other_household_id  INTEGER NOT NULL,
    reason              VARCHAR NOT NULL CHECK (reason IN ('same_phone', 'similar_name', 'same_national_id')),
    decision            VARCHAR NOT NULL CHECK (decision IN ('merged', 'dismissed')),
    kept_household_id   INTEGER,
    note                VARCHAR,
    decided_by          INTEGER,
    decided_at          TIMESTAMP NOT NULL DEFAULT localtimestamp,
    CHECK (household_id < other_household_id),
    CHECK (decision = 'dismissed' OR kept_household_id IN (household_id, other_household_id))
);

CREATE INDEX idx_allocations_need ON allocations (need_id);
