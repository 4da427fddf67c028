-- Reference rows that are part of the schema's meaning. Areas themselves are loaded
-- from sql/reference/*.csv (data, one file per country) by the migration runner.

INSERT INTO countries VALUES ('TN', 'تونس', 'Tunisie', 'Tunisia');

-- Units that fit each category; cash may be split to the millime, goods may not.
INSERT INTO categories VALUES
    ('cash',      ARRAY['TND'],                     true,  1),
    ('food',      ARRAY['basket', 'kg', 'litre'],   false, 2),
    ('hygiene',   ARRAY['kit', 'piece'],            false, 3),
    ('medicine',  ARRAY['box', 'unit'],             false, 4),
    ('clothes',   ARRAY['piece', 'bag'],            false, 5),
    ('services',  ARRAY['hour', 'session'],         false, 6);

-- Point look-ups at entry time (duplicate national ID) stay fast at a million rows.
CREATE INDEX idx_households_national_id ON households (national_id);
CREATE INDEX idx_needs_household ON needs (household_id);
CREATE INDEX idx_login_attempts_username ON login_attempts (username);
