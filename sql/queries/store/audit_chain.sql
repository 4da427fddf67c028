-- The audit log's hash chain (data_layer/store/chain.py, docs/audit.md). The writer and the checker
-- read a row's content as the same text: each field length-prefixed ("5:admin;", NULL as "-;"), so
-- no value can pass for the end of one field and the start of the next.

-- name: lock_audit_chain_head :one
-- The chain's head, locked until the transaction ends (PostgreSQL: a row lock every server waits
-- on), and the last audit id issued.
SELECT chain_seq, last_id, chain_hash, key_fingerprint,
       (SELECT coalesce(max(last_value), 0) FROM duckdb_sequences() WHERE sequence_name = 'seq_audit') AS issued
FROM audit_chain_head WHERE singleton = 1;
-- postgres:
SELECT chain_seq, last_id, chain_hash, key_fingerprint,
       (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM seq_audit) AS issued
FROM audit_chain_head WHERE singleton = 1 FOR UPDATE;

-- name: get_audit_id_issued :scalar
-- The last audit id the sequence handed out (0 before the first), whichever transaction took it.
SELECT coalesce(max(last_value), 0) FROM duckdb_sequences() WHERE sequence_name = 'seq_audit';
-- postgres:
SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM seq_audit;

-- name: get_audit_chain_head :one
-- The chain's head as the last write left it.
SELECT chain_seq, last_id, chain_hash, key_fingerprint FROM audit_chain_head WHERE singleton = 1;

-- name: list_unchained_audit_fields :columns
-- The same rows as list_unchained_audit_rows, each field of the content as text: for a few rows the
-- content text is put together in Python (chain.content_text), cheaper than the SQL expression.
SELECT id, CAST(id AS VARCHAR) AS id_text, strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f') AS logged_at_text,
       CAST(user_id AS VARCHAR) AS user_id_text, username, action, table_name,
       CAST(record_id AS VARCHAR) AS record_id_text, CAST(before AS VARCHAR) AS before_text,
       CAST(after AS VARCHAR) AS after_text
FROM audit_log WHERE id > $after_id AND id <= $until_id AND chain_seq IS NULL ORDER BY id;
-- postgres:
SELECT id, CAST(id AS VARCHAR) AS id_text, to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US') AS logged_at_text,
       CAST(user_id AS VARCHAR) AS user_id_text, username, action, table_name,
       CAST(record_id AS VARCHAR) AS record_id_text, CAST(before AS VARCHAR) AS before_text,
       CAST(after AS VARCHAR) AS after_text
FROM audit_log WHERE id > $after_id AND id <= $until_id AND chain_seq IS NULL ORDER BY id;

