package ec.stocksync.support;

import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the database from test threads (never the event loop), to check what a request left behind. */
@ApplicationScoped
public class Db {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    public List<Row> rows(String sql, Object... args) {
        List<Row> out = new ArrayList<>();
        pool.preparedQuery(sql).execute(Tuple.from(args)).await().atMost(TIMEOUT).forEach(out::add);
        return out;
    }

    public long count(String sql, Object... args) {
        return rows(sql, args).get(0).getLong(0);
    }

    /** Row counts of every table a webhook may write, to prove a refused request changed nothing. */
    public Map<String, Long> webhookTableCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String t : List.of("webhook_events", "inventory_movements_queue", "storefront_orders", "stock_cache")) {
            counts.put(t, count("SELECT count(*) FROM " + t));
        }
        return counts;
    }
}
