package ec.stocksync.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The plan PostgreSQL keeps for a cached statement once it stops planning per execution (its generic plan, made
 * without the parameters' values), read with {@code EXPLAIN}, and checks on the table scans in it.
 */
@ApplicationScoped
public class GenericPlans {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger NAMES = new AtomicInteger();

    @Inject
    Pool pool;

    /**
     * The scans of {@code sql}'s generic plan for the literal arguments {@code args}. With {@code indexesOnly},
     * sequential scans are priced out (small test tables would otherwise be read whole, as they rightly are), so the
     * plan shows which look-ups the statement allows.
     */
    public List<JsonNode> scans(String sql, String args, boolean indexesOnly) {
        // The settings are LOCAL to a transaction rolled back; a PREPARE outlives it, so it is deallocated on the way
        // out whatever happened (the connection goes back to the pool).
        String name = "plan_check_" + NAMES.incrementAndGet();
        JsonNode explain = pool.withConnection(c -> c.query("BEGIN").execute()
                        .chain(() -> c.query("SET LOCAL plan_cache_mode = force_generic_plan").execute())
                        .chain(() -> c.query("SET LOCAL enable_seqscan = " + !indexesOnly).execute())
                        .chain(() -> c.query("PREPARE " + name + " AS " + sql).execute())
                        .chain(() -> c.query("EXPLAIN (FORMAT JSON) EXECUTE " + name + "(" + args + ")").execute())
                        .eventually(() -> c.query("ROLLBACK").execute()
                                .chain(() -> c.query("DEALLOCATE " + name).execute())
                                .onFailure().recoverWithNull()))
                .map(rows -> {
                    try {
                        return new ObjectMapper().readTree(rows.iterator().next().getValue(0).toString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .await().atMost(TIMEOUT);
        List<JsonNode> out = new ArrayList<>();
        collect(explain.get(0).get("Plan"), out);
        return out;
    }

    /**
     * Every table {@code statement} scans is one of {@code keys}, read through an index on the columns listed for it
     * (each compared with {@code =} in the index or recheck condition); an empty list: a one-row table, read any way.
     */
    public static void assertReadByKey(String statement, List<JsonNode> scans, Map<String, List<String>> keys) {
        assertTrue(!scans.isEmpty(), statement + " reads something");
        for (JsonNode scan : scans) {
            String table = scan.path("Relation Name").asText();
            List<String> key = keys.get(table);
            if (key == null) {
                fail(statement + " reads " + table + ", which it has no key for: " + scan);
            }
            if (key.isEmpty()) {
                continue;
            }
            String type = scan.path("Node Type").asText();
            String cond = scan.path("Index Cond").asText() + " " + scan.path("Recheck Cond").asText();
            assertTrue(List.of("Index Scan", "Index Only Scan", "Bitmap Heap Scan").contains(type),
                    statement + ": " + table + " through an index: " + scan);
            for (String column : key) {
                // "id" must not pass on "store_id = $1".
                assertTrue(Pattern.compile("(?<![\\w.])(\\w+\\.)?" + column + " = ").matcher(cond).find(),
                        statement + ": " + table + " by " + key + ": " + scan);
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.has("Relation Name") && !node.path("Node Type").asText().equals("ModifyTable")) {
            out.add(node);
        }
        node.path("Plans").forEach(child -> collect(child, out));
    }
}
