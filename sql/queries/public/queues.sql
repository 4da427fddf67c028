-- name: list_all_area_codes :rows
-- Every governorate code (an organiser's queues cover them all).
SELECT code FROM areas ORDER BY code;

-- name: list_covered_areas :rows
-- The governorates an organisation works in.
SELECT area_code FROM organisation_areas WHERE organisation_id = $organisation_id ORDER BY area_code;

-- name: list_request_queue :frame
-- Submitted aid requests in these governorates, oldest first, with needs and how many live households
-- (not in a $closed status) share the ID.
SELECT h.id, r.reference, h.created_at AS submitted_at,
       round(date_diff('minute', h.created_at, CAST($now AS TIMESTAMP)) / 60.0, 1) AS waiting_hours,
       h.full_name, h.national_id, h.phone, h.governorate_code, h.delegation, h.address, h.household_size,
       h.vulnerabilities,
       -- A DECIMAL(18, 3) less up to two trailing zeros reads 5.0, 2.5, 2.25 on both engines.
       (SELECT string_agg(n.category_code || ':' || regexp_replace(CAST(n.quantity AS VARCHAR), '0{1,2}$', ''), ';' ORDER BY n.id)
        FROM needs n WHERE n.household_id = h.id AND n.status = 'open') AS needs,
       (SELECT count(*) FROM households o
        WHERE o.national_id_key = h.national_id_key AND o.id <> h.id
          AND NOT list_contains(CAST($closed AS VARCHAR[]), o.status)) AS repeats
FROM households h
LEFT JOIN public_receipts r ON r.kind = 'request' AND r.record_id = h.id
WHERE h.status = 'submitted' AND list_contains(CAST($areas AS VARCHAR[]), h.governorate_code)
ORDER BY h.created_at, h.id;

-- name: list_volunteer_queue :frame
-- Submitted volunteer offers in these governorates, oldest first.
SELECT v.id, r.reference, v.created_at AS submitted_at,
       round(date_diff('minute', v.created_at, CAST($now AS TIMESTAMP)) / 60.0, 1) AS waiting_hours,
       v.full_name, v.national_id, v.phone, v.governorate_code, v.delegation, v.offers_transport,
       v.offers_distribution, v.vehicle, v.available_from, v.available_to
FROM volunteers v
LEFT JOIN public_receipts r ON r.kind = 'volunteer' AND r.record_id = v.id
WHERE v.status = 'submitted' AND list_contains(CAST($areas AS VARCHAR[]), v.governorate_code)
ORDER BY v.created_at, v.id;

-- name: list_pledge_queue :frame
-- Submitted pledges in these governorates, and accepted ones this organisation (or any, for organisers) awaits.
SELECT p.id, r.reference, p.status, p.created_at AS submitted_at,
       round(date_diff('minute', p.created_at, CAST($now AS TIMESTAMP)) / 60.0, 1) AS waiting_hours,
       p.donor_name, p.donor_type, p.phone, p.category_code, p.item, CAST(p.quantity AS DOUBLE PRECISION) AS quantity, p.unit,
       p.governorate_code, p.delegation, p.notes, o.code AS organisation_code
FROM pledges p
LEFT JOIN public_receipts r ON r.kind = 'pledge' AND r.record_id = p.id
LEFT JOIN organisations o ON o.id = p.organisation_id
WHERE list_contains(CAST($areas AS VARCHAR[]), p.governorate_code)
  AND (p.status = 'submitted'
       OR (p.status = 'accepted' AND ($all_organisations OR p.organisation_id = $organisation_id)))
ORDER BY p.status DESC, p.created_at, p.id;

-- name: list_queue_summary :frame
-- Per governorate: waiting submissions by queue, open repeats of an ID, oldest wait and median hours to a decision.
WITH pending AS (
    SELECT 'request' AS queue, governorate_code, created_at FROM households WHERE status = 'submitted'
    UNION ALL SELECT 'volunteer', governorate_code, created_at FROM volunteers WHERE status = 'submitted'
    UNION ALL SELECT 'pledge', governorate_code, created_at FROM pledges WHERE status = 'submitted'
),
decided AS (
    SELECT h.governorate_code, date_diff('minute', h.created_at, q.reviewed_at) / 60.0 AS hours
    FROM queue_reviews q JOIN households h ON q.subject_table = 'households' AND h.id = q.subject_id
    UNION ALL
    SELECT v.governorate_code, date_diff('minute', v.created_at, q.reviewed_at) / 60.0
    FROM queue_reviews q JOIN volunteers v ON q.subject_table = 'volunteers' AND v.id = q.subject_id
    UNION ALL
    SELECT p.governorate_code, date_diff('minute', p.created_at, q.reviewed_at) / 60.0
    FROM queue_reviews q JOIN pledges p ON q.subject_table = 'pledges' AND p.id = q.subject_id
    WHERE q.decision IN ('accepted', 'rejected')
),
repeats AS (
    SELECT h.governorate_code, count(*) AS repeats
    FROM duplicate_reports d JOIN households h ON h.id = d.existing_household_id
    WHERE d.status = 'open' GROUP BY h.governorate_code
),
waiting AS (
    SELECT governorate_code,
           count(*) FILTER (WHERE queue = 'request') AS requests,
           count(*) FILTER (WHERE queue = 'volunteer') AS volunteers,
           count(*) FILTER (WHERE queue = 'pledge') AS pledges,
           round(max(date_diff('minute', created_at, CAST($now AS TIMESTAMP))) / 60.0, 1) AS oldest_waiting_hours
    FROM pending GROUP BY governorate_code
),
speed AS (
    SELECT governorate_code, count(*) AS decided, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY hours), 1) AS median_hours_to_decide
    FROM decided GROUP BY governorate_code
)
SELECT a.code AS governorate_code, a.name_ar, a.name_fr, a.name_en,
       coalesce(w.requests, 0) AS requests, coalesce(w.volunteers, 0) AS volunteers,
       coalesce(w.pledges, 0) AS pledges, coalesce(rp.repeats, 0) AS repeats,
       w.oldest_waiting_hours, coalesce(s.decided, 0) AS decided, s.median_hours_to_decide
