-- name: insert_public_receipt
-- The reference a sender is shown (record_id NULL for a repeat national ID).
INSERT INTO public_receipts (reference, kind, record_id, duplicate_report_id, lang)
VALUES ($reference, $kind, $record_id, $duplicate_report_id, $lang);

-- name: insert_pledge :scalar
-- A pledge from the public; returns its id.
INSERT INTO pledges (campaign_id, donor_name, donor_type, phone, category_code, item, quantity, unit,
                     governorate_code, delegation, notes)
VALUES ($campaign_id, $donor_name, $donor_type, $phone, $category_code, $item, $quantity, $unit,
        $governorate_code, $delegation, $notes)
RETURNING id;
