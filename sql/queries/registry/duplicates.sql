-- name: insert_duplicate_report
-- A repeat registration of a national ID already on file, for organisers to review.
INSERT INTO duplicate_reports (national_id, existing_household_id, attempted_by_org, source, reason)
VALUES ($national_id, $existing_household_id, $attempted_by_org, $source, $reason);
