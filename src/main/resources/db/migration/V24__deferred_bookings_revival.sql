-- What an edit booked under its own keys ({"<line id>": units}), written by the resolver in the transaction that marks
-- it DONE. The reconciliation's lost-edit check subtracts these, not the edit's additions: an edit whose units a
-- reconciliation had already counted books nothing, and subtracting its additions would count those units out twice.
-- NULL on a DONE edit resolved before this column (its additions are then taken as booked, as before).
ALTER TABLE shopify_order_edits ADD COLUMN booked_units JSONB;
-- Filled from one pass over the edits' movements (keys shopify:order_edit:<edit>:line:<line>:SALE), joined to the edits
-- by hash: a lookup of the movement queue per edit would scan it once per edit on a large table.
WITH booked AS (
  SELECT m.store_id, split_part(m.business_key, ':', 3) AS edit_id, split_part(m.business_key, ':', 5) AS line,
         sum(m.quantity) AS units
  FROM inventory_movements_queue m
  WHERE starts_with(m.business_key, 'shopify:order_edit:')
  GROUP BY 1, 2, 3),
per_edit AS (
  SELECT store_id, edit_id, jsonb_object_agg(line, units) AS units FROM booked GROUP BY 1, 2),
-- A purged movement's units are unknown: such an edit is left to the old rule.
purged AS (
  SELECT DISTINCT k.store_id, split_part(k.business_key, ':', 3) AS edit_id
  FROM inventory_movements_purged_keys k
  WHERE starts_with(k.business_key, 'shopify:order_edit:')),
filled AS (
  SELECT x.store_id, x.edit_id, coalesce(p.units, '{}'::jsonb) AS units
  FROM shopify_order_edits x
  LEFT JOIN per_edit p ON p.store_id = x.store_id AND p.edit_id = x.edit_id
  LEFT JOIN purged k ON k.store_id = x.store_id AND k.edit_id = x.edit_id
  WHERE x.status = 'DONE' AND k.edit_id IS NULL)
UPDATE shopify_order_edits x SET booked_units = f.units
FROM filled f WHERE x.store_id = f.store_id AND x.edit_id = f.edit_id;

-- Every reconciliation event that booked with the edit's units taken out, not only the first: a PENDING edit taken out
-- by two reconciliations must be excluded from what either counted, or its resolver finds its units "counted" by the
-- second and books nothing.
ALTER TABLE shopify_order_edits ADD COLUMN subtracted_by_events BIGINT[] NOT NULL DEFAULT '{}';
UPDATE shopify_order_edits SET subtracted_by_events = ARRAY[subtracted_by_event] WHERE subtracted_by_event IS NOT NULL;
-- subtracted_by_event is no longer read nor written, but stays: replicas of the previous version still query it during a
-- rolling deploy. A later migration drops it, once no replica of that version can run.

-- Deferred work is given up by age, not by a count of failed reads (a half-hour outage used to lose it for good), and a
-- FAILED row is revived to PENDING when the edit or refund is seen again: the age runs from the last time it became
-- PENDING. Existing rows get the time of this migration (a constant default: no rewrite of the table): a row PENDING
-- now starts its three days afresh rather than being given up at its first failure after the deploy, and the age of a
-- DONE or FAILED row is never read.
ALTER TABLE shopify_order_edits ADD COLUMN pending_since TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE woocommerce_refunds ADD COLUMN pending_since TIMESTAMPTZ NOT NULL DEFAULT now();
CREATE INDEX shopify_order_edits_open ON shopify_order_edits (status) WHERE status <> 'DONE';
CREATE INDEX woocommerce_refunds_open ON woocommerce_refunds (status) WHERE status <> 'DONE';

-- Rows the previous version gave up after ten failed reads (about half an hour of storefront outage; its note reads
-- "given up after <n> attempt(s)") are PENDING again, read afresh under the rule above. A row given up at its tenth
-- attempt for a reason another read answers the same (a 404) is given up again at its next read, at once.
UPDATE shopify_order_edits
SET status = 'PENDING', attempts = 0, next_attempt_at = now(), claimed_until = NULL, resolved_at = NULL,
    pending_since = now(), last_error = 'revived after the old ten-attempt limit; before: ' || last_error
WHERE status = 'FAILED' AND (substring(last_error FROM 'given up after ([0-9]+) attempt'))::int >= 10;
UPDATE woocommerce_refunds
SET status = 'PENDING', attempts = 0, next_attempt_at = now(), claimed_until = NULL, resolved_at = NULL,
    pending_since = now(), last_error = 'revived after the old ten-attempt limit; before: ' || last_error
WHERE status = 'FAILED' AND (substring(last_error FROM 'given up after ([0-9]+) attempt'))::int >= 10;

-- GIVEN_UP: a deferred booking (a Shopify order edit) was given up; nothing booked, the note says why. The wider check
-- is added NOT VALID: no scan of the events table under its ACCESS EXCLUSIVE lock (Flyway runs this file in one
-- transaction, so a VALIDATE here would scan under that lock all the same). New and updated rows are checked; the rows
-- already there satisfied the stricter check it replaces. A later migration may VALIDATE it in its own transaction.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_outcome_check;
ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_outcome_check
    CHECK (outcome IN ('BOOKED', 'NOTHING_TO_BOOK', 'IGNORED_TOPIC', 'IGNORED_TEST_ORDER', 'DEFERRED', 'GIVEN_UP'))
    NOT VALID;
