-- Several warehouses and locations (issue 14 D): a store maps each storefront location (a Shopify location; the one
-- location of a WooCommerce site) to Contifico warehouses. The figure published to the location is the sum of
-- `warehouse_ids`; a sale fulfilled there is booked in `push_warehouse_id`, which is one of them (so the sale lowers
-- the figure it came from). No row for a store = the store's one location follows the integration's warehouse.
CREATE TABLE store_locations (
    store_id          BIGINT      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    location_id       TEXT        NOT NULL CHECK (length(location_id) BETWEEN 1 AND 100),
    name              TEXT,
    push_warehouse_id TEXT        NOT NULL,
    warehouse_ids     TEXT[]      NOT NULL CHECK (cardinality(warehouse_ids) BETWEEN 1 AND 20),
    position          INT         NOT NULL,
    updated_by        TEXT,
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, location_id),
    CHECK (push_warehouse_id = ANY (warehouse_ids))
);

-- The storefront location that fulfils a movement (a Shopify order's or refund line's location_id; null when the
-- delivery names none, and for WooCommerce), and the Contifico warehouse its push was sent to, recorded before the
-- POST: a push in doubt is looked up in that warehouse even if the map changed since.
ALTER TABLE inventory_movements_queue ADD COLUMN storefront_location_id TEXT;
ALTER TABLE inventory_movements_queue ADD COLUMN contifico_warehouse_id TEXT;

-- A push in doubt (or booked, not yet DONE) when this migration runs was sent to the integration's warehouse: there
-- was no map. Record it, so that a map saved later does not send its look-up to a mapped warehouse, find nothing and
-- book the sale twice. DONE rows are left alone: the integration may have changed since they were sent.
UPDATE inventory_movements_queue q SET contifico_warehouse_id = i.warehouse_id
FROM store_integrations i
WHERE i.id = q.integration_id AND q.contifico_warehouse_id IS NULL AND q.status <> 'DONE'
  AND (q.push_outcome_unknown OR q.contifico_movement_id IS NOT NULL);
