-- name: get_user_by_username :one
-- A user's login record.
-- Its country: its own, else its organisation's (see list_organisations); NULL: every country.
SELECT u.id, u.username, u.full_name, u.role, u.organisation_id, u.password_hash, u.is_active,
       u.preferred_lang, u.locked_until, u.last_logout_at, u.password_changed_at,
       (SELECT v.id FROM volunteers v WHERE v.user_id = u.id ORDER BY v.id LIMIT 1) AS volunteer_id,
       coalesce(u.country_code, o.country_code, g.country_code,
                (SELECT min(a.country_code) FROM organisation_areas oa JOIN areas a ON a.code = oa.area_code
                 WHERE oa.organisation_id = u.organisation_id)) AS country_code
FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id LEFT JOIN areas g ON g.code = o.governorate_code
WHERE u.username = $username;

-- name: insert_user :scalar
-- A new user with a bcrypt hash; returns the id.
INSERT INTO users (username, full_name, role, organisation_id, password_hash, preferred_lang, country_code)
VALUES ($username, $full_name, $role, $organisation_id, $password_hash, $preferred_lang, $country_code) RETURNING id;

-- name: list_users :frame
-- Every user (never the hash) with its country as get_user_by_username reads it (NULL: every country).
SELECT u.id, u.username, u.full_name, u.role, o.code AS organisation_code,
       coalesce(u.country_code, o.country_code, g.country_code,
                (SELECT min(a.country_code) FROM organisation_areas oa JOIN areas a ON a.code = oa.area_code
                 WHERE oa.organisation_id = u.organisation_id)) AS country_code,
       u.is_active, u.locked_until, u.created_at
FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id LEFT JOIN areas g ON g.code = o.governorate_code
ORDER BY u.username;

-- name: set_user_password
-- A new password hash; older session cookies stop working.
UPDATE users SET password_hash = $password_hash, password_changed_at = $now, locked_until = NULL
WHERE username = $username;

-- name: set_user_active
-- Enable or disable an account.
UPDATE users SET is_active = $is_active WHERE username = $username;

-- name: insert_login_attempt
-- One login attempt, for the lockout rule.
INSERT INTO login_attempts (username, attempted_at, succeeded) VALUES ($username, $at, $succeeded);

-- name: count_recent_failures :scalar
-- Failed attempts within the window and after the last success.
SELECT count(*) FROM login_attempts
WHERE username = $username AND NOT succeeded AND attempted_at > $since
  AND attempted_at > coalesce((SELECT max(attempted_at) FROM login_attempts WHERE username = $username AND succeeded), TIMESTAMP '1970-01-01');

-- name: set_user_locked_until
-- Lock (or unlock with NULL) an account until an instant.
UPDATE users SET locked_until = $locked_until WHERE username = $username;

-- name: set_user_logout
-- Server-side logout: cookies issued before now are refused.
UPDATE users SET last_logout_at = $now WHERE username = $username;
