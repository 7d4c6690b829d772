package ec.stocksync.sync;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Pull settings ({@code stocksync.sync.*}). */
@ConfigMapping(prefix = "stocksync.sync")
public interface SyncConfig {

    /** A pull without skipRecentPushCheck leaves alone SKUs pushed this recently (their own post-push pull covers them). */
    @WithDefault("5m")
    Duration recentPushWindow();

    /** Cron of the scheduled delta pulls (Quarkus syntax, seconds first); {@code off} disables them. */
    @WithDefault("0 */15 * * * ?")
    String schedule();

    /**
     * Cron of the scheduled full sweeps, the backstop of the delta pulls; {@code off} disables them. Off the quarter
     * hours on purpose, so it does not fire with a delta pull (a busy store makes the sweep wait and retry).
     */
    @WithDefault("0 7 3 * * ?")
    String fullSweepSchedule();

    /** SKUs read from Contifico at once during a pull. */
    @WithDefault("4")
    int concurrency();

    /**
     * A pull that would take more than this share of its SKUs from above 0 to 0 (and at least {@link #minZeroing()}
     * SKUs) writes nothing and ends BLOCKED, unless asked with {@code force}: one bad answer must not empty a store.
     */
    @WithDefault("0.2")
    double maxZeroingRatio();

    /** Below this many SKUs dropping to 0, a pull is never blocked (a few sell-outs are normal). */
    @WithDefault("10")
    int minZeroing();

    /** Post-push pulls that failed are tried again, durably, with backoff. */
    PostPushRetry postPushRetry();

    interface PostPushRetry {
        /** Attempts in all, the first post-push pull included. */
        @WithDefault("4")
        int maxAttempts();

        /** First wait; it doubles each attempt. */
        @WithDefault("5s")
        Duration initialDelay();

        /** How often due retries are looked for. */
        @WithDefault("2s")
        Duration every();
    }

    /** Days read again before a delta pull's watermark: Contifico dates movements and documents by day, not instant. */
    @WithDefault("1")
    int deltaOverlapDays();

    /** Products per catalogue page when a pull reads Contifico's change signals (production scripts use up to 5000). */
    @WithDefault("1000")
    int cataloguePageSize();
}
