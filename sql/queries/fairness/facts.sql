-- Fairness facts (migration 0140): each table's rows for the households (or stock lines) listed in
-- facts_pending_households / facts_pending_donations, and the totals kept beside them. Run by
-- data_layer/monitoring/facts.py with the dashboard facts, in the same refresh.

-- name: set_fairness_facts_audit_id
-- Mark every audit row so far as reflected in the fairness facts.
UPDATE facts_fairness_state SET audit_id = (SELECT coalesce(max(id), 0) FROM audit_log);

-- name: count_unreflected_audit_rows_for_fairness :scalar
-- Audit rows written since the fairness facts were last refreshed (0 when they are up to date).
SELECT CASE WHEN s.audit_id IS NULL THEN -1
            ELSE (SELECT count(*) FROM audit_log WHERE id > s.audit_id) END
FROM facts_fairness_state s;

-- name: get_fairness_facts_audit_id :scalar
-- The last audit row the fairness facts reflect; NULL asks for a rebuild.
SELECT audit_id FROM facts_fairness_state;

-- name: delete_pending_fact_signal_households
-- Drop the fact_signal_households rows of the pending households; insert_fact_signal_households writes them anew.
DELETE FROM fact_signal_households WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_signal_households
-- The keys of the registration signals per pending household (the *_groups facts are counted from them).
INSERT INTO fact_signal_households
SELECT h.id AS household_id, h.organisation_id, h.governorate_code,
       NOT list_contains($inactive_household_statuses, h.status) AS in_play, h.phone,
       CASE WHEN trim(h.address) <> '' THEN lower(trim(h.address)) END AS address_key,
       coalesce(h.delegation, '') AS delegation, CAST(h.created_at AS DATE) AS created_on,
       date_trunc('hour', h.created_at) AS created_hour, h.created_by, h.source <> 'import' AS typed
FROM households h
WHERE h.id IN (SELECT household_id FROM facts_pending_households);

-- name: pend_signal_keys
-- The signal keys of the pending households' rows: run before their rows are replaced and after.
INSERT INTO facts_pending_signal_keys
SELECT phone, address_key, governorate_code, delegation, created_on, created_by, created_hour
FROM fact_signal_households WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: delete_pending_fact_phone_groups
-- Drop the counts of every phone a pending household had or has; insert_pending_fact_phone_groups counts them anew.
DELETE FROM fact_phone_groups WHERE phone IN (SELECT phone FROM facts_pending_signal_keys);

-- name: insert_pending_fact_phone_groups
-- In-play households per pending phone, organisation and governorate, and per phone.
INSERT INTO fact_phone_groups
SELECT s.phone, s.organisation_id, s.governorate_code, count(*) AS households,
       sum(count(*)) OVER (PARTITION BY s.phone) AS phone_households
FROM fact_signal_households s
WHERE s.in_play AND s.phone IN (SELECT phone FROM facts_pending_signal_keys)
GROUP BY s.phone, s.organisation_id, s.governorate_code;

-- name: delete_pending_fact_address_groups
-- Drop the counts of every address a pending household had or has.
DELETE FROM fact_address_groups WHERE address_key IN (SELECT address_key FROM facts_pending_signal_keys);

-- name: insert_pending_fact_address_groups
-- In-play households per pending address, organisation and governorate, and per address.
INSERT INTO fact_address_groups
SELECT s.address_key, s.organisation_id, s.governorate_code, count(*) AS households,
       sum(count(*)) OVER (PARTITION BY s.address_key) AS address_households
FROM fact_signal_households s
WHERE s.in_play AND s.address_key IN (SELECT address_key FROM facts_pending_signal_keys)
GROUP BY s.address_key, s.organisation_id, s.governorate_code;

-- name: delete_pending_fact_day_groups
-- Drop the counts of every delegation's day a pending household was or is registered in.
DELETE FROM fact_day_groups
WHERE EXISTS (
    SELECT 1 FROM facts_pending_signal_keys k
    WHERE k.governorate_code = fact_day_groups.governorate_code AND k.delegation = fact_day_groups.delegation
      AND k.created_on = fact_day_groups.created_on
);

-- name: insert_pending_fact_day_groups
-- Households registered per pending delegation's day and organisation, and per delegation's day.
INSERT INTO fact_day_groups
SELECT s.governorate_code, s.delegation, s.created_on, s.organisation_id, count(*) AS households,
       sum(count(*)) OVER (PARTITION BY s.governorate_code, s.delegation, s.created_on) AS day_households
