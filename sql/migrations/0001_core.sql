-- Core schema: reference areas, organisations, users, donors, donations,
-- households, needs, volunteers, campaigns and the append-only audit log.
-- Areas are keyed by country so another country's first-level areas are data, not code.

CREATE TABLE countries (
    code     VARCHAR PRIMARY KEY,          -- ISO 3166-1 alpha-2
    name_ar  VARCHAR NOT NULL,
    name_fr  VARCHAR NOT NULL,
    name_en  VARCHAR NOT NULL
);

CREATE TABLE areas (
    code             VARCHAR PRIMARY KEY,  -- ISO 3166-2, e.g. TN-11
    country_code     VARCHAR NOT NULL REFERENCES countries (code),
    name_ar          VARCHAR NOT NULL,
    name_fr          VARCHAR NOT NULL,
    name_en          VARCHAR NOT NULL,
    population       BIGINT,
    population_year  INTEGER,
    delegations      INTEGER,
    region           VARCHAR
);

-- What can be given; units that fit each category; whether a unit may be split.
CREATE TABLE categories (
    code       VARCHAR PRIMARY KEY,
    units      VARCHAR[] NOT NULL,
    divisible  BOOLEAN NOT NULL,
    sort_order INTEGER NOT NULL
);

CREATE SEQUENCE seq_campaigns START 1;
CREATE TABLE campaigns (
    id                 INTEGER PRIMARY KEY DEFAULT nextval('seq_campaigns'),
    name               VARCHAR NOT NULL,
    country_code       VARCHAR NOT NULL REFERENCES countries (code),
    starts_on          DATE NOT NULL,
    ends_on            DATE NOT NULL,
    target_households  INTEGER,
    target_value_tnd   DECIMAL(18, 3),
    is_active          BOOLEAN NOT NULL DEFAULT true,
    created_at         TIMESTAMP NOT NULL DEFAULT localtimestamp,
    CHECK (ends_on >= starts_on)
);

CREATE SEQUENCE seq_organisations START 1;
CREATE TABLE organisations (
    id               INTEGER PRIMARY KEY DEFAULT nextval('seq_organisations'),
    code             VARCHAR NOT NULL UNIQUE,
    name             VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL CHECK (kind IN ('association', 'organiser', 'ministry', 'other')),
    governorate_code VARCHAR REFERENCES areas (code),
    phone            VARCHAR,
    is_active        BOOLEAN NOT NULL DEFAULT true,
    created_at       TIMESTAMP NOT NULL DEFAULT localtimestamp
);

-- The governorates an organisation works in (its queues and allocations).
CREATE TABLE organisation_areas (
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    area_code       VARCHAR NOT NULL REFERENCES areas (code),
    PRIMARY KEY (organisation_id, area_code)
);

