package ec.stocksync.webhook;

import ec.stocksync.common.Backoff;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the deferred bookings ({@link ShopifyOrderEdits}, {@link WooCommerceRefunds}) share: rows recorded PENDING with
 * their delivery, claimed a batch at a time with a lease ({@code FOR UPDATE SKIP LOCKED}, committed at once, so any
 * replica may take them and a crashed one's are taken again once the lease runs out), retried with a backoff when the
 * storefront cannot be read, given up (FAILED) when a read is pointless or the row has waited too long.
 *
 * <p>The table has {@code store_id}, a text key column, {@code order_id}, {@code webhook_event_id}, {@code status}
 * (PENDING, DONE, FAILED), {@code attempts}, {@code next_attempt_at}, {@code claimed_until}, {@code last_error},
 * {@code pending_since} and {@code resolved_at}.
 */
final class DeferredClaims {

    /** Long enough for a read with its retries; an expired claim is only a second try, which books nothing twice. */
    static final Duration LEASE = Duration.ofMinutes(2);
    static final int BATCH = 10;
    static final Backoff BACKOFF = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(10));
    /**
     * Given up by age, never by a count of failed reads: with the backoff's 10-minute cap, ten failures are half an hour
     * of storefront outage, and a sale or a restock must outlive that. Three days covers a storefront down over a long
     * weekend; past that the reconciliation (which re-reads orders from its watermark, held back while the storefront
     * fails) is what finds the units: it books a given-up Shopify edit's units itself (it does not revive the edit), and
     * revives a given-up WooCommerce refund the order still lists. Another copy of an edit's webhook, or a later update
     * listing a refund, revives the row too.
     */
    static final Duration GIVE_UP_AFTER = Duration.ofDays(3);

    /** A claimed row: what every deferred booking needs to retry or give it up. */
    record Due(long storeId, String key, int attempts, boolean expired) {
    }

    private final Pool pool;
    private final Counter givenUp;
    private final Logger log;
    private final String what;
    private final String keyColumn;
    private final String claim;
    private final String retry;
    private final String giveUp;
    /** Kicks not yet served by a batch: 0 when none runs. */
    private final AtomicInteger kicks = new AtomicInteger();

    /**
     * @param returning  the claimed rows' further columns, qualified by {@code x.}
     * @param giveUpSets what giving up sets on the row's webhook event besides the note ({@code ""} for nothing, else
     *                   assignments followed by a comma)
     */
    DeferredClaims(Pool pool, Logger log, String what, String table, String keyColumn, String returning,
                   String giveUpSets, Counter givenUp) {
        this.pool = pool;
        this.givenUp = givenUp;
        this.log = log;
        this.what = what;
        this.keyColumn = keyColumn;
        this.claim = """
                UPDATE %1$s x SET claimed_until = now() + make_interval(secs => $1), attempts = x.attempts + 1
                FROM (SELECT store_id, %2$s FROM %1$s
                      WHERE status = 'PENDING' AND next_attempt_at <= now()
                        AND (claimed_until IS NULL OR claimed_until < now())
                      ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
                WHERE x.store_id = due.store_id AND x.%2$s = due.%2$s
                RETURNING x.store_id, x.%2$s, x.attempts,
                          x.pending_since < now() - make_interval(secs => $3) AS expired, %3$s"""
                .formatted(table, keyColumn, returning);
        this.retry = """
                UPDATE %1$s SET claimed_until = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4)
                WHERE store_id = $1 AND %2$s = $2 AND status = 'PENDING'""".formatted(table, keyColumn);
        // The age is checked again here, not only at the claim: a delivery of the same edit or refund during the read
        // made it PENDING afresh (RECORD_EDIT, WooCommerceRefunds.REFRESH), and must not be swallowed by a give-up
        // decided before it came.
        this.giveUp = """
                WITH g AS (
                  UPDATE %1$s SET status = 'FAILED', claimed_until = NULL, last_error = $3, resolved_at = now()
                  WHERE store_id = $1 AND %2$s = $2 AND status = 'PENDING'
                    AND ($4 OR pending_since < now() - make_interval(secs => $5))
                  RETURNING webhook_event_id),
                ev AS (
                  UPDATE webhook_events e SET %3$s note = concat_ws('; ', e.note, $3::text)
                  FROM g WHERE e.id = g.webhook_event_id AND e.store_id = $1
                  RETURNING 1)
                SELECT (SELECT count(*) FROM g)::int AS given_up, (SELECT count(*) FROM ev) AS events"""
                .formatted(table, keyColumn, giveUpSets);
    }

    /** Claims the due rows and resolves them one after the other; answers how many were claimed. */
    <T> Uni<Integer> resolveDue(Function<Row, T> claimed, Function<T, Uni<Void>> resolve) {
        return pool.preparedQuery(claim).execute(Tuple.of(LEASE.toSeconds(), BATCH, GIVE_UP_AFTER.toSeconds()))
                .map(rows -> {
                    List<T> out = new ArrayList<>();
                    rows.forEach(r -> out.add(claimed.apply(r)));
                    return out;
                })
                .chain(out -> out.isEmpty() ? Uni.createFrom().item(0)
                        : Multi.createFrom().<T>iterable(out)
                        .onItem().transformToUniAndConcatenate(t -> resolve.apply(t))
                        .collect().last()
                        .replaceWith(out.size()));
    }

    /** The claim columns every row has. */
    Due due(Row r) {
        return new Due(r.getLong("store_id"), r.getString(keyColumn), r.getInteger("attempts"),
                r.getBoolean("expired"));
    }

    /**
     * Books what was just recorded now rather than at the next tick. One batch at a time per replica: a kick while one
     * runs asks for one more batch after it (the running batch may have claimed before the new row was committed).
     * A failure is the schedule's to retry.
     */
    void kick(Supplier<Uni<Integer>> batch) {
        // A work-in-progress count, not a running flag and an "again" flag: with two flags a kick could see the batch
        // running, the batch end and find no "again", then the kick set it: nothing ran until the schedule.
        if (kicks.getAndIncrement() == 0) {
            drain(batch, 1);
        }
    }

    private void drain(Supplier<Uni<Integer>> batch, int missed) {
        // Deferred: a batch that throws instead of failing its Uni must still end the run, or no kick would start one.
        Uni.createFrom().<Integer>deferred(batch::get)
                .subscribe().with(n -> next(batch, missed), e -> {
                    log.warnf(e, "resolving %ss failed; the schedule retries", what);
                    next(batch, missed);
                });
    }

    private void next(Supplier<Uni<Integer>> batch, int missed) {
        int left = kicks.addAndGet(-missed);
        if (left != 0) {
            drain(batch, left);
        }
    }

    /**
     * A resolution that failed: given up when {@code definitive} (another read would answer the same) or when the row
     * has been PENDING longer than {@link #GIVE_UP_AFTER}; otherwise retried after the backoff.
     */
    Uni<Void> failed(Due due, String subject, String why, boolean definitive) {
        if (definitive) {
            return giveUp(due, subject, why + " (given up after " + due.attempts() + " attempt(s): nothing booked)");
        }
        if (due.expired()) {
            String note = why + " (given up after " + due.attempts() + " attempt(s) over " + GIVE_UP_AFTER.toDays()
                    + " days: nothing booked)";
            return giveUp(due, note, false).chain(given -> {
                if (given) {
                    log.warnf("%s: %s", subject, note);
                    return Uni.createFrom().voidItem();
                }
                return retry(due, subject, why + "; seen again while it was read, so not given up");
            });
        }
        return retry(due, subject, why);
    }

    private Uni<Void> retry(Due due, String subject, String why) {
        log.warnf("%s: %s; retried later", subject, why);
        return pool.preparedQuery(retry)
                .execute(Tuple.of(due.storeId(), due.key(), why,
                        BACKOFF.jittered(due.attempts() - 1).toMillis() / 1000.0))
                .replaceWithVoid();
    }

    /** Marks the row FAILED (only from PENDING) and says why on its webhook event: another read would answer the same. */
    Uni<Void> giveUp(Due due, String subject, String why) {
        log.warnf("%s: %s", subject, why);
        return giveUp(due, why, true).replaceWithVoid();
    }

    /** Answers whether the row was given up: not when, {@code definitive} false, it became PENDING again since the claim. */
    private Uni<Boolean> giveUp(Due due, String why, boolean definitive) {
        return pool.preparedQuery(giveUp)
                .execute(Tuple.of(due.storeId(), due.key(), why, definitive, GIVE_UP_AFTER.toSeconds()))
                .map(rows -> {
                    boolean given = rows.iterator().next().getInteger("given_up") > 0;
                    if (given) {
                        givenUp.increment();
                    }
                    return given;
                });
    }
}
