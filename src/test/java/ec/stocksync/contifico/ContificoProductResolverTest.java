package ec.stocksync.contifico;

import ec.stocksync.contifico.ContificoException.NotFound;
import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@QuarkusTest
class ContificoProductResolverTest {

    @Inject
    ContificoSandbox sandbox;
    @Inject
    ContificoProductResolver resolver;
    @Inject
    ContificoClient client;
    @Inject
    Pool pool;
    @Inject
    ec.stocksync.sync.SkuLinks links;

    SimFixture fx;
    long storeId;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
        storeId = await(pool.preparedQuery("INSERT INTO stores (name, platform, webhook_secret) VALUES ('t', 'shopify', 's') RETURNING id")
                .execute()).iterator().next().getLong(0);
    }

    private Row cacheRow(String sku) {
        return await(pool.preparedQuery("SELECT * FROM stock_cache WHERE store_id = $1 AND sku = $2")
                .execute(Tuple.of(storeId, sku))).iterator().next();
    }

    @Test
    void secondResolveOfASkuMakesNoContificoCall() {
        SimProduct p = fx.product("MAP-1", true, "9");
        ContificoConnection c = fx.connection();
        assertEquals(p.id, await(resolver.productId(storeId, c, "MAP-1")));
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_LIST));
        assertEquals(p.id, cacheRow("MAP-1").getString("contifico_product_id"));

        assertEquals(p.id, await(resolver.productId(storeId, c, "MAP-1")));
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_LIST), "served from stock_cache");
        // so a stock read is one call: /producto/{id}/stock/
        await(resolver.productId(storeId, c, "MAP-1").chain(id -> client.stockInWarehouse(c, id)));
        assertEquals(1, fx.sim.totalCount() - 1);
    }

    @Test
    void resolveKeepsWhatTheStorefrontSideAlreadyCached() {
        SimProduct p = fx.product("MAP-2", true, "9");
        await(pool.preparedQuery("INSERT INTO stock_cache (store_id, sku, name, store_stock) VALUES ($1, 'MAP-2', 'Nombre tienda', 4)")
                .execute(Tuple.of(storeId)));
        assertEquals(p.id, await(resolver.productId(storeId, fx.connection(), "MAP-2")));
        Row row = cacheRow("MAP-2");
        assertEquals(p.id, row.getString("contifico_product_id"));
        assertEquals(4, row.getInteger("store_stock"));
        assertEquals("Nombre tienda", row.getString("name"));
    }

    @Test
    void unknownSkuIsNotFoundAndNothingIsCached() {
        failure(resolver.productId(storeId, fx.connection(), "MAP-NONE"), NotFound.class);
        assertNull(await(resolver.cachedProductId(storeId, "MAP-NONE")));
    }

    @Test
    void forgottenMappingIsSearchedAgain() {
        SimProduct p = fx.product("MAP-3", true, "1");
        ContificoConnection c = fx.connection();
        await(resolver.productId(storeId, c, "MAP-3"));
        await(resolver.forget(storeId, "MAP-3"));
        assertNull(await(resolver.cachedProductId(storeId, "MAP-3")));
        assertEquals(p.id, await(resolver.productId(storeId, c, "MAP-3")));
        assertEquals(2, fx.sim.count(Endpoint.PRODUCT_LIST));
        assertEquals(0, BigDecimal.ONE.compareTo(await(client.stockInWarehouse(c, p.id))));
    }

    @Test
    void aLinkComesBeforeTheCacheAndTheSearchAndRefillsAForgottenCache() {
        SimProduct linked = fx.product("CAM-001-M", true, "5");
        fx.product("CAM-M", true, "7"); // same code as the SKU: the link still wins
        await(links.link(storeId, "CAM-M", linked.id, "CAM-001-M", "Camiseta M", "test"));
        ContificoConnection c = fx.connection();
        int before = fx.sim.totalCount();
        assertEquals(linked.id, await(resolver.productId(storeId, c, "CAM-M")));
        assertEquals(linked.id, cacheRow("CAM-M").getString("contifico_product_id"), "the cache follows the link");
        await(resolver.forget(storeId, "CAM-M"));
        assertEquals(linked.id, await(resolver.productId(storeId, c, "CAM-M")), "refilled from the link");
        assertEquals(linked.id, cacheRow("CAM-M").getString("contifico_product_id"));
        assertEquals(before, fx.sim.totalCount(), "no Contifico call: no search by code");

        assertEquals(Boolean.TRUE, await(links.unlink(storeId, "CAM-M")));
        assertNull(await(resolver.cachedProductId(storeId, "CAM-M")), "the link's id leaves the cache with it");
        assertEquals(1, await(pool.preparedQuery("SELECT count(*) FROM stock_cache WHERE store_id = $1")
                .execute(Tuple.of(storeId))).iterator().next().getLong(0));
    }

    @Test
    void aNotSyncedSkuFailsWithoutAContificoCall() {
        fx.product("NS-1", true, "5");
        await(links.markNotSynced(storeId, "NS-1", "test"));
        int before = fx.sim.totalCount();
        SkuNotSynced e = failure(resolver.productId(storeId, fx.connection(), "NS-1"), SkuNotSynced.class);
        assertEquals("NS-1", e.sku());
        assertEquals(before, fx.sim.totalCount());
    }

    @Test
    void aStaleLinkIsNotUsed() {
        SimProduct linked = fx.product("OLD-1", true, "5");
        SimProduct byCode = fx.product("ST-1", true, "5");
        await(links.link(storeId, "ST-1", linked.id, "OLD-1", "Viejo", "test"));
        await(pool.preparedQuery("UPDATE sku_links SET stale = TRUE WHERE store_id = $1").execute(Tuple.of(storeId)));
        await(resolver.forget(storeId, "ST-1"));
        assertEquals(byCode.id, await(resolver.productId(storeId, fx.connection(), "ST-1")));
    }

    @Test
    void oneProductIsLinkedToOneSkuOnly() {
        SimProduct p = fx.product("ONE-1", true, "5");
        await(links.link(storeId, "A", p.id, "ONE-1", "Uno", "test"));
        ec.stocksync.common.ApiException e = failure(links.link(storeId, "B", p.id, "ONE-1", "Uno", "test"),
                ec.stocksync.common.ApiException.class);
        assertEquals("product_already_linked", e.code());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'A'"), e.getMessage());
        // re-linking the same SKU is fine
        await(links.link(storeId, "A", p.id, "ONE-1", "Uno", "test"));
    }

    @Test
    void aProductLinkedByHandToAnotherSkuIsNotTakenByCode() {
        SimProduct p = fx.product("TAKEN-1", true, "5");
        await(links.link(storeId, "OTHER", p.id, "TAKEN-1", "Tomado", "test"));
        NotFound e = failure(resolver.productId(storeId, fx.connection(), "TAKEN-1"), NotFound.class);
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("linked by hand to storefront SKU 'OTHER'"),
                e.getMessage());
        assertNull(await(resolver.cachedProductId(storeId, "TAKEN-1")));
    }
}
