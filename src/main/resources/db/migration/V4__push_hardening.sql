-- When a push went into doubt: its look-up searches Contifico around that day, not from the movement's creation on.
ALTER TABLE inventory_movements_queue ADD COLUMN in_doubt_since TIMESTAMPTZ;

-- The status table asks, per SKU with a dead movement, whether a later one went through.
CREATE INDEX inventory_movements_done_by_sku ON inventory_movements_queue (store_id, sku, id) WHERE status = 'DONE';
