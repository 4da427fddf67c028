-- Whether an organisation may still take new records, accounts and logins.

-- name: get_organisation_is_active :scalar
-- True for an active organisation, false for a disabled one, NULL for no such organisation.
SELECT is_active FROM organisations WHERE id = $id;
