package ec.stocksync.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.restassured.specification.RequestSpecification;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;

/**
 * The app as the end-to-end tests run it: in-process for their {@code @QuarkusTest} form, and for their
 * {@code @QuarkusIntegrationTest} form the packaged build (the jar in {@code ./mvnw verify}, the native binary with
 * {@code -Dnative}), which Quarkus starts in the prod profile and hands these properties as {@code -D} options.
 *
 * <p>Why the prod profile with settings, rather than {@code quarkus.test.integration-test-profile=test}: the %test
 * profile switches the push worker off (the {@code @QuarkusTest}s drive it themselves) and would not bring the
 * simulators back anyway: the packaged app is a prod build, which has none ({@code ec.stocksync.sandbox.SandboxOnly}).
 * So the app gets what an operator gives a deployment (database,
 * admin token, secrets key) plus one relaxation: http to 127.0.0.1, where the tests run Contifico and WooCommerce
 * simulators in their own JVM. Everything else is the shipped configuration.
 *
 * <p>Its own schema, {@code <STOCKSYNC_TEST_SCHEMA or stocksync_test>_e2e}, emptied before each start: two runs with
 * different {@code STOCKSYNC_TEST_SCHEMA} values never share one, and the prod profile never cleans a schema itself.
 */
public class EndToEndApp implements QuarkusTestResourceLifecycleManager {

    public static final String ADMIN_TOKEN = "e2e-admin-token";
    public static final String WOO_WEBHOOK_SECRET = "e2e-woocommerce-webhook-secret";
    private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/postgres";
    /** Generated like a real key (32 bytes, base64) and public: it only guards test rows. */
    private static final String SECRETS_KEY = Base64.getEncoder()
            .encodeToString("e2e-only-key-not-a-secret-000000".getBytes(StandardCharsets.US_ASCII));

    private static volatile int managementPort;

    public static String schema() {
        return System.getenv().getOrDefault("STOCKSYNC_TEST_SCHEMA", "stocksync_test") + "_e2e";
    }

    @Override
    public Map<String, String> start() {
        String schema = schema();
        try {
            PackagedApp.freshSchema(schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot prepare schema " + schema + " on " + JDBC, e);
        }
        return Map.ofEntries(
                Map.entry("quarkus.datasource.reactive.url", "postgresql://127.0.0.1:5432/postgres?search_path=" + schema),
                Map.entry("quarkus.datasource.jdbc.url", JDBC + "?currentSchema=" + schema),
                Map.entry("quarkus.datasource.username", "postgres"),
                Map.entry("quarkus.flyway.schemas", schema),
                Map.entry("stocksync.admin-token", ADMIN_TOKEN),
                Map.entry("stocksync.secrets.key", SECRETS_KEY),
                Map.entry("stocksync.secrets.key-id", "e2e"),
                Map.entry("stocksync.outbound.allow-insecure", "true"),
                Map.entry("stocksync.outbound.allowed-hosts", "127.0.0.1"),
                // The @QuarkusTest form runs under %test, which leaves the worker to the tests; here it runs as in prod.
                Map.entry("stocksync.worker.enabled", "true"),
                // Quarkus passes the packaged app its HTTP port but not the management one: 9000 may be taken by a dev
                // instance or a parallel run on this machine.
                Map.entry("quarkus.management.port", String.valueOf(managementPort = freePort())),
                Map.entry("quarkus.http.host", "127.0.0.1"),
                Map.entry("quarkus.management.host", "127.0.0.1"));
    }

    @Override
    public void stop() {
        // The schema stays for a look after a failure; the next start empties it.
    }

    /** The packaged app's management port (health, metrics, OpenAPI), once started. */
    public static int managementPort() {
        return managementPort;
    }

    /** A request as an operator's script makes it, with the admin token. */
    public static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType("application/json");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
