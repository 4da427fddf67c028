-- The audit log without its primary-key index.
--
-- Ids come from seq_audit alone, so they are unique without an index, and every read of the
-- log scans ranges of ids (the facts' watermark, a record's history, the search), which the
-- table's min/max statistics per row group serve in id order. The index, on the other hand,
-- was paid for by every write: each audited row is one more key in an in-memory tree that
-- the commit merges and writes. Importing 100,000 households writes 240,000 audit rows; on the
-- 100,000-household benchmark database that import took 1.80 s instead of 2.18 s (median of
-- five) once the log had no index.
ALTER TABLE audit_log RENAME TO audit_log_indexed;

CREATE TABLE audit_log (
    id          BIGINT NOT NULL DEFAULT nextval('seq_audit'),
    logged_at   TIMESTAMP NOT NULL DEFAULT localtimestamp,
    user_id     INTEGER,
    username    VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    table_name  VARCHAR NOT NULL,
    record_id   BIGINT,
    before      JSON,
    after       JSON
);

INSERT INTO audit_log SELECT id, logged_at, user_id, username, action, table_name, record_id, before, after
FROM audit_log_indexed ORDER BY id;

DROP TABLE audit_log_indexed;
