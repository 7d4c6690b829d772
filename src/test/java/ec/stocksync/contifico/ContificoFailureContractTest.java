package ec.stocksync.contifico;

import ec.stocksync.contifico.ContificoException.OutcomeUnknown;
import ec.stocksync.contifico.ContificoException.Unavailable;
import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.FaultType;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every typed failure, produced by the simulator's faults, and above all: a movement POST whose outcome is unknown is
 * never sent twice by the client (DESIGN rule 2), while it can be found again by its reference.
 */
@QuarkusTest
class ContificoFailureContractTest {

    @Inject
    ContificoSandbox sandbox;
    @Inject
    ContificoClient client;

    SimFixture fx;
    SimProduct product;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
        product = fx.product("FLT-1", true, "10");
    }

    private BigDecimal stock() {
        return fx.sim.stock(product.id, fx.main.id());
    }

    @Test
    void readFailingWith500IsUnavailableAfterRetries() {
        fx.sim.setFault(Endpoint.PRODUCT_GET, Fault.always(FaultType.ERROR_500));
        Unavailable e = failure(client.getProduct(fx.connection(), product.id), Unavailable.class);
        assertEquals(500, e.status());
        assertTrue(e.isRetryable());
        assertFalse(e.outcomeUnknown());
        assertEquals(3, fx.sim.count(Endpoint.PRODUCT_GET), "one call and two retries (test profile)");
    }

    @Test
    void transient500OnAReadIsRetriedTransparently() {
        fx.sim.setFault(Endpoint.PRODUCT_STOCK, Fault.once(FaultType.ERROR_500));
        assertEquals(0, new BigDecimal("10").compareTo(await(client.stockInWarehouse(fx.connection(), product.id))));
        assertEquals(2, fx.sim.count(Endpoint.PRODUCT_STOCK));
    }

    @Test
    void throttlingWith429IsUnavailableAndRetried() {
        fx.sim.setFault(Endpoint.WAREHOUSE_LIST, Fault.always(FaultType.TOO_MANY_REQUESTS));
        Unavailable e = failure(client.warehouses(fx.connection()), Unavailable.class);
        assertEquals(429, e.status());
        assertEquals(3, fx.sim.count(Endpoint.WAREHOUSE_LIST));
    }

    @Test
    void throttlingWithRetryAfterInSecondsSurfacesTheWaitAndIsStillRetried() {
        fx.sim.setFault(Endpoint.WAREHOUSE_LIST, Fault.throttled("2", -1));
        Unavailable e = failure(client.warehouses(fx.connection()), Unavailable.class);
        assertEquals(429, e.status());
        assertEquals(Duration.ofSeconds(2), e.retryAfter());
        assertTrue(e.isRetryable());
        assertEquals(3, fx.sim.count(Endpoint.WAREHOUSE_LIST));
    }

    @Test
    void throttlingWithRetryAfterAsAnHttpDateIsTheTimeLeftUntilThatDate() {
        String at = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30));
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.throttled(at, 1));
        Unavailable e = failure(client.createMovement(fx.connection(),
                NewMovement.sale(product.id, BigDecimal.ONE, "[ss:1:429-date]")), Unavailable.class);
        assertTrue(e.retryAfter().compareTo(Duration.ofSeconds(25)) >= 0
                && e.retryAfter().compareTo(Duration.ofSeconds(30)) <= 0, e.retryAfter()::toString);
        assertTrue(fx.sim.movements().isEmpty());
    }

    @Test
    void anAbsurdRetryAfterIsCappedAtTenMinutesAndAnUnreadableOneIsIgnored() {
        fx.sim.setFault(Endpoint.PRODUCT_GET, Fault.throttled("86400000", -1));
        Duration capped = failure(client.getProduct(fx.connection(), product.id), Unavailable.class).retryAfter();
        // The retries after the 429 fail at once with what is left of the (capped) pause.
        assertTrue(capped.compareTo(Duration.ofMinutes(9)) > 0 && capped.compareTo(Duration.ofMinutes(10)) <= 0,
                capped::toString);
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_GET), "no call reaches Contifico during the pause");
        fx.sim.setFault(Endpoint.PRODUCT_GET, Fault.throttled("soon", -1));
        Unavailable e = failure(client.getProduct(fx.connection(), product.id), Unavailable.class);
        assertEquals(429, e.status());
        assertNull(e.retryAfter());
    }

    @Test
    void retryAfterOfAThrottlingFaultCanBeSetOverHttpAndOtherFailuresCarryNone() {
        given().baseUri("http://127.0.0.1:" + fx.sim.port()).contentType("application/json")
                .body("{\"endpoint\":\"bodega.list\",\"type\":\"TOO_MANY_REQUESTS\",\"times\":-1,\"retryAfter\":\"7\"}")
                .post("/__sim/faults").then().statusCode(204);
        // The retries after the 429 are refused at once with what is left of the 7 s pause.
        Duration left = failure(client.warehouses(fx.connection()), Unavailable.class).retryAfter();
        assertTrue(left.compareTo(Duration.ofSeconds(6)) > 0 && left.compareTo(Duration.ofSeconds(7)) <= 0, left::toString);
        fx.sim.setFault(Endpoint.WAREHOUSE_LIST, Fault.always(FaultType.ERROR_500));
        assertNull(failure(client.warehouses(fx.connection()), Unavailable.class).retryAfter());
    }

    @Test
    void droppedConnectionAndHangOnReadsAreRetried() {
        fx.sim.setFault(Endpoint.PRODUCT_LIST, Fault.once(FaultType.DROP_CONNECTION));
        assertEquals(product.id, await(client.findProductBySku(fx.connection(), "FLT-1")).id());
        assertEquals(2, fx.sim.count(Endpoint.PRODUCT_LIST));

        fx.sim.setFault(Endpoint.PRODUCT_GET, Fault.once(FaultType.HANG));
        long t0 = System.nanoTime();
        assertEquals("FLT-1", await(client.getProduct(fx.connection(), product.id)).codigo());
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 900, "the first attempt waited for the 1 s test timeout");
        assertEquals(2, fx.sim.count(Endpoint.PRODUCT_GET));
    }

    @Test
    void latencyWithinTheTimeoutIsJustSlow() {
        fx.sim.setFault(Endpoint.PRODUCT_GET, Fault.randomLatency(100, 300, 1));
        assertEquals("FLT-1", await(client.getProduct(fx.connection(), product.id)).codigo());
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_GET));
    }

    @Test
    void refusedConnectionIsUnavailableEvenForAMovementBecauseNothingWasSent() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ContificoConnection down = new ContificoConnection(fx.connection().integrationId(),
                "http://127.0.0.1:" + closedPort + "/sistema/api", "k", null, fx.main.id());
        Unavailable read = failure(client.warehouses(down), Unavailable.class);
        assertTrue(read.isRetryable());
        assertFalse(read.circuitOpen());
        // A fresh integration, so its breaker (counting the read's three attempts above) cannot answer in its place.
        ContificoConnection downToo = new ContificoConnection(fx.connection().integrationId(), down.baseUrl(), "k", null,
                fx.main.id());
        Unavailable write = failure(client.createMovement(downToo, NewMovement.sale(product.id, BigDecimal.ONE, "[r]")),
                Unavailable.class);
        assertFalse(write.circuitOpen());
        assertFalse(write.outcomeUnknown());
        assertTrue(write.isRetryable());
    }

    @Test
    void movementThatHangsPastTheTimeoutIsOutcomeUnknownAndSentOnlyOnce() {
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.HANG));
        OutcomeUnknown e = failure(client.createMovement(fx.connection(),
                NewMovement.sale(product.id, new BigDecimal("2"), "Venta [ss:1:hang]")), OutcomeUnknown.class);
        assertTrue(e.outcomeUnknown());
        assertFalse(e.isRetryable());
        assertEquals(1, fx.sim.count(Endpoint.MOVEMENT_CREATE), "never re-sent blindly");
        assertEquals(1, fx.sim.movements().size(), "the simulator booked it exactly once");
        assertEquals(0, new BigDecimal("8").compareTo(stock()));
        // What the worker does next (rule 2): look the reference up and treat the match as success.
        List<Movement> found = await(client.findMovementsByReference(fx.connection(), "[ss:1:hang]", MovementType.EGR,
                NewMovement.today(), NewMovement.today()));
        assertEquals(1, found.size());
        assertEquals(fx.sim.movements().get(0).id(), found.get(0).id());
    }

    @Test
    void movementStoredButResponseLostIsOutcomeUnknownAndBookedExactlyOnce() {
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.STORED_RESPONSE_LOST));
        OutcomeUnknown e = failure(client.createMovement(fx.connection(),
                NewMovement.sale(product.id, new BigDecimal("3"), "Venta [ss:1:lost]")), OutcomeUnknown.class);
        assertEquals(0, e.status());
        assertEquals(1, fx.sim.count(Endpoint.MOVEMENT_CREATE), "never re-sent blindly");
        assertEquals(1, fx.sim.movements().size());
        assertEquals(0, new BigDecimal("7").compareTo(stock()), "deducted once, not twice");
        assertEquals(1, await(client.findMovementsByReference(fx.connection(), "[ss:1:lost]", MovementType.EGR,
                NewMovement.today(), NewMovement.today())).size());
    }

    @Test
    void movementAnswered500IsOutcomeUnknownBecauseItMayExist() {
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.ERROR_500_AFTER_STORE));
        OutcomeUnknown e = failure(client.createMovement(fx.connection(),
                NewMovement.sale(product.id, BigDecimal.ONE, "[ss:1:500]")), OutcomeUnknown.class);
        assertEquals(500, e.status());
        assertEquals(1, fx.sim.count(Endpoint.MOVEMENT_CREATE));
        assertEquals(1, fx.sim.movements().size());
    }

    @Test
    void movementWhoseConnectionDropsAfterSendingIsOutcomeUnknown() {
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.DROP_CONNECTION));
        failure(client.createMovement(fx.connection(), NewMovement.sale(product.id, BigDecimal.ONE, "[ss:1:drop]")),
                OutcomeUnknown.class);
        assertEquals(1, fx.sim.count(Endpoint.MOVEMENT_CREATE));
        assertTrue(fx.sim.movements().isEmpty(), "this fault drops before booking: the lookup will find nothing");
    }

    @Test
    void throttledMovementIsUnavailableNotOutcomeUnknown() {
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.once(FaultType.TOO_MANY_REQUESTS));
        Unavailable e = failure(client.createMovement(fx.connection(),
                NewMovement.sale(product.id, BigDecimal.ONE, "[ss:1:429]")), Unavailable.class);
        assertEquals(429, e.status());
        assertEquals(1, fx.sim.count(Endpoint.MOVEMENT_CREATE), "the client does not retry a POST itself");
        assertTrue(fx.sim.movements().isEmpty());
    }

    @Test
    void simulatorMeasuresConcurrentMovementPostsPerProduct() {
        fx.sim.setFault(Endpoint.MOVEMENT_CREATE, Fault.latency(300, -1));
        SimProduct other = fx.product("FLT-2", true, "10");
        ContificoConnection c = fx.connection();
        io.smallrye.mutiny.Uni.join().all(
                client.createMovement(c, NewMovement.sale(product.id, BigDecimal.ONE, "a")),
                client.createMovement(c, NewMovement.sale(product.id, BigDecimal.ONE, "b")),
                client.createMovement(c, NewMovement.sale(other.id, BigDecimal.ONE, "c"))).andFailFast()
                .await().atMost(java.time.Duration.ofSeconds(10));
        assertEquals(2, fx.sim.maxConcurrentMovementPosts(product.id));
        assertEquals(1, fx.sim.maxConcurrentMovementPosts(other.id));
        await(client.createMovement(c, NewMovement.sale(other.id, BigDecimal.ONE, "d")));
        assertEquals(1, fx.sim.maxConcurrentMovementPosts(other.id), "sequential posts never overlap");
    }

    @Test
    void faultsCanBeSetAndClearedOverHttp() {
        String admin = "http://127.0.0.1:" + fx.sim.port();
        given().baseUri(admin).contentType("application/json")
                .body("{\"endpoint\":\"bodega.list\",\"type\":\"ERROR_500\",\"times\":-1}")
                .post("/__sim/faults").then().statusCode(204);
        failure(client.warehouses(fx.connection()), Unavailable.class);
        given().baseUri(admin).delete("/__sim/faults").then().statusCode(204);
        assertEquals(2, await(client.warehouses(fx.connection())).size());
        given().baseUri(admin).get("/__sim/state").then().statusCode(200)
                .body("counts.'bodega.list'", org.hamcrest.Matchers.equalTo(4));
    }
}
