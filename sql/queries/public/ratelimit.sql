-- name: count_public_submissions_today :one
-- Today's accepted public submissions from one client address, and for any of these ID/phone hashes.
SELECT count(*) FILTER (WHERE client_key = $client_key) AS by_client,
       count(*) FILTER (WHERE subject_keys && CAST($subject_keys AS VARCHAR[])) AS by_subject
FROM public_submissions
WHERE submitted_on = $day;

-- name: insert_public_submission
-- Count one accepted public submission towards the daily limits.
INSERT INTO public_submissions (kind, client_key, subject_keys, submitted_on, submitted_at)
VALUES ($kind, $client_key, CAST($subject_keys AS VARCHAR[]), $submitted_on, $submitted_at);
