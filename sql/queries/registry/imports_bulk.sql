-- The rows an import adds (data_layer/registry/imports.py), each kind in one statement run by
-- store.bulk.copy_rows: DuckDB inserts them from the registered Arrow table, PostgreSQL reads the
-- same columns by COPY. The import numbers the rows itself (list_reserved_ids), so that needs can
-- name their household and the audit rows their record before anything is written.

-- name: insert_import_households
-- Households of an import, from `import_households`.
INSERT INTO households (id, national_id, national_id_key, full_name, phone, governorate_code, delegation, address,
                        household_size, vulnerabilities, notes, organisation_id, campaign_id, source, status, created_by)
SELECT id, national_id, national_id_key, full_name, phone, governorate_code, delegation, address,
       household_size, vulnerabilities, notes, organisation_id, campaign_id, source, status, created_by
FROM import_households;
-- postgres:
COPY households (id, national_id, national_id_key, full_name, phone, governorate_code, delegation, address,
                 household_size, vulnerabilities, notes, organisation_id, campaign_id, source, status, created_by)
FROM STDIN (FORMAT csv)

-- name: insert_import_needs
-- The needs of an import's households, from `import_needs`.
INSERT INTO needs (id, household_id, category_code, quantity, unit, urgency)
SELECT id, household_id, category_code, quantity, unit, urgency FROM import_needs;
-- postgres:
COPY needs (id, household_id, category_code, quantity, unit, urgency) FROM STDIN (FORMAT csv)

-- name: insert_import_volunteers
-- Volunteers of an import, from `import_volunteers`.
INSERT INTO volunteers (id, full_name, national_id, phone, governorate_code, delegation, offers_transport,
                        offers_distribution, vehicle, available_from, available_to, organisation_id, status, created_by)
SELECT id, full_name, national_id, phone, governorate_code, delegation, offers_transport,
       offers_distribution, vehicle, available_from, available_to, organisation_id, status, created_by
FROM import_volunteers;
-- postgres:
COPY volunteers (id, full_name, national_id, phone, governorate_code, delegation, offers_transport,
                 offers_distribution, vehicle, available_from, available_to, organisation_id, status, created_by)
FROM STDIN (FORMAT csv)

-- name: insert_import_donations
-- Donations of an import, from `import_donations`.
INSERT INTO donations (id, donor_id, kind, category_code, item, quantity, unit, value_tnd, governorate_code,
                       delegation, storage_location, received_on, notes, organisation_id, campaign_id, created_by)
SELECT id, donor_id, kind, category_code, item, quantity, unit, value_tnd, governorate_code,
       delegation, storage_location, received_on, notes, organisation_id, campaign_id, created_by
FROM import_donations;
-- postgres:
COPY donations (id, donor_id, kind, category_code, item, quantity, unit, value_tnd, governorate_code,
                delegation, storage_location, received_on, notes, organisation_id, campaign_id, created_by)
FROM STDIN (FORMAT csv)
