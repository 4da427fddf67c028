-- name: list_code_messages_due :rows
-- Deliveries with a firm day (a volunteer or a point) whose household has not been sent its code
-- for that day — or has, but the code was reissued since; `issue` numbers the messages of one day.
SELECT dl.id AS delivery_id, dl.planned_on, dl.confirmation_code, h.phone, cp.email, coalesce(cp.lang, cs.default_lang, 'ar') AS lang,
       p.name AS point_name, p.address AS point_address, p.opening_hours,
       (SELECT count(*) FROM outbox o
        WHERE o.kind = 'household_code' AND o.related_id = dl.id AND o.about_day = dl.planned_on) + 1 AS issue
FROM deliveries dl JOIN households h ON h.id = dl.household_id
LEFT JOIN contact_preferences cp ON cp.party = 'household' AND cp.party_id = h.id
LEFT JOIN areas ar ON ar.code = h.governorate_code LEFT JOIN country_settings cs ON cs.country_code = ar.country_code
LEFT JOIN delivery_pickups dp ON dp.delivery_id = dl.id
LEFT JOIN distribution_points p ON p.id = dp.point_id
WHERE dl.status IN ('planned', 'out_for_delivery') AND dl.planned_on >= $today
  AND (dl.volunteer_id IS NOT NULL OR dp.delivery_id IS NOT NULL)
  AND NOT list_contains($inactive_statuses, h.status)
  AND NOT EXISTS (SELECT 1 FROM outbox o
                  WHERE o.kind = 'household_code' AND o.related_id = dl.id AND o.about_day = dl.planned_on
                    AND o.about_code = dl.confirmation_code)
ORDER BY dl.id;

-- name: list_reminders_due :rows
-- Deliveries of tomorrow whose household has not been reminded of that day (language: the
-- household's, else its country's, else Arabic).
SELECT dl.id AS delivery_id, dl.planned_on, h.phone, cp.email, coalesce(cp.lang, cs.default_lang, 'ar') AS lang,
       p.name AS point_name, p.address AS point_address, p.opening_hours
FROM deliveries dl JOIN households h ON h.id = dl.household_id
LEFT JOIN contact_preferences cp ON cp.party = 'household' AND cp.party_id = h.id
LEFT JOIN areas ar ON ar.code = h.governorate_code LEFT JOIN country_settings cs ON cs.country_code = ar.country_code
LEFT JOIN delivery_pickups dp ON dp.delivery_id = dl.id
LEFT JOIN distribution_points p ON p.id = dp.point_id
WHERE dl.status IN ('planned', 'out_for_delivery') AND dl.planned_on = $tomorrow
  AND (dl.volunteer_id IS NOT NULL OR dp.delivery_id IS NOT NULL)
  AND NOT list_contains($inactive_statuses, h.status)
  AND NOT EXISTS (SELECT 1 FROM outbox o
                  WHERE o.dedupe_key = 'reminder:' || CAST(dl.id AS VARCHAR) || ':' || CAST(dl.planned_on AS VARCHAR))
ORDER BY dl.id;

-- name: list_route_messages_due :rows
-- Routes from today on whose volunteer has not been sent them.
SELECT r.id AS route_id, r.route_day, r.delegation, v.phone, cp.email,
       coalesce(cp.lang, u.preferred_lang, cs.default_lang, 'ar') AS lang,
       (SELECT count(*) FROM route_stops rs WHERE rs.route_id = r.id) AS stops
FROM routes r JOIN volunteers v ON v.id = r.volunteer_id
LEFT JOIN users u ON u.id = v.user_id
LEFT JOIN contact_preferences cp ON cp.party = 'volunteer' AND cp.party_id = v.id
LEFT JOIN areas ar ON ar.code = v.governorate_code LEFT JOIN country_settings cs ON cs.country_code = ar.country_code
WHERE r.route_day >= $today
  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = 'route:' || CAST(r.id AS VARCHAR))
ORDER BY r.id;

-- name: list_receipts_due :rows
-- Donations received since $since whose donor has not been sent a receipt, with its receipt code.
SELECT dn.id AS donation_id, dn.received_on, dn.item, dn.quantity, dn.unit, dn.kind, dn.value_tnd,
       d.phone, cp.email, coalesce(cp.lang, cs.default_lang, 'ar') AS lang, o.name AS organisation,
       rc.code AS receipt_code
