-- Public doors: what people send without an account (aid requests and volunteer offers
-- go into households and volunteers with status 'submitted'; pledges get their own table),
-- the reference each sender is given, the consent they gave, the submissions counted for
-- the daily limits, and the decisions taken in the verification queues.
-- No foreign keys to rows other features update (DuckDB refuses some updates of referenced rows).

CREATE SEQUENCE seq_pledges START 1;
CREATE TABLE pledges (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_pledges'),
    campaign_id       INTEGER,
    donor_name        VARCHAR NOT NULL,
    donor_type        VARCHAR NOT NULL CHECK (donor_type IN ('individual', 'company', 'association', 'public_body', 'international', 'anonymous')),
    phone             VARCHAR NOT NULL,
    category_code     VARCHAR NOT NULL,
    item              VARCHAR NOT NULL,
    quantity          DECIMAL(18, 3) NOT NULL CHECK (quantity > 0),
    unit              VARCHAR NOT NULL,
    governorate_code  VARCHAR NOT NULL,
    delegation        VARCHAR,
    notes             VARCHAR,
    -- submitted -> accepted (an association will collect it) -> received (a donation row exists)
    status            VARCHAR NOT NULL DEFAULT 'submitted'
                      CHECK (status IN ('submitted', 'accepted', 'received', 'rejected', 'cancelled')),
    organisation_id   INTEGER,
    donation_id       INTEGER,
    created_at        TIMESTAMP NOT NULL DEFAULT localtimestamp,
    updated_at        TIMESTAMP NOT NULL DEFAULT localtimestamp
);

-- The reference a sender is shown. A repeat national ID gets one too (record_id NULL,
-- duplicate_report_id set), so the answer never tells whether the ID was known.
CREATE TABLE public_receipts (
    reference            VARCHAR PRIMARY KEY,
    kind                 VARCHAR NOT NULL CHECK (kind IN ('request', 'volunteer', 'pledge')),
    record_id            INTEGER,
    duplicate_report_id  INTEGER,
    lang                 VARCHAR NOT NULL,
    created_at           TIMESTAMP NOT NULL DEFAULT localtimestamp
);
CREATE INDEX idx_public_receipts_record ON public_receipts (kind, record_id);

-- Explicit consent (Organic Law 2004-63): which text, in which language, when.
CREATE SEQUENCE seq_consents START 1;
CREATE TABLE consents (
    id                 INTEGER PRIMARY KEY DEFAULT nextval('seq_consents'),
    receipt_reference  VARCHAR NOT NULL,
    subject_table      VARCHAR NOT NULL,
    subject_id         INTEGER,
    text_version       VARCHAR NOT NULL,
    lang               VARCHAR NOT NULL,
    given_at           TIMESTAMP NOT NULL
);

-- Accepted public submissions, counted for the daily limits. Client address and
-- national ID / phone are stored only as salted hashes; anonymise clears old ones.
CREATE SEQUENCE seq_public_submissions START 1;
CREATE TABLE public_submissions (
    id            BIGINT PRIMARY KEY DEFAULT nextval('seq_public_submissions'),
    kind          VARCHAR NOT NULL,
    client_key    VARCHAR,
    subject_keys  VARCHAR[] NOT NULL DEFAULT CAST(ARRAY[] AS VARCHAR[]),
    submitted_on  DATE NOT NULL,
    submitted_at  TIMESTAMP NOT NULL
);
CREATE INDEX idx_public_submissions_day ON public_submissions (submitted_on);

-- Decisions of the verification queues; waiting time = reviewed_at - the record's created_at.
CREATE SEQUENCE seq_queue_reviews START 1;
CREATE TABLE queue_reviews (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_queue_reviews'),
    subject_table    VARCHAR NOT NULL CHECK (subject_table IN ('households', 'volunteers', 'pledges')),
    subject_id       INTEGER NOT NULL,
    decision         VARCHAR NOT NULL CHECK (decision IN ('verified', 'rejected', 'merged', 'accepted', 'received')),
    reason           VARCHAR,
    merged_into      INTEGER,
    organisation_id  INTEGER,
    reviewed_by      INTEGER,
    reviewed_at      TIMESTAMP NOT NULL DEFAULT localtimestamp
);
CREATE INDEX idx_queue_reviews_subject ON queue_reviews (subject_table, subject_id);
