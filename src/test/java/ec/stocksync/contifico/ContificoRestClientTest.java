package ec.stocksync.contifico;

import com.sun.net.httpserver.HttpServer;
import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.store.IntegrationChanged;
import ec.stocksync.support.Api;
import ec.stocksync.support.Sandbox;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static ec.stocksync.contifico.SimFixture.await;
import static ec.stocksync.contifico.SimFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST clients per integration: built from the connection (a new key gets a new client), dropped with the
 * breaker's gauge when the integration changes, and never buffering an answer past the size limit.
 */
@QuarkusTest
class ContificoRestClientTest {

    private static final AtomicLong NEXT_INTEGRATION = new AtomicLong(System.nanoTime() % 1_000_000 * 1000 + 500);
    private static final String WAREHOUSES = "[{\"id\":\"B1\",\"codigo\":\"001\",\"nombre\":\"Principal\",\"venta\":true}]";

    @Inject
    ContificoClient client;
    @Inject
    ContificoConfig config;
    @Inject
    MeterRegistry registry;
    @Inject
    Event<IntegrationChanged> integrationChanged;
    @Inject
    Sandbox sandbox;

    HttpServer server;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger hugeCalls = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/bodega/", ex -> {
            authorizations.add(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = WAREHOUSES.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        // Chunked (no length announced): only counting the bytes can stop it.
        server.createContext("/huge/v1/bodega/", ex -> {
            hugeCalls.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            long limit = config.maxBodySize().asLongValue();
            try (OutputStream out = ex.getResponseBody()) {
                out.write('[');
                for (long sent = 0; sent <= limit + chunk.length; sent += chunk.length) {
                    out.write(chunk);
                }
                out.write(']');
            } catch (IOException e) {
                // The client hung up once it had enough: that is the point.
            }
        });
        // A length announced over the limit: refused before the body is read.
        server.createContext("/declared/v1/bodega/", ex -> {
            hugeCalls.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, config.maxBodySize().asLongValue() + 1);
            try (OutputStream out = ex.getResponseBody()) {
                out.write('[');
                out.flush();
                Thread.sleep(3000);
            } catch (IOException | InterruptedException e) {
                // Cut off by the client.
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ContificoConnection connection(long id, String root, String key) {
        return new ContificoConnection(id, "http://127.0.0.1:" + server.getAddress().getPort() + "/" + root, key, null, "B1");
    }

    private Object gauge(long integrationId) {
        return registry.find("stocksync.contifico.circuit.breaker.state").tag("integration", String.valueOf(integrationId))
                .gauge();
    }

    @Test
    void aNewKeyForTheSameIntegrationIsSentByANewClient() {
        long id = NEXT_INTEGRATION.incrementAndGet();
        assertEquals(1, await(client.warehouses(connection(id, "api", "key-1"))).size());
        assertEquals(1, await(client.warehouses(connection(id, "api", "key-1"))).size());
        assertEquals(1, await(client.warehouses(connection(id, "api", "key-2"))).size());
        assertEquals(List.of("key-1", "key-1", "key-2"), authorizations);
    }

    @Test
    void aChangedOrDeactivatedIntegrationLosesItsBreakerAndGauge() {
        long id = NEXT_INTEGRATION.incrementAndGet();
        await(client.warehouses(connection(id, "api", "k")));
        assertNotNull(gauge(id), "a breaker and its gauge per integration that called");

        integrationChanged.fire(new IntegrationChanged(id));
        assertNull(gauge(id), "the gauge of a forgotten integration is removed");

        // Called again (say, a push already under way), it simply starts from scratch.
        await(client.warehouses(connection(id, "api", "k")));
        assertNotNull(gauge(id));
        client.forget(id);
        assertNull(gauge(id));
    }

    @Test
    void patchingTheKeyOrDeactivatingTheIntegrationThroughTheApiForgetsIt() {
        var sim = sandbox.contifico();
        var warehouse = sim.addWarehouse("BODRC", "Bodega REST client");
        long store = Api.createShopifyStore();
        long id = Api.admin().body(Map.of("provider", "contifico", "baseUrl", sim.baseUrl(), "apiKey", sim.apiKey(),
                        "warehouseId", warehouse.id()))
                .post("/api/stores/" + store + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
        ContificoConnection c = new ContificoConnection(id, sim.baseUrl(), sim.apiKey(), null, warehouse.id());

        await(client.warehouses(c));
        assertNotNull(gauge(id));
        Api.admin().body(Map.of("warehouseId", warehouse.id()))
                .patch("/api/stores/" + store + "/integrations/" + id).then().statusCode(200);
        assertNotNull(gauge(id), "another warehouse of the same Contifico: its breaker still applies");
        Api.admin().body(Map.of("apiKey", sim.apiKey()))
                .patch("/api/stores/" + store + "/integrations/" + id).then().statusCode(200);
        assertNull(gauge(id), "a key sent again may be another company's: the breaker starts afresh");

        await(client.warehouses(c));
        assertNotNull(gauge(id));
        Api.admin().delete("/api/stores/" + store + "/integrations/" + id).then().statusCode(200);
        assertNull(gauge(id), "a deactivated integration keeps no breaker gauge");
    }

    @Test
    void anAnswerOverTheSizeLimitIsCutOffAndIsABadAnswerNotRetried() {
        BadAnswer chunked = failure(client.warehouses(connection(NEXT_INTEGRATION.incrementAndGet(), "huge", "k")),
                BadAnswer.class);
        assertTrue(chunked.getMessage().contains("max-body-size"), chunked.getMessage());
        assertEquals(1, hugeCalls.getAndSet(0), () -> "the same body would come back: not retried; calls: "
                + registry.find("stocksync.contifico.calls").counters().stream()
                        .map(c -> c.getId().getTags() + "=" + c.count()).toList());

        long t0 = System.nanoTime();
        failure(client.warehouses(connection(NEXT_INTEGRATION.incrementAndGet(), "declared", "k")), BadAnswer.class);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 900, "refused on its headers, before any timeout");
        assertEquals(1, hugeCalls.get());
    }
}
