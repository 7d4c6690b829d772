package ec.stocksync.sync;

import ec.stocksync.common.ApiException;
import ec.stocksync.observability.WorkScope;
import ec.stocksync.store.StoreContexts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Full and delta pulls as background runs. A run holds its store's pull lock from before its row is written until
 * after its final status is, so one runs per store across all replicas, and a RUNNING row whose lock is free can only
 * belong to a replica that died: {@link #markInterrupted} finds those.
 */
@ApplicationScoped
public class PullRunner {

    private static final Logger LOG = Logger.getLogger(PullRunner.class);

    @Inject
    StoreContexts contexts;
    @Inject
    AdvisoryLocks locks;
    @Inject
    PullRuns runs;
    @Inject
    SyncService sync;
    @Inject
    StockCache cache;
    @Inject
    SyncConfig config;
    @Inject
    DeltaSignals delta;
    @Inject
    Scheduler scheduler;
    @Inject
    WorkScope work;
    @Inject
    MeterRegistry registry;
    @Inject
    PullFreshness freshness;

    /** Runs executing on this replica: their final view, for callers that wait, and their subscription. */
    private final Map<Long, CompletableFuture<PullRunView>> finished = new ConcurrentHashMap<>();
    private final Map<Long, Cancellable> executing = new ConcurrentHashMap<>();

    /**
     * Starts a run and answers it as soon as it is RUNNING; the run goes on in the background. Fails with 409
     * {@code pull_in_progress} when the store is being pulled (by any replica), 404 or 409 {@code no_integration}
     * when there is nothing to pull.
     */
    public Uni<PullRunView> start(long storeId, PullMode mode, SyncOptions options, SyncTrigger trigger) {
        return start(storeId, mode, options, trigger, null);
    }

    /** As {@link #start(long, PullMode, SyncOptions, SyncTrigger)}, for the scheduled run of the period {@code scheduledFor}. */
    public Uni<PullRunView> start(long storeId, PullMode mode, SyncOptions options, SyncTrigger trigger,
                                  Instant scheduledFor) {
        return contexts.load(storeId, null).chain(ctx -> Uni.createFrom().<PullRunView>emitter(started -> {
            CompletableFuture<PullRunView> done = new CompletableFuture<>();
            AtomicLong runId = new AtomicLong();
            AtomicReference<Cancellable> handle = new AtomicReference<>();
            // The run gets a Vert.x context of its own (log fields, its span): it outlives the request that started
            // it, and the scheduler starts one store's run after another from a single context.
            Context origin = Vertx.currentContext();
            Cancellable subscription = work.isolated("stocksync.pull", Map.of(WorkScope.STORE_ID,
                            String.valueOf(storeId)), () -> locks.withPullLock(storeId, () -> runs.start(storeId,
                                    ctx.integrationId(), trigger, mode, options, scheduledFor)
                            .chain(id -> {
                                WorkScope.annotate(WorkScope.PULL_RUN_ID, String.valueOf(id));
                                WorkScope.spanAttribute("mode", mode.name());
                                WorkScope.spanAttribute("trigger", trigger.name());
                                runId.set(id);
                                finished.put(id, done);
                                track(id, handle.get());
                                RunState run = new RunState(id, ctx, mode, options, trigger);
                                return runs.view(id)
                                        .invoke(view -> WorkScope.onContext(origin, () -> started.complete(view)))
                                        .chain(() -> execute(run));
                            })))
                    .subscribe().with(result -> {
                        if (result.isEmpty()) {
                            started.fail(ApiException.conflict("pull_in_progress", "A pull of store " + storeId
                                    + " is already running; follow it at /api/stores/" + storeId + "/pulls or try"
                                    + " again when it ends."));
                        } else {
                            done.complete(result.get());
                        }
                        forget(runId.get());
                    }, failure -> {
                        // Only the bookkeeping itself can fail here (the run turns its own failures into a status).
                        LOG.errorf(failure, "pull of store %d could not be started or recorded", storeId);
                        started.fail(failure);
                        done.completeExceptionally(failure);
                        forget(runId.get());
                    });
            handle.set(subscription);
            if (runId.get() != 0 && !done.isDone()) {
                track(runId.get(), subscription);
            }
        }));
    }

    private void track(long runId, Cancellable subscription) {
        if (subscription != null) {
            executing.put(runId, subscription);
        }
    }

    private void forget(long runId) {
        finished.remove(runId);
        executing.remove(runId);
    }

    /** The run once it has ended: waits for a run of this replica, else answers it as it stands. */
    public Uni<PullRunView> whenFinished(long runId) {
        CompletableFuture<PullRunView> f = finished.get(runId);
        return f == null ? runs.view(runId) : Uni.createFrom().completionStage(f);
    }

    private Uni<PullRunView> execute(RunState run) {
        Uni<java.util.List<StockCache.MappedSku>> all = cache.mapped(run.storeId(), run.options.limit(),
                config.recentPushWindow());
        // A whole sweep reads the change signals first, to leave the next delta pull a baseline to start from.
        boolean sweep = run.mode == PullMode.FULL && run.options.limit() == null && !run.options.dryRun();
        Uni<java.util.List<StockCache.MappedSku>> selection = run.mode == PullMode.DELTA ? delta.changedSkus(run)
                : sweep ? delta.observeForSweep(run).chain(() -> all) : all;
        long started = System.nanoTime();
        Timer.Sample sample = Timer.start(registry);
        return sync.execute(run, selection)
                .call(status -> "DONE".equals(status) ? delta.recordBaseline(run) : Uni.createFrom().voidItem())
                .onFailure(SyncService.Cancelled.class).recoverWithItem(e -> {
                    run.reason("cancelled on request after " + run.describe());
                    return "CANCELLED";
                })
                .onFailure(SyncService.RunFailed.class).recoverWithItem(e -> {
                    run.reason(e.getMessage());
                    return "FAILED";
                })
                .onFailure().recoverWithItem(e -> {
                    LOG.errorf(e, "pull run %d of store %d failed", run.id, run.storeId());
                    run.reason("unexpected failure: " + SyncService.message(e));
                    return "FAILED";
                })
                .call(status -> runs.finish(run.id, status, run.counts(), run.reason(), run.details()))
                .invoke(status -> {
                    String[] tags = {"mode", run.mode.name(), "trigger", run.trigger.name(), "status", status};
                    registry.counter("stocksync.pull.runs", tags).increment();
                    sample.stop(registry.timer("stocksync.pull.run.duration", tags));
                    if ("DONE".equals(status) && !run.options.dryRun()) {
                        // Only a successful real run moves a store's last-success time.
                        freshness.refresh();
                    }
                })
                .invoke(status -> LOG.infof("pull run %d store=%d %s %s%s: %s: %s in %d ms%s", run.id, run.storeId(),
                        run.mode, run.trigger, run.options.dryRun() ? " (dry run)" : "", status, run.describe(),
                        (System.nanoTime() - started) / 1_000_000, run.reason() == null ? "" : " (" + run.reason() + ")"))
                .chain(() -> runs.view(run.id));
    }

    /** Asks a run to stop; it ends CANCELLED at its next progress step, on whichever replica runs it. */
    public Uni<PullRunView> cancel(long runId) {
        return runs.requestCancel(runId);
    }

    /**
     * RUNNING runs whose store's pull lock nobody holds: their replica died (a crash, a SIGKILL, a lost connection)
     * without ending them. Checked at start-up and every minute, by every replica; marking is idempotent, and a run
     * that ends meanwhile is DONE first (its outcome is written before its lock goes), so it is never marked.
     */
    @Scheduled(identity = "pull-runs-interrupted", every = "${stocksync.sync.interrupted-check-every:60s}",
            delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> markInterrupted() {
        return runs.running().chain(list -> Multi.createFrom().iterable(list)
                .filter(r -> !finished.containsKey(r[0]))
                .onItem().transformToUniAndConcatenate(r -> locks.pullLockHeld(r[1]).chain(held -> held
                        ? Uni.createFrom().item(0)
                        : runs.interrupt(r[0], null, "the replica running this pull stopped before it ended")))
                .collect().asList()
                .invoke(done -> {
                    long n = done.stream().filter(count -> count > 0).count();
                    if (n > 0) {
                        LOG.warnf("%d pull run(s) left RUNNING by a stopped replica marked INTERRUPTED", n);
                    }
                })
                .replaceWithVoid());
    }

    void onStart(@Observes StartupEvent event) {
        markInterrupted().subscribe().with(v -> { }, e -> LOG.warnf("could not check for interrupted pulls: %s",
                e.getMessage()));
    }

    /**
     * SIGTERM (with a shutdown delay): no scheduled job starts on a replica about to stop (all of them pause: pulls,
     * reconciliation, retention, post-push retries); another replica's claim or the next start takes them up.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        scheduler.pause();
    }

    /**
     * On shutdown the runs of this replica are marked INTERRUPTED at once, instead of waiting for another replica's
     * check to find them. Cancelling stops what Mutiny can stop; a step already running finds its row ended (progress
     * and outcome are written only while RUNNING) and its lock goes with the pool.
     */
    void onStop(@Observes ShutdownEvent event) {
        executing.values().forEach(Cancellable::cancel);
        if (finished.isEmpty()) {
            return;
        }
        try {
            Integer n = runs.interrupt(null, PullRuns.INSTANCE, "the service shut down while this pull ran")
                    .await().atMost(Duration.ofSeconds(5));
            LOG.infof("%d pull run(s) marked INTERRUPTED at shutdown", n);
        } catch (RuntimeException e) {
            LOG.warnf("could not mark running pulls INTERRUPTED at shutdown: %s", e.getMessage());
        }
    }
}
