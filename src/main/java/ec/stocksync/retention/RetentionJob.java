package ec.stocksync.retention;

import ec.stocksync.cluster.ScheduleClaims;
import ec.stocksync.cluster.TryLock;
import ec.stocksync.movement.MovementRepository;
import ec.stocksync.status.StatusChanges;
import ec.stocksync.sync.SyncRetention;
import ec.stocksync.webhook.WebhookRetention;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.groups.UniRepeat;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Purges old history: sync_logs, finished pull runs, DONE movements, raw webhook bodies, old webhook events and the
 * status change feed, each
 * table through its owner. Every replica fires the schedule; the replica that wins the period's schedule claim runs it,
 * and the retention lock (a transaction-scoped try-lock, DESIGN rule 3) keeps any other purge from running beside it. The deletes themselves run in short batches outside that transaction, so each commits on its own
 * and a failure half-way keeps what was done.
 */
@ApplicationScoped
public class RetentionJob {

    private static final Logger LOG = Logger.getLogger(RetentionJob.class);
    private static final String LOCK_KEY = "retention";

    @Inject
    Pool pool;
    @Inject
    RetentionConfig config;
    @Inject
    SyncRetention sync;
    @Inject
    MovementRepository movements;
    @Inject
    WebhookRetention webhooks;
    @Inject
    StatusChanges statusChanges;
    @Inject
    ScheduleClaims claims;

    /** Rows deleted by one purge. */
    public record Purged(long syncLogs, long pullRuns, long doneMovements, long rawWebhookPayloads, long webhookEvents,
                         long statusChanges) {
    }

    /** A wrong setting stops the start with its name, as a configuration constraint would. */
    void checkSettings(@Observes StartupEvent started) {
        if (config.batchSize() < 1) {
            throw new IllegalStateException("stocksync.retention.batch-size must be at least 1, not " + config.batchSize());
        }
    }

    @Scheduled(identity = "retention-purge", every = "${stocksync.retention.every:1h}",
            delayed = "${stocksync.retention.delayed:5m}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> purgeOnSchedule() {
        // Once per period across replicas; the retention lock still keeps a test's or an operator's purge apart.
        return claims.claimEvery("retention", ScheduleClaims.ALL_STORES, config.every())
                .chain(won -> won ? purge(config.batchSize()) : Uni.createFrom().item(Optional.<Purged>empty()))
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf(failure, "retention purge failed; the next run carries on");
                    return Optional.empty();
                })
                .replaceWithVoid();
    }

    /** One purge now, in batches of {@code batchSize}; empty when another replica is purging. */
    Uni<Optional<Purged>> purge(int batchSize) {
        if (batchSize < 1) {
            // A batch of 0 deletes 0 rows, which is a full batch: the loop would never end.
            throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
        }
        long started = System.nanoTime();
        // Logs first: the runs and movements they point at then have few links left to unset. Webhook events last:
        // those whose movements were just purged are free to go in the same run.
        List<IntFunction<Uni<Integer>>> batches = List.of(
                n -> sync.purgeSyncLogsBatch(config.syncLogs(), n),
                n -> sync.purgePullRunsBatch(config.pullRuns(), n),
                n -> movements.purgeDoneBatch(config.doneMovements(), n),
                n -> webhooks.purgeRawPayloadsBatch(config.webhookPayloads(), n),
                n -> webhooks.purgeEventsBatch(config.webhookEvents(), n),
                n -> statusChanges.purgeBatch(config.statusChanges(), n));
        // One table after the other, in that order; Purged's fields follow it.
        return withRetentionLock(() -> Multi.createFrom().iterable(batches)
                        .onItem().transformToUniAndConcatenate(batch -> drain(batch, batchSize))
                        .collect().asList()
                        .map(d -> new Purged(d.get(0), d.get(1), d.get(2), d.get(3), d.get(4), d.get(5))))
                .invoke(result -> {
                    if (result.isEmpty()) {
                        LOG.debug("retention purge skipped: another replica is running it");
                        return;
                    }
                    Purged p = result.get();
                    LOG.infof("retention purge: deleted %d sync_logs (older than %s), %d pull runs (finished over %s "
                                    + "ago), %d DONE movements (over %s ago), %d raw webhook bodies (over %s old), %d webhook "
                            + "events (over %s old), %d status changes (over %s old) in %d ms", p.syncLogs(),
                            age(config.syncLogs()),
                            p.pullRuns(), age(config.pullRuns()), p.doneMovements(), age(config.doneMovements()),
                            p.rawWebhookPayloads(), age(config.webhookPayloads()), p.webhookEvents(),
                            age(config.webhookEvents()), p.statusChanges(), age(config.statusChanges()),
                            (System.nanoTime() - started) / 1_000_000);
                });
    }

    /** "90d" as the operator wrote it, rather than PT2160H. */
    static String age(Duration d) {
        return d.toSeconds() % 86_400 == 0 ? d.toDays() + "d" : d.toString().substring(2).toLowerCase();
    }

    /** Repeats {@code batch} until one deletes less than a full batch; the total deleted. */
    private Uni<Long> drain(IntFunction<Uni<Integer>> batch, int batchSize) {
        UniRepeat<Integer> repeat = Uni.createFrom().deferred(() -> batch.apply(batchSize)).repeat();
        Duration pause = config.batchPause();
        if (!pause.isZero() && !pause.isNegative()) {
            repeat = repeat.withDelay(pause);
        }
        return repeat.whilst(deleted -> deleted >= batchSize)
                .collect().with(Collectors.summingLong(Integer::longValue));
    }

    /**
     * The lock's transaction only holds the lock: it stays idle while the batches run on other connections, and its
     * end (commit, rollback or a lost connection) releases the lock whatever happened.
     */
    private <T> Uni<Optional<T>> withRetentionLock(Supplier<Uni<T>> work) {
        return pool.withTransaction(tx -> tx.preparedQuery(TryLock.SQL)
                .execute(Tuple.of(LOCK_KEY))
                .chain(rows -> rows.iterator().next().getBoolean(0)
                        ? work.get().map(Optional::of)
                        : Uni.createFrom().item(Optional.<T>empty())));
    }
}
