package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.PlannedOnce;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.support.Api;
import ec.stocksync.support.GenericPlans;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
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
 * through their keys. (That cached statements book exactly as before is what every webhook test proves: they all run
 * through this pool.)
 */
@QuarkusTest
class IngestStatementCacheTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Pool pool;
    @Inject
    GenericPlans plans;

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
     * A rolling deploy: the new release's migration adds a column while the old replicas keep running. A cached
     * {@code SELECT *} would fail on every connection that holds it ("cached plan must not change result type"),
     * and the client never drops it; unmarked statements are not cached, so they read the new shape.
     */
    @Test
    void anUnmarkedSelectStarStillRunsOnTheSameConnectionAfterAMigrationAddsAColumn() {
        String selectStar = "SELECT * FROM plan_cache_probe WHERE id = $1";
        Integer columns = pool.withConnection(c -> c.query("DROP TABLE IF EXISTS plan_cache_probe").execute()
                        .chain(() -> c.query("CREATE TABLE plan_cache_probe (id int PRIMARY KEY)").execute())
                        .chain(() -> c.preparedQuery(selectStar).execute(Tuple.of(1)))
                        .chain(() -> c.preparedQuery(selectStar).execute(Tuple.of(1)))
                        .chain(() -> c.query("ALTER TABLE plan_cache_probe ADD COLUMN added text").execute())
                        .chain(() -> c.preparedQuery(selectStar).execute(Tuple.of(1)))
                        .map(rows -> rows.columnsNames().size())
                        .eventually(() -> c.query("DROP TABLE IF EXISTS plan_cache_probe").execute()))
                .await().atMost(TIMEOUT);
        assertEquals(2, columns, "the statement read the table as it is now");
    }

    @Test
    void genericPlansOfTheStoreLookUpAndTheOrderReadUseTheirKeys() {
        assertTrue(StoreContexts.WEBHOOK_SETTINGS.startsWith(PlannedOnce.MARK));
        assertTrue(WebhookIngestService.READ_ORDER.startsWith(PlannedOnce.MARK));
        GenericPlans.assertReadByKey("store look-up", plans.scans(StoreContexts.WEBHOOK_SETTINGS, "1", true),
                Map.of("stores", List.of("id"), "store_integrations", List.of("store_id")));
        GenericPlans.assertReadByKey("order read", plans.scans(WebhookIngestService.READ_ORDER, "1, '42'", true),
                Map.of("storefront_orders", List.of("store_id", "order_id")));
    }

    /**
     * With a store's history analysed, the generic plans of the record statements find a duplicate through the
     * webhook id or the body hash, and a purged business key through its key: an index look-up on the whole key,
     * never a scan of the store's events or purged keys (an index scan on the store alone with the OR as a filter,
     * or a bitmap OR, was the generic plan before).
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
        Map<String, List<String>> statements = Map.of(
                "RECORD_ONLY", List.of(WebhookIngestService.RECORD_ONLY, common),
                "RECORD_AND_ORDER", List.of(WebhookIngestService.RECORD_AND_ORDER, common + order),
                "RECORD_IF_ORDER_NEW", List.of(WebhookIngestService.RECORD_IF_ORDER_NEW, common + order),
                "RECORD_IF_ORDER_UNCHANGED", List.of(WebhookIngestService.RECORD_IF_ORDER_UNCHANGED, common + order + ", '1'"));
        try {
            statements.forEach((name, sqlAndArgs) -> checkRecordPlan(name, sqlAndArgs));
        } finally {
            pool.preparedQuery("DELETE FROM webhook_events WHERE store_id = $1").execute(Tuple.of(storeId))
                    .chain(() -> pool.preparedQuery("DELETE FROM inventory_movements_purged_keys WHERE store_id = $1")
                            .execute(Tuple.of(storeId)))
                    .await().atMost(TIMEOUT);
        }
    }

    private void checkRecordPlan(String name, List<String> sqlAndArgs) {
        assertTrue(sqlAndArgs.get(0).startsWith(PlannedOnce.MARK), name + " is cached");
        List<JsonNode> looked = plans.scans(sqlAndArgs.get(0), sqlAndArgs.get(1), false).stream()
                .filter(s -> List.of("webhook_events", "inventory_movements_purged_keys")
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
    }
}