-- name: list_unchained_audit_rows :columns
-- Unchained rows with ids in (after_id, until_id], oldest first, with the text of their content.
SELECT id,
    coalesce(CAST(length(CAST(id AS VARCHAR)) AS VARCHAR) || ':' || CAST(id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f')) AS VARCHAR) || ':' || strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f') || ';', '-;')
    || coalesce(CAST(length(CAST(user_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(user_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(username) AS VARCHAR) || ':' || username || ';', '-;')
    || coalesce(CAST(length(action) AS VARCHAR) || ':' || action || ';', '-;')
    || coalesce(CAST(length(table_name) AS VARCHAR) || ':' || table_name || ';', '-;')
    || coalesce(CAST(length(CAST(record_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(record_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(before AS VARCHAR)) AS VARCHAR) || ':' || CAST(before AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(after AS VARCHAR)) AS VARCHAR) || ':' || CAST(after AS VARCHAR) || ';', '-;') AS content_text
FROM audit_log WHERE id > $after_id AND id <= $until_id AND chain_seq IS NULL ORDER BY id;
-- postgres:
SELECT id,
    coalesce(CAST(length(CAST(id AS VARCHAR)) AS VARCHAR) || ':' || CAST(id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US')) AS VARCHAR) || ':' || to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US') || ';', '-;')
    || coalesce(CAST(length(CAST(user_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(user_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(username) AS VARCHAR) || ':' || username || ';', '-;')
    || coalesce(CAST(length(action) AS VARCHAR) || ':' || action || ';', '-;')
    || coalesce(CAST(length(table_name) AS VARCHAR) || ':' || table_name || ';', '-;')
    || coalesce(CAST(length(CAST(record_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(record_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(before AS VARCHAR)) AS VARCHAR) || ':' || CAST(before AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(after AS VARCHAR)) AS VARCHAR) || ':' || CAST(after AS VARCHAR) || ';', '-;') AS content_text
FROM audit_log WHERE id > $after_id AND id <= $until_id AND chain_seq IS NULL ORDER BY id;

-- name: list_chained_audit_rows :columns
-- The next chained rows after (seq, id), in chain order, with their hashes and the text of their content.
SELECT id, chain_seq, content_hash, prev_hash, chain_hash, erased_hash,
    coalesce(CAST(length(CAST(id AS VARCHAR)) AS VARCHAR) || ':' || CAST(id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f')) AS VARCHAR) || ':' || strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f') || ';', '-;')
    || coalesce(CAST(length(CAST(user_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(user_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(username) AS VARCHAR) || ':' || username || ';', '-;')
    || coalesce(CAST(length(action) AS VARCHAR) || ':' || action || ';', '-;')
    || coalesce(CAST(length(table_name) AS VARCHAR) || ':' || table_name || ';', '-;')
    || coalesce(CAST(length(CAST(record_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(record_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(before AS VARCHAR)) AS VARCHAR) || ':' || CAST(before AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(after AS VARCHAR)) AS VARCHAR) || ':' || CAST(after AS VARCHAR) || ';', '-;') AS content_text
FROM audit_log
WHERE chain_seq > $after_seq OR (chain_seq = $after_seq AND id > $after_id)
ORDER BY chain_seq, id LIMIT $limit;
-- postgres:
SELECT id, chain_seq, content_hash, prev_hash, chain_hash, erased_hash,
    coalesce(CAST(length(CAST(id AS VARCHAR)) AS VARCHAR) || ':' || CAST(id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US')) AS VARCHAR) || ':' || to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US') || ';', '-;')
    || coalesce(CAST(length(CAST(user_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(user_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(username) AS VARCHAR) || ':' || username || ';', '-;')
    || coalesce(CAST(length(action) AS VARCHAR) || ':' || action || ';', '-;')
    || coalesce(CAST(length(table_name) AS VARCHAR) || ':' || table_name || ';', '-;')
    || coalesce(CAST(length(CAST(record_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(record_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(before AS VARCHAR)) AS VARCHAR) || ':' || CAST(before AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(after AS VARCHAR)) AS VARCHAR) || ':' || CAST(after AS VARCHAR) || ';', '-;') AS content_text
FROM audit_log
WHERE chain_seq > $after_seq OR (chain_seq = $after_seq AND id > $after_id)
ORDER BY chain_seq, id LIMIT $limit;

-- name: get_first_unchained_audit_row :one
-- The oldest row outside the chain: one the application did not write (it chains every row it writes).
SELECT id FROM audit_log WHERE chain_seq IS NULL ORDER BY id LIMIT 1;

-- name: list_audit_rows_for_erasure :columns
-- Some chained rows by id, with the text of their content (anonymisation seals what they hold after it).
SELECT id,
    coalesce(CAST(length(CAST(id AS VARCHAR)) AS VARCHAR) || ':' || CAST(id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f')) AS VARCHAR) || ':' || strftime(logged_at, '%Y-%m-%d %H:%M:%S.%f') || ';', '-;')
    || coalesce(CAST(length(CAST(user_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(user_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(username) AS VARCHAR) || ':' || username || ';', '-;')
    || coalesce(CAST(length(action) AS VARCHAR) || ':' || action || ';', '-;')
    || coalesce(CAST(length(table_name) AS VARCHAR) || ':' || table_name || ';', '-;')
    || coalesce(CAST(length(CAST(record_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(record_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(before AS VARCHAR)) AS VARCHAR) || ':' || CAST(before AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(after AS VARCHAR)) AS VARCHAR) || ':' || CAST(after AS VARCHAR) || ';', '-;') AS content_text
FROM audit_log WHERE list_contains(CAST($ids AS BIGINT[]), id) AND chain_seq IS NOT NULL;
-- postgres:
SELECT id,
    coalesce(CAST(length(CAST(id AS VARCHAR)) AS VARCHAR) || ':' || CAST(id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US')) AS VARCHAR) || ':' || to_char(logged_at, 'YYYY-MM-DD HH24:MI:SS.US') || ';', '-;')
    || coalesce(CAST(length(CAST(user_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(user_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(username) AS VARCHAR) || ':' || username || ';', '-;')
    || coalesce(CAST(length(action) AS VARCHAR) || ':' || action || ';', '-;')
    || coalesce(CAST(length(table_name) AS VARCHAR) || ':' || table_name || ';', '-;')
    || coalesce(CAST(length(CAST(record_id AS VARCHAR)) AS VARCHAR) || ':' || CAST(record_id AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(before AS VARCHAR)) AS VARCHAR) || ':' || CAST(before AS VARCHAR) || ';', '-;')
    || coalesce(CAST(length(CAST(after AS VARCHAR)) AS VARCHAR) || ':' || CAST(after AS VARCHAR) || ';', '-;') AS content_text
FROM audit_log WHERE list_contains(CAST($ids AS BIGINT[]), id) AND chain_seq IS NOT NULL;

-- name: update_chained_audit_row
-- One row's place in the chain.
UPDATE audit_log SET chain_seq = $chain_seq, content_hash = $content_hash, prev_hash = $prev_hash,
    chain_hash = $chain_hash
WHERE id = $id;

-- name: update_chained_audit_rows
-- Many rows' places in the chain, from the registered table `chained`, in one statement.
UPDATE audit_log SET chain_seq = c.chain_seq, content_hash = c.content_hash, prev_hash = c.prev_hash,
    chain_hash = c.chain_hash
FROM chained c WHERE audit_log.id = c.id;

-- name: update_erased_audit_rows
-- The keyed hash of what anonymised rows hold now, from the registered table `erased`.
UPDATE audit_log SET erased_hash = e.erased_hash FROM erased e WHERE audit_log.id = e.id;

-- name: update_audit_chain_head
-- Move the head to the last row chained.
UPDATE audit_chain_head SET chain_seq = $chain_seq, last_id = $last_id, chain_hash = $chain_hash,
    key_fingerprint = $key_fingerprint
WHERE singleton = 1;
