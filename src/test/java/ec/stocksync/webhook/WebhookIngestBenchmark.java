package ec.stocksync.webhook;

import ec.stocksync.store.StoreContexts;
import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.PackagedApp;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Webhook ingest at 16 clients (signed WooCommerce orders of two lines, each booking two sales) against pgbench
 * running the same statements on the same schema (triggers included) at the same concurrency: the raw ceiling of what
 * the service asks of PostgreSQL. The service is the packaged app in its own JVM (prod profile, default JVM settings,
 * the push worker off: ingest alone), warmed up as a running service is (until its rate stops climbing); the load
 * comes from this JVM through one non-blocking Vert.x client, as pgbench's comes from a C client. No timing
 * assertion; it checks that every accepted order booked its two movements.
 */
@Tag("benchmark")
class WebhookIngestBenchmark {

    static final int CLIENTS = 16;
    // Warm-up in rounds until two in a row agree within 3%, 30 s at least, 120 s at most: on 2 cores the JIT compiles
    // the hot path for about 30 s under this load (jstat -compiler), taking most of a core from the service meanwhile.
    static final Duration WARMUP_ROUND = Duration.ofSeconds(5);
    static final Duration WARMUP_MIN = Duration.ofSeconds(30);
    static final Duration WARMUP_MAX = Duration.ofSeconds(120);
    static final Duration MEASURE = Duration.ofSeconds(15);
    static final String SECTION = "webhook ingest, 16 clients, WooCommerce orders of two lines";
    static final String SCHEMA = PackagedApp.schema("ingest");
    static final String SECRET = "bench-woocommerce-webhook-secret";
    static final AtomicLong ORDERS = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);

    @Test
    void sixteenClientsPostingOrdersAgainstPgbenchOfTheSameTransaction() throws Exception {
        PackagedApp.freshSchema(SCHEMA);
        long storeId;
        double rps;
        List<Double> ms;
        try (PackagedApp app = PackagedApp.start("webhook-ingest", SCHEMA, List.of(), Map.of(
                "stocksync.worker.enabled", "false",
                // The store's site is never called here; prod would otherwise resolve its name when it is saved.
                "stocksync.outbound.allowed-hosts", "woo.example.com"))) {
            storeId = app.createStore("""
                    {"name": "Bench Woo", "platform": "woocommerce", "siteUrl": "https://woo.example.com",
                     "consumerKey": "ck_bench", "consumerSecret": "cs_bench", "webhookSecret": "%s"}""".formatted(SECRET));
            Vertx vertx = Vertx.vertx();
            try {
                HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                        .setDefaultPort(app.port()).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(CLIENTS));
                String path = "/webhooks/woocommerce/" + storeId;
                double warmup = warmUp(client, path);
                BenchFigures.info(SECTION, "service: warm-up before measuring", BenchFigures.fmt(warmup) + " s");
                long movementsBefore = movements(app, storeId);
                ms = Collections.synchronizedList(new ArrayList<>());
                long t0 = System.nanoTime();
                run(client, path, MEASURE, ms);
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertEquals(2L * ms.size(), movements(app, storeId) - movementsBefore, "every order books its two lines once");
                rps = ms.size() / seconds;
            } finally {
                vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
        // The app is stopped: pgbench has the machine to itself, as the service had.
        Pgbench raw = pgbench(storeId, "prepared");
        // pgbench -M prepared parses once per connection and may keep a generic plan; its literals (the two drafts'
        // arrays among them) are known to the planner, where the service binds them. The same statements parsed and
        // planned on every execution show what planning costs.
        Pgbench planned = pgbench(storeId, "extended");
        BenchFigures.info(SECTION, "service: requests/s", BenchFigures.fmt(rps));
        BenchFigures.info(SECTION, "service: p99", BenchFigures.fmt(BenchFigures.percentile(ms, 99)) + " ms");
        BenchFigures.info(SECTION, "raw pgbench, same statements: transactions/s", BenchFigures.fmt(raw.tps()));
        BenchFigures.info(SECTION, "raw pgbench: p99", BenchFigures.fmt(raw.p99()) + " ms");
        BenchFigures.info(SECTION, "pgbench planning every execution (-M extended): transactions/s",
                BenchFigures.fmt(planned.tps()));
        BenchFigures.atLeast(SECTION, "service ÷ raw ceiling", rps / raw.tps(), "", 0.9);
    }

    /** Seconds spent: rounds until the rate of two in a row agrees within 3%, between the minimum and the maximum. */
    private static double warmUp(HttpClient client, String path) throws Exception {
        long t0 = System.nanoTime();
        double previous = 0;
        while (true) {
            List<Double> round = Collections.synchronizedList(new ArrayList<>());
            long r0 = System.nanoTime();
            run(client, path, WARMUP_ROUND, round);
            double rate = round.size() / ((System.nanoTime() - r0) / 1e9);
            Duration spent = Duration.ofNanos(System.nanoTime() - t0);
            boolean steady = previous > 0 && Math.abs(rate - previous) <= 0.03 * previous;
            if ((steady && spent.compareTo(WARMUP_MIN) >= 0) || spent.compareTo(WARMUP_MAX) >= 0) {
                return spent.toMillis() / 1000.0;
            }
            previous = rate;
        }
    }

    private static long movements(PackagedApp app, long storeId) throws SQLException {
        try (Connection c = app.jdbc();
             PreparedStatement st = c.prepareStatement("SELECT count(*) FROM inventory_movements_queue WHERE store_id = ?")) {
            st.setLong(1, storeId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** {@code CLIENTS} loops, each posting its next order as soon as the last one is answered, until the time is up. */
    private static void run(HttpClient client, String path, Duration duration, List<Double> ms) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            next(client, path, end, ms, done);
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(duration.toSeconds() + 60, TimeUnit.SECONDS);
    }

    private static void next(HttpClient client, String path, long end, List<Double> ms, CompletableFuture<Void> done) {
        if (System.nanoTime() >= end) {
            done.complete(null);
            return;
        }
        long id = ORDERS.incrementAndGet();
        byte[] body = order(id);
        String signature = WebhookSignature.sign(SECRET, body);
        long t0 = System.nanoTime();
        client.request(HttpMethod.POST, path)
                .compose(req -> req.putHeader("Content-Type", "application/json")
                        .putHeader("X-WC-Webhook-Topic", "order.created").putHeader("X-WC-Webhook-Resource", "order")
                        .putHeader("X-WC-Webhook-Event", "created").putHeader("X-WC-Webhook-Signature", signature)
                        .send(Buffer.buffer(body))
                        .compose(resp -> resp.body().map(b -> {
                            if (resp.statusCode() != 200 || !b.toString().contains("\"movementsCreated\":2")) {
                                throw new AssertionError("delivery answered " + resp.statusCode() + ": " + b);
                            }
                            return b;
                        })))
                .onSuccess(b -> {
                    ms.add((System.nanoTime() - t0) / 1e6);
                    next(client, path, end, ms, done);
                })
                .onFailure(done::completeExceptionally);
    }

    /** A new order in status processing, two lines. */
    static byte[] order(long id) {
        return """
                {"id": %d, "number": "%d", "status": "processing", "date_modified_gmt": "2026-12-01T10:00:00",
                 "billing": {"first_name": "Ana", "last_name": "Pérez", "email": "ana@example.com"},
                 "line_items": [{"id": %d, "product_id": 1, "variation_id": 0, "quantity": 1, "sku": "BENCH-A"},
                                {"id": %d, "product_id": 2, "variation_id": 0, "quantity": 2, "sku": "BENCH-B"}]}"""
                .formatted(id, id, id * 10 + 1, id * 10 + 2).getBytes(StandardCharsets.UTF_8);
    }

    record Pgbench(double tps, double p99) {
    }

    /**
     * (pgbench substitutes {@code :name} even inside string literals, so no literal here has a colon before a letter
     * or digit.)
     *
     * <p>The statements a WooCommerce delivery of a new order sends (the store look-up, the order's state read without
     * a lock, the record statement guarded by that state), with literals for what the service binds, each transaction a
     * new order. Run with the same client count for the same time, on the schema the app used, in {@code protocol}
     * (pgbench's -M: {@code prepared} plans once per connection, {@code extended} on every execution).
     */
    private Pgbench pgbench(long storeId, String protocol) throws IOException, InterruptedException {
        String key = "(:client_id || '-' || :o)";
        String[] params = {
                ":store", "'woocommerce'", "'order.created'", "('woocommerce-sha256-' || " + key + ")", key,
                "'BOOKED'", "'[]'", "NULL",
                "'{\"id\": 1, \"number\": \"1\", \"status\": \"processing\", \"line_items\": [{\"id\": 11, \"sku\": "
                        + "\"BENCH-A\", \"quantity\": 1}, {\"id\": 12, \"sku\": \"BENCH-B\", \"quantity\": 2}]}'",
                "('h-' || " + key + ")", "NULL", "NULL",
                "ARRAY['BENCH-A', 'BENCH-B']", "ARRAY['SALE', 'SALE']", "ARRAY[1, 2]",
                "ARRAY['woo-' || " + key + " || '-BENCH-A', 'woo-' || " + key + " || '-BENCH-B']",
                "ARRAY[" + key + ", " + key + "]", "ARRAY['1', '1']", "ARRAY[NULL, NULL]::text[]",
                key, "'1'", "'processing'", "true", "0",
                "'[{\"sku\": \"BENCH-A\", \"quantity\": 1}, {\"sku\": \"BENCH-B\", \"quantity\": 2}]'",
                "'20261201T100000'"};
        String script = String.join("\n",
                "\\set o random(1, 2000000000)",
                bind(StoreContexts.WEBHOOK_SETTINGS, params) + ";",
                bind(WebhookIngestService.READ_ORDER, new String[]{":store", key}) + ";",
                bind(WebhookIngestService.RECORD_IF_ORDER_NEW, params) + ";", "");
        Path dir = Path.of("target", "benchmark").toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve("webhook-ingest.pgbench.sql");
        Files.writeString(file, script);
        try (Stream<Path> old = Files.list(dir)) {
            old.filter(p -> p.getFileName().toString().startsWith("pgbench_log")).forEach(p -> p.toFile().delete());
        }
        String schema = SCHEMA;
        ProcessBuilder pb = new ProcessBuilder("pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-M", protocol,
                "-c", String.valueOf(CLIENTS), "-j", "2", "-T", String.valueOf(MEASURE.toSeconds()),
                "-D", "store=" + storeId, "-l", "--log-prefix=" + dir.resolve("pgbench_log"), "-f", file.toString(),
                "postgres").redirectErrorStream(true);
        pb.environment().put("PGOPTIONS", "-c search_path=" + schema);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("pgbench failed:\n" + out);
        }
        Matcher m = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(out);
        if (!m.find()) {
            throw new AssertionError("no tps in pgbench's output:\n" + out);
        }
        Matcher failed = Pattern.compile("number of failed transactions: (\\d+)").matcher(out);
        if (failed.find() && !failed.group(1).equals("0")) {
            throw new AssertionError("pgbench transactions failed:\n" + out);
        }
        List<Double> latencies = new ArrayList<>();
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(x -> x.getFileName().toString().startsWith("pgbench_log")).toList()) {
                for (String line : Files.readAllLines(log)) {
                    latencies.add(Long.parseLong(line.split(" ")[2]) / 1000.0);
                }
            }
        }
        System.out.println(out);
        return new Pgbench(Double.parseDouble(m.group(1)), BenchFigures.percentile(latencies, 99));
    }

    /** $n → the literal for parameter n, highest first so $1 does not eat $10; comments out (pgbench reads lines). */
    static String bind(String sql, String[] params) {
        String s = sql.replaceAll("--[^\n]*", "");
        for (int i = params.length; i >= 1; i--) {
            s = s.replace("$" + i, "(" + params[i - 1] + ")");
        }
        return String.format(Locale.ROOT, "%s", s.strip());
    }
}