FROM donations dn JOIN donors d ON d.id = dn.donor_id JOIN organisations o ON o.id = dn.organisation_id
LEFT JOIN receipt_codes rc ON rc.donation_id = dn.id
LEFT JOIN contact_preferences cp ON cp.party = 'donor' AND cp.party_id = d.id
LEFT JOIN country_settings cs ON cs.country_code = o.country_code
WHERE dn.status = 'received' AND dn.received_on >= $since AND d.donor_type <> 'anonymous'
  AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = 'receipt:' || CAST(dn.id AS VARCHAR))
ORDER BY dn.id;

-- name: insert_outbox_messages :rows
-- Queue the messages of the registered table new_outbox_messages; those already queued (same key) are left out.
INSERT INTO outbox (dedupe_key, kind, channel, recipient, lang, subject, body, related_table, related_id, about_day,
                    about_code, next_attempt_at)
SELECT dedupe_key, kind, channel, recipient, lang, subject, body, related_table, CAST(related_id AS INTEGER),
       CAST(about_day AS DATE), about_code, CAST($now AS TIMESTAMP)
FROM new_outbox_messages
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id, dedupe_key, kind, channel, lang;

-- name: upsert_contact_preference
-- The language and e-mail address a household, volunteer or donor is written to in.
INSERT INTO contact_preferences (party, party_id, lang, email) VALUES ($party, $party_id, $lang, $email)
ON CONFLICT (party, party_id) DO UPDATE SET lang = excluded.lang, email = excluded.email;

-- name: get_contact_preference :one
-- A party's language and e-mail address, if recorded.
SELECT party, party_id, lang, email FROM contact_preferences WHERE party = $party AND party_id = $party_id;

-- name: list_due_message_ids :rows
-- Messages whose time has come on the given channels: waiting ones, and ones whose sender stopped mid-way.
SELECT id FROM outbox
WHERE list_contains($channels, channel)
  AND ((status = 'pending' AND next_attempt_at <= $now) OR (status = 'sending' AND lease_until < $now))
ORDER BY next_attempt_at, id
LIMIT $limit;

-- name: take_message :one
-- Claim one due message for $sender until $lease_until; no row when another sender claimed it first.
UPDATE outbox SET status = 'sending', lease_until = $lease_until, claimed_by = $sender, attempts = attempts + 1
WHERE id = $id AND ((status = 'pending' AND next_attempt_at <= $now) OR (status = 'sending' AND lease_until < $now))
RETURNING id, dedupe_key, kind, channel, recipient, lang, subject, body, attempts;

-- name: mark_message_sent
-- The message went out; only the claim that sent it ($sender, its $attempts) records so.
UPDATE outbox SET status = 'sent', sent_at = $now, lease_until = NULL, last_error = NULL
WHERE id = $id AND status = 'sending' AND claimed_by = $sender AND attempts = $attempts;

-- name: mark_message_failed
-- The attempt failed: wait until $next_attempt_at, or give up ($status = 'abandoned'); only by the claim that tried.
UPDATE outbox SET status = $status, next_attempt_at = $next_attempt_at, lease_until = NULL, last_error = $error
WHERE id = $id AND status = 'sending' AND claimed_by = $sender AND attempts = $attempts;

-- name: insert_outbox_attempt
-- One attempt and its outcome.
INSERT INTO outbox_attempts (message_id, attempted_at, outcome, detail, sender)
VALUES ($message_id, $now, $outcome, $detail, $sender);

-- name: list_outbox :frame
-- Recent messages, newest first, without their text (it may hold a household's code).
SELECT id, kind, channel, recipient, lang, about_day, status, attempts, next_attempt_at, last_error, created_at, sent_at
FROM outbox WHERE CAST($status AS VARCHAR) IS NULL OR status = $status ORDER BY id DESC LIMIT $limit;

-- name: count_outbox_by_status :rows
-- Messages per status.
SELECT status, count(*) AS messages FROM outbox GROUP BY status ORDER BY status;
