-- name: list_households_inactive_before :rows
-- Households not yet anonymised whose last activity (record, needs, allocations, deliveries) is before $before.
SELECT h.id FROM households h
WHERE NOT starts_with(h.national_id, $placeholder || '-')
  AND greatest(h.created_at, h.updated_at,
        coalesce((SELECT max(n.created_at) FROM needs n WHERE n.household_id = h.id), h.created_at),
        coalesce((SELECT max(greatest(a.created_at, a.updated_at)) FROM allocations a WHERE a.household_id = h.id),
                 h.created_at),
        coalesce((SELECT max(greatest(d.created_at, d.updated_at, coalesce(d.delivered_at, d.created_at),
                                      coalesce(d.confirmed_at, d.created_at)))
                  FROM deliveries d WHERE d.household_id = h.id), h.created_at)) < CAST($before AS TIMESTAMP)
ORDER BY h.id;

-- name: list_volunteers_inactive_before :rows
-- Volunteers not yet anonymised whose last activity (record, deliveries, availability) is before $before.
SELECT v.id FROM volunteers v
WHERE v.full_name <> $placeholder
  AND greatest(v.created_at, CAST(v.available_to AS TIMESTAMP),
        coalesce((SELECT max(greatest(d.created_at, d.updated_at)) FROM deliveries d WHERE d.volunteer_id = v.id),
                 v.created_at)) < CAST($before AS TIMESTAMP)
ORDER BY v.id;

-- name: list_pledges_inactive_before :rows
-- Pledges not yet anonymised last changed before $before.
SELECT id FROM pledges
WHERE donor_name <> $placeholder AND greatest(created_at, updated_at) < CAST($before AS TIMESTAMP)
ORDER BY id;

-- name: anonymise_households
-- Irreversible placeholders for a household's name, ID, phone, address and notes; '<placeholder>-<id>' never
-- matches an 8-digit ID; its keyed hash goes too, or the person could never be registered again.
UPDATE households SET national_id = CAST($placeholder AS VARCHAR) || '-' || CAST(id AS VARCHAR), full_name = $placeholder, phone = NULL,
    address = NULL, notes = NULL, national_id_key = NULL
WHERE list_contains(CAST($ids AS INTEGER[]), id);

-- name: anonymise_duplicate_reports
-- Repeat reports keep their count and governorate but lose the national ID.
UPDATE duplicate_reports SET national_id = CAST($placeholder AS VARCHAR) || '-' || CAST(existing_household_id AS VARCHAR),
    national_id_key = NULL
WHERE list_contains(CAST($ids AS INTEGER[]), existing_household_id);

-- name: anonymise_volunteers
-- Placeholders for a volunteer's name, ID and phone (phone is required, so a placeholder, not NULL).
UPDATE volunteers SET full_name = CAST($placeholder AS VARCHAR), national_id = NULL, phone = $placeholder || '-' || CAST(id AS VARCHAR)
WHERE list_contains(CAST($ids AS INTEGER[]), id);

-- name: anonymise_pledges
-- Placeholders for a pledging donor's name, phone and notes.
UPDATE pledges SET donor_name = CAST($placeholder AS VARCHAR), phone = $placeholder || '-' || CAST(id AS VARCHAR), notes = NULL
WHERE list_contains(CAST($ids AS INTEGER[]), id);

-- name: clear_public_submission_keys
-- Daily-limit hashes are only needed on their day: clear the old ones.
UPDATE public_submissions SET client_key = NULL, subject_keys = CAST(ARRAY[] AS VARCHAR[])
WHERE submitted_on < CAST($before AS DATE) AND (client_key IS NOT NULL OR subject_keys <> CAST(ARRAY[] AS VARCHAR[]));

-- name: list_audit_rows_of_records :frame
-- Audit rows about some households, volunteers or pledges (their before/after may hold personal fields).
SELECT id, CAST(before AS VARCHAR) AS before, CAST(after AS VARCHAR) AS after FROM audit_log
WHERE (table_name = 'households' AND list_contains(CAST($households AS INTEGER[]), CAST(record_id AS INTEGER)))
   OR (table_name = 'volunteers' AND list_contains(CAST($volunteers AS INTEGER[]), CAST(record_id AS INTEGER)))
   OR (table_name = 'pledges' AND list_contains(CAST($pledges AS INTEGER[]), CAST(record_id AS INTEGER)));

-- name: update_scrubbed_audit_rows
-- Write back the scrubbed before/after of audit rows from the registered table `scrubbed`, in one statement.
UPDATE audit_log SET before = CAST(s.before AS JSON), after = CAST(s.after AS JSON)
FROM scrubbed s WHERE audit_log.id = s.id;
