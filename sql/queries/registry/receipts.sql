-- Receipt codes of donations and pledges (data_layer/registry/receipts.py).

-- name: list_receipt_codes_on_file :rows
-- The candidate codes in the registered table new_receipt_codes that are already taken.
SELECT r.code FROM receipt_codes r JOIN new_receipt_codes n ON n.code = r.code;

-- name: insert_receipt_codes :exec
-- The codes of the registered table new_receipt_codes (code, donation_id, pledge_id).
INSERT INTO receipt_codes (code, donation_id, pledge_id)
SELECT code, CAST(donation_id AS INTEGER), CAST(pledge_id AS INTEGER) FROM new_receipt_codes;

-- name: list_pledges_without_receipt_code :rows
-- Pledges that have no code yet, with the donation recorded for them unless that already has one.
SELECT p.id AS pledge_id,
       CASE WHEN EXISTS (SELECT 1 FROM receipt_codes r2 WHERE r2.donation_id = p.donation_id) THEN NULL
            ELSE p.donation_id END AS donation_id
FROM pledges p
WHERE NOT EXISTS (SELECT 1 FROM receipt_codes r WHERE r.pledge_id = p.id)
ORDER BY p.id;

-- name: list_donations_without_receipt_code :rows
-- Donations that have no code yet.
SELECT d.id AS donation_id FROM donations d
WHERE NOT EXISTS (SELECT 1 FROM receipt_codes r WHERE r.donation_id = d.id)
ORDER BY d.id;

-- name: link_pledge_receipt_code :exec
-- The donation recorded for a pledge takes the pledge's code.
UPDATE receipt_codes SET donation_id = $donation_id WHERE pledge_id = $pledge_id AND donation_id IS NULL;

-- name: get_receipt_code_of_donation :scalar
-- The receipt code of one donation.
SELECT code FROM receipt_codes WHERE donation_id = $donation_id;

-- name: get_receipt_code_of_pledge :scalar
-- The receipt code of one pledge.
SELECT code FROM receipt_codes WHERE pledge_id = $pledge_id;
