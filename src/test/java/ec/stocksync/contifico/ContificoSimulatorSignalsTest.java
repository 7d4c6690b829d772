package ec.stocksync.contifico;

import ec.stocksync.sandbox.contifico.ContificoSandbox;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimDocument;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimMovement;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimProduct;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's change signals, over its own HTTP API: transfers between warehouses, movements on past days, and
 * sales documents listed by date (with their unknowns as switches).
 */
@QuarkusTest
class ContificoSimulatorSignalsTest {

    @Inject
    ContificoSandbox sandbox;

    SimFixture fx;

    @BeforeEach
    void seed() {
        fx = new SimFixture(sandbox.simulator());
    }

    private RequestSpecification api() {
        return given().baseUri("http://127.0.0.1:" + fx.sim.port()).header("Authorization", fx.sim.apiKey())
                .contentType("application/json");
    }

    private RequestSpecification admin() {
        return given().baseUri("http://127.0.0.1:" + fx.sim.port()).contentType("application/json");
    }

    private static void assertDecimal(String expected, BigDecimal actual) {
        assertEquals(0, new BigDecimal(expected).compareTo(actual), () -> "expected " + expected + " but was " + actual);
    }

    private static String fecha(LocalDate d) {
        return ContificoClient.FECHA.format(d);
    }

    @Test
    void transferMovesStockBetweenWarehousesAndLeavesCantidadStockUnchanged() {
        SimProduct p = fx.product("TRA-1", true, "10");
        fx.sim.setStock(p.id, fx.other.id(), new BigDecimal("1"));
        api().get("/sistema/api/v1/producto/" + p.id + "/").then().statusCode(200).body("cantidad_stock", equalTo("11.0"));
        String body = "{\"tipo\":\"TRA\",\"fecha\":\"" + fecha(NewMovement.today()) + "\",\"bodega_id\":\"" + fx.main.id()
                + "\",\"bodega_destino_id\":\"" + fx.other.id() + "\",\"pos\":\"6b2b1c4e-0000-4000-8000-000000000001\","
                + "\"descripcion\":\"a la bodega norte\",\"detalles\":[{\"producto_id\":\"" + p.id + "\",\"cantidad\":\"4\"}]}";
        JsonPath booked = api().body(body).post("/sistema/api/v1/movimiento-inventario/")
                .then().statusCode(201).extract().jsonPath();
        assertEquals(fx.other.id(), booked.getString("bodega_destino_id"));
        assertTrue(booked.getString("codigo").startsWith("TRA "), booked.getString("codigo"));

        assertDecimal("6", fx.sim.stock(p.id, fx.main.id()));
        assertDecimal("5", fx.sim.stock(p.id, fx.other.id()));
        api().get("/sistema/api/v1/producto/" + p.id + "/").then().statusCode(200)
                .body("cantidad_stock", equalTo("11.0"));
        assertEquals(fx.other.id(), fx.sim.movements().get(0).bodegaDestinoId());
    }

    @Test
    void transferToAnUnknownWarehouseIsRejectedLikeAnUnknownBodegaAndBooksNothing() {
        SimProduct p = fx.product("TRA-2", true, "10");
        String body = "{\"tipo\":\"TRA\",\"fecha\":\"" + fecha(NewMovement.today()) + "\",\"bodega_id\":\"" + fx.main.id()
                + "\",\"bodega_destino_id\":\"NOSUCHWAREHOUSE1\",\"pos\":\"x\","
                + "\"detalles\":[{\"producto_id\":\"" + p.id + "\",\"cantidad\":\"4\"}]}";
        api().body(body).post("/sistema/api/v1/movimiento-inventario/")
                .then().statusCode(400).body("cod_error", equalTo(1004));
        assertTrue(fx.sim.movements().isEmpty());
        assertDecimal("10", fx.sim.stock(p.id, fx.main.id()));
    }

