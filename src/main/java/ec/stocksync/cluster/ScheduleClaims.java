package ec.stocksync.cluster;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * {@code schedule_claims}: who runs a scheduled job for a store in a period. Every replica fires the schedules (the
 * Quarkus scheduler knows nothing of the others); the claim is one upsert that only moves a period forward, so for each
 * (job, store, period) exactly one replica gets {@code true}, whatever the timing, and a run that ends early does not
 * let another replica run the same period again (which a try-lock alone would).
 */
@ApplicationScoped
public class ScheduleClaims {

    /** Per-job rows that are not about one store use this id. */
    public static final long ALL_STORES = 0;

    /** This replica, as recorded in the claims it wins. */
    public static final String INSTANCE = System.getenv().getOrDefault("HOSTNAME",
            ManagementFactory.getRuntimeMXBean().getName()) + "/" + UUID.randomUUID().toString().substring(0, 8);

    private static final String CLAIM = """
            INSERT INTO schedule_claims (job, store_id, period_start, claimed_by)
            VALUES ($1, $2, %s, $4)
            ON CONFLICT (job, store_id) DO UPDATE
                SET period_start = EXCLUDED.period_start, claimed_by = EXCLUDED.claimed_by, claimed_at = now()
                WHERE schedule_claims.period_start < EXCLUDED.period_start
            RETURNING period_start""";

    @Inject
    Pool pool;

    /**
     * Claims a cron job's run for the period that fired at {@code fireTime}. Every replica computes the same nominal
     * fire time from the cron expression, so their clocks need not agree.
     */
    public Uni<Boolean> claim(String job, long storeId, Instant fireTime) {
        OffsetDateTime period = fireTime.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC);
        return pool.preparedQuery(CLAIM.formatted("$3"))
                .execute(Tuple.of(job, storeId, period, INSTANCE))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * Claims an interval job's run for the current period, {@code every} as configured for its {@code @Scheduled}
     * (e.g. {@code 10m}). Replicas fire such jobs at their own phase; the period is cut from the database's clock
     * (aligned to the epoch), so they agree which one it is.
     */
    public Uni<Boolean> claimEvery(String job, long storeId, String every) {
        return pool.preparedQuery(CLAIM.formatted(
                        "date_bin(make_interval(secs => $3), now(), timestamptz '1970-01-01 00:00:00+00')"))
                .execute(Tuple.of(job, storeId, (double) Math.max(1, seconds(every)), INSTANCE))
                .map(rows -> rows.rowCount() > 0);
    }

    /** "off" (or anything else the scheduler reads as disabled) never fires, so its period does not matter. */
    private static long seconds(String every) {
        try {
            return DurationConverter.parseDuration(every).toSeconds();
        } catch (IllegalArgumentException off) {
            return 1;
        }
    }
}
