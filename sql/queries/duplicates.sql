-- name: list_active_households_for_matching
-- Households still in play, with what duplicate matching compares.
SELECT h.id, h.full_name, h.phone, h.governorate_code, h.delegation, h.national_id, o.code AS organisation,
       h.status, h.created_at
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE h.status NOT IN ('merged', 'rejected', 'inactive')
ORDER BY h.id;

-- name: list_reviewed_pairs
-- Pairs of households an organiser already merged or dismissed.
SELECT household_id, other_household_id FROM duplicate_reviews;

-- name: list_duplicate_reports_open
-- Repeat registrations of a national ID refused at entry, newest first.
SELECT r.id AS report_id, r.national_id, r.existing_household_id AS household_id, h.full_name,
       h.governorate_code, eo.code AS organisation, ao.code AS attempted_by, r.source, r.reason, r.status,
       r.reported_at
FROM duplicate_reports r JOIN households h ON h.id = r.existing_household_id
LEFT JOIN organisations eo ON eo.id = h.organisation_id LEFT JOIN organisations ao ON ao.id = r.attempted_by_org
WHERE ($status IS NULL OR r.status = $status)
ORDER BY r.reported_at DESC, r.id DESC
LIMIT 500;

-- name: set_duplicate_report_status
-- An organiser closes a repeat-registration report.
UPDATE duplicate_reports SET status = $status WHERE id = $id;

-- name: insert_duplicate_review
-- An organiser's decision on a pair of likely duplicates; returns its id.
INSERT INTO duplicate_reviews (household_id, other_household_id, reason, decision, kept_household_id, note, decided_by)
VALUES ($household_id, $other_household_id, $reason, $decision, $kept_household_id, $note, $decided_by)
RETURNING id;

-- name: list_needs_for_merge
-- The needs of a household that a merge moves or cancels.
SELECT id, category_code, quantity, unit, urgency, status FROM needs
WHERE household_id = $household_id ORDER BY id;

-- name: cancel_need
-- A need that a merge moved elsewhere or found repeated stays, cancelled.
UPDATE needs SET status = 'cancelled' WHERE id = $id;

-- name: insert_need_with_status
-- A need moved by a merge onto the household kept; returns its id.
INSERT INTO needs (household_id, category_code, quantity, unit, urgency, status)
VALUES ($household_id, $category_code, $quantity, $unit, $urgency, $status)
RETURNING id;

-- name: get_duplicate_report_status
-- The state of one repeat-registration report.
SELECT status FROM duplicate_reports WHERE id = $id;
