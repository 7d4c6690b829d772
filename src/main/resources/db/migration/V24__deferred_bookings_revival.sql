-- What an edit booked under its own keys ({"<line id>": units}), written by the resolver in the transaction that marks
-- it DONE. The reconciliation's lost-edit check subtracts these, not the edit's additions: an edit whose units a
-- reconciliation had already counted books nothing, and subtracting its additions would count those units out twice.
-- NULL on a DONE edit resolved before this column (its additions are then taken as booked, as before).
ALTER TABLE shopify_order_edits ADD COLUMN booked_units JSONB;
UPDATE shopify_order_edits x
SET booked_units = coalesce((SELECT jsonb_object_agg(b.line, b.units)
                             FROM (SELECT split_part(m.business_key, ':', 5) AS line, sum(m.quantity) AS units
                                   FROM inventory_movements_queue m
                                   WHERE m.store_id = x.store_id
                                     AND starts_with(m.business_key, 'shopify:order_edit:' || x.edit_id || ':line:')
                                   GROUP BY 1) b), '{}'::jsonb)
WHERE x.status = 'DONE'
  -- A purged movement's units are unknown: leave such an edit to the old rule.
  AND NOT EXISTS (SELECT 1 FROM inventory_movements_purged_keys k
                  WHERE k.store_id = x.store_id
                    AND starts_with(k.business_key, 'shopify:order_edit:' || x.edit_id || ':line:'));

-- Every reconciliation event that booked with the edit's units taken out, not only the first: a PENDING edit taken out
-- by two reconciliations must be excluded from what either counted, or its resolver finds its units "counted" by the
-- second and books nothing.
ALTER TABLE shopify_order_edits ADD COLUMN subtracted_by_events BIGINT[] NOT NULL DEFAULT '{}';
UPDATE shopify_order_edits SET subtracted_by_events = ARRAY[subtracted_by_event] WHERE subtracted_by_event IS NOT NULL;
ALTER TABLE shopify_order_edits DROP COLUMN subtracted_by_event;

-- Deferred work is given up by age, not by a count of failed reads (a half-hour outage used to lose it for good), and a
-- FAILED row is revived to PENDING when the edit or refund is seen again: the age runs from the last time it became
-- PENDING.
ALTER TABLE shopify_order_edits ADD COLUMN pending_since TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE shopify_order_edits SET pending_since = created_at;
ALTER TABLE woocommerce_refunds ADD COLUMN pending_since TIMESTAMPTZ NOT NULL DEFAULT now();
UPDATE woocommerce_refunds SET pending_since = created_at;
CREATE INDEX shopify_order_edits_open ON shopify_order_edits (status) WHERE status <> 'DONE';
CREATE INDEX woocommerce_refunds_open ON woocommerce_refunds (status) WHERE status <> 'DONE';

-- GIVEN_UP: a deferred booking (a Shopify order edit) was given up; nothing booked, the note says why.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_outcome_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_outcome_check
    CHECK (outcome IN ('BOOKED', 'NOTHING_TO_BOOK', 'IGNORED_TOPIC', 'IGNORED_TEST_ORDER', 'DEFERRED', 'GIVEN_UP'));
