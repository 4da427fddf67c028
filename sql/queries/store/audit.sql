-- name: insert_audit
-- One row of the append-only audit log, in the caller's transaction.
INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
VALUES ($user_id, $username, $action, $table_name, $record_id, $before, $after);

-- name: get_latest_audit_id :scalar
-- The newest audit row's id (0 for an empty log): every write is audited, so it versions the data.
SELECT coalesce(max(id), 0) FROM audit_log;

-- name: search_audit :frame
-- Audit rows matching a table, a record, a user or free text, newest first.
SELECT id, logged_at, username, action, table_name, record_id, before, after
FROM audit_log
WHERE (CAST($table_name AS VARCHAR) IS NULL OR table_name = $table_name)
  AND (CAST($record_id AS BIGINT) IS NULL OR record_id = $record_id)
  AND (CAST($username AS VARCHAR) IS NULL OR username = $username)
  AND (CAST($text AS VARCHAR) IS NULL OR CAST(before AS VARCHAR) ILIKE '%' || $text || '%' OR CAST(after AS VARCHAR) ILIKE '%' || $text || '%')
ORDER BY id DESC
LIMIT $limit OFFSET $offset;
