package ec.stocksync.retention;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** How long history is kept ({@code stocksync.retention.*}). */
@ConfigMapping(prefix = "stocksync.retention")
public interface RetentionConfig {

    /** How often every replica tries a purge (the retention lock lets one of them run it); {@code off} disables. */
    @WithDefault("1h")
    String every();

    /** Wait after start-up before the first purge, so a rolling deploy does not add it to its own load. */
    @WithDefault("5m")
    String delayed();

    /** sync_logs rows older than this are deleted (the status table keeps each SKU's newest row on its own). */
    @WithDefault("90d")
    Duration syncLogs();

    /** Pull runs finished longer ago than this are deleted; a RUNNING one never is. */
    @WithDefault("90d")
    Duration pullRuns();

    /** Movements DONE longer ago than this are deleted (their business keys are kept); open and DEAD ones never are. */
    @WithDefault("90d")
    Duration doneMovements();

    /**
     * Raw webhook bodies (kept only for stores with keepRawPayloads: they hold the customer's personal data) are
     * cleared this long after their delivery; the minimised event stays.
     */
    @WithDefault("7d")
    Duration webhookPayloads();

    /**
     * Webhook events received longer ago than this are deleted, except those an open or DEAD movement still points at.
     */
    @WithDefault("90d")
    Duration webhookEvents();

    /**
     * Rows of the status change feed (status_changes) older than this are deleted: the status snapshots only need the
     * changes since they were read; one older than that is read again in full.
     */
    @WithDefault("1h")
    Duration statusChanges();

    /**
     * Rows per DELETE: each statement stays short, so writers of the same table barely notice it. At least 1, checked
     * by {@link RetentionJob} at start-up rather than by a constraint annotation: one Bean Validation constraint on a
     * mapping makes Quarkus build a validator over the configuration at every start, about a second of CPU on 2 cores.
     */
    @WithDefault("5000")
    int batchSize();

    /** Pause between two batches, leaving room to the traffic that shares the tables and the pool. */
    @WithDefault("100ms")
    Duration batchPause();
}