    @Test
    void transferWithoutPosIsABare500AsInContifico() {
        SimProduct p = fx.product("TRA-3", true, "10");
        String body = "{\"tipo\":\"TRA\",\"fecha\":\"" + fecha(NewMovement.today()) + "\",\"bodega_id\":\"" + fx.main.id()
                + "\",\"bodega_destino_id\":\"" + fx.other.id() + "\","
                + "\"detalles\":[{\"producto_id\":\"" + p.id + "\",\"cantidad\":\"4\"}]}";
        api().body(body).post("/sistema/api/v1/movimiento-inventario/").then().statusCode(500);
        assertTrue(fx.sim.movements().isEmpty());
    }

    @Test
    void movementAddedForAPastDayMovesStockAndIsListedOnThatDayOnly() {
        SimProduct p = fx.product("PAST-1", true, "10");
        LocalDate day = LocalDate.of(2026, 3, 14);
        SimMovement egr = fx.sim.addMovement("EGR", day, fx.main.id(), null, Map.of(p.id, new BigDecimal("3")));
        SimMovement tra = fx.sim.addMovement("TRA", day, fx.main.id(), fx.other.id(), Map.of(p.id, new BigDecimal("2")));
        assertEquals("EGR 202603000001", egr.codigo());
        assertEquals(fx.other.id(), tra.bodegaDestinoId());
        assertDecimal("5", fx.sim.stock(p.id, fx.main.id()));
        assertDecimal("2", fx.sim.stock(p.id, fx.other.id()));

        api().get("/sistema/api/v2/movimiento-inventario/?fecha_inicial=" + fecha(day) + "&fecha_final=" + fecha(day.plusDays(1)))
                .then().statusCode(200).body("count", equalTo(2)).body("results[1].bodega_destino_id", equalTo(fx.other.id()));
        api().get("/sistema/api/v2/movimiento-inventario/?fecha_inicial=" + fecha(day.plusDays(1)) + "&fecha_final="
                + fecha(day.plusDays(2))).then().statusCode(200).body("count", equalTo(0));
        assertThrows(IllegalArgumentException.class, () -> fx.sim.addMovement("TRA", day, fx.main.id(), "NOSUCHWAREHOUSE1",
                Map.of(p.id, BigDecimal.ONE)));
    }

    @Test
    void documentsAreListedByInclusiveDateRangeTipoAndWarehouseInV1Pages() {
        SimProduct p = fx.product("DOC-1", true, "10");
        LocalDate d1 = LocalDate.of(2026, 11, 1);
        String first = fx.sim.addDocument("FAC", d1, fx.main.id(), Map.of(p.id, new BigDecimal("2")));
        fx.sim.addDocument("NVE", d1.plusDays(1), fx.main.id(), Map.of(p.id, BigDecimal.ONE));
        fx.sim.addDocument("FAC", d1.plusDays(2), fx.main.id(), Map.of(p.id, BigDecimal.ONE));
        fx.sim.addDocument("FAC", d1.plusDays(3), fx.main.id(), Map.of(p.id, BigDecimal.ONE));
        fx.sim.addDocument("FAC", d1.plusDays(1), fx.other.id(), Map.of(p.id, BigDecimal.ONE));
        String range = "?fecha_inicial=" + fecha(d1) + "&fecha_final=" + fecha(d1.plusDays(2));

        JsonPath all = api().get("/sistema/api/v1/documento/" + range).then().statusCode(200).extract().jsonPath();
        assertEquals(4, all.getList("$").size(), "both ends of the range are in it; the fourth day is not");
        assertEquals(first, all.getString("[0].id"));
        assertEquals("FAC", all.getString("[0].tipo_documento"));
        assertEquals("01/11/2026", all.getString("[0].fecha_emision"));
        assertEquals("P", all.getString("[0].estado"));
        assertEquals("20.0", all.getString("[0].total"));
        assertEquals(p.id, all.getString("[0].detalles[0].producto_id"));
        assertEquals("2.0", all.getString("[0].detalles[0].cantidad"));
        assertTrue(all.getString("[0].documento").matches("\\d{3}-\\d{3}-\\d{9}"), all.getString("[0].documento"));

        api().get("/sistema/api/v1/documento/" + range + "&tipo=FAC&bodega_id=" + fx.main.id())
                .then().statusCode(200).body("size()", equalTo(2));
        api().get("/sistema/api/v1/documento/" + range + "&result_size=3&result_page=2")
                .then().statusCode(200).body("size()", equalTo(1));
        api().get("/sistema/api/v1/documento/" + range + "&result_size=3&result_page=3")
                .then().statusCode(200).body("size()", equalTo(0));
        api().get("/sistema/api/v1/documento/?fecha_inicial=2026-11-01").then().statusCode(400).body("cod_error", equalTo(1002));
    }

