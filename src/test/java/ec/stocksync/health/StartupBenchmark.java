package ec.stocksync.health;

import ec.stocksync.support.BenchFigures;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged app ({@code target/quarkus-app/quarkus-run.jar}, prod profile) started the way an operator starts it:
 * no JVM options, only the settings prod requires. Start to ready is from launching the JVM to the first 200 of
 * {@code /q/health/ready} (migrations applied, pools up); idle RSS is {@code VmRSS} ten seconds after that. Once on a
 * fresh schema (the migrations run), then again on the migrated one. Needs the jar: {@code bench/run.sh} packages first.
 */
@Tag("benchmark")
class StartupBenchmark {

    static final String SECTION = "start-up (packaged jar, prod profile, default JVM settings)";
    static final String SCHEMA = System.getenv().getOrDefault("STOCKSYNC_TEST_SCHEMA", "stocksync_test") + "_boot";
    static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    @Test
    void startToReadyOnAFreshAndOnAMigratedDatabaseAndIdleRss() throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertTrue(Files.exists(jar), jar + " is missing: package first (bench/run.sh does)");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres", "")) {
            c.createStatement().execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            c.createStatement().execute("CREATE SCHEMA " + SCHEMA);
        }
        double fresh = startAndStop(jar, false);
        BenchFigures.info(SECTION, "start to ready, fresh database (migrations run)", BenchFigures.fmt(fresh) + " s");
        startAndStop(jar, true);
    }

    private double startAndStop(Path jar, boolean measureIdle) throws Exception {
        int port = freePort();
        int management = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java,
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.port=" + management, "-Dquarkus.flyway.schemas=" + SCHEMA,
                "-jar", jar.toString()));
        Path log = Path.of("target", "benchmark", "startup-" + (measureIdle ? "migrated" : "fresh") + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Files.createDirectories(Path.of("target", "benchmark"));
        pb.environment().putAll(Map.of(
                "STOCKSYNC_DB_REACTIVE_URL", "postgresql://127.0.0.1:5432/postgres?search_path=" + SCHEMA,
                "STOCKSYNC_DB_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/postgres?currentSchema=" + SCHEMA,
                "STOCKSYNC_ADMIN_TOKEN", "bench-admin-token",
                // Generated like a real one (openssl rand -base64 32); protects nothing but this benchmark's schema.
                "STOCKSYNC_SECRETS_KEY", "YmVuY2gtb25seS1rZXktbm90LWEtc2VjcmV0LTAwMDA="));
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!isUp(ready)) {
                assertTrue(p.isAlive(), "the app exited; see target/benchmark/startup-*.log");
                assertTrue(System.nanoTime() < deadline, "not ready within 90 s");
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (measureIdle) {
                BenchFigures.atMost(SECTION, "start to ready, migrated database", seconds, "s", 3);
                BenchFigures.info(SECTION, "of which Quarkus' own \"started in\"", quarkusStartedIn(log));
                Thread.sleep(10_000);
                BenchFigures.atMost(SECTION, "idle RSS, 10 s after ready", rssMiB(p.pid()), "MiB", 200);
            }
            return seconds;
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static boolean isUp(URI uri) {
        try {
            return PROBE.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(1)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** What the app itself reports (from its main method on; the JVM's own start and class loading come before). */
    static String quarkusStartedIn(Path log) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("started in ([0-9.]+)s").matcher(Files.readString(log));
        return m.find() ? m.group(1) + " s" : "not in the log";
    }

    static double rssMiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
