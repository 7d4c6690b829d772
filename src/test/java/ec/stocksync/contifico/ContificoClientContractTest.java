package ec.stocksync.contifico;

import ec.stocksync.contifico.ContificoException.NotFound;
import ec.stocksync.contifico.ContificoException.Rejected;
import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.RecordedRequest;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's happy paths and rejections against the simulator, which speaks Contifico's documented dialect. */
@QuarkusTest
class ContificoClientContractTest {

    @Inject
    ContificoSandbox sandbox;
    @Inject
    ContificoClient client;

    SimFixture fx;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
    }

    private static void assertDecimal(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + " but was " + actual);
    }

    @Test
    void findsAProductBySkuWithDecimalsSentAsStrings() {
        SimProduct p = fx.product("PT-0002-50ml", true, "-5");
        ContificoProduct found = await(client.findProductBySku(fx.connection(), "PT-0002-50ml"));
        assertEquals(p.id, found.id());
        assertEquals("PT-0002-50ml", found.codigo());
        assertDecimal("-5", found.cantidadStock());
        assertDecimal("10", found.pvp1());
        assertTrue(found.paraPos());
        RecordedRequest req = fx.sim.requests().get(0);
        assertEquals("/sistema/api/v1/producto/", req.path());
        assertEquals("codigo=PT-0002-50ml", req.query());
    }

    @Test
    void parsesDecimalsSentAsJsonNumbers() {
        SimProduct p = fx.product("NUM-1", true, "7.25");
        fx.sim.decimalsAsNumbers(true);
        ContificoProduct found = await(client.getProduct(fx.connection(), p.id));
        assertDecimal("7.25", found.cantidadStock());
        assertDecimal("10", found.pvp1());
        assertDecimal("7.25", await(client.stockInWarehouse(fx.connection(), p.id)));
    }

    @Test
    void unknownSkuIsNotFoundAndSaysV1OnlyListsParaPosProducts() {
        NotFound e = failure(client.findProductBySku(fx.connection(), "NOPE-1"), NotFound.class);
        assertTrue(e.getMessage().contains("para_pos"), e.getMessage());
        assertEquals("NOPE-1", e.sku());
        assertFalse(e.isRetryable());
        assertEquals(1, fx.sim.count(Endpoint.PRODUCT_LIST), "a not-found SKU is not retried");
    }

    @Test
    void productNotForPosIsInvisibleToSkuSearchButFoundById() {
        SimProduct hidden = fx.product("OLD-0099", false, "7");
        NotFound e = failure(client.findProductBySku(fx.connection(), "OLD-0099"), NotFound.class);
        assertTrue(e.getMessage().contains("para_pos: true"), e.getMessage());
        ContificoProduct byId = await(client.getProduct(fx.connection(), hidden.id));
        assertEquals("OLD-0099", byId.codigo());
        assertFalse(byId.paraPos());
    }

    @Test
    void unknownProductIdIsNotFound() {
        NotFound e = failure(client.getProduct(fx.connection(), "AAAAAAAAAAAAAAAA"), NotFound.class);
        assertNull(e.sku());
        failure(client.stockInWarehouse(fx.connection(), "AAAAAAAAAAAAAAAA"), NotFound.class);
    }

    @Test
    void stockIsTheQuantityOfTheConnectionsWarehouse() {
        SimProduct p = fx.product("STK-1", true, "7");
        fx.sim.setStock(p.id, fx.other.id(), new BigDecimal("3"));
        assertDecimal("7", await(client.stockInWarehouse(fx.connection(), p.id)));
        assertDecimal("3", await(client.stockInWarehouse(fx.connection(fx.other.id()), p.id)));
        List<WarehouseStock> all = await(client.stockByWarehouse(fx.connection(), p.id));
        assertEquals(2, all.size());
        assertEquals("Bodega Principal", all.get(0).bodegaNombre());
    }

    @Test
    void pagesTheWholeCatalogueUntilAnEmptyPage() {
        for (int i = 1; i <= 7; i++) {
            fx.product("CAT-" + i, true, String.valueOf(i));
        }
        fx.product("CAT-HIDDEN", false, "1");
        List<ContificoProduct> all = client.catalogue(fx.connection(), 3).collect().asList()
                .await().atMost(java.time.Duration.ofSeconds(20));
        assertEquals(7, all.size());
        assertEquals("CAT-7", all.get(6).codigo());
        // Pages 1..3 then the empty page 4 that says "the end".
        assertEquals(4, fx.sim.count(Endpoint.PRODUCT_LIST));
        assertTrue(await(client.productPage(fx.connection(), 4, 3)).isEmpty());
    }

    @Test
    void listsWarehouses() {
        List<Warehouse> ws = await(client.warehouses(fx.connection()));
        assertEquals(2, ws.size());
        assertEquals(fx.main.id(), ws.get(0).id());
        assertEquals("BOD002", ws.get(1).codigo());
        assertTrue(ws.get(0).venta());
    }

    @Test
    void saleBooksAnEgrThatLowersStockAndRestockAnIngThatRaisesIt() {
        SimProduct p = fx.product("MOV-1", true, "5");
        Movement egr = await(client.createMovement(fx.connection(), NewMovement.sale(p.id, new BigDecimal("2"), "stocksync ref-1")));
        assertTrue(egr.id().matches("[A-Za-z0-9]{16}"), egr.id());
        assertTrue(egr.codigo().matches("EGR \\d{12}"), egr.codigo());
        assertEquals("G", egr.estado());
        assertEquals(NewMovement.today(), egr.fecha());
        assertDecimal("2", egr.detalles().get(0).cantidad());
        assertDecimal("3", await(client.stockInWarehouse(fx.connection(), p.id)));

        Movement ing = await(client.createMovement(fx.connection(),
                NewMovement.restock(p.id, new BigDecimal("10"), new BigDecimal("1.5"), "stocksync ref-2")));
        assertTrue(ing.codigo().startsWith("ING "), ing.codigo());
        assertDecimal("15", ing.total());
        assertDecimal("13", await(client.stockInWarehouse(fx.connection(), p.id)));
        assertDecimal("13", await(client.getProduct(fx.connection(), p.id)).cantidadStock());

        String body = fx.sim.requests().stream().filter(r -> r.endpoint() == Endpoint.MOVEMENT_CREATE)
                .findFirst().orElseThrow().body();
        String fecha = ContificoClient.FECHA.format(NewMovement.today());
        assertTrue(body.contains("\"fecha\":\"" + fecha + "\""), body);
        assertTrue(body.contains("\"bodega_id\":\"" + fx.main.id() + "\""), body);
        assertTrue(body.contains("\"cantidad\":\"2\""), body);
    }

    @Test
    void negativeStockIsAllowed() {
        SimProduct p = fx.product("NEG-1", true, "1");
        await(client.createMovement(fx.connection(), NewMovement.sale(p.id, new BigDecimal("3"), "ref-neg")));
        assertDecimal("-2", await(client.stockInWarehouse(fx.connection(), p.id)));
        assertDecimal("-2", await(client.findProductBySku(fx.connection(), "NEG-1")).cantidadStock());
    }

    @Test
    void movementWithoutLinesIsRejectedWithCode1003AndNotRetried() {
        NewMovement empty = new NewMovement(MovementType.EGR, NewMovement.today(), "ref", List.of());
        Rejected e = failure(client.createMovement(fx.connection(), empty), Rejected.class);
        assertEquals(400, e.status());
        assertEquals(1003, e.codError());
        assertEquals("Falta campo detalle", e.mensaje());
        assertFalse(e.isRetryable());
        assertFalse(e.outcomeUnknown());
        assertEquals(1, fx.sim.count(Endpoint.MOVEMENT_CREATE));
        assertTrue(fx.sim.movements().isEmpty());
    }

    @Test
    void movementLineWithoutProductIsRejectedWithCode1055() {
        NewMovement m = NewMovement.sale(null, BigDecimal.ONE, "ref");
        Rejected e = failure(client.createMovement(fx.connection(), m), Rejected.class);
        assertEquals(1055, e.codError());
        assertEquals("Falta campo producto_id", e.mensaje());
    }

    @Test
    void findsMovementsByReferenceWalkingEveryV2Page() {
        SimProduct p = fx.product("REF-1", true, "50");
        fx.sim.v2PageSize(2);
        for (int i = 0; i < 4; i++) {
            await(client.createMovement(fx.connection(), NewMovement.sale(p.id, BigDecimal.ONE, "otra venta " + i)));
        }
        await(client.createMovement(fx.connection(), NewMovement.sale(p.id, BigDecimal.ONE, "Venta #1001 [ss:7:42]")));
        await(client.createMovement(fx.connection(), NewMovement.restock(p.id, BigDecimal.ONE, BigDecimal.ZERO, "[ss:7:42]")));

        List<Movement> found = await(client.findMovementsByReference(fx.connection(), "[ss:7:42]", MovementType.EGR,
                NewMovement.today(), NewMovement.today()));
        assertEquals(1, found.size());
        assertEquals("Venta #1001 [ss:7:42]", found.get(0).descripcion());
        assertEquals(3, fx.sim.count(Endpoint.MOVEMENT_LIST), "5 EGR movements, 2 per page");
        RecordedRequest list = fx.sim.requests().stream().filter(r -> r.endpoint() == Endpoint.MOVEMENT_LIST)
                .findFirst().orElseThrow();
        assertEquals("/sistema/api/v2/movimiento-inventario/", list.path());
        assertTrue(list.query().contains("tipo=EGR") && list.query().contains("bodega_id=" + fx.main.id())
                && list.query().contains("page=1"), list.query());

        assertTrue(await(client.findMovementsByReference(fx.connection(), "[ss:7:43]", MovementType.EGR,
                NewMovement.today(), NewMovement.today())).isEmpty());
        // Another warehouse's movements are not ours.
        assertTrue(await(client.findMovementsByReference(fx.connection(fx.other.id()), "[ss:7:42]", MovementType.EGR,
                NewMovement.today(), NewMovement.today())).isEmpty());
    }

    @Test
    void movementsOutsideTheDateRangeAreNotFound() {
        SimProduct p = fx.product("OLD-REF", true, "5");
        await(client.createMovement(fx.connection(), new NewMovement(MovementType.EGR, NewMovement.today().minusDays(10),
                "[ss:old]", List.of(new MovementLine(p.id, BigDecimal.ONE, null)))));
        assertTrue(await(client.findMovementsByReference(fx.connection(), "[ss:old]", MovementType.EGR,
                NewMovement.today(), NewMovement.today())).isEmpty());
        assertEquals(1, await(client.findMovementsByReference(fx.connection(), "[ss:old]", MovementType.EGR,
                NewMovement.today().minusDays(10), NewMovement.today().minusDays(10))).size());
    }

    @Test
    void wrongApiKeyIsRejectedWith401() {
        ContificoConnection c = fx.connection();
        ContificoConnection wrong = new ContificoConnection(c.integrationId(), c.baseUrl(), "not-the-key", null, c.warehouseId());
        Rejected e = failure(client.warehouses(wrong), Rejected.class);
        assertEquals(401, e.status());
        assertFalse(e.isRetryable());
    }

    @Test
    void simulatorAnswersPathsWithoutTrailingSlashWith301() {
        ContificoSimulator sim = fx.sim;
        given().baseUri("http://127.0.0.1:" + sim.port()).redirects().follow(false)
                .header("Authorization", sim.apiKey())
                .get("/sistema/api/v1/bodega?x=1")
                .then().statusCode(301).header("Location", equalTo("/sistema/api/v1/bodega/?x=1"));
        assertEquals(0, sim.count(Endpoint.WAREHOUSE_LIST));
        // and the client always sends the slash, so it never meets that redirect
        await(client.warehouses(fx.connection()));
        assertTrue(sim.requests().stream().allMatch(r -> r.path().endsWith("/")));
    }

    @Test
    void simulatorAnswersAPagePastTheEndOfAV2ListWith400() {
        ContificoSimulator sim = fx.sim;
        given().baseUri("http://127.0.0.1:" + sim.port()).header("Authorization", sim.apiKey())
                .get("/sistema/api/v2/movimiento-inventario/?page=2")
                .then().statusCode(400).body("error", equalTo("Pagina fuera del rango"));
    }
}
