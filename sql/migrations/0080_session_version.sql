-- A counter per account, raised whenever what a session was granted no longer holds: a
-- password change, a disabled account, a new role or organisation, a logout. A session (and its
-- cookie) remembers the value it was given; each rerun compares it with this one, so every app
-- server ends the session at the account's next action. NULL on older rows reads as 0.
ALTER TABLE users ADD COLUMN session_version INTEGER DEFAULT 0;
UPDATE users SET session_version = 0 WHERE session_version IS NULL;
