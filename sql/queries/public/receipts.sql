-- The public receipt page (data_layer/public/receipts.py): a donation's trail and a request's
-- status, without any household's personal data, and the lookups counted for its limits.

-- name: get_receipt_code :one
-- What a receipt code names: a donation, a pledge, or both (a pledge that arrived).
SELECT donation_id, pledge_id FROM receipt_codes WHERE code = $code;

-- name: get_public_receipt :one
-- The public form a reference was given for, and its record (NULL for a repeat national ID).
SELECT kind, record_id FROM public_receipts WHERE reference = $reference;

-- name: get_pledge_trail :one
-- A pledge as its donor may follow it: what, where, its status and the dates it moved.
SELECT p.status, CAST(p.created_at AS DATE) AS pledged_on, p.category_code, p.quantity, p.unit,
       p.governorate_code, p.donation_id, CAST(p.updated_at AS DATE) AS changed_on,
       (SELECT CAST(max(q.reviewed_at) AS DATE) FROM queue_reviews q
        WHERE q.subject_table = 'pledges' AND q.subject_id = p.id AND q.decision = 'accepted') AS accepted_on
FROM pledges p WHERE p.id = $id;

-- name: get_donation_trail :one
-- A donation as its donor may follow it: what, when, where it is held and by which organisation (no donor name).
SELECT d.status, d.received_on, d.kind, d.category_code, d.quantity, d.unit, d.governorate_code,
       o.name AS organisation_name
FROM donations d JOIN organisations o ON o.id = d.organisation_id
WHERE d.id = $id;

-- name: list_donation_trail :frame
-- Per governorate of the households served from one donation: quantities and households allocated
-- ($live), delivered and confirmed ($delivered), with the dates of each step. No household is named.
SELECT h.governorate_code, ar.name_ar, ar.name_fr, ar.name_en,
       CAST(sum(a.quantity) AS DOUBLE PRECISION) AS allocated,
       count(DISTINCT a.household_id) AS households,
       CAST(min(a.created_at) AS DATE) AS first_allocated_on,
       CAST(max(a.created_at) AS DATE) AS last_allocated_on,
       CAST(coalesce(sum(a.quantity) FILTER (WHERE list_contains(CAST($delivered AS VARCHAR[]), a.status)), 0)
            AS DOUBLE PRECISION) AS delivered,
       count(DISTINCT a.household_id) FILTER (WHERE list_contains(CAST($delivered AS VARCHAR[]), a.status))
           AS households_delivered,
       CAST(max(dl.delivered_at) FILTER (WHERE list_contains(CAST($delivered AS VARCHAR[]), a.status)) AS DATE)
           AS last_delivered_on,
       CAST(coalesce(sum(a.quantity) FILTER (WHERE a.status = 'confirmed'), 0) AS DOUBLE PRECISION) AS confirmed,
       count(DISTINCT a.household_id) FILTER (WHERE a.status = 'confirmed') AS households_confirmed,
       CAST(max(dl.confirmed_at) FILTER (WHERE a.status = 'confirmed') AS DATE) AS last_confirmed_on
FROM allocations a
JOIN households h ON h.id = a.household_id
JOIN areas ar ON ar.code = h.governorate_code
LEFT JOIN deliveries dl ON dl.id = a.delivery_id
WHERE a.donation_id = $donation_id AND list_contains(CAST($live AS VARCHAR[]), a.status)
GROUP BY h.governorate_code, ar.name_ar, ar.name_fr, ar.name_en
ORDER BY h.governorate_code;

-- name: get_request_progress :one
-- How far a household's request has come: its status (followed once through a merge into the
-- household kept), whether aid is planned for it, and whether aid reached it.
WITH target AS (
    SELECT coalesce(
        (SELECT max(q.merged_into) FROM queue_reviews q
         WHERE q.subject_table = 'households' AND q.subject_id = h.id AND q.decision = 'merged'),
        (SELECT max(r.kept_household_id) FROM duplicate_reviews r
         WHERE r.decision = 'merged' AND r.kept_household_id <> h.id
           AND (r.household_id = h.id OR r.other_household_id = h.id)),
        h.id) AS id
    FROM households h WHERE h.id = $id
)
SELECT h.status,
       EXISTS (SELECT 1 FROM allocations a WHERE a.household_id = h.id
               AND list_contains(CAST($live AS VARCHAR[]), a.status)) AS aid_planned,
       EXISTS (SELECT 1 FROM deliveries dl WHERE dl.household_id = h.id
               AND list_contains(CAST($delivered AS VARCHAR[]), dl.status)) AS delivered
FROM households h JOIN target t ON t.id = h.id;

-- name: count_public_lookups_today :one
-- Today's receipt-page lookups from one client address: in the last hour, and those that found nothing today.
SELECT count(*) FILTER (WHERE looked_up_at > CAST($hour_ago AS TIMESTAMP)) AS last_hour,
       count(*) FILTER (WHERE NOT found) AS not_found
FROM public_lookups
WHERE looked_up_on = $day AND client_key = $client_key;

-- name: insert_public_lookup
-- Count one receipt-page lookup towards its limits.
INSERT INTO public_lookups (client_key, found, looked_up_on, looked_up_at)
VALUES ($client_key, $found, $looked_up_on, $looked_up_at);
