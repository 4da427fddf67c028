-- Campaign records as organisers manage them (create, edit, activate, close).
-- A campaign's status: its campaign_settings row, or is_active where it has none (see 0050).

-- name: list_campaign_records :frame
-- Every campaign with its names, dates, targets, status and households; active first, then newest.
-- Its currency: its own, else its country's.
SELECT c.id, c.name, s.name_fr, s.name_en, c.country_code, coalesce(s.status, CASE WHEN c.is_active THEN 'active' ELSE 'closed' END) AS status, c.starts_on, c.ends_on,
       c.target_households, c.target_value_tnd AS target_value, coalesce(s.currency, cs.currency) AS currency,
       (SELECT count(*) FROM campaign_targets t WHERE t.campaign_id = c.id) AS governorate_targets,
       (SELECT count(*) FROM households h WHERE h.campaign_id = c.id) AS households,
       s.closed_at
FROM campaigns c LEFT JOIN campaign_settings s ON s.campaign_id = c.id
LEFT JOIN country_settings cs ON cs.country_code = c.country_code
ORDER BY CASE coalesce(s.status, CASE WHEN c.is_active THEN 'active' ELSE 'closed' END) WHEN 'active' THEN 0 WHEN 'planned' THEN 1 ELSE 2 END, c.starts_on DESC, c.id DESC;

-- name: get_active_campaign_record :one
-- The campaign new records take: the active one that started last (ties: created last).
-- Its currency: its own, else its country's.
SELECT c.id, c.name, s.name_fr, s.name_en, c.country_code, 'active' AS status, c.starts_on, c.ends_on,
       c.target_households, c.target_value_tnd, coalesce(s.currency, cs.currency) AS currency
FROM campaigns c LEFT JOIN campaign_settings s ON s.campaign_id = c.id
LEFT JOIN country_settings cs ON cs.country_code = c.country_code
WHERE c.is_active ORDER BY c.starts_on DESC, c.id DESC LIMIT 1;

-- name: get_campaign_record :one
-- One campaign with every field organisers edit.
SELECT c.id, c.name, s.name_fr, s.name_en, c.country_code, coalesce(s.status, CASE WHEN c.is_active THEN 'active' ELSE 'closed' END) AS status, c.starts_on, c.ends_on,
       c.target_households, c.target_value_tnd AS target_value, coalesce(s.currency, cs.currency) AS currency,
       s.closed_at
FROM campaigns c LEFT JOIN campaign_settings s ON s.campaign_id = c.id
LEFT JOIN country_settings cs ON cs.country_code = c.country_code
WHERE c.id = $id;

-- name: list_campaign_targets_of :rows
-- The governorate targets of one campaign, by governorate code.
SELECT governorate_code, target_households FROM campaign_targets
WHERE campaign_id = $campaign_id ORDER BY governorate_code;

-- name: insert_campaign_record :scalar
-- A new campaign's own row; returns its id (its settings row follows).
INSERT INTO campaigns (name, country_code, starts_on, ends_on, target_households, target_value_tnd, is_active)
VALUES ($name, $country_code, $starts_on, $ends_on, $target_households, $target_value, $status = 'active')
RETURNING id;

-- name: upsert_campaign_settings :exec
-- A campaign's names in French and English, currency and status.
INSERT INTO campaign_settings (campaign_id, name_fr, name_en, currency, status)
VALUES ($id, $name_fr, $name_en, $currency, $status)
ON CONFLICT (campaign_id) DO UPDATE SET name_fr = excluded.name_fr, name_en = excluded.name_en,
    currency = excluded.currency, status = excluded.status;

-- name: update_campaign_record :exec
-- New name, dates and targets of a campaign not yet closed.
UPDATE campaigns SET name = $name, starts_on = $starts_on, ends_on = $ends_on,
       target_households = $target_households, target_value_tnd = $target_value
WHERE id = $id;

-- name: set_campaign_active_flag :exec
-- Keep is_active equal to status = 'active'.
UPDATE campaigns SET is_active = $is_active WHERE id = $id;

-- name: set_campaign_closed_at :exec
-- The moment a campaign closed.
UPDATE campaign_settings SET closed_at = localtimestamp WHERE campaign_id = $id;

-- name: delete_campaign_targets_of :exec
-- Forget a campaign's governorate targets (before writing the new ones).
DELETE FROM campaign_targets WHERE campaign_id = $campaign_id;

-- name: insert_campaign_target :exec
-- One governorate target of a campaign.
INSERT INTO campaign_targets (campaign_id, governorate_code, target_households)
VALUES ($campaign_id, $governorate_code, $target_households);

-- name: list_cancellable_allocations :frame
-- Allocations still waiting to be grouped into a delivery (the ones that may be cancelled),
-- newest first; $organisation_id NULL = every organisation's stock, $governorate_code NULL = all.
SELECT a.id AS allocation_id, a.household_id, h.full_name, h.governorate_code, d.category_code, d.item,
       a.quantity, d.unit, o.code AS organisation, a.created_at
FROM allocations a
JOIN donations d ON d.id = a.donation_id
JOIN households h ON h.id = a.household_id
LEFT JOIN organisations o ON o.id = d.organisation_id
WHERE a.status = 'allocated' AND a.delivery_id IS NULL
  AND (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST($governorate_code AS VARCHAR) IS NULL OR h.governorate_code = $governorate_code)
ORDER BY a.created_at DESC, a.id DESC
LIMIT 500;

-- name: count_campaign_cash_gifts :scalar
-- Cash gifts saved to the campaign: their unit is its currency, so while any exists it stays.
SELECT count(*) FROM donations WHERE campaign_id = $campaign_id AND kind = 'cash';
