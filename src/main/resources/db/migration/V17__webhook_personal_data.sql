-- Personal data in webhook events (issue 11 F, DESIGN rule 11): webhook_events.payload keeps only an allow-listed
-- projection of the order (ec.stocksync.webhook.AuditCopy); the raw body is kept only for stores that opt in, in its
-- own column, and purged after stocksync.retention.webhook-payloads; events themselves after
-- stocksync.retention.webhook-events (ec.stocksync.retention.RetentionJob).

ALTER TABLE stores ADD COLUMN keep_raw_payloads BOOLEAN NOT NULL DEFAULT FALSE;

-- TEXT, not JSONB: the body byte for byte as it was signed (what debugging a delivery needs), and TEXT never refuses a
-- valid JSON body the way JSONB refuses lone surrogates or huge numbers.
ALTER TABLE webhook_events ADD COLUMN raw_payload TEXT;

-- What the purges search, oldest first: every event, and only the few rows that still have a raw body.
CREATE INDEX webhook_events_received ON webhook_events (received_at);
CREATE INDEX webhook_events_raw_received ON webhook_events (received_at) WHERE raw_payload IS NOT NULL;

-- The event purge skips events a movement still points at (open or DEAD movements keep their origin). SET NULL is only
-- the safety net for a movement purged and an event deleted in the same instant: a delete must never fail a batch.
ALTER TABLE inventory_movements_queue DROP CONSTRAINT inventory_movements_queue_webhook_event_id_fkey,
    ADD CONSTRAINT inventory_movements_queue_webhook_event_id_fkey FOREIGN KEY (webhook_event_id)
        REFERENCES webhook_events (id) ON DELETE SET NULL;
-- Without it, every deleted event would scan the queue (the NOT EXISTS check and the FK action).
CREATE INDEX inventory_movements_webhook_event ON inventory_movements_queue (webhook_event_id)
    WHERE webhook_event_id IS NOT NULL;

-- The allow-list projection in SQL, the twin of AuditCopy: spec maps each kept key to true (a scalar: kept only if it is
-- a string, number, boolean or null) or to a nested spec (applied to an object, or to each object of an array).
-- Anything not named is dropped. Kept as a function so that tests can check it against the real fixtures.
CREATE FUNCTION webhook_payload_minimise(j JSONB, spec JSONB) RETURNS JSONB
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    out JSONB := '{}'::jsonb;
    k TEXT;
    rule JSONB;
    v JSONB;
BEGIN
    IF j IS NULL OR jsonb_typeof(j) <> 'object' THEN
        RETURN NULL;
    END IF;
    FOR k, rule IN SELECT key, value FROM jsonb_each(spec) LOOP
        IF NOT j ? k THEN
            CONTINUE;
        END IF;
        v := j -> k;
        IF jsonb_typeof(rule) = 'boolean' THEN
            IF jsonb_typeof(v) IN ('string', 'number', 'boolean', 'null') THEN
                out := out || jsonb_build_object(k, v);
            END IF;
        ELSIF jsonb_typeof(v) = 'object' THEN
            out := out || jsonb_build_object(k, webhook_payload_minimise(v, rule));
        ELSIF jsonb_typeof(v) = 'array' THEN
            out := out || jsonb_build_object(k, coalesce((SELECT jsonb_agg(webhook_payload_minimise(e, rule))
                                                          FROM jsonb_array_elements(v) e
                                                          WHERE jsonb_typeof(e) = 'object'), '[]'::jsonb));
        END IF;
    END LOOP;
    RETURN out;
END
$$;

-- The specs, as in AuditCopy (keep both in step).
CREATE FUNCTION webhook_payload_spec(platform TEXT, topic TEXT) RETURNS JSONB
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN platform = 'shopify' AND topic = 'refunds/create' THEN s.refund
        WHEN platform = 'shopify' THEN s.shop_order || jsonb_build_object('refunds', s.refund)
        ELSE s.woo_order END
    FROM (SELECT
            '{"id": true, "name": true, "number": true, "order_number": true, "test": true, "created_at": true,
              "updated_at": true, "processed_at": true, "cancelled_at": true, "closed_at": true,
              "financial_status": true, "fulfillment_status": true}'::jsonb
              || jsonb_build_object('line_items', l.shop_line) AS shop_order,
            '{"id": true, "order_id": true, "created_at": true, "processed_at": true, "restock": true}'::jsonb
              || jsonb_build_object('refund_line_items',
                   '{"id": true, "line_item_id": true, "quantity": true, "restock_type": true, "location_id": true}'::jsonb
                   || jsonb_build_object('line_item', l.shop_line)) AS refund,
            '{"id": true, "parent_id": true, "number": true, "status": true, "date_created": true,
              "date_created_gmt": true, "date_modified": true, "date_modified_gmt": true, "date_paid": true,
              "date_paid_gmt": true, "date_completed": true, "date_completed_gmt": true,
              "line_items": {"id": true, "sku": true, "quantity": true, "product_id": true, "variation_id": true},
              "refunds": {"id": true}}'::jsonb AS woo_order
          FROM (SELECT '{"id": true, "sku": true, "quantity": true, "current_quantity": true,
                         "fulfillable_quantity": true, "fulfillment_status": true, "product_id": true,
                         "variant_id": true, "gift_card": true, "variant_inventory_management": true}'::jsonb
                       AS shop_line) l) s
$$;

-- Existing rows are minimised in place (not set NULL): the audit trail of past bookings stays readable. One UPDATE is
-- enough at this table's size (one row per delivery); rows that are not JSON objects become NULL.
UPDATE webhook_events SET payload = webhook_payload_minimise(payload, webhook_payload_spec(platform, topic))
WHERE payload IS NOT NULL;
