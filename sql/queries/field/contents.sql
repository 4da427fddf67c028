-- name: list_delivery_items :frame
-- What each of the given deliveries carries, one line per allocation: item, quantity and unit code, for a text in the reader's language.
SELECT a.delivery_id, d.item, a.quantity, d.unit
FROM allocations a JOIN donations d ON d.id = a.donation_id
WHERE list_contains($delivery_ids, a.delivery_id)
ORDER BY a.delivery_id, a.id;
