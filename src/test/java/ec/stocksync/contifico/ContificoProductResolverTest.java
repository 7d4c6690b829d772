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
}
