-- Campaigns as records organisers manage: names in French and English, the currency of the value
-- target, a status (planned, active, closed) and optional targets per governorate.
-- DuckDB cannot alter a table other tables reference, so what campaigns lacked sits beside it,
-- one row per campaign. `campaigns.is_active` stays the flag the progress and dashboard queries
-- read; every write keeps it equal to status = 'active'. `campaigns.target_value_tnd` holds the
-- value target in the campaign's currency. A campaign with no row here (written before this
-- migration, or by the demo) has status active or closed from is_active and currency TND.
CREATE TABLE campaign_settings (
    campaign_id INTEGER PRIMARY KEY REFERENCES campaigns (id),
    name_fr     VARCHAR,
    name_en     VARCHAR,
    currency    VARCHAR NOT NULL DEFAULT 'TND',
    status      VARCHAR NOT NULL CHECK (status IN ('planned', 'active', 'closed')),
    closed_at   TIMESTAMP
);
INSERT INTO campaign_settings (campaign_id, status)
SELECT id, CASE WHEN is_active THEN 'active' ELSE 'closed' END FROM campaigns;

-- A campaign's household target in one governorate, where the organisers set one.
CREATE TABLE campaign_targets (
    campaign_id       INTEGER NOT NULL REFERENCES campaigns (id),
    governorate_code  VARCHAR NOT NULL REFERENCES areas (code),
    target_households INTEGER NOT NULL CHECK (target_households > 0),
    PRIMARY KEY (campaign_id, governorate_code)
);
