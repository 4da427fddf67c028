-- Sending the outbox (data_layer/notify/outbox.py): claims, withdrawals, what waits.

-- name: get_message_claim :one
-- A message's state before a claim: whether a sender held it, who, and what it is about.
SELECT status, claimed_by, attempts, kind, related_id, about_day, about_code FROM outbox WHERE id = $id;

-- name: get_delivery_notice_state :one
-- What a code or reminder depends on: its delivery's state, day and code, its household's status.
SELECT dl.status, dl.planned_on, dl.confirmation_code, h.status AS household_status
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE dl.id = $id;

-- name: get_route_day :scalar
-- The day of a route.
SELECT route_day FROM routes WHERE id = $id;

-- name: get_donation_status :scalar
-- A donation's status (received or cancelled).
SELECT status FROM donations WHERE id = $id;

-- name: withdraw_message :scalar
-- A due message no longer true is set aside unsent (same due condition as a claim); its id, or nothing.
UPDATE outbox SET status = 'withdrawn', lease_until = NULL, last_error = $reason
WHERE id = $id AND ((status = 'pending' AND next_attempt_at <= $now) OR (status = 'sending' AND lease_until < $now))
RETURNING id;

-- name: count_due_messages :scalar
-- How many messages are due on the given channels.
SELECT count(*) FROM outbox
WHERE list_contains($channels, channel)
  AND ((status = 'pending' AND next_attempt_at <= $now) OR (status = 'sending' AND lease_until < $now));

-- name: requeue_message :scalar
-- An abandoned message tried again from now, its attempts counted afresh; no row unless it was abandoned.
UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $now, last_error = NULL
WHERE id = $id AND status = 'abandoned'
RETURNING id;

-- name: list_message_attempts :rows
-- Every attempt at one message, oldest first.
SELECT attempted_at, outcome, detail, sender FROM outbox_attempts WHERE message_id = $id ORDER BY id;
