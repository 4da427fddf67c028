-- name: insert_duplicate_report :scalar
-- A repeat registration of a national ID already on file, for organisers to review; returns its id.
INSERT INTO duplicate_reports (national_id, national_id_key, existing_household_id, attempted_by_org, source, reason)
VALUES ($national_id, $national_id_key, $existing_household_id, $attempted_by_org, $source, $reason)
RETURNING id;

-- name: list_duplicate_reports :frame
-- Repeat registrations of a national ID refused at entry (in one status, or all), newest first.
SELECT r.id AS report_id, r.national_id, r.existing_household_id AS household_id, h.full_name,
       h.governorate_code, eo.code AS organisation, ao.code AS attempted_by, r.source, r.reason, r.status,
       r.reported_at
FROM duplicate_reports r JOIN households h ON h.id = r.existing_household_id
LEFT JOIN organisations eo ON eo.id = h.organisation_id LEFT JOIN organisations ao ON ao.id = r.attempted_by_org
WHERE (CAST($status AS VARCHAR) IS NULL OR r.status = $status)
ORDER BY r.reported_at DESC, r.id DESC
LIMIT 500;

-- name: get_duplicate_report :one
-- The state of one repeat-registration report.
SELECT status FROM duplicate_reports WHERE id = $id;

-- name: set_duplicate_report_decision
-- An organiser closes a repeat-registration report.
UPDATE duplicate_reports SET status = $status WHERE id = $id;

-- name: list_households_for_duplicate_matching :frame
-- Households still in play (not in an $inactive status), with what duplicate matching compares.
SELECT h.id, h.full_name, h.phone, h.governorate_code, h.delegation, o.code AS organisation,
       h.status, h.created_at
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE NOT list_contains(CAST($inactive AS VARCHAR[]), h.status)
ORDER BY h.id;

-- name: list_decided_duplicate_pairs :rows
-- Pairs of households an organiser already merged or dismissed.
SELECT household_id, other_household_id FROM duplicate_reviews;

-- name: insert_duplicate_pair_review :scalar
-- An organiser's decision on a pair of likely duplicates; returns its id.
INSERT INTO duplicate_reviews (household_id, other_household_id, reason, decision, kept_household_id, note, decided_by)
VALUES ($household_id, $other_household_id, $reason, $decision, $kept_household_id, $note, $decided_by)
RETURNING id;

-- name: list_needs_to_merge :rows
-- The needs of a household that a merge moves or cancels.
SELECT id, category_code, quantity, unit, urgency, status FROM needs
WHERE household_id = $household_id ORDER BY id;

-- name: cancel_merged_need
-- A need that a merge moved elsewhere or found repeated stays, cancelled.
UPDATE needs SET status = 'cancelled' WHERE id = $id;
