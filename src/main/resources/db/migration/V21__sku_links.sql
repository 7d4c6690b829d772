-- An operator's link of a storefront SKU to a Contifico product (issue 14 C), or the mark that the SKU is not synced.
-- Durable, unlike stock_cache.contifico_product_id (a cache, forgotten on an integration change or when Contifico says
-- the id is gone): the resolver reads a link before the cache and before a search by codigo, and re-fills the cache
-- from it. A link made for one Contifico company turns stale when the integration may point at another company
-- (URL or key changed): it is kept, so the operator sees what it was, but not used until it is confirmed again.
CREATE TABLE sku_links (
    store_id             BIGINT      NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    storefront_sku       TEXT        NOT NULL CHECK (length(storefront_sku) BETWEEN 1 AND 200),
    contifico_product_id TEXT,
    contifico_code       TEXT,
    contifico_name       TEXT,
    not_synced           BOOLEAN     NOT NULL DEFAULT FALSE,
    stale                BOOLEAN     NOT NULL DEFAULT FALSE,
    created_by           TEXT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, storefront_sku),
    -- A row is either a link to a product or a "not synced" mark (a mark keeps no product).
    CHECK (not_synced = (contifico_product_id IS NULL))
);
-- One storefront SKU per Contifico product and store, among the links in use: two SKUs booking one product would
-- publish one figure twice.
CREATE UNIQUE INDEX sku_links_one_sku_per_product ON sku_links (store_id, contifico_product_id)
    WHERE contifico_product_id IS NOT NULL AND NOT stale;

-- A pull can now say a SKU was left alone because an operator marked it as not synced.
ALTER TABLE sync_logs DROP CONSTRAINT sync_logs_action_check;
ALTER TABLE sync_logs ADD CONSTRAINT sync_logs_action_check CHECK (action IN
    ('UPDATED', 'UNCHANGED', 'SKIPPED_RECENT_PUSH', 'SKIPPED_NEWER_MOVEMENT', 'SKIPPED_UNMANAGED', 'SKIPPED_NOT_SYNCED',
     'DRY_RUN', 'ERROR'))
    NOT VALID;
