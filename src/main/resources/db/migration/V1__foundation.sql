-- Stores (a Shopify shop or a WooCommerce site) and where their admin API lives.
CREATE TABLE stores (
    id                       BIGSERIAL PRIMARY KEY,
    name                     TEXT        NOT NULL,
    platform                 TEXT        NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
    shop_domain              TEXT,
    site_url                 TEXT,
    api_base_url             TEXT,
    access_token             TEXT,
    consumer_key             TEXT,
    consumer_secret          TEXT,
    webhook_secret           TEXT        NOT NULL,
    previous_webhook_secret  TEXT,
    location_id              TEXT,
    -- Shopify test orders ("test": true) are recorded but book nothing unless the merchant opts in.
    process_test_orders      BOOLEAN     NOT NULL DEFAULT FALSE,
    -- WooCommerce does not say whether a refund restocked: the merchant decides.
    refunds_restock          BOOLEAN     NOT NULL DEFAULT FALSE,
    scheduled_pull_enabled   BOOLEAN     NOT NULL DEFAULT TRUE,
    active                   BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at               TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at               TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A store's ERP connection. One active integration per store.
CREATE TABLE store_integrations (
    id            BIGSERIAL PRIMARY KEY,
    store_id      BIGINT      NOT NULL REFERENCES stores (id),
    provider      TEXT        NOT NULL CHECK (provider IN ('contifico')),
    base_url      TEXT        NOT NULL,
    api_key       TEXT        NOT NULL,
    pos_token     TEXT,
    warehouse_id  TEXT        NOT NULL,
    active        BOOLEAN     NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX store_integrations_one_active ON store_integrations (store_id) WHERE active;

-- Every accepted webhook delivery, for dedupe and audit. dedupe_key is X-Shopify-Webhook-Id for Shopify and a hash
-- of the exact body for WooCommerce (its delivery id is not unique).
CREATE TABLE webhook_events (
    id                 BIGSERIAL PRIMARY KEY,
    store_id           BIGINT      NOT NULL REFERENCES stores (id),
    platform           TEXT        NOT NULL,
    topic              TEXT        NOT NULL,
    dedupe_key         TEXT        NOT NULL,
    resource_id        TEXT,
    outcome            TEXT        NOT NULL CHECK (outcome IN ('BOOKED', 'NOTHING_TO_BOOK', 'IGNORED_TOPIC', 'IGNORED_TEST_ORDER')),
    movements_created  INTEGER     NOT NULL DEFAULT 0,
    skipped_lines      JSONB       NOT NULL DEFAULT '[]'::jsonb,
    note               TEXT,
    payload            JSONB,
    received_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT webhook_events_dedupe UNIQUE (store_id, dedupe_key)
);
CREATE INDEX webhook_events_store_received ON webhook_events (store_id, received_at DESC);

-- WooCommerce sends the order's current state, not the event: we keep what we last booked per order to know when
-- a status change moves stock. cycle grows each time a booked sale is restocked, so a re-opened order books again.
CREATE TABLE storefront_orders (
    store_id       BIGINT      NOT NULL REFERENCES stores (id),
    order_id       TEXT        NOT NULL,
    order_name     TEXT,
    last_status    TEXT,
    stock_reduced  BOOLEAN     NOT NULL DEFAULT FALSE,
    cycle          INTEGER     NOT NULL DEFAULT 0,
    booked_lines   JSONB       NOT NULL DEFAULT '[]'::jsonb,
    -- The storefront's own modification time of the last state applied, to ignore deliveries that arrive late.
    source_modified_at TEXT,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, order_id)
);

-- The durable queue between the storefront and Contifico.
CREATE TABLE inventory_movements_queue (
    id                     BIGSERIAL PRIMARY KEY,
    store_id               BIGINT      NOT NULL REFERENCES stores (id),
    integration_id         BIGINT      REFERENCES store_integrations (id),
    webhook_event_id       BIGINT      REFERENCES webhook_events (id),
    sku                    TEXT        NOT NULL,
    kind                   TEXT        NOT NULL CHECK (kind IN ('SALE', 'RESTOCK')),
    quantity               INTEGER     NOT NULL CHECK (quantity > 0),
    business_key           TEXT        NOT NULL,
    order_id               TEXT,
    order_name             TEXT,
    status                 TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'IN_PROGRESS', 'DONE', 'DEAD')),
    attempts               INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_owner            TEXT,
    lease_expires_at       TIMESTAMPTZ,
    last_error             TEXT,
    -- Set once a push may have reached Contifico without us knowing: the next attempt must look it up first.
    push_outcome_unknown   BOOLEAN     NOT NULL DEFAULT FALSE,
    contifico_movement_id  TEXT,
    contifico_reference    TEXT,
    pushed_at              TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    done_at                TIMESTAMPTZ,
    CONSTRAINT inventory_movements_business_key UNIQUE (store_id, business_key)
);
-- The worker's claim query: due pending rows in order.
CREATE INDEX inventory_movements_due ON inventory_movements_queue (next_attempt_at, id) WHERE status = 'PENDING';
-- Lease rescue.
CREATE INDEX inventory_movements_leased ON inventory_movements_queue (lease_expires_at) WHERE status = 'IN_PROGRESS';
-- Status table: open work and recent pushes per SKU.
CREATE INDEX inventory_movements_store_sku ON inventory_movements_queue (store_id, sku, status);
CREATE INDEX inventory_movements_store_status ON inventory_movements_queue (store_id, status, id DESC);