    @Test
    void documentListWithoutFechaInicialNeverAnswers() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(fx.sim.baseUrl() + "/v1/documento/?tipo=FAC"))
                .header("Authorization", fx.sim.apiKey()).timeout(Duration.ofMillis(1500)).build();
        long t0 = System.nanoTime();
        assertThrows(HttpTimeoutException.class, () -> http.send(req, HttpResponse.BodyHandlers.ofString()));
        assertTrue((System.nanoTime() - t0) / 1_000_000 >= 1400);
        assertEquals(1, fx.sim.count(Endpoint.DOCUMENT_LIST));
    }

    @Test
    void onlyInvoicesAndSalesNotesLowerStockAndOnlyWhileTheSwitchIsOn() {
        SimProduct p = fx.product("DOC-STK", true, "10");
        LocalDate today = NewMovement.today();
        fx.sim.addDocument("FAC", today, fx.main.id(), Map.of(p.id, new BigDecimal("2")));
        assertDecimal("10", fx.sim.stock(p.id, fx.main.id()));

        fx.sim.documentsAffectStock(true);
        fx.sim.addDocument("FAC", today, fx.main.id(), Map.of(p.id, new BigDecimal("2")));
        fx.sim.addDocument("NVE", today, fx.main.id(), Map.of(p.id, new BigDecimal("1")));
        fx.sim.addDocument("PRE", today, fx.main.id(), Map.of(p.id, new BigDecimal("5")));
        fx.sim.addDocument("FAC", today, fx.other.id(), Map.of(p.id, new BigDecimal("3")));
        assertDecimal("7", fx.sim.stock(p.id, fx.main.id()));
        assertDecimal("-3", fx.sim.stock(p.id, fx.other.id()));

        fx.sim.reset();
        assertTrue(fx.sim.documents().isEmpty());
        fx = new SimFixture(fx.sim);
        SimProduct q = fx.product("DOC-STK2", true, "10");
        fx.sim.addDocument("FAC", today, fx.main.id(), Map.of(q.id, new BigDecimal("2")));
        assertDecimal("10", fx.sim.stock(q.id, fx.main.id())); // reset turned the switch off
    }

    @Test
    void documentsAndTheStockSwitchCanBeSetOverHttp() {
        SimProduct p = fx.product("DOC-HTTP", true, "10");
        admin().body("{\"enabled\":true}").post("/__sim/documents-affect-stock").then().statusCode(204);
        String id = admin().body("{\"tipo\":\"NVE\",\"fecha\":\"02/12/2026\",\"bodega_id\":\"" + fx.main.id()
                        + "\",\"detalles\":[{\"producto_id\":\"" + p.id + "\",\"cantidad\":\"1.5\"}]}")
                .post("/__sim/documents").then().statusCode(201)
                .body("tipo_documento", equalTo("NVE")).body("fecha_emision", equalTo("02/12/2026"))
                .extract().jsonPath().getString("id");
        List<SimDocument> docs = fx.sim.documents();
        assertEquals(1, docs.size());
        assertEquals(id, docs.get(0).id());
        assertDecimal("8.5", fx.sim.stock(p.id, fx.main.id()));
        admin().body("{\"tipo\":\"FAC\",\"fecha\":\"02/12/2026\",\"bodega_id\":\"nope\",\"detalles\":[]}")
                .post("/__sim/documents").then().statusCode(400);
        admin().body("{}").post("/__sim/documents-affect-stock").then().statusCode(400);
        admin().get("/__sim/state").then().statusCode(200).body("documents", equalTo(1))
                .body("documentsAffectStock", equalTo(true));
    }
}
