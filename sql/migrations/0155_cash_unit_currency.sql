-- A cash gift's unit is the currency it is counted in: its campaign's, else its country's (the
-- donation_currencies view of 0091). Cash held outside Tunisia was saved with the unit TND; each
-- such gift takes its currency here. One audit row per change of unit stands for every gift it
-- changed and lists their ids (as an anonymisation's does), and the dashboard and fairness facts,
-- which count stock by unit, are rebuilt from the base tables at the next read.
UPDATE facts_state SET audit_id = NULL
WHERE EXISTS (SELECT 1 FROM donations d JOIN donation_currencies c ON c.donation_id = d.id
              WHERE d.kind = 'cash' AND c.currency IS NOT NULL AND d.unit <> c.currency);
UPDATE facts_fairness_state SET audit_id = NULL
WHERE EXISTS (SELECT 1 FROM donations d JOIN donation_currencies c ON c.donation_id = d.id
              WHERE d.kind = 'cash' AND c.currency IS NOT NULL AND d.unit <> c.currency);

INSERT INTO audit_log (user_id, username, action, table_name, record_id, before, after)
SELECT NULL, 'system', 'update', 'donations', NULL,
       CAST('{"unit": "' || d.unit || '"}' AS JSON),
       CAST('{"unit": "' || c.currency || '", "donations": ['
            || string_agg(CAST(d.id AS VARCHAR), ', ' ORDER BY d.id) || ']}' AS JSON)
FROM donations d JOIN donation_currencies c ON c.donation_id = d.id
WHERE d.kind = 'cash' AND c.currency IS NOT NULL AND d.unit <> c.currency
GROUP BY d.unit, c.currency
ORDER BY d.unit, c.currency;

UPDATE donations SET unit = (SELECT c.currency FROM donation_currencies c WHERE c.donation_id = donations.id)
WHERE kind = 'cash'
  AND id IN (SELECT d.id FROM donations d JOIN donation_currencies c ON c.donation_id = d.id
             WHERE d.kind = 'cash' AND c.currency IS NOT NULL AND d.unit <> c.currency);
