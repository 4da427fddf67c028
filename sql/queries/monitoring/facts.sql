-- Dashboard facts (migration 0040): which households a write touched, and each fact table's rows
-- for the households (or stock lines) listed in facts_pending_households / facts_pending_donations.
-- The insert_fact_* queries name their columns in the fact table's order and types; run over every
-- household inside a rolled-back transaction they also check the stored rows (facts_drift).

-- name: set_facts_audit_id
-- Mark every audit row so far as reflected.
UPDATE facts_state SET audit_id = (SELECT coalesce(max(id), 0) FROM audit_log);

-- name: mark_facts_stale
-- Writers that load rows in bulk without an audit row each (demo data, tests) ask for a rebuild
-- of the dashboard facts and of the fairness facts (0140).
UPDATE facts_state SET audit_id = NULL; UPDATE facts_fairness_state SET audit_id = NULL;

-- name: count_unreflected_audit_rows :scalar
-- Audit rows written since the facts were last refreshed (0 when they are up to date).
SELECT CASE WHEN s.audit_id IS NULL THEN -1
            ELSE (SELECT count(*) FROM audit_log WHERE id > s.audit_id) END
FROM facts_state s;

-- name: get_facts_audit_id :scalar
-- The last audit row the facts reflect; NULL asks for a rebuild.
SELECT audit_id FROM facts_state;

-- name: list_audited_kinds_since :rows
-- The kinds of rows audited after $audit_id that the facts derive from (data_layer/monitoring/facts.py
-- says which fact tables each can change); a household's first row is a kind of its own.
SELECT DISTINCT CASE WHEN table_name = 'households' AND action = 'insert' THEN 'new_household'
                     ELSE table_name END AS kind
FROM audit_log
WHERE id > $audit_id AND table_name IN ('households', 'needs', 'allocations', 'deliveries')
  AND record_id IS NOT NULL;

-- name: pend_households_touched_since
-- Households with a row of their own, a need, an allocation or a delivery audited after $audit_id.
-- Needs, allocations and deliveries never change household (a merge inserts new needs).
INSERT INTO facts_pending_households
WITH changed AS (
    SELECT table_name, record_id FROM audit_log
    WHERE id > $audit_id AND table_name IN ('households', 'needs', 'allocations', 'deliveries')
      AND record_id IS NOT NULL  -- a summary row (anonymisation) changes no fact column
)
SELECT CAST(record_id AS INTEGER) FROM changed WHERE table_name = 'households'
UNION SELECT n.household_id FROM needs n WHERE n.id IN (SELECT record_id FROM changed WHERE table_name = 'needs')
UNION SELECT a.household_id FROM allocations a
      WHERE a.id IN (SELECT record_id FROM changed WHERE table_name = 'allocations')
UNION SELECT d.household_id FROM deliveries d
      WHERE d.id IN (SELECT record_id FROM changed WHERE table_name = 'deliveries');

-- name: pend_all_households
-- A rebuild: every household.
INSERT INTO facts_pending_households SELECT id FROM households;

-- name: pend_all_donations
-- A check of every stock line's facts (facts_drift): every donation.
INSERT INTO facts_pending_donations SELECT id FROM donations;

-- name: pend_donations_of_pending_households
-- Stock lines the pending households drew on: their allocations changed, or their governorate did.
INSERT INTO facts_pending_donations
SELECT DISTINCT a.donation_id FROM allocations a
WHERE a.household_id IN (SELECT household_id FROM facts_pending_households);

-- name: clear_facts_pending
-- Empty the work lists at the end of a refresh.
DELETE FROM facts_pending_households; DELETE FROM facts_pending_donations;

-- name: delete_pending_fact_households
-- Drop the fact_households rows of the pending households; insert_fact_households writes them anew.
DELETE FROM fact_households WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_households
-- Counted households with whether (and from which day) a delivery to them is confirmed.
INSERT INTO fact_households
SELECT h.id AS household_id, h.governorate_code, h.campaign_id, CAST(h.created_at AS DATE) AS created_on,
       s.household_id IS NOT NULL AS served, s.first_confirmed_on
FROM households h
LEFT JOIN (
    SELECT d.household_id, min(CAST(d.confirmed_at AS DATE)) AS first_confirmed_on
    FROM deliveries d
    WHERE d.status = 'confirmed' AND d.household_id IN (SELECT household_id FROM facts_pending_households)
    GROUP BY d.household_id
) s ON s.household_id = h.id
WHERE h.id IN (SELECT household_id FROM facts_pending_households)
  AND NOT list_contains($uncounted_household_statuses, h.status);

