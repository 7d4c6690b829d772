package ec.stocksync.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.JsonText;
import ec.stocksync.store.StoreContexts;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code pull_runs}: one row per full, delta or selective pull, its progress while it runs and its outcome. */
@ApplicationScoped
public class PullRuns {

    /**
     * Per store due a scheduled pull, when it last had fresh figures, in epoch seconds: the end of its newest real
     * (not dry) full or delta run that ended DONE, else the creation of its integration. One statement.
     */
    public Uni<Map<Long, Double>> lastSuccessPerScheduledStore() {
        return pool.query("""
                        SELECT s.id, extract(epoch FROM coalesce(
                                   (SELECT r.finished_at FROM pull_runs r
                                    WHERE r.store_id = s.id AND r.status = 'DONE' AND NOT r.dry_run
                                      AND r.kind IN ('FULL', 'DELTA')
                                    ORDER BY r.started_at DESC LIMIT 1),
                                   s.integration_since))::float8 AS at
                        FROM (%s) s""".formatted(StoreContexts.SCHEDULED_PULL_STORES))
                .execute()
                .map(rows -> {
                    Map<Long, Double> out = new LinkedHashMap<>();
                    rows.forEach(r -> out.put(r.getLong("id"), r.getDouble("at")));
                    return out;
                });
    }

    /**
     * Deletes up to {@code limit} runs finished longer ago than {@code olderThan}. A RUNNING run is never touched,
     * however old: it may still be writing. Logs that outlive their run lose only the link (V12).
     */
    public Uni<Integer> purgeBatch(Duration olderThan, int limit) {
        return pool.preparedQuery("""
                        DELETE FROM pull_runs
                        WHERE id IN (SELECT id FROM pull_runs
                                     WHERE status <> 'RUNNING' AND finished_at < now() - make_interval(secs => $1)
                                     LIMIT $2 FOR UPDATE SKIP LOCKED)""")
                .execute(Tuple.of(olderThan.toMillis() / 1000.0, limit))
                .map(RowSet::rowCount);
    }

    /** This replica, as the owner of the runs it executes. */
    static final String INSTANCE = "pull-" + UUID.randomUUID();

    private static final String COLUMNS = """
            id, store_id, integration_id, trigger, kind, dry_run, force, status, total, processed, updated, unchanged,
            skipped, failed, reason, summary::text AS summary, started_at, finished_at,
            (extract(epoch FROM coalesce(finished_at, now()) - started_at) * 1000)::bigint AS duration_ms""";

    @Inject
    Pool pool;
    @Inject
    JsonText json;
    @Inject
    ObjectMapper mapper;

    /** The counters of a run, as they stand. */
    public record Counts(Integer total, int processed, int updated, int unchanged, int skipped, int failed) {
    }

