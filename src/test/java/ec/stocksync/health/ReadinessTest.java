package ec.stocksync.health;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.URL;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Readiness, the signal Kubernetes uses to route traffic to a pod, is DOWN until the schema is migrated and while the
 * database is unreachable, and comes back by itself. The application reaches PostgreSQL through {@link DatabaseProxy}
 * so that the database can disappear for it alone, and starts with {@code migrate-at-start} off (the schema is cleaned
 * at start in tests) so that it runs before its migrations, as a pod does when they run in a separate step.
 *
 * <p>Ordered: the first test needs the schema the application started with, empty.
 */
@QuarkusTest
@TestProfile(ReadinessTest.MigrationsLaterThroughAProxy.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessTest {

    public static class MigrationsLaterThroughAProxy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.flyway.migrate-at-start", "false");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(DatabaseProxy.class));
        }
    }

    private static final Duration PROBE_WINDOW = Duration.ofSeconds(30);

    /** The management interface's root, {@code /q/}: its paths are relative to it. */
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Inject
    Flyway flyway;

    DatabaseProxy proxy;

    @Test
    @Order(1)
    void downUntilTheMigrationsHaveRun() {
        JsonPath before = readiness(503);
        assertEquals("DOWN", check(before, MigrationsReadinessCheck.NAME));
        assertTrue(before.getInt("checks.find { it.name == '" + MigrationsReadinessCheck.NAME + "' }.data.pending") > 0,
                before.prettify());
        assertEquals("UP", check(before, "Reactive PostgreSQL connections health check"),
                "the database itself is reachable: " + before.prettify());

        flyway.migrate();

        JsonPath after = readiness(200);
        assertEquals("UP", check(after, MigrationsReadinessCheck.NAME));
    }

    @Test
    @Order(2)
    void downWhileTheDatabaseIsUnreachableAndUpWhenItIsBack() {
        if (flyway.info().pending().length > 0) {
            flyway.migrate();
        }
        readiness(200);
        try {
            proxy.cut();
            JsonPath down = awaitStatus(503);
            assertEquals("DOWN", check(down, "Reactive PostgreSQL connections health check"), down.prettify());
            // Liveness must not follow: restarting pods does not bring a database back.
            RestAssured.given().get(health("live")).then().statusCode(200);
        } finally {
            proxy.restore();
        }
        awaitStatus(200);
    }

    @Test
    @Order(3)
    void aSchemaANewerReleaseMigratedStillLetsThisReleaseStart() throws Exception {
        if (flyway.info().pending().length > 0) {
            flyway.migrate();
        }
        // What a rollback (or a pod of the previous release restarting mid-deploy) finds: a migration it does not carry.
        try (Connection c = flyway.getConfiguration().getDataSource().getConnection();
             Statement st = c.createStatement()) {
            st.executeUpdate("""
                    INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
                                                       installed_by, execution_time, success)
                    SELECT max(installed_rank) + 1, '9999', 'from a newer release', 'SQL', 'V9999__newer.sql', 1,
                           current_user, 1, TRUE FROM flyway_schema_history""");
        }
        try {
            // Start-up runs exactly this (migrate-at-start): without ignoring future migrations it failed validation
            // ("applied migration not resolved locally") and the pod would crash-loop.
            flyway.migrate();
            assertEquals(0, flyway.info().pending().length);
        } finally {
            try (Connection c = flyway.getConfiguration().getDataSource().getConnection();
                 Statement st = c.createStatement()) {
                st.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '9999'");
            }
        }
    }

    private JsonPath readiness(int expectedStatus) {
        Response r = RestAssured.given().get(health("ready"));
        assertEquals(expectedStatus, r.statusCode(), r.asString());
        return r.jsonPath();
    }

    private JsonPath awaitStatus(int expectedStatus) {
        long deadline = System.nanoTime() + PROBE_WINDOW.toNanos();
        Response r;
        while ((r = RestAssured.given().get(health("ready"))).statusCode() != expectedStatus) {
            if (System.nanoTime() > deadline) {
                fail("readiness still " + r.statusCode() + " after " + PROBE_WINDOW + ": " + r.asString());
            }
            sleep();
        }
        return r.jsonPath();
    }

    private URI health(String which) {
        return URI.create(management.getProtocol() + "://" + management.getHost() + ":" + management.getPort()
                + "/q/health/" + which);
    }

    private static String check(JsonPath health, String name) {
        return health.getString("checks.find { it.name == '" + name + "' }.status");
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
