-- Names people read in place of numbers: who a household is, for the tables staff check before acting.

-- name: list_household_labels :frame
-- Name, delegation and size of the given households, those of $organisation_id only when it is set.
SELECT h.id AS household_id, h.full_name, h.delegation, h.household_size
FROM households h
WHERE list_contains($household_ids, h.id)
  AND (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
ORDER BY h.id;
