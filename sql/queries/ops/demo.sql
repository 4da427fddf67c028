-- name: count_households :scalar
-- How many households the database holds (demo data goes only into one without).
SELECT count(*) FROM households;

-- name: list_demo_areas :frame
-- A country's areas with what the demo draws from: population weights and delegation counts.
SELECT code, name_fr, population, delegations FROM areas WHERE country_code = $country_code ORDER BY code;

-- name: get_demo_id_bases :one
-- The largest id in each table the demo fills with ids of its own (0 when empty).
SELECT (SELECT coalesce(max(id), 0) FROM donors) AS donors,
       (SELECT coalesce(max(id), 0) FROM donations) AS donations,
       (SELECT coalesce(max(id), 0) FROM households) AS households,
       (SELECT coalesce(max(id), 0) FROM needs) AS needs,
       (SELECT coalesce(max(id), 0) FROM volunteers) AS volunteers;

-- name: insert_demo_organisation_areas
-- The governorates each demo association covers, from the registered table bulk_rows.
INSERT INTO organisation_areas SELECT organisation_id, area_code FROM bulk_rows;

-- name: insert_demo_donors
-- Demo donors from the registered table bulk_rows.
INSERT INTO donors (id, name, donor_type) SELECT id, name, donor_type FROM bulk_rows;

-- name: insert_demo_donations
-- Demo donations from the registered table bulk_rows.
INSERT INTO donations (id, campaign_id, organisation_id, donor_id, kind, category_code, item, quantity, unit,
                       value_tnd, governorate_code, delegation, storage_location, received_on)
SELECT id, campaign_id, organisation_id, donor_id, kind, category_code, item, quantity, unit,
       value_tnd, governorate_code, delegation, storage_location, received_on
FROM bulk_rows;

-- name: insert_demo_households
-- Demo households from the registered table bulk_rows, last updated when created.
INSERT INTO households (id, campaign_id, national_id, full_name, phone, governorate_code, delegation, address,
                        household_size, vulnerabilities, organisation_id, status, created_at, updated_at)
SELECT id, campaign_id, national_id, full_name, phone, governorate_code, delegation, address,
       household_size, vulnerabilities, organisation_id, status, created_at, created_at
FROM bulk_rows;

-- name: insert_demo_needs
-- Demo needs from the registered table bulk_rows.
INSERT INTO needs (id, household_id, category_code, quantity, unit, urgency, created_at)
SELECT id, household_id, category_code, quantity, unit, urgency, created_at FROM bulk_rows;

-- name: insert_demo_volunteers
-- Demo volunteers from the registered table bulk_rows.
INSERT INTO volunteers (id, full_name, phone, governorate_code, offers_transport, offers_distribution, vehicle,
                        available_from, available_to, organisation_id)
SELECT id, full_name, phone, governorate_code, offers_transport, offers_distribution, vehicle,
       available_from, available_to, organisation_id
FROM bulk_rows;

-- name: assign_demo_volunteer_account
-- The demo volunteer account drives the first volunteer of a governorate, for its organisation.
UPDATE volunteers SET user_id = $user_id, organisation_id = $organisation_id
WHERE id = (SELECT min(id) FROM volunteers WHERE governorate_code = $governorate_code);

-- name: list_donation_organisations :frame
-- Which organisation holds each donation, for grouping demo allocations into deliveries.
SELECT id, organisation_id FROM donations;

-- name: list_households_created_on :frame
-- Each household's governorate and registration day, for planning demo deliveries.
SELECT id, governorate_code, CAST(created_at AS DATE) AS created_on FROM households;

-- name: list_active_volunteers :frame
-- Volunteers who may be sent on demo deliveries, with their accounts.
SELECT id, governorate_code, user_id FROM volunteers WHERE status = 'active' ORDER BY id;

-- name: get_first_user_of_role :scalar
-- The first account with a role (the organiser who confirms demo deliveries for associations).
SELECT min(id) FROM users WHERE role = $role;

-- name: count_deliveries :scalar
-- How many deliveries exist (demo deliveries go only into a database without).
SELECT count(*) FROM deliveries;

-- name: insert_demo_deliveries
-- Demo deliveries from the registered table bulk_rows.
INSERT INTO deliveries (id, household_id, organisation_id, volunteer_id, planned_on, status, failure_reason,
                        confirmation_code, confirmation_method, confirmed_by, confirmed_at, delivered_at,
                        created_at, updated_at)
SELECT id, household_id, organisation_id, volunteer_id, planned_on, status, failure_reason, confirmation_code,
       confirmation_method, confirmed_by, confirmed_at, delivered_at, created_at, updated_at
FROM bulk_rows;

-- name: insert_demo_allocations
-- Demo allocations from the registered table bulk_rows, last updated when created.
INSERT INTO allocations (id, donation_id, need_id, household_id, delivery_id, quantity, status, created_at, updated_at)
SELECT id, donation_id, need_id, household_id, delivery_id, quantity, status, created_at, created_at FROM bulk_rows;

-- name: cover_demo_needs
-- Open needs that live allocations (in a $live status) now cover in full.
UPDATE needs SET status = 'covered' WHERE status = 'open' AND quantity <=
    (SELECT coalesce(sum(a.quantity), 0) FROM allocations a
     WHERE a.need_id = needs.id AND list_contains(CAST($live AS VARCHAR[]), a.status));

-- name: serve_demo_households
-- Households with a confirmed demo delivery are served.
UPDATE households SET status = 'served' WHERE status IN ('registered', 'verified') AND id IN
    (SELECT household_id FROM deliveries WHERE status = 'confirmed');
