-- name: export_households :frame
-- Households in the import layout (needs as category:quantity), plus id, organisation and status.
SELECT h.id, h.national_id, h.full_name, h.phone, h.governorate_code AS governorate, h.delegation, h.address,
       h.household_size, array_to_string(h.vulnerabilities, ';') AS vulnerabilities,
       -- A DECIMAL(18, 3) less up to two trailing zeros reads 5.0, 2.5, 2.25 on both engines.
       (SELECT string_agg(n.category_code || ':' || regexp_replace(CAST(n.quantity AS VARCHAR), '0{1,2}$', ''), ';' ORDER BY n.id)
        FROM needs n WHERE n.household_id = h.id AND n.status <> 'cancelled') AS needs,
       h.notes, o.code AS organisation, h.source, h.status, h.created_at
FROM households h LEFT JOIN organisations o ON o.id = h.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id)
  AND (CAST($campaign_id AS INTEGER) IS NULL OR h.campaign_id = $campaign_id)
ORDER BY h.id;

-- name: export_donations :frame
-- Donations in the import layout, plus id, organisation, status and the currency the value (and a
-- cash amount) is counted in: the campaign's, else the country's (the view donation_currencies).
SELECT d.id, dn.name AS donor_name, dn.donor_type, d.kind, d.category_code AS category, d.item,
       CAST(d.quantity AS DOUBLE PRECISION) AS quantity, d.unit, CAST(d.value_tnd AS DOUBLE PRECISION) AS value_tnd,
       dc.currency,
       d.governorate_code AS governorate, d.delegation, d.received_on, d.storage_location, o.code AS organisation,
       d.status
FROM donations d JOIN organisations o ON o.id = d.organisation_id LEFT JOIN donors dn ON dn.id = d.donor_id
LEFT JOIN donation_currencies dc ON dc.donation_id = d.id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST($campaign_id AS INTEGER) IS NULL OR d.campaign_id = $campaign_id)
ORDER BY d.id;

-- name: export_volunteers :frame
-- Volunteers in the import layout, plus id, organisation and status.
SELECT v.id, v.full_name, v.national_id, v.phone, v.governorate_code AS governorate,
       concat_ws(';', CASE WHEN v.offers_transport THEN 'transport' END,
                      CASE WHEN v.offers_distribution THEN 'distribution' END) AS services,
       v.vehicle, v.available_from, v.available_to, o.code AS organisation, v.status
FROM volunteers v LEFT JOIN organisations o ON o.id = v.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR v.organisation_id = $organisation_id)
ORDER BY v.id;

-- name: export_allocations :frame
-- Every allocation (of the households of $campaign_id, NULL = all) with the household's national ID (only for the organisation's own households), the item and where it went.
SELECT a.id AS allocation_id,
       CASE WHEN CAST($organisation_id AS INTEGER) IS NULL OR h.organisation_id = $organisation_id THEN h.national_id END AS national_id,
       h.governorate_code AS governorate, d.category_code AS category,
       d.item, CAST(a.quantity AS DOUBLE PRECISION) AS quantity, d.unit, a.status, a.donation_id, a.need_id,
       a.household_id, a.delivery_id, o.code AS organisation, a.created_at
FROM allocations a JOIN donations d ON d.id = a.donation_id JOIN households h ON h.id = a.household_id
JOIN organisations o ON o.id = d.organisation_id
WHERE (CAST($organisation_id AS INTEGER) IS NULL OR d.organisation_id = $organisation_id)
  AND (CAST($campaign_id AS INTEGER) IS NULL OR h.campaign_id = $campaign_id)
ORDER BY a.id;
