-- Failed logins are counted per account *and* client (a salted hash of the client address), so
-- wrong passwords typed elsewhere never hold back the account's owner; an empty key stands for
-- attempts recorded before clients were counted.
ALTER TABLE login_attempts ADD COLUMN client_key VARCHAR DEFAULT '';
UPDATE login_attempts SET client_key = '' WHERE client_key IS NULL;
CREATE INDEX idx_login_attempts_client ON login_attempts (client_key);