-- The local cache per store and SKU: the storefront's stock ("Stock Tienda"), Contifico's last known figure and the
-- ids that map the SKU on both sides.
CREATE TABLE stock_cache (
    store_id                BIGINT        NOT NULL REFERENCES stores (id),
    sku                     TEXT          NOT NULL,
    name                    TEXT,
    storefront_product_id   TEXT,
    storefront_variant_id   TEXT,
    inventory_item_id       TEXT,
    store_stock             INTEGER,
    store_stock_updated_at  TIMESTAMPTZ,
    contifico_product_id    TEXT,
    contifico_stock         NUMERIC(14, 3),
    contifico_stock_at      TIMESTAMPTZ,
    last_pushed_at          TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ   NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, sku)
);

-- One row per pull (full, scheduled or selective) for its summary.
CREATE TABLE pull_runs (
    id              BIGSERIAL PRIMARY KEY,
    store_id        BIGINT      NOT NULL REFERENCES stores (id),
    integration_id  BIGINT      REFERENCES store_integrations (id),
    trigger         TEXT        NOT NULL CHECK (trigger IN ('SALE', 'MANUAL', 'SCHEDULED')),
    kind            TEXT        NOT NULL CHECK (kind IN ('FULL', 'SELECTIVE')),
    dry_run         BOOLEAN     NOT NULL DEFAULT FALSE,
    status          TEXT        NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'FAILED')),
    summary         JSONB,
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ
);
CREATE INDEX pull_runs_store_started ON pull_runs (store_id, started_at DESC);

-- What each pull (or post-push pull) saw and did per SKU.
CREATE TABLE sync_logs (
    id                  BIGSERIAL PRIMARY KEY,
    store_id            BIGINT         NOT NULL REFERENCES stores (id),
    integration_id      BIGINT         REFERENCES store_integrations (id),
    pull_run_id         BIGINT         REFERENCES pull_runs (id),
    movement_id         BIGINT         REFERENCES inventory_movements_queue (id),
    sku                 TEXT           NOT NULL,
    trigger             TEXT           NOT NULL CHECK (trigger IN ('SALE', 'MANUAL', 'SCHEDULED')),
    action              TEXT           NOT NULL CHECK (action IN ('UPDATED', 'UNCHANGED', 'SKIPPED_RECENT_PUSH', 'DRY_RUN', 'ERROR')),
    contifico_stock     NUMERIC(14, 3),
    store_stock_before  INTEGER,
    store_stock_after   INTEGER,
    error               TEXT,
    created_at          TIMESTAMPTZ    NOT NULL DEFAULT now()
);
-- Status table: the latest log per (store, sku).
CREATE INDEX sync_logs_store_sku_latest ON sync_logs (store_id, sku, created_at DESC, id DESC);
