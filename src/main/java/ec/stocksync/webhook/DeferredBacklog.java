package ec.stocksync.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code stocksync_deferred_bookings{kind, status}}: Shopify order edits and WooCommerce refunds waiting for a read of
 * their storefront (pending) or given up (failed), so that an operator sees stuck work before a merchant sees wrong
 * stock. Counted in PostgreSQL, so every replica reports the same numbers; refreshed every 30 s.
 */
@ApplicationScoped
public class DeferredBacklog {

    static final List<String> KINDS = List.of("shopify_order_edit", "woocommerce_refund");
    static final List<String> STATUSES = List.of("pending", "failed");

    @Inject
    Pool pool;
    @Inject
    MeterRegistry registry;

    private final Map<String, AtomicLong> counts = new LinkedHashMap<>();

    /**
     * {@code stocksync_deferred_bookings_given_up_total{kind}}: rows given up, counted when the give-up changed a row.
     * The alert on new give-ups reads its increase: the FAILED gauge's change misses a give-up and a revival within the
     * same hour, and a replica's restart moves it without any give-up.
     */
    static Counter givenUp(MeterRegistry registry, String kind) {
        return Counter.builder("stocksync.deferred.bookings.given.up").tag("kind", kind)
                .description("Order edits and refunds given up (nothing booked; the webhook event's note says why)")
                .register(registry);
    }

    void onStart(@Observes StartupEvent event) {
        // Exported at 0 from the start, so increase() sees the first give-up.
        KINDS.forEach(kind -> givenUp(registry, kind));
        for (String kind : KINDS) {
            for (String status : STATUSES) {
                AtomicLong count = new AtomicLong();
                counts.put(kind + "/" + status, count);
                Gauge.builder("stocksync.deferred.bookings", count, AtomicLong::get)
                        .tag("kind", kind).tag("status", status)
                        .description("Order edits and refunds whose booking waits for a storefront read (pending)"
                                + " or was given up (failed)")
                        .register(registry);
            }
        }
    }

    @Scheduled(identity = "deferred-backlog", every = "30s", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return refresh();
    }

    /** Reads the counts now (the open rows only: an index on status keeps DONE rows out). */
    Uni<Void> refresh() {
        return pool.query("""
                        SELECT 'shopify_order_edit' AS kind, lower(status) AS status, count(*) AS n
                        FROM shopify_order_edits WHERE status <> 'DONE' GROUP BY status
                        UNION ALL
                        SELECT 'woocommerce_refund', lower(status), count(*)
                        FROM woocommerce_refunds WHERE status <> 'DONE' GROUP BY status""")
                .execute()
                .invoke(rows -> {
                    Map<String, Long> seen = new HashMap<>();
                    rows.forEach(r -> seen.put(r.getString("kind") + "/" + r.getString("status"), r.getLong("n")));
                    counts.forEach((key, count) -> count.set(seen.getOrDefault(key, 0L)));
                })
                .replaceWithVoid();
    }
}
