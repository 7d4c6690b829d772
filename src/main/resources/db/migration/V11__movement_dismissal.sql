-- A DEAD sale keeps its units off sale (DESIGN rule 8) until an operator dismisses it: e.g. it was booked in Contifico
-- by hand, or the order never shipped. The dismissal is kept on the row with who and why, for the audit.
ALTER TABLE inventory_movements_queue
    ADD COLUMN dismissed_at     TIMESTAMPTZ,
    ADD COLUMN dismissed_reason TEXT,
    ADD COLUMN dismissed_by     TEXT;

-- A dismissal only ever describes a DEAD movement: a retry that puts it back in the queue must clear it, or the
-- reservation rule would ignore a live sale. NOT VALID skips the scan: every existing row is NULL here.
ALTER TABLE inventory_movements_queue ADD CONSTRAINT inventory_movements_dismissed_only_dead
    CHECK (dismissed_at IS NULL OR status = 'DEAD') NOT VALID;

-- Pulls (the reserved units) and the status table (needs attention) ask for the undismissed DEAD movements of a
-- store's SKUs; DEAD rows that an operator dismissed stay forever and must not slow that down.
CREATE INDEX inventory_movements_dead_undismissed ON inventory_movements_queue (store_id, sku)
    WHERE status = 'DEAD' AND dismissed_at IS NULL;
