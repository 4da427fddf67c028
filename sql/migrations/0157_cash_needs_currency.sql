-- A cash need, and pledged cash, is counted in the currency of its campaign, else of its country
-- (as a cash gift is, 0155): the allocation meets a need only with stock of the same unit, so a
-- Moroccan cash need in dinars would never meet Moroccan cash stock in dirhams. The two views read
-- that currency as donation_currencies (0091) does for gifts. Each cash need and cash pledge held
-- outside Tunisia that was saved with the unit TND takes its currency here; one audit row per
-- change of unit stands for every record it changed and lists their ids (as 0155 does), and the
-- dashboard and fairness facts, which count needs and pledges by unit, are rebuilt at the next read.
CREATE VIEW need_currencies AS
SELECT n.id AS need_id, a.country_code, coalesce(s.currency, cs.currency) AS currency
FROM needs n
JOIN households h ON h.id = n.household_id
JOIN areas a ON a.code = h.governorate_code
LEFT JOIN campaign_settings s ON s.campaign_id = h.campaign_id
LEFT JOIN country_settings cs ON cs.country_code = a.country_code;

CREATE VIEW pledge_currencies AS
SELECT p.id AS pledge_id, a.country_code, coalesce(s.currency, cs.currency) AS currency
FROM pledges p
JOIN areas a ON a.code = p.governorate_code
LEFT JOIN campaign_settings s ON s.campaign_id = p.campaign_id
LEFT JOIN country_settings cs ON cs.country_code = a.country_code;

UPDATE facts_state SET audit_id = NULL
WHERE EXISTS (SELECT 1 FROM needs n JOIN need_currencies c ON c.need_id = n.id
              WHERE n.category_code = 'cash' AND c.currency IS NOT NULL AND n.unit <> c.currency)
   OR EXISTS (SELECT 1 FROM pledges p JOIN pledge_currencies c ON c.pledge_id = p.id
              WHERE p.category_code = 'cash' AND c.currency IS NOT NULL AND p.unit <> c.currency);
UPDATE facts_fairness_state SET audit_id = NULL
WHERE EXISTS (SELECT 1 FROM needs n JOIN need_currencies c ON c.need_id = n.id
              WHERE n.category_code = 'cash' AND c.currency IS NOT NULL AND n.unit <> c.currency)
   OR EXISTS (SELECT 1 FROM pledges p JOIN pledge_currencies c ON c.pledge_id = p.id
              WHERE p.category_code = 'cash' AND c.currency IS NOT NULL AND p.unit <> c.currency);

INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
SELECT NULL, 'system', 'update', 'needs', NULL,
       CAST('{"unit": "' || n.unit || '"}' AS JSON),
       CAST('{"unit": "' || c.currency || '", "needs": ['
            || string_agg(CAST(n.id AS VARCHAR), ', ' ORDER BY n.id) || ']}' AS JSON)
FROM needs n JOIN need_currencies c ON c.need_id = n.id
WHERE n.category_code = 'cash' AND c.currency IS NOT NULL AND n.unit <> c.currency
GROUP BY n.unit, c.currency
ORDER BY n.unit, c.currency;

INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
SELECT NULL, 'system', 'update', 'pledges', NULL,
       CAST('{"unit": "' || p.unit || '"}' AS JSON),
       CAST('{"unit": "' || c.currency || '", "pledges": ['
            || string_agg(CAST(p.id AS VARCHAR), ', ' ORDER BY p.id) || ']}' AS JSON)
FROM pledges p JOIN pledge_currencies c ON c.pledge_id = p.id
WHERE p.category_code = 'cash' AND c.currency IS NOT NULL AND p.unit <> c.currency
GROUP BY p.unit, c.currency
ORDER BY p.unit, c.currency;

UPDATE needs SET unit = (SELECT c.currency FROM need_currencies c WHERE c.need_id = needs.id)
WHERE category_code = 'cash'
  AND id IN (SELECT n.id FROM needs n JOIN need_currencies c ON c.need_id = n.id
             WHERE n.category_code = 'cash' AND c.currency IS NOT NULL AND n.unit <> c.currency);

UPDATE pledges SET unit = (SELECT c.currency FROM pledge_currencies c WHERE c.pledge_id = pledges.id)
WHERE category_code = 'cash'
  AND id IN (SELECT p.id FROM pledges p JOIN pledge_currencies c ON c.pledge_id = p.id
             WHERE p.category_code = 'cash' AND c.currency IS NOT NULL AND p.unit <> c.currency);
