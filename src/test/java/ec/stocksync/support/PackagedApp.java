package ec.stocksync.support;

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
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged app ({@code target/quarkus-app/quarkus-run.jar}, prod profile) started as an operator starts it, for the
 * benchmarks: its own JVM with no JVM option (unless a benchmark names some), only the settings prod requires (database,
 * admin token, secrets key) plus whatever the benchmark adds as {@code -D} options. Measuring the product in its own
 * process keeps the test JVM's instrumentation, the surefire output channel and the load generator off its figures,
 * as pgbench's client is off PostgreSQL's. Needs the jar: {@code bench/run.sh} packages first.
 */
public final class PackagedApp implements AutoCloseable {

    public static final String ADMIN_TOKEN = "bench-admin-token";
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

    private final Process process;
    private final String schema;
    private final int port;
    private final Path log;
    private final long launchedNanos;
    private long readyNanos;

    private PackagedApp(Process process, String schema, int port, Path log, long launchedNanos) {
        this.process = process;
        this.schema = schema;
        this.port = port;
        this.log = log;
        this.launchedNanos = launchedNanos;
    }

    /** The schema a benchmark's app runs in: {@code <STOCKSYNC_TEST_SCHEMA or stocksync_test>_<suffix>}. */
    public static String schema(String suffix) {
        return System.getenv().getOrDefault("STOCKSYNC_TEST_SCHEMA", "stocksync_test") + "_" + suffix;
    }

    /** Drops and re-creates the schema: the next start runs every migration. */
    public static void freshSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(JDBC, "postgres", "")) {
            c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            c.createStatement().execute("CREATE SCHEMA " + schema);
        }
    }

    /**
     * Writes the AppCDS archive the way the JVM image's Dockerfile does: Quarkus' generate mode (it stops after static
     * init, so no database), the same JVM and jar path as the runs that use it. Non-zero exit is expected (the runtime
     * settings are missing); the archive is what counts.
     */
    public static Path appCdsArchive() throws IOException, InterruptedException {
        Path archive = Path.of("target", "benchmark", "app-cds.jsa");
        Files.createDirectories(archive.getParent());
        Files.deleteIfExists(archive);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-XX:ArchiveClassesAtExit=" + archive, "-Dquarkus.appcds.generate=true",
                "-jar", JAR.toString()).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "benchmark", "app-cds.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || !Files.exists(archive) || Files.size(archive) == 0) {
            p.destroyForcibly();
            throw new IllegalStateException("no AppCDS archive; see target/benchmark/app-cds.log");
        }
        return archive;
    }

    /**
     * Launches the app on {@code schema} and waits for its readiness (migrations applied, pools up), at most 90 s.
     * {@code settings} become {@code -D} options; {@code jvmOptions} come first on the command line.
     */
    public static PackagedApp start(String name, String schema, List<String> jvmOptions, Map<String, String> settings)
            throws IOException, InterruptedException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: package first (bench/run.sh does)");
        }
        int port = freePort();
        int management = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmOptions);
        // A developer's extra options for the app's JVM (a profiler agent, say); unset in a normal run.
        String extra = System.getenv("BENCH_APP_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + management,
                "-Dquarkus.flyway.schemas=" + schema));
        settings.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.addAll(List.of("-jar", JAR.toString()));
        Path log = Path.of("target", "benchmark", name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(Map.of(
                "STOCKSYNC_DB_REACTIVE_URL", "postgresql://127.0.0.1:5432/postgres?search_path=" + schema,
                "STOCKSYNC_DB_JDBC_URL", JDBC + "?currentSchema=" + schema,
                "STOCKSYNC_ADMIN_TOKEN", ADMIN_TOKEN,
                // Generated like a real one (openssl rand -base64 32); protects nothing but the benchmarks' schemas.
                "STOCKSYNC_SECRETS_KEY", "YmVuY2gtb25seS1rZXktbm90LWEtc2VjcmV0LTAwMDA="));
        long t0 = System.nanoTime();
        PackagedApp app = new PackagedApp(pb.start(), schema, port, log, t0);
        try {
            URI ready = URI.create("http://127.0.0.1:" + management + "/q/health/ready");
            long deadline = t0 + Duration.ofSeconds(90).toNanos();
            while (!isUp(ready)) {
                if (!app.process.isAlive()) {
                    throw new IllegalStateException("the app exited; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not ready within 90 s; see " + log);
                }
                Thread.sleep(20);
            }
            app.readyNanos = System.nanoTime();
            return app;
        } catch (RuntimeException | InterruptedException e) {
            app.close();
            throw e;
        }
    }

    /** Seconds from launching the JVM to the first 200 of the readiness probe. */
    public double secondsToReady() {
        return (readyNanos - launchedNanos) / 1e9;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Creates a store through the admin API ({@code 201} expected) and answers its id. */
    public long createStore(String json) throws IOException, InterruptedException {
        HttpResponse<String> r = PROBE.send(HttpRequest.newBuilder(uri("/api/stores"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + ADMIN_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher id = Pattern.compile("\"id\"\\s*:\\s*(\\d+)").matcher(r.body());
        if (r.statusCode() != 201 || !id.find()) {
            throw new IllegalStateException("creating a store answered " + r.statusCode() + ": " + r.body());
        }
        return Long.parseLong(id.group(1));
    }

    /** A JDBC connection to the app's schema, for seeding and checking what the app wrote. */
    public Connection jdbc() throws SQLException {
        return DriverManager.getConnection(JDBC + "?currentSchema=" + schema, "postgres", "");
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** What the app itself reports (from its main method on; the JVM's own start and class loading come before). */
    public String quarkusStartedIn() throws IOException {
        Matcher m = Pattern.compile("started in ([0-9.]+)s").matcher(Files.readString(log));
        return m.find() ? m.group(1) + " s" : "not in the log";
    }

    /** The process's resident set now ({@code VmRSS}), in MiB. */
    public double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for " + process.pid());
    }

    /** SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
