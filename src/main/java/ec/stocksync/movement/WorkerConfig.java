package ec.stocksync.movement;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The push worker ({@code stocksync.worker.*}). */
@ConfigMapping(prefix = "stocksync.worker")
public interface WorkerConfig {

    /** Start the worker with the application. */
    @WithDefault("true")
    boolean enabled();

    /** Movements in flight at once per replica. Each held push lock pins one pooled connection. */
    @WithDefault("8")
    int concurrency();

    /** Fallback poll when no NOTIFY arrives (lost connection, rows whose retry time came). */
    @WithDefault("2s")
    Duration pollInterval();

    /** A claimed movement whose lease runs out (crashed replica) is taken over by another worker. */
    @WithDefault("30s")
    Duration lease();

    /** Leases of movements in progress are renewed this often, so a slow Contifico call never loses its lease. */
    @WithDefault("10s")
    Duration leaseRenewInterval();

    /** Push attempts before a movement becomes DEAD. */
    @WithDefault("10")
    int maxAttempts();

    /** First retry delay; doubles each attempt (with jitter) up to {@link #backoffCap()}. */
    @WithDefault("2s")
    Duration backoffBase();

    @WithDefault("5m")
    Duration backoffCap();

    /** When another worker holds the SKU's push lock, try again after about this long (no attempt spent). */
    @WithDefault("1s")
    Duration lockBusyDelay();

    /**
     * After a push whose outcome is unknown, wait at least this long before looking its reference up, so a request
     * Contifico is still processing has landed by then.
     */
    @WithDefault("20s")
    Duration outcomeUnknownDelay();

    /** While Contifico's circuit breaker is open, movements wait this long (no attempt spent). */
    @WithDefault("5s")
    Duration circuitOpenDelay();

    /** Most movements of one SKU pushed as one Contifico movement. */
    @WithDefault("100")
    int maxGroupSize();
}
