package ec.stocksync.contifico;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Settings of the Contifico client ({@code stocksync.contifico.*}) and of its dev/test simulator. */
@ConfigMapping(prefix = "stocksync.contifico")
public interface ContificoConfig {

    /** Contifico takes 0.6 s to 11 s per page on big tenants, so the default read timeout is generous. */
    @WithDefault("15s")
    Duration readTimeout();

    /** Timeout of a movement POST. Past it the outcome is unknown: the caller must look the reference up. */
    @WithDefault("20s")
    Duration writeTimeout();

    @WithDefault("5s")
    Duration connectTimeout();

    /**
     * The largest answer read from Contifico; a bigger one is cut off, never buffered whole. A catalogue or movement
     * page of a big tenant is a few hundred kilobytes.
     */
    @WithDefault("16M")
    MemorySize maxBodySize();

    /** How many calls one integration may have in flight at once, per replica, pushes and pulls together. */
    @WithDefault("4")
    int maxConcurrentCalls();

    /** Of those, how many background work (pulls, imports) may never take: a sale always finds one free. */
    @WithDefault("1")
    int reservedForSales();

    /** A call that cannot get a turn within this long fails as Contifico being unavailable. */
    @WithDefault("120s")
    Duration maxQueueWait();

    Retry retry();

    CircuitBreaker circuitBreaker();

    /** Retries of reads only: a movement POST is never retried by the client. */
    interface Retry {
        @WithDefault("3")
        int maxRetries();

        @WithDefault("500ms")
        Duration initialDelay();

        @WithDefault("8s")
        Duration maxDelay();

        @WithDefault("300ms")
        Duration jitter();

        /** Bounds the whole retry sequence, so a caller is never held longer than this plus one timeout. */
        @WithDefault("60s")
        Duration maxDuration();
    }

    /** One breaker per integration: one tenant's outage must not stop the others. */
    interface CircuitBreaker {
        @WithDefault("10")
        int requestVolumeThreshold();

        @WithDefault("0.5")
        double failureRatio();

        @WithDefault("30s")
        Duration delay();

        @WithDefault("1")
        int successThreshold();
    }
}
