-- name: carry_delivery_code_tries
-- A re-planned delivery keeps its household code, and with it the wrong tries that code has taken.
INSERT INTO delivery_code_tries (delivery_id, wrong_tries) VALUES ($id, $wrong_tries);
