-- Distribution, third step: where within its governorate a stock line is held.
-- A donation may name the delegation that holds it; NULL means held at governorate level
-- (for instance in the association's central store). The suggested allocation serves a
-- household from stock held in its own delegation first, then from its governorate, then
-- lends across governorates (README, "Distribution").

ALTER TABLE donations ADD COLUMN delegation VARCHAR;

-- The view of 0011 with the delegation added. Dropped and created again: PostgreSQL's
-- CREATE OR REPLACE VIEW may only add columns at the end.
DROP VIEW stock_lines;
CREATE VIEW stock_lines AS
SELECT d.id AS donation_id, d.organisation_id, d.governorate_code, d.delegation, d.category_code, d.item, d.unit,
       d.received_on, d.donor_id, d.quantity AS received,
       coalesce(a.allocated, 0) AS allocated,
       d.quantity - coalesce(a.allocated, 0) AS available
FROM donations d
LEFT JOIN (SELECT donation_id, sum(quantity) AS allocated FROM allocations
           WHERE status IN ('allocated', 'delivered', 'confirmed') GROUP BY donation_id) a
       ON a.donation_id = d.id
WHERE d.status = 'received';
