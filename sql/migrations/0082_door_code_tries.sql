-- Wrong household codes typed for a delivery. At the limit the code stops being accepted,
-- even the right one, until staff issue a new code (which sets this back to 0). A table of its
-- own: DuckDB refuses an update of a delivery row that allocations reference when the column
-- was added later, so the count cannot live on `deliveries`.
CREATE TABLE delivery_code_tries (
    delivery_id  INTEGER PRIMARY KEY,
    wrong_tries  INTEGER NOT NULL DEFAULT 0
);
