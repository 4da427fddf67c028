-- name: insert_audit
-- One row of the append-only audit log, in the caller's transaction.
INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
VALUES ($user_id, $username, $action, $table_name, $record_id, $before, $after);

-- name: get_latest_audit_id :scalar
-- The newest audit row's id (0 for an empty log): every write is audited, so it versions the data.
SELECT coalesce(max(id), 0) FROM audit_log;

-- name: search_audit :frame
-- Audit rows matching an actor, a table, a record, a day range or free text, newest first; with an
-- organisation, only the rows its accounts wrote. A NULL limit returns every match (exports).
SELECT a.id, a.chain_seq, a.logged_at, a.username, a.action, a.table_name, a.record_id,
       CAST(a.before AS VARCHAR) AS before, CAST(a.after AS VARCHAR) AS after
FROM audit_log a
WHERE (CAST($organisation_id AS INTEGER) IS NULL
       OR a.user_id IN (SELECT u.id FROM users u WHERE u.organisation_id = $organisation_id))
  AND (CAST($table_name AS VARCHAR) IS NULL OR a.table_name = $table_name)
  AND (CAST($record_id AS BIGINT) IS NULL OR a.record_id = $record_id)
  AND (CAST($username AS VARCHAR) IS NULL OR a.username = $username)
  AND (CAST($date_from AS DATE) IS NULL OR a.logged_at >= CAST($date_from AS DATE))
  AND (CAST($date_to AS DATE) IS NULL OR a.logged_at < CAST($date_to AS DATE) + 1)
  AND (CAST($text AS VARCHAR) IS NULL OR CAST(a.before AS VARCHAR) ILIKE '%' || $text || '%' OR CAST(a.after AS VARCHAR) ILIKE '%' || $text || '%')
ORDER BY a.id DESC
LIMIT $limit OFFSET $offset;

-- name: list_audit_actors :rows
-- The accounts that wrote audit rows (within an organisation's accounts, when given), by name.
SELECT DISTINCT a.username FROM audit_log a
WHERE CAST($organisation_id AS INTEGER) IS NULL
   OR a.user_id IN (SELECT u.id FROM users u WHERE u.organisation_id = $organisation_id)
ORDER BY a.username;

-- name: list_audit_tables :rows
-- The tables audit rows are about (within an organisation's accounts' rows, when given), by name.
SELECT DISTINCT a.table_name FROM audit_log a
WHERE CAST($organisation_id AS INTEGER) IS NULL
   OR a.user_id IN (SELECT u.id FROM users u WHERE u.organisation_id = $organisation_id)
ORDER BY a.table_name;
