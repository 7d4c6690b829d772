-- Shopify orders/edited names line item ids and deltas, not SKUs: a new line's SKU is only known by reading the order
-- back from Shopify. The webhook must not wait for that call (5 s budget, DESIGN rule 6), so the delivery records the
-- edit here, in the same statement as its webhook event, and a resolver books it later (any replica, row claims with a
-- lease). The row stays after it is resolved: it is how a redelivery under a new webhook id is known, and how the
-- reconciliation tells the units an edit added from the order's original lines.
CREATE TABLE shopify_order_edits (
    store_id         BIGINT      NOT NULL REFERENCES stores (id),
    edit_id          TEXT        NOT NULL,
    order_id         TEXT        NOT NULL,
    -- No foreign key: webhook retention may delete an old event; the resolver then books against no event row.
    webhook_event_id BIGINT,
    -- When the edit reached the order: order_edit.committed_at (API 2024-07 on), else its created_at. Shopify's
    -- clock, compared with an order's updated_at: an order read with updated_at at or after it includes the edit.
    edited_at        TIMESTAMPTZ NOT NULL,
    -- [{"id": "<line item id>", "delta": n}] of line_items.additions, ids as text (above 2^53).
    additions        JSONB       NOT NULL DEFAULT '[]'::jsonb,
    status           TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_until    TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at      TIMESTAMPTZ,
    -- The reconciliation event that booked the order's sale with this edit's units taken out (it knew of the edit);
    -- NULL when none did. A sale a reconciliation booked from an order read after the edit, without taking the edit
    -- out, already counts its units (ShopifyOrderEdits).
    subtracted_by_event BIGINT,
    PRIMARY KEY (store_id, edit_id)
);
CREATE INDEX shopify_order_edits_due ON shopify_order_edits (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX shopify_order_edits_order ON shopify_order_edits (store_id, order_id);

-- A WooCommerce order lists its refunds by id only; what each gave back per line is read from WooCommerce
-- (GET /orders/{id}/refunds) by WooCommerceRefunds, outside the delivery's transaction. The ingest records the ids
-- here (stores whose refunds restock), in its own transaction; the row is how a refund is booked once.
CREATE TABLE woocommerce_refunds (
    store_id         BIGINT      NOT NULL REFERENCES stores (id),
    refund_id        TEXT        NOT NULL,
    order_id         TEXT        NOT NULL,
    -- No foreign key, as above.
    webhook_event_id BIGINT,
    status           TEXT        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DONE', 'FAILED')),
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    claimed_until    TIMESTAMPTZ,
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at      TIMESTAMPTZ,
    PRIMARY KEY (store_id, refund_id)
);
CREATE INDEX woocommerce_refunds_due ON woocommerce_refunds (next_attempt_at) WHERE status = 'PENDING';

-- DEFERRED: the delivery is recorded, its booking waits for a read of the storefront (the resolver then sets the
-- final outcome on the same row).
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_outcome_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_outcome_check
    CHECK (outcome IN ('BOOKED', 'NOTHING_TO_BOOK', 'IGNORED_TOPIC', 'IGNORED_TEST_ORDER', 'DEFERRED'));