    /** @param scheduledFor the period a scheduled run is for; null for other runs */
    public Uni<Long> start(long storeId, long integrationId, SyncTrigger trigger, PullMode mode, SyncOptions options,
                           Instant scheduledFor) {
        return pool.preparedQuery("""
                        INSERT INTO pull_runs (store_id, integration_id, trigger, kind, dry_run, force, status, owner,
                                               heartbeat_at, scheduled_for)
                        VALUES ($1, $2, $3, $4, $5, $6, 'RUNNING', $7, now(), $8) RETURNING id""")
                .execute(Tuple.from(new Object[]{storeId, integrationId, trigger.name(), mode.name(), options.dryRun(),
                        options.force(), INSTANCE,
                        scheduledFor == null ? null : scheduledFor.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)}))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Records progress; answers whether someone asked to cancel the run, or null when the run is no longer RUNNING
     * (another replica found its pull lock free, so this run lost it, and marked it INTERRUPTED): it must stop.
     */
    public Uni<Boolean> progress(long runId, Counts c) {
        return pool.preparedQuery("""
                        UPDATE pull_runs SET total = $2, processed = $3, updated = $4, unchanged = $5, skipped = $6,
                                             failed = $7, heartbeat_at = now()
                        WHERE id = $1 AND status = 'RUNNING' RETURNING cancel_requested""")
                .execute(Tuple.from(new Object[]{runId, c.total(), c.processed(), c.updated(), c.unchanged(),
                        c.skipped(), c.failed()}))
                .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getBoolean(0) : null);
    }

    /**
     * Ends a RUNNING run. A run already ended (marked INTERRUPTED at shutdown, say) keeps its status: the guard makes
     * the first verdict the one that stands.
     */
    public Uni<Void> finish(long runId, String status, Counts c, String reason, PullDetails details) {
        return pool.preparedQuery("""
                        UPDATE pull_runs SET status = $2, total = $3, processed = $4, updated = $5, unchanged = $6,
                                             skipped = $7, failed = $8, reason = $9, summary = $10::text::jsonb,
                                             finished_at = now()
                        WHERE id = $1 AND status = 'RUNNING'""")
                .execute(Tuple.from(new Object[]{runId, status, c.total(), c.processed(), c.updated(), c.unchanged(),
                        c.skipped(), c.failed(), reason, json.of(details)}))
                .replaceWithVoid();
    }

    static ApiException notFound(long runId) {
        return ApiException.notFound("pull_run_not_found", "No pull run with id " + runId + ".");
    }

    public Uni<PullRunView> view(long runId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM pull_runs WHERE id = $1")
                .execute(Tuple.of(runId))
                .map(rows -> {
                    if (!rows.iterator().hasNext()) {
                        throw notFound(runId);
                    }
                    return view(rows.iterator().next());
                });
    }

    public Uni<List<PullRunView>> forStore(long storeId, int limit) {
        return pool.preparedQuery("SELECT " + COLUMNS
                        + " FROM pull_runs WHERE store_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2")
                .execute(Tuple.of(storeId, limit))
                .map(rows -> {
                    List<PullRunView> out = new ArrayList<>();
                    rows.forEach(r -> out.add(view(r)));
                    return out;
                });
    }

    /** Asks a RUNNING run to stop (its replica sees the flag at its next progress step); 409 once it ended. */
    public Uni<PullRunView> requestCancel(long runId) {
        return pool.preparedQuery("UPDATE pull_runs SET cancel_requested = TRUE WHERE id = $1 AND status = 'RUNNING'")
                .execute(Tuple.of(runId))
                .chain(rows -> view(runId).invoke(v -> {
                    if (rows.rowCount() == 0) {
                        throw ApiException.conflict("pull_run_finished",
                                "Pull run " + runId + " already ended as " + v.status() + ".");
                    }
                }));
    }

    /** The RUNNING runs, as (run id, store id). */
    public Uni<List<long[]>> running() {
        return pool.query("SELECT id, store_id FROM pull_runs WHERE status = 'RUNNING'").execute().map(rows -> {
            List<long[]> out = new ArrayList<>();
            rows.forEach(r -> out.add(new long[]{r.getLong(0), r.getLong(1)}));
            return out;
        });
    }

    /** Marks RUNNING runs INTERRUPTED: one run by id (owner null), or every run this replica owns (id null). */
    public Uni<Integer> interrupt(Long runId, String owner, String reason) {
        return pool.preparedQuery("""
                        UPDATE pull_runs SET status = 'INTERRUPTED', reason = $3, finished_at = now()
                        WHERE status = 'RUNNING' AND ($1::bigint IS NULL OR id = $1) AND ($2::text IS NULL OR owner = $2)""")
                .execute(Tuple.of(runId, owner, reason))
                .map(rows -> rows.rowCount());
    }

    private PullRunView view(Row r) {
        PullDetails d = details(r.getString("summary"));
        return new PullRunView(r.getLong("id"), r.getLong("store_id"), r.getLong("integration_id"),
                r.getString("trigger"), r.getString("kind"), r.getBoolean("dry_run"), r.getBoolean("force"),
                r.getString("status"), r.getInteger("total"), r.getInteger("processed"), r.getInteger("updated"),
                r.getInteger("unchanged"), r.getInteger("skipped"), r.getInteger("failed"), r.getString("reason"),
                r.getOffsetDateTime("started_at"), r.getOffsetDateTime("finished_at"), r.getLong("duration_ms"),
                d.errors() == null ? List.of() : d.errors(), d.changes() == null ? List.of() : d.changes(),
                d.zeroing() == null ? List.of() : d.zeroing(), d.signals());
    }

    private PullDetails details(String text) {
        if (text == null) {
            return PullDetails.EMPTY;
        }
        try {
            return mapper.readValue(text, PullDetails.class);
        } catch (IOException e) {
            throw new IllegalStateException("pull_runs.summary is not a run's details", e);
        }
    }
}
