-- name: insert_volunteer
-- A volunteer and the services they offer; returns the id.
INSERT INTO volunteers (full_name, national_id, phone, governorate_code, delegation, offers_transport,
                        offers_distribution, vehicle, available_from, available_to, organisation_id,
                        status, created_by)
VALUES ($full_name, $national_id, $phone, $governorate_code, $delegation, $offers_transport,
        $offers_distribution, $vehicle, $available_from, $available_to, $organisation_id, $status, $created_by)
RETURNING id;

-- name: list_volunteers_page
-- One page of volunteers an actor may see, filtered.
SELECT v.id, v.full_name, v.phone, v.governorate_code, v.delegation, v.offers_transport,
       v.offers_distribution, v.vehicle, v.available_from, v.available_to, v.status,
       o.code AS organisation_code
FROM volunteers v LEFT JOIN organisations o ON o.id = v.organisation_id
WHERE ($organisation_id IS NULL OR v.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR v.governorate_code = $governorate_code)
  AND ($status IS NULL OR v.status = $status)
  AND ($text IS NULL OR v.full_name ILIKE '%' || $text || '%' OR v.phone LIKE '%' || $text || '%')
ORDER BY v.id DESC
LIMIT $limit OFFSET $offset;

-- name: count_volunteers_filtered
-- How many volunteers the same filters match.
SELECT count(*) FROM volunteers v
WHERE ($organisation_id IS NULL OR v.organisation_id = $organisation_id)
  AND ($governorate_code IS NULL OR v.governorate_code = $governorate_code)
  AND ($status IS NULL OR v.status = $status)
  AND ($text IS NULL OR v.full_name ILIKE '%' || $text || '%' OR v.phone LIKE '%' || $text || '%');

-- name: insert_organisation
-- A new organisation; returns its id.
INSERT INTO organisations (code, name, kind, governorate_code, phone)
VALUES ($code, $name, $kind, $governorate_code, $phone) RETURNING id;

-- name: insert_organisation_area
-- A governorate an organisation works in.
INSERT INTO organisation_areas (organisation_id, area_code) VALUES ($organisation_id, $area_code);

-- name: list_organisations
-- Every organisation with the governorates it covers and its user count.
SELECT o.id, o.code, o.name, o.kind, o.governorate_code, o.phone, o.is_active,
       list(oa.area_code ORDER BY oa.area_code) FILTER (WHERE oa.area_code IS NOT NULL) AS areas,
       (SELECT count(*) FROM users u WHERE u.organisation_id = o.id) AS users
FROM organisations o LEFT JOIN organisation_areas oa ON oa.organisation_id = o.id
GROUP BY ALL ORDER BY o.code;

-- name: get_organisation_by_code
-- One organisation by its short code.
SELECT id, code, name, kind FROM organisations WHERE code = $code;

-- name: get_user_by_username
-- A user's login record.
SELECT u.id, u.username, u.full_name, u.role, u.organisation_id, u.password_hash, u.is_active,
       u.preferred_lang, u.locked_until, u.last_logout_at, u.password_changed_at,
       (SELECT v.id FROM volunteers v WHERE v.user_id = u.id ORDER BY v.id LIMIT 1) AS volunteer_id
FROM users u WHERE u.username = $username;

-- name: insert_user
-- A new user with a bcrypt hash; returns the id.
INSERT INTO users (username, full_name, role, organisation_id, password_hash, preferred_lang)
VALUES ($username, $full_name, $role, $organisation_id, $password_hash, $preferred_lang) RETURNING id;

-- name: list_users
-- Every user (never the hash).
SELECT u.id, u.username, u.full_name, u.role, o.code AS organisation_code, u.is_active, u.locked_until,
       u.created_at
FROM users u LEFT JOIN organisations o ON o.id = u.organisation_id ORDER BY u.username;

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

-- name: count_recent_failures
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

-- name: link_volunteer_user
-- Give a volunteer a login so they see their deliveries.
UPDATE volunteers SET user_id = $user_id WHERE id = $volunteer_id;
