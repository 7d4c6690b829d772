package ec.stocksync.movement;

import ec.stocksync.sync.AdvisoryLocks;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.lang.management.ManagementFactory;
import java.time.Duration;
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
    @Inject
    AdvisoryLocks locks;

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
    private long stopRequested;

    /** Without quarkus.shutdown.timeout, in-flight pushes still get this long. */
    private static final Duration DEFAULT_DRAIN = Duration.ofSeconds(10);
    @ConfigProperty(name = "quarkus.shutdown.timeout")
    Optional<Duration> shutdownTimeout;

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

    /**
     * SIGTERM with a shutdown delay: readiness is DOWN from here, so stop claiming now; what is in flight goes on while
     * the delay lets Kubernetes take this pod out of its Service.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        stopClaiming();
    }

    /**
     * Pushes in flight get until {@code quarkus.shutdown.timeout} after the stop began to finish; what this replica
     * still holds then is given back to the queue at once, so another replica takes it over now rather than when the
     * leases expire.
     */
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        // First among the shutdown observers: pushes in flight still need the clients, pools and timers others close.
        stopClaiming();
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            // Never the case for a real shutdown (the JVM's hook thread); the leases then expire as after a crash.
            LOG.warn("worker stopped on an event loop thread: in-flight movements are left to their leases");
        } else {
            long deadline = stopRequested + shutdownTimeout.orElse(DEFAULT_DRAIN).toNanos();
            for (WorkerPool pool : pools) {
                try {
                    int released = pool.drain(deadline, config.outcomeUnknownDelay());
                    if (released > 0) {
                        LOG.infof("worker %s gave %d movement(s) back to the queue at shutdown", pool.owner(), released);
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("worker %s could not give its movements back (their leases will expire): %s",
                            pool.owner(), e.getMessage());
                }
            }
        }
        if (statsTimer >= 0) {
            vertx.cancelTimer(statsTimer);
        }
        if (subscriber != null) {
            subscriber.closeAndForget();
        }
    }

    private synchronized void stopClaiming() {
        if (stopRequested == 0) {
            stopRequested = System.nanoTime();
        }
        pools.forEach(WorkerPool::stop);
    }

    /** This replica's own worker (started at boot unless {@code stocksync.worker.enabled=false}). */
    public WorkerPool main() {
        return main;
    }

    /** An extra, independent worker under its own lease owner: for tests that need two workers racing. */
    public WorkerPool newPool(String owner) {
        WorkerPool pool = new WorkerPool(owner, vertx, repo, pushes, config, locks);
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
