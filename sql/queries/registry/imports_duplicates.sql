-- Imported rows meeting a household already on file: found in bulk and reported as the forms do.
-- The rows come in as the registered Arrow tables import_national_ids and import_clashes; IDs are
-- matched by their keyed hash (national_id_key), never by the clear value.

-- name: list_households_on_file_for_import :frame
-- Per national ID of the file: the first live household on file with it and its organisation.
SELECT w.national_id, min(h.id) AS household_id, (array_agg(h.organisation_id ORDER BY h.id))[1] AS organisation_id
FROM households h JOIN import_national_ids w ON w.national_id_key = h.national_id_key
WHERE h.status NOT IN ('rejected', 'merged')
GROUP BY w.national_id;

-- name: insert_import_duplicate_reports :exec
-- One open report per clash, unless the same repeat (ID, household, organisation) is already open.
INSERT INTO duplicate_reports (national_id, national_id_key, existing_household_id, attempted_by_org, source, reason)
SELECT DISTINCT c.national_id, c.national_id_key, c.household_id, CAST($attempted_by_org AS INTEGER), 'import', 'same_national_id'
FROM import_clashes c
WHERE NOT EXISTS (
    SELECT 1 FROM duplicate_reports r
    WHERE r.status = 'open' AND r.national_id_key = c.national_id_key AND r.existing_household_id = c.household_id
      AND r.attempted_by_org IS NOT DISTINCT FROM CAST($attempted_by_org AS INTEGER)
);

-- name: insert_import_duplicate_audit :exec
-- The audit row of each refused repeat, as the forms write it.
INSERT INTO audit_log (user_id, username, action, table_name, record_id, after)
SELECT $user_id, $username, 'refused_duplicate', 'households', c.household_id,
       (SELECT to_json(r) FROM (SELECT CAST($attempted_by_org AS INTEGER) AS attempted_by_org, c.national_id,
                                     'import' AS source) r)
FROM import_clashes c;

-- name: sum_import_clashes_on :scalar
-- Households of other associations an organisation's imports met on a day.
SELECT coalesce(sum(clashes), 0) FROM import_clash_counts
WHERE organisation_id = $organisation_id AND counted_on = $day;

-- name: insert_import_clash_count :exec
-- Count one import's households of other associations against the day's budget.
INSERT INTO import_clash_counts (organisation_id, counted_on, clashes) VALUES ($organisation_id, $day, $clashes);
