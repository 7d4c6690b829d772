package ec.stocksync.webhook;

/** What an accepted delivery amounted to (column {@code webhook_events.outcome}). */
public enum WebhookOutcome {
    /** Movements were queued. */
    BOOKED,
    /** A topic we handle, but nothing in it moves stock (all lines skipped, no status change...). */
    NOTHING_TO_BOOK,
    /** A topic that never moves stock by itself. */
    IGNORED_TOPIC,
    /** A Shopify test order, for a store that did not opt in. */
    IGNORED_TEST_ORDER,
    /** Recorded; what it books is decided once the storefront has been read (a Shopify order edit's new lines). */
    DEFERRED,
    /** A deferred booking given up (the storefront could not be read for days, the order is gone...): nothing booked. */
    GIVEN_UP
}
