package ec.stocksync.webhook;

import ec.stocksync.store.StoreContexts;
import ec.stocksync.support.Api;
import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.Db;
import ec.stocksync.support.HttpTimer;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Webhook ingest at 16 clients (signed WooCommerce orders of two lines, each booking two sales) against pgbench
 * running the same statements on the same schema (triggers included) at the same concurrency: the raw ceiling of what
 * the service asks of PostgreSQL. The worker is off (as in every test), so this is ingest alone. No timing assertion;
 * it checks that every accepted order booked its two movements.
 */
@QuarkusTest
@Tag("benchmark")
class WebhookIngestBenchmark {

    static final int CLIENTS = 16;
    static final Duration WARMUP = Duration.ofSeconds(4);
    static final Duration MEASURE = Duration.ofSeconds(15);
    static final String SECTION = "webhook ingest, 16 clients, WooCommerce orders of two lines";
    static final AtomicLong ORDERS = new AtomicLong(System.currentTimeMillis() % 1_000_000 * 1000);

    @Inject
    Db db;
    @TestHTTPResource("/")
    URI base;

    @Test
    void sixteenClientsPostingOrdersAgainstPgbenchOfTheSameTransaction() throws Exception {
        long storeId = Api.createWooStore();
        URI uri = base.resolve("/webhooks/woocommerce/" + storeId);

        run(uri, WARMUP, new ArrayList<>());
        long movementsBefore = movements(storeId);
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        long t0 = System.nanoTime();
        run(uri, MEASURE, ms);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(2L * ms.size(), movements(storeId) - movementsBefore, "every order books its two lines once");
        double rps = ms.size() / seconds;

        Pgbench raw = pgbench(storeId);
        BenchFigures.info(SECTION, "service: requests/s", BenchFigures.fmt(rps));
        BenchFigures.info(SECTION, "service: p99", BenchFigures.fmt(BenchFigures.percentile(ms, 99)) + " ms");
        BenchFigures.info(SECTION, "raw pgbench, same statements: transactions/s", BenchFigures.fmt(raw.tps()));
        BenchFigures.info(SECTION, "raw pgbench: p99", BenchFigures.fmt(raw.p99()) + " ms");
        BenchFigures.atLeast(SECTION, "service ÷ raw ceiling", rps / raw.tps(), "", 0.9);
    }

    private long movements(long storeId) {
        return db.count("SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1", storeId);
    }

    private static void run(URI uri, Duration duration, List<Double> ms) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                clients.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        HttpRequest request = order(uri, ORDERS.incrementAndGet());
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = HttpTimer.send(request);
                        double elapsed = (System.nanoTime() - t0) / 1e6;
                        if (r.statusCode() != 200 || !r.body().contains("\"movementsCreated\":2")) {
                            throw new AssertionError("delivery answered " + r.statusCode() + ": " + r.body());
                        }
                        ms.add(elapsed);
                    }
                    return null;
                }));
            }
            for (Future<?> f : clients) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A new order in status processing, two lines, signed as WooCommerce signs it. */
    static HttpRequest order(URI uri, long id) {
        String body = """
                {"id": %d, "number": "%d", "status": "processing", "date_modified_gmt": "2026-12-01T10:00:00",
                 "billing": {"first_name": "Ana", "last_name": "Pérez", "email": "ana@example.com"},
                 "line_items": [{"id": %d, "product_id": 1, "variation_id": 0, "quantity": 1, "sku": "BENCH-A"},
                                {"id": %d, "product_id": 2, "variation_id": 0, "quantity": 2, "sku": "BENCH-B"}]}"""
                .formatted(id, id, id * 10 + 1, id * 10 + 2);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("X-WC-Webhook-Topic", "order.created").header("X-WC-Webhook-Resource", "order")
                .header("X-WC-Webhook-Event", "created")
                .header("X-WC-Webhook-Signature", WebhookSignature.sign(Api.WOO_SECRET, bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    }

    record Pgbench(double tps, double p99) {
    }

    /**
     * (pgbench substitutes {@code :name} even inside string literals, so no literal here has a colon before a letter
     * or digit.)
     *
     * <p>The statements a WooCommerce delivery sends (the store look-up, then BEGIN, the order lock, the record, COMMIT),
     * with literals for what the service binds, each transaction a new order. Run with the same client count for the
     * same time, prepared, on the test schema.
     */
    private Pgbench pgbench(long storeId) throws IOException, InterruptedException {
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
                "BEGIN;",
                bind(WebhookIngestService.LOCK_ORDER, new String[]{":store", key}) + ";",
                bind(WebhookIngestService.RECORD_AND_ORDER, params) + ";",
                "COMMIT;", "");
        Path dir = Path.of("target", "benchmark").toAbsolutePath();
        Files.createDirectories(dir);
        Path file = dir.resolve("webhook-ingest.pgbench.sql");
        Files.writeString(file, script);
        try (Stream<Path> old = Files.list(dir)) {
            old.filter(p -> p.getFileName().toString().startsWith("pgbench_log")).forEach(p -> p.toFile().delete());
        }
        String schema = ConfigProvider.getConfig().getValue("quarkus.flyway.schemas", String.class);
        ProcessBuilder pb = new ProcessBuilder("pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-M", "prepared",
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
