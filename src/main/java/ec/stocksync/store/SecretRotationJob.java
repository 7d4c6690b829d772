package ec.stocksync.store;

import ec.stocksync.cluster.TryLock;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Re-encrypts stored credentials that are plaintext (rows from before encryption) or under a retired key: the first
 * start after encryption shipped encrypts every existing row, and the first start after a key rotation moves every
 * value to the new key. Not a Flyway migration, because the key is not in the database.
 * <p>
 * Safe with several replicas starting at once: each batch runs in a transaction holding the rotation try-lock (DESIGN
 * rule 3), so a replica that does not get it stops and leaves the work to the one that did; every row is rewritten
 * only if its values are still the ones read, so a credential changed through the API meanwhile is never overwritten.
 * Idempotent: a value already under the current key is not selected again.
 */
@ApplicationScoped
public class SecretRotationJob {

    private static final Logger LOG = Logger.getLogger(SecretRotationJob.class);
    private static final String LOCK_KEY = "secrets-rotation";

    /** Every credential column, by table. */
    static final List<Table> TABLES = List.of(
            new Table("stores", List.of("access_token", "consumer_key", "consumer_secret", "webhook_secret",
                    "previous_webhook_secret")),
            new Table("store_integrations", List.of("api_key", "pos_token")));

    record Table(String name, List<String> columns) {
        /** Rows after an id with at least one value not under the current key ($3 is its prefix). */
        String selectSql() {
            return "SELECT id, " + String.join(", ", columns) + " FROM " + name + " WHERE id > $1 AND ("
                    + columns.stream().map(c -> "(" + c + " IS NOT NULL AND NOT starts_with(" + c + ", $3))")
                    .collect(Collectors.joining(" OR ")) + ") ORDER BY id LIMIT $2";
        }

        /** Writes the new values ($2..) only where the row still holds the values read ($n+2..). */
        String updateSql() {
            int n = columns.size();
            return "UPDATE " + name + " SET " + IntStream.range(0, n).mapToObj(i -> columns.get(i) + " = $" + (i + 2))
                    .collect(Collectors.joining(", ")) + " WHERE id = $1 AND "
                    + IntStream.range(0, n).mapToObj(i -> columns.get(i) + " IS NOT DISTINCT FROM $" + (i + n + 2))
                    .collect(Collectors.joining(" AND "));
        }
    }

    /** What one pass did: values rewritten under the current key, and values it could not decrypt (left as they are). */
    public record Result(int resealed, int unreadable) {
        Result plus(Result other) {
            return new Result(resealed + other.resealed, unreadable + other.unreadable);
        }
    }

    private record Batch(int rows, long lastId, Result result) {
    }

    @Inject
    Pool pool;
    @Inject
    SecretBox box;
    @Inject
    SecretsConfig config;

    void onStart(@Observes StartupEvent event) {
        if (!config.rotation().enabled()) {
            return;
        }
        // In the background: readers decrypt plaintext and old-key values meanwhile, so start-up need not wait.
        run(config.rotation().batchSize()).subscribe().with(
                done -> done.ifPresentOrElse(
                        r -> {
                            if (r.resealed() > 0 || r.unreadable() > 0) {
                                LOG.infof("secrets at rest: %d value(s) re-encrypted under key id '%s', %d unreadable",
                                        r.resealed(), box.currentKeyId(), r.unreadable());
                            }
                        },
                        () -> LOG.debug("secrets at rest: another replica is re-encrypting")),
                failure -> LOG.errorf(failure, "secrets at rest: re-encryption failed; the next start carries on"));
    }

    /** One pass over every credential column; empty when another replica holds the rotation lock. */
    public Uni<Optional<Result>> run(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive");
        }
        Uni<Optional<Result>> chain = Uni.createFrom().item(Optional.of(new Result(0, 0)));
        for (Table table : TABLES) {
            chain = chain.chain(sofar -> sofar.isEmpty() ? Uni.createFrom().item(sofar)
                    : table(table, 0L, batchSize, sofar.get()));
        }
        return chain;
    }

    private Uni<Optional<Result>> table(Table table, long after, int batchSize, Result sofar) {
        return pool.withTransaction(tx -> tx.preparedQuery(TryLock.SQL).execute(Tuple.of(LOCK_KEY))
                        .chain(lock -> lock.iterator().next().getBoolean(0)
                                ? batch(tx, table, after, batchSize).map(Optional::of)
                                : Uni.createFrom().item(Optional.<Batch>empty())))
                .chain(batch -> {
                    if (batch.isEmpty()) {
                        return Uni.createFrom().item(Optional.<Result>empty());
                    }
                    Result total = sofar.plus(batch.get().result());
                    return batch.get().rows() < batchSize ? Uni.createFrom().item(Optional.of(total))
                            : table(table, batch.get().lastId(), batchSize, total);
                });
    }

    private Uni<Batch> batch(SqlConnection tx, Table table, long after, int batchSize) {
        String current = SecretBox.PREFIX + box.currentKeyId() + ":";
        return tx.preparedQuery(table.selectSql()).execute(Tuple.of(after, batchSize, current))
                .chain(rows -> {
                    List<Row> list = new ArrayList<>();
                    rows.forEach(list::add);
                    if (list.isEmpty()) {
                        return Uni.createFrom().item(new Batch(0, after, new Result(0, 0)));
                    }
                    long lastId = list.get(list.size() - 1).getLong("id");
                    return Multi.createFrom().iterable(list)
                            .onItem().transformToUniAndConcatenate(row -> reseal(tx, table, row))
                            .collect().in(() -> new Result[]{new Result(0, 0)}, (acc, r) -> acc[0] = acc[0].plus(r))
                            .map(acc -> new Batch(list.size(), lastId, acc[0]));
                });
    }

    private Uni<Result> reseal(SqlConnection tx, Table table, Row row) {
        long id = row.getLong("id");
        int n = table.columns().size();
        Object[] args = new Object[2 * n + 1];
        args[0] = id;
        int resealed = 0;
        int unreadable = 0;
        for (int i = 0; i < n; i++) {
            String column = table.columns().get(i);
            String stored = row.getString(column);
            String next = stored;
            if (box.needsReseal(stored)) {
                try {
                    next = box.seal(box.open(stored));
                    resealed++;
                } catch (SecretBox.SecretException e) {
                    // Left as it is: rewriting would lose it for good, and the message names the key id to restore.
                    LOG.errorf("secrets at rest: %s.%s of row %d cannot be re-encrypted: %s", table.name(), column, id,
                            e.getMessage());
                    unreadable++;
                }
            }
            args[i + 1] = next;
            args[i + n + 1] = stored;
        }
        if (resealed == 0) {
            return Uni.createFrom().item(new Result(0, unreadable));
        }
        int count = resealed;
        int skipped = unreadable;
        return tx.preparedQuery(table.updateSql()).execute(Tuple.from(args))
                // A row changed since it was read was written by the API, which encrypts with the current key.
                .map(updated -> new Result(updated.rowCount() == 1 ? count : 0, skipped));
    }
}
