-- Distribution, third step: where within its governorate a stock line is held.
-- A donation may name the delegation that holds it; NULL means held at governorate level
-- (for instance in the association's central store). The suggested allocation serves a
-- household from stock held in its own delegation first, then from its governorate, then
-- lends across governorates (README, "Distribution").
-- Numbered 0012 beside the other distribution migrations: the runner applies any version
-- not yet recorded, so a database that already has 0030 gets this one on its next open.

ALTER TABLE donations ADD COLUMN delegation VARCHAR;

-- The view of 0011 with the delegation added (it names its columns, so it must be redefined).
CREATE OR REPLACE VIEW stock_lines AS
SELECT d.id AS donation_id, d.organisation_id, d.governorate_code, d.delegation, d.category_code, d.item, d.unit,
       d.received_on, d.donor_id, d.quantity AS received,
       coalesce(a.allocated, 0) AS allocated,
       d.quantity - coalesce(a.allocated, 0) AS available
FROM donations d
LEFT JOIN (SELECT donation_id, sum(quantity) AS allocated FROM allocations
           WHERE status IN ('allocated', 'delivered', 'confirmed') GROUP BY donation_id) a
       ON a.donation_id = d.id
WHERE d.status = 'received';
