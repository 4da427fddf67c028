-- name: insert_consent :scalar
-- Consent given on a public form, kept with the record; returns its id.
INSERT INTO consents (receipt_reference, subject_table, subject_id, text_version, lang, given_at)
VALUES ($receipt_reference, $subject_table, $subject_id, $text_version, $lang, $given_at)
RETURNING id;
