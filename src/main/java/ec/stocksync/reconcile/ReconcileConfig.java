package ec.stocksync.reconcile;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** The reconciliation of lost webhooks ({@code stocksync.reconcile.*}). */
@ConfigMapping(prefix = "stocksync.reconcile")
public interface ReconcileConfig {

    /** How often every replica tries each active store (the reconcile lock lets one of them run it); {@code off} disables. */
    @WithDefault("10m")
    String every();

    /** Wait after start-up before the first scheduled run. */
    @WithDefault("1m")
    String delayed();

    /**
     * Each run re-reads this much before the watermark, and the watermark never comes closer than this to now: the
     * storefront's clock, its listing lag and its late edits must not make an order fall between two runs.
     */
    @WithDefault("10m")
    Duration overlap();

    /** A run never reads further back than this (a store's first run starts at its registration, at most this long ago). */
    @WithDefault("7d")
    Duration maxLookback();

    /** Error messages kept in a summary (the count is always complete). */
    @WithDefault("10")
    int maxErrorsReported();
}
