-- Each catalogue import and what it found: the SKUs present on one side only are what a merchant must fix.
CREATE TABLE catalog_imports (
    id           BIGSERIAL PRIMARY KEY,
    store_id     BIGINT      NOT NULL REFERENCES stores (id),
    status       TEXT        NOT NULL CHECK (status IN ('RUNNING', 'DONE', 'FAILED')),
    summary      JSONB,
    started_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at  TIMESTAMPTZ
);
CREATE INDEX catalog_imports_store_started ON catalog_imports (store_id, started_at DESC);

-- Full pulls walk a store's mapped SKUs in order.
CREATE INDEX stock_cache_mapped ON stock_cache (store_id, sku)
    WHERE contifico_product_id IS NOT NULL AND storefront_product_id IS NOT NULL;