FROM fact_signal_households s
JOIN (SELECT DISTINCT governorate_code, delegation, created_on FROM facts_pending_signal_keys) k
  ON k.governorate_code = s.governorate_code AND k.delegation = s.delegation AND k.created_on = s.created_on
GROUP BY s.governorate_code, s.delegation, s.created_on, s.organisation_id;

-- name: delete_pending_fact_hour_groups
-- Drop the counts of every account's hour a pending household was or is typed in.
DELETE FROM fact_hour_groups
WHERE EXISTS (
    SELECT 1 FROM facts_pending_signal_keys k
    WHERE k.created_by = fact_hour_groups.created_by AND k.created_hour = fact_hour_groups.created_hour
);

-- name: insert_pending_fact_hour_groups
-- Households typed per pending account's hour, organisation and governorate, and per account's hour.
INSERT INTO fact_hour_groups
SELECT s.created_by, s.created_hour, s.organisation_id, s.governorate_code, count(*) AS households,
       sum(count(*)) OVER (PARTITION BY s.created_by, s.created_hour) AS hour_households
FROM fact_signal_households s
JOIN (SELECT DISTINCT created_by, created_hour FROM facts_pending_signal_keys) k
  ON k.created_by = s.created_by AND k.created_hour = s.created_hour
WHERE s.typed
GROUP BY s.created_by, s.created_hour, s.organisation_id, s.governorate_code;

-- name: delete_all_fact_signal_groups
-- A rebuild (or facts_drift): every signal group is counted again from fact_signal_households.
DELETE FROM fact_phone_groups; DELETE FROM fact_address_groups; DELETE FROM fact_day_groups; DELETE FROM fact_hour_groups;

-- name: clear_pending_signal_keys
-- Empty the signal keys' work list at the end of a refresh.
DELETE FROM facts_pending_signal_keys;

-- name: delete_pending_fact_flow_households
-- Drop the fact_flow_households rows of the pending households; insert_fact_flow_households writes them anew.
DELETE FROM fact_flow_households WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_flow_households
-- Per pending household, category and unit: counted or not, needs not cancelled, allocated and delivered.
INSERT INTO fact_flow_households
WITH per_need AS (
    SELECT a.need_id, sum(a.quantity) AS allocated,
           sum(CASE WHEN list_contains($delivered_statuses, a.status) THEN a.quantity ELSE 0 END) AS delivered
    FROM allocations a
    WHERE list_contains($live_statuses, a.status)
      AND a.household_id IN (SELECT household_id FROM facts_pending_households)
    GROUP BY a.need_id
)
SELECT n.household_id, h.campaign_id, h.organisation_id, h.governorate_code, n.category_code, n.unit,
       max(CASE WHEN n.status <> 'cancelled' AND NOT list_contains($inactive_household_statuses, h.status)
                THEN 1 ELSE 0 END) AS households,
       CAST(sum(CASE WHEN n.status <> 'cancelled' AND NOT list_contains($inactive_household_statuses, h.status)
                     THEN n.quantity ELSE 0 END) AS DECIMAL(18, 3)) AS needs,
       CAST(coalesce(sum(p.allocated), 0) AS DECIMAL(18, 3)) AS allocated,
       CAST(coalesce(sum(p.delivered), 0) AS DECIMAL(18, 3)) AS delivered
FROM needs n JOIN households h ON h.id = n.household_id LEFT JOIN per_need p ON p.need_id = n.id
WHERE n.household_id IN (SELECT household_id FROM facts_pending_households)
GROUP BY n.household_id, h.campaign_id, h.organisation_id, h.governorate_code, n.category_code, n.unit;

-- name: pend_flows_of_pending_households
-- What the pending households' flow rows add to fact_flows, times $sign: -1 before they are replaced, 1 after.
INSERT INTO facts_pending_flows
SELECT campaign_id, organisation_id, governorate_code, category_code, unit, CAST($sign AS INTEGER) * count(*),
       CAST($sign AS INTEGER) * sum(households), CAST($sign AS INTEGER) * sum(needs),
       CAST($sign AS INTEGER) * sum(allocated), CAST($sign AS INTEGER) * sum(delivered)
FROM fact_flow_households WHERE household_id IN (SELECT household_id FROM facts_pending_households)
GROUP BY campaign_id, organisation_id, governorate_code, category_code, unit;

