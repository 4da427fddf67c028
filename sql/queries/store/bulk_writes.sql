-- Bulk writes (data_layer/store/bulk.py, bulk_audit.py). A block run by `copy_rows` has two texts:
-- DuckDB's inserts from the registered Arrow table; PostgreSQL's is the COPY that the same rows
-- are fed to as CSV, naming the columns it reads from them.

-- name: list_reserved_ids :columns
-- $count fresh ids of the sequence $sequence, in one statement, for rows a bulk write numbers itself.
SELECT nextval($sequence) AS id FROM range($count);

-- name: get_audit_clock :scalar
-- The time the transaction's audit rows carry, as the chain reads it back (list_unchained_audit_rows).
SELECT strftime(localtimestamp, '%Y-%m-%d %H:%M:%S.%f');
-- postgres:
SELECT to_char(localtimestamp, 'YYYY-MM-DD HH24:MI:SS.US');

-- name: insert_bulk_audit_rows
-- Audit rows of a bulk write, already chained (bulk_audit.BulkAudit), from `bulk_audit_rows`.
INSERT INTO audit_log (id, logged_at, user_id, username, action, table_name, record_id, after,
                       chain_seq, content_hash, prev_hash, chain_hash)
SELECT id, CAST(logged_at AS TIMESTAMP), user_id, username, action, table_name, record_id, CAST(after AS JSON),
       chain_seq, content_hash, prev_hash, chain_hash
FROM bulk_audit_rows;
-- postgres:
COPY audit_log (id, logged_at, user_id, username, action, table_name, record_id, after,
                chain_seq, content_hash, prev_hash, chain_hash) FROM STDIN (FORMAT binary)

-- name: list_column_types :rows
-- The declared type of each column of a table: a binary COPY writes each value in its column's layout.
SELECT column_name, data_type FROM information_schema.columns
WHERE table_name = $table_name AND table_schema = current_schema();
