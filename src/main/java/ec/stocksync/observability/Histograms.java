package ec.stocksync.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Arrays;

/**
 * Histogram buckets for the latency timers, so Prometheus can compute quantiles across replicas
 * ({@code histogram_quantile(0.95, sum by (le) (rate(stocksync_push_latency_seconds_bucket[5m])))}). Fixed buckets
 * rather than Micrometer's percentile histogram: a dozen series per tag set instead of about seventy, placed where
 * Contifico's latencies (hundreds of ms to the 20 s write timeout) and pull runs (seconds to an hour) actually fall.
 */
@Singleton
public class Histograms {

    /** A push (Contifico POST included) and a one-SKU pull: 50 ms to past the 20 s write timeout. */
    static final double[] CALL_SECONDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60};
    /** A whole pull run: a delta run of a few SKUs to a full sweep of thousands. */
    static final double[] RUN_SECONDS = {1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600};

    @Produces
    @Singleton
    MeterFilter latencyBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                double[] seconds = switch (id.getName()) {
                    case "stocksync.push.latency", "stocksync.pull.latency" -> CALL_SECONDS;
                    case "stocksync.pull.run.duration" -> RUN_SECONDS;
                    default -> null;
                };
                if (seconds == null) {
                    return config;
                }
                // Timers take their bucket bounds in nanoseconds.
                double[] nanos = Arrays.stream(seconds).map(s -> (double) Duration.ofMillis((long) (s * 1000)).toNanos())
                        .toArray();
                return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
            }
        };
    }
}
