package ec.stocksync.contifico;

import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.contifico.ContificoException.Unavailable;
import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stock figure Contifico does not give, or gives in a form no real quantity has, fails that product with
 * {@link BadAnswer}: never read as 0 (a pull would empty the store), never retried, never counted as an outage.
 */
@QuarkusTest
class ContificoBadAnswerContractTest {

    @Inject
    ContificoSandbox sandbox;
    @Inject
    ContificoClient client;

    SimFixture fx;
    SimProduct p;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
        p = fx.product("BAD-1", true, "7");
    }

    private BadAnswer stockFailure(Object rawCantidad) {
        fx.sim.rawStockValue(p.id, fx.main.id(), rawCantidad);
        return assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> failure(client.stockInWarehouse(fx.connection(), p.id), BadAnswer.class));
    }

    @Test
    void aWarehouseMissingFromTheStockListIsABadAnswerNotZero() {
        BadAnswer e = failure(client.stockInWarehouse(fx.connection(fx.other.id()), p.id), BadAnswer.class);
        assertEquals("warehouse " + fx.other.id() + " is not in Contifico's stock list of product " + p.id
                + ": the warehouse is not linked to a point of sale", e.getMessage());
        assertFalse(e.isRetryable());
        assertFalse(e.outcomeUnknown());
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_STOCK), "the same answer would come back: not retried");
        // The per-warehouse list itself is still readable: only the store's figure is missing.
        assertEquals(1, await(client.stockByWarehouse(fx.connection(fx.other.id()), p.id)).size());
    }

    @Test
    void aNullQuantityForTheConnectionsWarehouseIsABadAnswer() {
        BadAnswer e = stockFailure(null);
        assertTrue(e.getMessage().contains("cantidad is null"), e.getMessage());
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_STOCK));
    }

    @Test
    void aNonNumericQuantityIsABadAnswer() {
        assertTrue(stockFailure("abc").getMessage().contains("not a number"));
        assertTrue(stockFailure(true).getMessage().contains("not a number"));
        assertTrue(stockFailure("NaN").getMessage().contains("not a number"));
    }

    @Test
    void absurdQuantitiesAreBadAnswersAndNeverReachAScale() {
        for (Object absurd : List.of("1E+999999999", new BigDecimal("1E+999999999"), "-1E+999999999", "1E-999999999",
                "10000000000.5", "1000000000000.5", new BigDecimal("1E+13"), 1e300, "0.0000001", "1" + "0".repeat(60))) {
            BadAnswer e = stockFailure(absurd);
            assertTrue(e.getMessage().contains("unusable cantidad"), e.getMessage());
        }
    }

    @Test
    void bigButPlausibleQuantitiesAndHarmlessNotationsAreRead() {
        for (String[] ok : new String[][]{{"1E+3", "1000"}, {"9999999999.999999", "9999999999.999999"},
                {"5.00000000", "5"}, {"0E+999999999", "0"}, {"-12.5", "-12.5"}}) {
            fx.sim.rawStockValue(p.id, fx.main.id(), ok[0]);
            BigDecimal read = await(client.stockInWarehouse(fx.connection(), p.id));
            assertEquals(0, new BigDecimal(ok[1]).compareTo(read), ok[0] + " read as " + read);
            assertTrue(read.scale() >= 0, "no negative scale escapes: " + read);
        }
    }

    @Test
    void anAbsurdCantidadStockReadsAsUnknownSoTheProductStaysUsable() {
        // The figure is informative: the product's id still resolves a sale, and a delta pull still sees it changed.
        fx.sim.rawCantidadStock(p.id, "1E+999999999");
        assertNull(await(client.getProduct(fx.connection(), p.id)).cantidadStock());
        assertEquals(p.id, await(client.findProductBySku(fx.connection(), "BAD-1")).id());
        fx.sim.rawCantidadStock(p.id, "lots");
        assertNull(await(client.productPage(fx.connection(), 1, 10)).get(0).cantidadStock());
    }

    @Test
    void badAnswersNeitherOpenTheCircuitBreakerNorAreRetried() {
        // Thrown while the answer is parsed, i.e. inside the retry and the breaker, not after them.
        fx.sim.rawStockValue(p.id, fx.main.id(), "1E+999999999");
        ContificoConnection c = fx.connection();
        for (int i = 0; i < 8; i++) {
            Throwable t = failure(client.stockInWarehouse(c, p.id));
            assertTrue(t instanceof BadAnswer, () -> "still asked Contifico, got " + t);
        }
        assertEquals(8, fx.sim.count(Endpoint.PRODUCT_STOCK));
        // The test profile's breaker would be open after 4 outages in a row; this integration's calls still go out.
        List<Warehouse> ws = await(client.warehouses(c));
        assertEquals(2, ws.size());
        assertFalse(failure(client.stockInWarehouse(c, p.id)) instanceof Unavailable);
    }
}
