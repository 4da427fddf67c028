-- name: advance_sequence :scalar
-- Move a sequence past $count ids assigned by a bulk insert; returns the last id handed out.
SELECT max(nextval($sequence)) FROM generate_series(1, $count);