FROM areas a
LEFT JOIN waiting w ON w.governorate_code = a.code
LEFT JOIN speed s ON s.governorate_code = a.code
LEFT JOIN repeats rp ON rp.governorate_code = a.code
WHERE list_contains(CAST($areas AS VARCHAR[]), a.code)
ORDER BY a.code;

-- name: get_queue_household :one
-- The fields a queue decision checks on a household.
SELECT id, national_id_key, status, governorate_code, organisation_id FROM households WHERE id = $id;

-- name: list_merge_candidates :frame
-- Households a request with this national ID may merge into (not in a $not_mergeable status; no personal data).
SELECT h.id, h.governorate_code, h.status, h.household_size, o.code AS organisation_code, h.created_at
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE h.national_id_key = $national_id_key AND h.id <> $id
  AND NOT list_contains(CAST($not_mergeable AS VARCHAR[]), h.status)
ORDER BY h.id;

-- name: set_request_status
-- A queue decision on a submitted household; an association that verifies it takes charge of it.
UPDATE households SET status = $status, organisation_id = coalesce($organisation_id, organisation_id),
    updated_at = localtimestamp
WHERE id = $id AND status = 'submitted';

-- name: cancel_open_needs :rows
-- Cancel a household's open needs (a rejected or merged request); returns their ids.
UPDATE needs SET status = 'cancelled' WHERE household_id = $household_id AND status = 'open' RETURNING id;

-- name: list_open_need_categories :rows
-- Categories a household already has an open need for.
SELECT DISTINCT category_code FROM needs WHERE household_id = $household_id AND status = 'open';

-- name: close_duplicate_reports
-- The repeats of a national ID are settled by a merge.
UPDATE duplicate_reports SET status = 'merged' WHERE national_id_key = $national_id_key AND status = 'open';

-- name: get_queue_volunteer :one
-- The fields a queue decision checks on a volunteer.
SELECT id, status, governorate_code, organisation_id FROM volunteers WHERE id = $id;

-- name: set_volunteer_review_status
-- A queue decision on a submitted volunteer; the verifying association takes them on.
UPDATE volunteers SET status = $status, organisation_id = coalesce($organisation_id, organisation_id)
WHERE id = $id AND status = 'submitted';

-- name: get_queue_pledge :one
-- A pledge with its public reference.
SELECT p.*, r.reference FROM pledges p
LEFT JOIN public_receipts r ON r.kind = 'pledge' AND r.record_id = p.id
WHERE p.id = $id;

-- name: set_pledge_status
-- Move a pledge along submitted -> accepted -> received (or rejected).
UPDATE pledges SET status = $status, organisation_id = coalesce($organisation_id, organisation_id),
    donation_id = coalesce($donation_id, donation_id), updated_at = localtimestamp
WHERE id = $id AND status = $from_status;

-- name: insert_queue_review
-- One decision taken in a verification queue.
INSERT INTO queue_reviews (subject_table, subject_id, decision, reason, merged_into, organisation_id, reviewed_by)
VALUES ($subject_table, $subject_id, $decision, $reason, $merged_into, $organisation_id, $reviewed_by);
