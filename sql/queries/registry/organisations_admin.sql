-- Organisations as admins manage them beyond creation.

-- name: get_organisation_record :one
-- One organisation by code, with whether it is active.
SELECT id, code, name, kind, is_active FROM organisations WHERE code = $code;

-- name: set_organisation_active :exec
-- Enable or disable an organisation (its records and accounts stay).
UPDATE organisations SET is_active = $is_active WHERE id = $id;
