package ec.stocksync.sync;

import ec.stocksync.common.JsonText;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@code pull_runs}: one row per full or selective pull, with its summary once finished. */
@ApplicationScoped
public class PullRuns {

    @Inject
    Pool pool;
    @Inject
    JsonText json;

    public Uni<Long> start(long storeId, long integrationId, SyncTrigger trigger, String kind, boolean dryRun) {
        return pool.preparedQuery("""
                        INSERT INTO pull_runs (store_id, integration_id, trigger, kind, dry_run, status)
                        VALUES ($1, $2, $3, $4, $5, 'RUNNING') RETURNING id""")
                .execute(Tuple.of(storeId, integrationId, trigger.name(), kind, dryRun))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Void> finish(long runId, String status, Object summary) {
        return pool.preparedQuery("UPDATE pull_runs SET status = $2, summary = $3::text::jsonb, finished_at = now() WHERE id = $1")
                .execute(Tuple.of(runId, status, json.of(summary)))
                .replaceWithVoid();
    }
}