CREATE SEQUENCE seq_users START 1;
CREATE TABLE users (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('seq_users'),
    username             VARCHAR NOT NULL UNIQUE,
    full_name            VARCHAR NOT NULL,
    role                 VARCHAR NOT NULL CHECK (role IN ('admin', 'organiser', 'association', 'observer', 'volunteer')),
    organisation_id      INTEGER REFERENCES organisations (id),
    password_hash        VARCHAR NOT NULL,
    is_active            BOOLEAN NOT NULL DEFAULT true,
    preferred_lang       VARCHAR NOT NULL DEFAULT 'ar',
    locked_until         TIMESTAMP,
    -- Cookies issued before either instant are refused (server-side logout).
    last_logout_at       TIMESTAMP,
    password_changed_at  TIMESTAMP NOT NULL DEFAULT localtimestamp,
    created_at           TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE SEQUENCE seq_login_attempts START 1;
CREATE TABLE login_attempts (
    id         BIGINT PRIMARY KEY DEFAULT nextval('seq_login_attempts'),
    username   VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    succeeded  BOOLEAN NOT NULL
);

CREATE SEQUENCE seq_donors START 1;
CREATE TABLE donors (
    id          INTEGER PRIMARY KEY DEFAULT nextval('seq_donors'),
    name        VARCHAR NOT NULL,
    donor_type  VARCHAR NOT NULL CHECK (donor_type IN ('individual', 'company', 'association', 'public_body', 'international', 'anonymous')),
    phone       VARCHAR,
    created_at  TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE SEQUENCE seq_donations START 1;
CREATE TABLE donations (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_donations'),
    campaign_id       INTEGER REFERENCES campaigns (id),
    organisation_id   INTEGER NOT NULL REFERENCES organisations (id),
    donor_id          INTEGER REFERENCES donors (id),
    kind              VARCHAR NOT NULL CHECK (kind IN ('cash', 'in_kind')),
    category_code     VARCHAR NOT NULL REFERENCES categories (code),
    item              VARCHAR NOT NULL,
    quantity          DECIMAL(18, 3) NOT NULL CHECK (quantity > 0),
    unit              VARCHAR NOT NULL,
    value_tnd         DECIMAL(18, 3) CHECK (value_tnd >= 0),
    governorate_code  VARCHAR NOT NULL REFERENCES areas (code),
    storage_location  VARCHAR,
    received_on       DATE NOT NULL,
    notes             VARCHAR,
    status            VARCHAR NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'cancelled')),
    created_by        INTEGER,
    created_at        TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE SEQUENCE seq_households START 1;
CREATE TABLE households (
    id                INTEGER PRIMARY KEY DEFAULT nextval('seq_households'),
    campaign_id       INTEGER REFERENCES campaigns (id),
    national_id       VARCHAR NOT NULL,
    full_name         VARCHAR NOT NULL,
    phone             VARCHAR,
    governorate_code  VARCHAR NOT NULL REFERENCES areas (code),
    delegation        VARCHAR,
    address           VARCHAR,
    household_size    INTEGER NOT NULL CHECK (household_size BETWEEN 1 AND 30),
    vulnerabilities   VARCHAR[] NOT NULL DEFAULT CAST(ARRAY[] AS VARCHAR[]),
    -- NULL organisation with source 'self' means the person registered themselves.
    organisation_id   INTEGER REFERENCES organisations (id),
    source            VARCHAR NOT NULL DEFAULT 'association' CHECK (source IN ('association', 'self', 'import')),
    status            VARCHAR NOT NULL DEFAULT 'registered'
                      CHECK (status IN ('submitted', 'registered', 'verified', 'served', 'rejected', 'merged', 'inactive')),
    notes             VARCHAR,
    created_by        INTEGER,
    created_at        TIMESTAMP NOT NULL DEFAULT localtimestamp,
    updated_at        TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE SEQUENCE seq_needs START 1;
CREATE TABLE needs (
    id             INTEGER PRIMARY KEY DEFAULT nextval('seq_needs'),
    -- No foreign key to households: DuckDB refuses updates of indexed or list columns of a
    -- referenced row (it rewrites the row), and households are corrected and anonymised.
    household_id   INTEGER NOT NULL,
    category_code  VARCHAR NOT NULL REFERENCES categories (code),
    quantity       DECIMAL(18, 3) NOT NULL CHECK (quantity > 0),
    unit           VARCHAR NOT NULL,
    urgency        VARCHAR NOT NULL DEFAULT 'normal' CHECK (urgency IN ('low', 'normal', 'high', 'critical')),
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'covered', 'cancelled')),
    created_at     TIMESTAMP NOT NULL DEFAULT localtimestamp
);

CREATE SEQUENCE seq_volunteers START 1;
CREATE TABLE volunteers (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('seq_volunteers'),
    full_name            VARCHAR NOT NULL,
    national_id          VARCHAR,
    phone                VARCHAR NOT NULL,
    governorate_code     VARCHAR NOT NULL REFERENCES areas (code),
    delegation           VARCHAR,
    offers_transport     BOOLEAN NOT NULL,
    offers_distribution  BOOLEAN NOT NULL,
    vehicle              VARCHAR NOT NULL DEFAULT 'none' CHECK (vehicle IN ('none', 'motorbike', 'car', 'van', 'truck')),
    available_from       DATE NOT NULL,
    available_to         DATE NOT NULL,
    organisation_id      INTEGER REFERENCES organisations (id),
    user_id              INTEGER REFERENCES users (id),
    status               VARCHAR NOT NULL DEFAULT 'active' CHECK (status IN ('submitted', 'active', 'inactive', 'rejected')),
    created_by           INTEGER,
    created_at           TIMESTAMP NOT NULL DEFAULT localtimestamp,
    CHECK (offers_transport OR offers_distribution),
    CHECK (available_to >= available_from)
);

-- Append-only: the data layer never updates or deletes here.
CREATE SEQUENCE seq_audit START 1;
CREATE TABLE audit_log (
    id          BIGINT PRIMARY KEY DEFAULT nextval('seq_audit'),
    logged_at   TIMESTAMP NOT NULL DEFAULT localtimestamp,
    user_id     INTEGER,
    username    VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    table_name  VARCHAR NOT NULL,
    record_id   BIGINT,
    before      JSON,
    after       JSON
);
