package ec.stocksync.webhook;

import ec.stocksync.movement.MovementQueue;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * Retention of webhook_events (DESIGN rule 11): raw bodies kept by stores that opted in are short-lived debugging aids,
 * the events themselves an audit trail with an end. One bounded statement per call (the caller loops); rows another
 * transaction holds are skipped, never waited for.
 */
@ApplicationScoped
public class WebhookRetention {

    @Inject
    Pool pool;

    /** Forgets the raw body of up to {@code limit} events received longer ago than {@code olderThan}; the event stays. */
    public Uni<Integer> purgeRawPayloadsBatch(Duration olderThan, int limit) {
        return run("""
                UPDATE webhook_events SET raw_payload = NULL
                WHERE id IN (SELECT id FROM webhook_events
                             WHERE raw_payload IS NOT NULL AND received_at < now() - make_interval(secs => $1)
                             LIMIT $2 FOR UPDATE SKIP LOCKED)""", olderThan, limit);
    }

    /**
     * Deletes up to {@code limit} events received longer ago than {@code olderThan}, except those a movement still
     * points at: an open or DEAD movement keeps the delivery it came from, and its event goes once the movement is DONE
     * and purged, and so does a Shopify order edit still PENDING. Dedupe does not need old events: a late redelivery is stopped by the movements' business keys
     * (kept even for purged movements, V12).
     */
    public Uni<Integer> purgeEventsBatch(Duration olderThan, int limit) {
        return run("""
                DELETE FROM webhook_events
                WHERE id IN (SELECT e.id FROM webhook_events e
                             WHERE e.received_at < now() - make_interval(secs => $1)
                               AND NOT %s
                               -- An order edit still to book will point its movements at its event.
                               AND NOT EXISTS (SELECT 1 FROM shopify_order_edits x
                                               WHERE x.webhook_event_id = e.id AND x.status = 'PENDING')
                             LIMIT $2 FOR UPDATE SKIP LOCKED)""".formatted(MovementQueue.pointsAtEvent("e.id")),
                olderThan, limit);
    }

    private Uni<Integer> run(String sql, Duration olderThan, int limit) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(olderThan.toMillis() / 1000.0, limit))
                .map(RowSet::rowCount);
    }
}