-- name: pend_stored_flows
-- The stored totals of every key the changes touch: the sums of the work list replace them.
INSERT INTO facts_pending_flows
SELECT f.campaign_id, f.organisation_id, f.governorate_code, f.category_code, f.unit, f.source_rows,
       f.households, f.needs, f.allocated, f.delivered
FROM fact_flows f
WHERE EXISTS (
    SELECT 1 FROM facts_pending_flows p
    WHERE p.campaign_id IS NOT DISTINCT FROM f.campaign_id AND p.organisation_id IS NOT DISTINCT FROM f.organisation_id
      AND p.governorate_code = f.governorate_code AND p.category_code = f.category_code AND p.unit = f.unit
);

-- name: delete_touched_fact_flows
-- Drop the stored totals of the touched keys (pend_stored_flows copied them into the work list).
DELETE FROM fact_flows
WHERE EXISTS (
    SELECT 1 FROM facts_pending_flows p
    WHERE p.campaign_id IS NOT DISTINCT FROM fact_flows.campaign_id
      AND p.organisation_id IS NOT DISTINCT FROM fact_flows.organisation_id
      AND p.governorate_code = fact_flows.governorate_code AND p.category_code = fact_flows.category_code
      AND p.unit = fact_flows.unit
);

-- name: insert_touched_fact_flows
-- The new totals of the touched keys; a key no household row stands behind any more is gone.
INSERT INTO fact_flows
SELECT campaign_id, organisation_id, governorate_code, category_code, unit, sum(source_rows), sum(households),
       sum(needs), sum(allocated), sum(delivered)
FROM facts_pending_flows
GROUP BY campaign_id, organisation_id, governorate_code, category_code, unit
HAVING sum(source_rows) > 0;

-- name: clear_pending_flows
-- Empty the flows' work list at the end of a refresh.
DELETE FROM facts_pending_flows;

-- name: delete_all_fact_flows
-- A rebuild (or facts_drift): fact_flows is summed again from every fact_flow_households row.
DELETE FROM fact_flows;

-- name: insert_all_fact_flows
-- fact_flow_households summed per campaign, organisation, governorate, category and unit.
INSERT INTO fact_flows
SELECT campaign_id, organisation_id, governorate_code, category_code, unit, count(*), sum(households),
       sum(needs), sum(allocated), sum(delivered)
FROM fact_flow_households
GROUP BY campaign_id, organisation_id, governorate_code, category_code, unit;

-- name: delete_pending_fact_delivery_times
-- Drop the fact_delivery_times rows of the pending households; insert_fact_delivery_times writes them anew.
DELETE FROM fact_delivery_times WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_delivery_times
-- The pending households' deliveries that reached them, with the minutes from planning to done.
INSERT INTO fact_delivery_times
SELECT dl.id AS delivery_id, dl.organisation_id, h.governorate_code, dl.household_id, dl.volunteer_id, dl.status,
       dl.created_at, coalesce(dl.delivered_at, dl.confirmed_at) AS done_at,
       date_diff('minute', dl.created_at, coalesce(dl.delivered_at, dl.confirmed_at)) AS minutes
FROM deliveries dl JOIN households h ON h.id = dl.household_id
WHERE list_contains($delivered_statuses, dl.status) AND coalesce(dl.delivered_at, dl.confirmed_at) IS NOT NULL
  AND dl.household_id IN (SELECT household_id FROM facts_pending_households);

-- name: delete_pending_fact_allocation_days
-- Drop the fact_allocation_days rows of the pending stock lines; insert_fact_allocation_days writes them anew.
DELETE FROM fact_allocation_days WHERE donation_id IN (SELECT donation_id FROM facts_pending_donations);

-- name: insert_fact_allocation_days
-- Allocations not cancelled of the pending stock lines per day, and how many were delivered.
INSERT INTO fact_allocation_days
SELECT a.donation_id, d.organisation_id, CAST(a.created_at AS DATE) AS allocated_on, count(*) AS allocations,
       sum(CASE WHEN list_contains($delivered_statuses, a.status) THEN 1 ELSE 0 END) AS delivered
FROM allocations a JOIN donations d ON d.id = a.donation_id
WHERE a.status <> 'cancelled' AND a.donation_id IN (SELECT donation_id FROM facts_pending_donations)
GROUP BY a.donation_id, d.organisation_id, CAST(a.created_at AS DATE);
