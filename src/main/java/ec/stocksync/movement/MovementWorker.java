package ec.stocksync.movement;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs this replica's worker: wakes on LISTEN/NOTIFY from the webhook transaction (a sale reaches Contifico without
 * waiting for a poll) and polls as the fallback. Publishes the queue metrics.
 */
@ApplicationScoped
public class MovementWorker {

    private static final Logger LOG = Logger.getLogger(MovementWorker.class);

    @Inject
    Vertx vertx;
    @Inject
    MovementRepository repo;
    @Inject
    InventoryPushService pushes;
    @Inject
    WorkerConfig config;
    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "quarkus.datasource.reactive.url")
    String databaseUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> databaseUser;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> databasePassword;

    private final List<WorkerPool> pools = new CopyOnWriteArrayList<>();
    private final AtomicReference<MovementRepository.QueueStats> stats =
            new AtomicReference<>(new MovementRepository.QueueStats(0, 0, 0, 0));
    private PgSubscriber subscriber;
    private WorkerPool main;
    private long statsTimer = -1;

    void onStart(@Observes StartupEvent event) {
        Gauge.builder("stocksync.queue.depth", stats, s -> s.get().pending()).tag("status", "pending").register(registry);
        Gauge.builder("stocksync.queue.depth", stats, s -> s.get().inProgress()).tag("status", "in_progress").register(registry);
        Gauge.builder("stocksync.queue.depth", stats, s -> s.get().dead()).tag("status", "dead").register(registry);
        Gauge.builder("stocksync.queue.oldest.pending.age.seconds", stats, s -> s.get().oldestPendingAgeSeconds())
                .register(registry);
        statsTimer = vertx.setPeriodic(5000, id -> refreshStats());
        listen();
        main = newPool(instanceName());
        if (config.enabled()) {
            main.start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        pools.forEach(WorkerPool::stop);
        if (statsTimer >= 0) {
            vertx.cancelTimer(statsTimer);
        }
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
    }

    /** This replica's own worker (started at boot unless {@code stocksync.worker.enabled=false}). */
    public WorkerPool main() {
        return main;
    }

    /** An extra, independent worker under its own lease owner: for tests that need two workers racing. */
    public WorkerPool newPool(String owner) {
        WorkerPool pool = new WorkerPool(owner, vertx, repo, pushes, config);
        pools.add(pool);
        return pool;
    }

    private void listen() {
        PgConnectOptions options = PgConnectOptions.fromUri(databaseUrl);
        databaseUser.ifPresent(options::setUser);
        databasePassword.ifPresent(options::setPassword);
        subscriber = PgSubscriber.subscriber(vertx, options)
                // Keep listening across database restarts; meanwhile the poll carries on.
                .reconnectPolicy(retries -> 1000L);
        subscriber.channel(MovementQueue.CHANNEL).handler(storeId -> pools.forEach(WorkerPool::wake));
        subscriber.connect().subscribe().with(ok -> LOG.debug("listening for new movements"),
                failure -> LOG.warnf("LISTEN failed (%s): relying on polling", failure.getMessage()));
    }

    private void refreshStats() {
        repo.stats().subscribe().with(stats::set, failure -> LOG.debugf("queue stats failed: %s", failure.getMessage()));
    }

    private static String instanceName() {
        String host = System.getenv().getOrDefault("HOSTNAME", ManagementFactory.getRuntimeMXBean().getName());
        return host + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
