-- The audit log as a hash chain (docs/audit.md): each row carries its sequence number in the
-- chain, the keyed hash of its content, the chain hash of the row before it and its own chain hash.
-- The columns stay empty here: the hashes need the installation's key, which the database does not
-- hold. The first write after this migration (opening the database does one) chains every row
-- already in the log, oldest first, in one batch.
ALTER TABLE audit_log ADD COLUMN chain_seq BIGINT;
ALTER TABLE audit_log ADD COLUMN content_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN prev_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN chain_hash VARCHAR;
-- Set when anonymisation replaced personal values in the row: the keyed hash of what it holds
-- now, while content_hash keeps the hash of what it held when it was written.
ALTER TABLE audit_log ADD COLUMN erased_hash VARCHAR;

-- The head of the chain, one row: the last chained row's sequence number, id and chain hash, and
-- the fingerprint of the key the hashes were made under. Every write updates it in its own
-- transaction, so two servers can never chain onto the same head (the row lock serialises them).
CREATE TABLE audit_chain_head (
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    chain_seq       BIGINT NOT NULL,
    last_id         BIGINT NOT NULL,
    chain_hash      VARCHAR NOT NULL,
    key_fingerprint VARCHAR
);
INSERT INTO audit_chain_head (singleton, chain_seq, last_id, chain_hash)
VALUES (1, 0, 0, '0000000000000000000000000000000000000000000000000000000000000000');
