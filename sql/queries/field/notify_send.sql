-- Sending the outbox (data_layer/notify/outbox.py): claims, withdrawals, what waits.

-- name: get_message_claim :one
-- A message's state before a claim: whether a sender held it, who, and how many attempts so far.
SELECT status, claimed_by, lease_until, attempts FROM outbox WHERE id = $id;

-- name: get_message_still_due :scalar
-- Whether what the message says still holds: its delivery still planned on that day (a reminder
-- only before it), its route still ahead, its donation not cancelled.
SELECT CASE
         WHEN o.kind IN ('household_code', 'reminder') THEN EXISTS (
           SELECT 1 FROM deliveries dl JOIN households h ON h.id = dl.household_id
           WHERE dl.id = o.related_id AND dl.status IN ('planned', 'out_for_delivery')
             AND (o.about_day IS NULL OR dl.planned_on = o.about_day)
             AND dl.planned_on >= $today AND (o.kind = 'household_code' OR dl.planned_on > $today)
             AND NOT list_contains($inactive_statuses, h.status))
         WHEN o.kind = 'route' THEN EXISTS (
           SELECT 1 FROM routes r WHERE r.id = o.related_id AND r.route_day >= $today)
         WHEN o.kind = 'receipt' THEN EXISTS (
           SELECT 1 FROM donations dn WHERE dn.id = o.related_id AND dn.status = 'received')
         ELSE true
       END AS still_due
FROM outbox o WHERE o.id = $id;

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