-- name: delete_pending_fact_waiting
-- Drop the fact_waiting rows of the pending households; insert_fact_waiting writes them anew.
DELETE FROM fact_waiting WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_waiting
-- Open needs less their live allocations, per counted household, category and unit, when some is left.
-- Grouped per household before the household's columns are joined: fewer grouping keys.
INSERT INTO fact_waiting
WITH live AS (
    SELECT a.need_id, sum(a.quantity) AS allocated
    FROM allocations a
    WHERE list_contains($live_statuses, a.status)
      AND a.household_id IN (SELECT household_id FROM facts_pending_households)
    GROUP BY a.need_id
),
waiting AS (
    SELECT n.household_id, n.category_code, n.unit, sum(n.quantity - coalesce(l.allocated, 0)) AS unmet_quantity
    FROM needs n LEFT JOIN live l ON l.need_id = n.id
    WHERE n.household_id IN (SELECT household_id FROM facts_pending_households)
      AND n.status = 'open' AND n.quantity > coalesce(l.allocated, 0)
    GROUP BY n.household_id, n.category_code, n.unit
)
SELECT w.household_id, h.governorate_code, h.campaign_id, CAST(h.created_at AS DATE) AS created_on,
       w.category_code, w.unit, CAST(w.unmet_quantity AS DECIMAL(18, 3)) AS unmet_quantity
FROM waiting w JOIN households h ON h.id = w.household_id
WHERE NOT list_contains($uncounted_household_statuses, h.status);

-- name: delete_pending_fact_served_by
-- Drop the fact_served_by rows of the pending households; insert_fact_served_by writes them anew.
DELETE FROM fact_served_by WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_served_by
-- Confirmed deliveries per household, association and day (any household status, as before 0040).
INSERT INTO fact_served_by
SELECT DISTINCT d.household_id, d.organisation_id, CAST(d.confirmed_at AS DATE) AS confirmed_on,
       h.governorate_code, h.campaign_id
FROM deliveries d JOIN households h ON h.id = d.household_id
WHERE d.status = 'confirmed' AND d.household_id IN (SELECT household_id FROM facts_pending_households);

-- name: delete_pending_fact_deliveries_done
-- Drop the fact_deliveries_done rows of the pending households; insert_fact_deliveries_done writes them anew.
DELETE FROM fact_deliveries_done WHERE household_id IN (SELECT household_id FROM facts_pending_households);

-- name: insert_fact_deliveries_done
-- Deliveries a volunteer made, per household, volunteer and day.
INSERT INTO fact_deliveries_done
SELECT d.household_id, d.volunteer_id, CAST(coalesce(d.delivered_at, d.confirmed_at) AS DATE) AS done_on,
       h.campaign_id, count(*) AS deliveries
FROM deliveries d JOIN households h ON h.id = d.household_id
WHERE list_contains($delivered_statuses, d.status) AND d.volunteer_id IS NOT NULL
  AND d.household_id IN (SELECT household_id FROM facts_pending_households)
GROUP BY d.household_id, d.volunteer_id, CAST(coalesce(d.delivered_at, d.confirmed_at) AS DATE), h.campaign_id;

-- name: delete_pending_fact_stock_moves
-- Drop the fact_stock_moves rows of the pending stock lines; insert_fact_stock_moves writes them anew.
DELETE FROM fact_stock_moves WHERE donation_id IN (SELECT donation_id FROM facts_pending_donations);

-- name: insert_fact_stock_moves
-- Allocations of the pending stock lines per household governorate and day, live and delivered.
INSERT INTO fact_stock_moves
SELECT a.donation_id, h.governorate_code, CAST(a.created_at AS DATE) AS allocated_on,
       CAST(sum(a.quantity) FILTER (WHERE list_contains($live_statuses, a.status)) AS DECIMAL(18, 3))
           AS allocated,
       CAST(sum(a.quantity) FILTER (WHERE list_contains($delivered_statuses, a.status)) AS DECIMAL(18, 3)) AS delivered
FROM allocations a LEFT JOIN households h ON h.id = a.household_id
WHERE a.donation_id IN (SELECT donation_id FROM facts_pending_donations)
GROUP BY a.donation_id, h.governorate_code, CAST(a.created_at AS DATE);

-- name: set_aside_fact_table
-- facts_drift: a copy of one fact table's stored rows, dropped with the transaction it is made in.
-- `fact_table` and `stored_fact_table` stand for the table's name and its copy's (monitoring/facts.py
-- puts them in, quoted).
CREATE TEMP TABLE stored_fact_table AS SELECT * FROM fact_table;

-- name: count_fact_table_drift :scalar
-- Rows in only one of the copy set aside and the recomputed table (PostgreSQL wants subqueries named).
SELECT (SELECT count(*) FROM (SELECT * FROM stored_fact_table EXCEPT ALL SELECT * FROM fact_table) AS stored_only)
     + (SELECT count(*) FROM (SELECT * FROM fact_table EXCEPT ALL SELECT * FROM stored_fact_table) AS fresh_only);
