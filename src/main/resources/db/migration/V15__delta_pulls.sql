-- Delta pulls read only the SKUs Contifico's change signals flag since the last baseline.

-- The catalogue's cantidad_stock last seen per SKU: a different figure in a catalogue page flags the SKU.
ALTER TABLE stock_cache ADD COLUMN contifico_total_seen NUMERIC(20, 6);

-- Where the next delta pull starts: the day of the last baseline (Contifico dates are days, so reads overlap it).
CREATE TABLE pull_baselines (
    store_id        BIGINT      PRIMARY KEY REFERENCES stores (id),
    integration_id  BIGINT      NOT NULL REFERENCES store_integrations (id),
    watermark       DATE        NOT NULL,
    recorded_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Inventory movements and sales documents already acted on: the overlap window reads them again, and they must not
-- flag their products a second time.
CREATE TABLE contifico_seen_events (
    store_id  BIGINT      NOT NULL REFERENCES stores (id),
    kind      TEXT        NOT NULL CHECK (kind IN ('MOVEMENT', 'DOCUMENT')),
    event_id  TEXT        NOT NULL,
    seen_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, kind, event_id)
);
CREATE INDEX contifico_seen_events_age ON contifico_seen_events (store_id, seen_at);
CREATE INDEX stock_cache_contifico_product ON stock_cache (store_id, contifico_product_id);

-- The pull fence asks for each SKU's newest push (PullFence.snapshot).
CREATE INDEX inventory_movements_last_push ON inventory_movements_queue (store_id, sku, pushed_at);
