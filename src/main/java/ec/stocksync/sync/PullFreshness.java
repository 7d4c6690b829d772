package ec.stocksync.sync;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code stocksync.pull.last.success.timestamp.seconds{store}}: when each store that expects scheduled pulls (active,
 * not opted out, with an active integration) last had a full or delta run end DONE (dry runs excluded), in epoch
 * seconds; a store that never had one shows when its integration was created, so "no successful pull in two periods"
 * also fires for a store whose pulls never worked. Read from {@code pull_runs}, not counted in memory: every replica
 * reports the same figure, whichever one ran the pull.
 */
@ApplicationScoped
public class PullFreshness {

    private static final Logger LOG = Logger.getLogger(PullFreshness.class);

    @Inject
    PullRuns runs;
    @Inject
    MeterRegistry registry;

    private MultiGauge gauge;

    @PostConstruct
    void init() {
        gauge = MultiGauge.builder("stocksync.pull.last.success.timestamp.seconds")
                .description("Epoch seconds of the store's last successful (DONE, not dry-run) full or delta pull; the"
                        + " integration's creation when it never had one")
                .register(registry);
    }

    /** Every 30 s (and after each run) on every replica: one indexed look-up per store. */
    @Scheduled(identity = "pull-freshness-gauge", every = "${stocksync.metrics.pull-freshness-every:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledRefresh() {
        return read().onFailure().invoke(e -> LOG.warnf("pull freshness not refreshed (the gauge keeps its last figures): %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Refreshes in the background; a failure keeps the last figures (the next round tries again). */
    public void refresh() {
        scheduledRefresh().subscribe().with(v -> { }, e -> { });
    }

    private Uni<Void> read() {
        return runs.lastSuccessPerScheduledStore()
                .invoke(byStore -> {
                    List<MultiGauge.Row<?>> out = new ArrayList<>();
                    byStore.forEach((store, at) -> out.add(MultiGauge.Row.of(Tags.of("store", String.valueOf(store)), at)));
                    // Overwrite: a store deactivated or opted out leaves the metric instead of alerting forever.
                    gauge.register(out, true);
                })
                .replaceWithVoid();
    }
}
