-- A refund asks whether its order came in as an ignored Shopify test order.
CREATE INDEX webhook_events_store_resource ON webhook_events (store_id, resource_id);
