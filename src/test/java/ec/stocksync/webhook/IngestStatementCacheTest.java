package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.PlannedOnce;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest path's statements are prepared once per connection ({@link PlannedOnce}), and PostgreSQL may then run
 * them on a generic plan, made without the parameters' values: each such plan must still reach a delivery's rows
 * through its keys. (That cached statements book exactly as before is what every webhook test proves: they all run
 * through this pool.)
 */
@QuarkusTest
class IngestStatementCacheTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Test
    void theMarkedStatementsArePreparedOncePerConnectionAndNoOtherIs() {
        String unmarked = "SELECT count(*) FROM storefront_orders WHERE store_id = $1";
        List<String> prepared = pool.withConnection(c -> c.preparedQuery(WebhookIngestService.READ_ORDER)
                        .execute(Tuple.of(-1L, "none"))
                        .chain(() -> c.preparedQuery(WebhookIngestService.READ_ORDER).execute(Tuple.of(-2L, "none")))
                        .chain(() -> c.preparedQuery(unmarked).execute(Tuple.of(-1L)))
                        .chain(() -> c.query("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
                                .execute()))
                .map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                })
                .await().atMost(TIMEOUT);
        assertEquals(1, prepared.stream().filter(WebhookIngestService.READ_ORDER::equals).count(),
                "the marked statement once, however often it ran: " + prepared);
        assertTrue(prepared.stream().allMatch(s -> s.startsWith(PlannedOnce.MARK)),
                "nothing unmarked is kept prepared: " + prepared);
    }

    /**
     * With a store's history analysed, the generic plans of the record statements find a duplicate through the
     * webhook id or the body hash, and a purged business key through its key: an index look-up on the whole key,
     * never a scan of the store's events or purged keys (a hash anti-join over the store's purged keys and an index
     * scan on the store alone with the OR as a filter were the generic plans before).
     */
    @Test
    void genericPlansOfTheRecordStatementsLookUpTheStoresEventsAndPurgedKeysByKey() {
        long storeId = Api.createWooStore();
        pool.preparedQuery("""
                        INSERT INTO webhook_events (store_id, platform, topic, dedupe_key, outcome, body_hash)
                        SELECT $1, 'woocommerce', 'order.created', 'plan-' || i, 'BOOKED', 'plan-hash-' || i
                        FROM generate_series(1, 3000) i""").execute(Tuple.of(storeId))
                .chain(() -> pool.preparedQuery("""
                        INSERT INTO inventory_movements_purged_keys (store_id, business_key)
                        SELECT $1, 'plan-key-' || i FROM generate_series(1, 3000) i""").execute(Tuple.of(storeId)))
                .chain(() -> pool.query("ANALYZE webhook_events, inventory_movements_purged_keys, storefront_orders")
                        .execute())
                .await().atMost(Duration.ofSeconds(60));

        String common = storeId + ", 'woocommerce', 'order.created', 'k1', 'o1', 'BOOKED', '[]', NULL, '{}', 'h1', NULL, "
                + "NULL, ARRAY['A', 'B'], ARRAY['SALE', 'SALE'], ARRAY[1, 2], ARRAY['k-A', 'k-B'], ARRAY['o1', 'o1'], "
                + "ARRAY['1', '1'], ARRAY[NULL, NULL]::text[]";
        String order = ", 'o1', '1', 'processing', true, 0, '[]', '2026-12-01T10:00:00'";
        Map<String, String> statements = Map.of(
                "RECORD_ONLY", WebhookIngestService.RECORD_ONLY + "|" + common,
                "RECORD_AND_ORDER", WebhookIngestService.RECORD_AND_ORDER + "|" + common + order,
                "RECORD_IF_ORDER_NEW", WebhookIngestService.RECORD_IF_ORDER_NEW + "|" + common + order,
                "RECORD_IF_ORDER_UNCHANGED", WebhookIngestService.RECORD_IF_ORDER_UNCHANGED + "|" + common + order + ", '1'");
        statements.forEach((name, sqlAndArgs) -> {
            String sql = sqlAndArgs.substring(0, sqlAndArgs.lastIndexOf('|'));
            String args = sqlAndArgs.substring(sqlAndArgs.lastIndexOf('|') + 1);
            assertTrue(sql.startsWith(PlannedOnce.MARK), name + " is cached");
            List<JsonNode> scans = scansOf(genericPlan(sql, args));
            List<JsonNode> looked = scans.stream().filter(s -> List.of("webhook_events", "inventory_movements_purged_keys")
                    .contains(s.path("Relation Name").asText())).toList();
            assertEquals(3, looked.size(), name + ": two duplicate checks and one purged-key check: " + looked);
            for (JsonNode scan : looked) {
                String type = scan.path("Node Type").asText();
                String cond = scan.path("Index Cond").asText();
                assertTrue(type.equals("Index Scan") || type.equals("Index Only Scan"), name + ": " + scan);
                assertFalse(scan.has("Filter"), name + ": every condition in the index look-up: " + scan);
                assertTrue(cond.contains("store_id") && (cond.contains("dedupe_key") || cond.contains("body_hash")
                        || cond.contains("business_key")), name + ": the whole key: " + scan);
            }
        });
    }

    /** The plan PostgreSQL would keep for {@code sql} once it stops planning per execution. */
    private JsonNode genericPlan(String sql, String args) {
        return pool.withTransaction(c -> c.query("SET LOCAL plan_cache_mode = force_generic_plan").execute()
                        .chain(() -> c.query("PREPARE plan_check AS " + sql).execute())
                        .chain(() -> c.query("EXPLAIN (FORMAT JSON) EXECUTE plan_check(" + args + ")").execute())
                        .call(() -> c.query("DEALLOCATE plan_check").execute()))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    try {
                        return new ObjectMapper().readTree(r.getValue(0).toString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .await().atMost(TIMEOUT);
    }

    private static List<JsonNode> scansOf(JsonNode explain) {
        List<JsonNode> out = new ArrayList<>();
        collect(explain.get(0).get("Plan"), out);
        return out;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.has("Relation Name") && !node.path("Node Type").asText().equals("ModifyTable")) {
            out.add(node);
        }
        node.path("Plans").forEach(child -> collect(child, out));
    }
}
