-- name: get_user_by_username :one
-- A user's login record.
-- Its country: its own, else its organisation's (see list_organisations); NULL: every country.
SELECT u.id, u.username, u.full_name, u.role, u.organisation_id, u.password_hash, u.is_active,
       u.preferred_lang, u.locked_until, u.last_logout_at, u.password_changed_at,
       coalesce(u.session_version, 0) AS session_version,
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

-- name: set_user_password :scalar
-- A new password hash; every open session of the account ends. Returns the new session version.
UPDATE users SET password_hash = $password_hash, password_changed_at = $now, locked_until = NULL,
       session_version = coalesce(session_version, 0) + 1
WHERE username = $username RETURNING session_version;

-- name: set_user_active
-- Enable or disable an account; its open sessions end either way.
UPDATE users SET is_active = $is_active, session_version = coalesce(session_version, 0) + 1
WHERE username = $username;

-- name: set_user_role
-- A new role and organisation for an account; its open sessions end.
UPDATE users SET role = $role, organisation_id = $organisation_id, session_version = coalesce(session_version, 0) + 1
WHERE username = $username;

-- name: get_user_session :one
-- What a rerun checks of the account behind a session: still active, same session version;
-- its country as get_user_by_username reads it.
SELECT u.id, u.username, u.role, u.organisation_id, u.is_active, coalesce(u.session_version, 0) AS session_version,
       (SELECT v.id FROM volunteers v WHERE v.user_id = u.id ORDER BY v.id LIMIT 1) AS volunteer_id,
       o.is_active AS organisation_is_active,
       coalesce(u.country_code, o.country_code, g.country_code,
                (SELECT min(a.country_code) FROM organisation_areas oa JOIN areas a ON a.code = oa.area_code
                 WHERE oa.organisation_id = u.organisation_id)) AS country_code
FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id LEFT JOIN areas g ON g.code = o.governorate_code
WHERE u.id = $id;

-- name: insert_login_attempt
-- One login attempt, with the client it came from, for the login throttle.
INSERT INTO login_attempts (username, attempted_at, succeeded, client_key)
VALUES ($username, $at, $succeeded, $client_key);

-- name: get_login_failures :one
-- Failed attempts: of this account from this client since $pair_since and that pair's last
-- success, and of this client over every account since $client_since (a success does not reset
-- those); with the latest failure of each.
SELECT
    count(*) FILTER (WHERE a.username = $username AND a.attempted_at > $pair_since AND a.attempted_at > coalesce(
        (SELECT max(s.attempted_at) FROM login_attempts s
         WHERE s.username = $username AND s.client_key = $client_key AND s.succeeded), TIMESTAMP '1970-01-01'))
        AS pair_failures,
    max(a.attempted_at) FILTER (WHERE a.username = $username) AS pair_last_failure,
    count(*) FILTER (WHERE a.attempted_at > $client_since) AS client_failures,
    max(a.attempted_at) FILTER (WHERE a.attempted_at > $client_since) AS client_last_failure
FROM login_attempts a
WHERE a.client_key = $client_key AND NOT a.succeeded AND a.attempted_at > least($pair_since, $client_since);

-- name: set_user_logout
-- Server-side logout: every session and cookie of the account ends.
UPDATE users SET last_logout_at = $now, session_version = coalesce(session_version, 0) + 1
WHERE username = $username;
