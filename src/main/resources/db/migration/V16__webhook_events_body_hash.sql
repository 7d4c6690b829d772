-- A signed body replayed under a new webhook id (Shopify's X-Shopify-Webhook-Id is not covered by the HMAC) must book
-- nothing and add no row: each delivery also records sha256(topic, LF, raw body), unique per store. Rows from before
-- this migration and those the reconciliation writes have none, and NULLs never collide.
ALTER TABLE webhook_events ADD COLUMN body_hash TEXT;
CREATE UNIQUE INDEX webhook_events_body_hash ON webhook_events (store_id, body_hash);
