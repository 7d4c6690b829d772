package ec.stocksync.movement;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Endpoint;
import ec.stocksync.sandbox.contifico.ContificoSimulator.Fault;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimLine;
import ec.stocksync.sandbox.contifico.ContificoSimulator.SimMovement;
import ec.stocksync.webhook.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * DESIGN rules 1 and 2 against a real crash: the packaged application runs as a child process, is killed with SIGKILL
 * while movement POSTs are on the wire (twice: once in normal traffic, once while it is recovering from the first
 * kill), and after a restart everything drains with every sale booked in Contifico exactly once.
 *
 * <p>Not a {@code @QuarkusTest}: the point is a process that dies without running a single line of shutdown code, which
 * only a separate JVM gives. The Contifico simulator lives in this JVM so it survives the kills and keeps what it booked.
 */
class WorkerCrashRecoveryIT {

    /**
     * Its own schema, named after the run's STOCKSYNC_TEST_SCHEMA: two runs with different values never share one, and
     * the end-to-end ITs ({@code _e2e}) may still be running their app in theirs. Not a system property under
     * {@code stocksync.}: Maven hands -D options to the @QuarkusTest JVM too, whose configuration refuses unknown keys
     * of its own namespace.
     */
    private static final String SCHEMA = System.getenv().getOrDefault("STOCKSYNC_TEST_SCHEMA", "stocksync_test") + "_crash";
    private static final String JDBC_URL = "jdbc:postgresql://127.0.0.1:5432/postgres";
    private static final String ADMIN_TOKEN = "crash-it-admin-token";
    private static final String SECRETS_KEY = java.util.Base64.getEncoder()
            .encodeToString("crash-it-key-not-a-secret-000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    private static final String SHOPIFY_SECRET = "crash-it-shopify-secret";
    private static final List<String> SKUS = List.of("CRASH-001", "CRASH-002", "CRASH-003", "CRASH-004", "CRASH-005");
    private static final BigDecimal INITIAL_STOCK = BigDecimal.valueOf(1000);
    private static final int SALES_PER_WAVE = 40;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final Path LOG_DIR = Path.of("target", "crash-it");
    /** The child's {@code stocksync.worker.lease}. */
    private static final Duration LEASE = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final long seed = Long.getLong("crash-it.seed", System.nanoTime());
    private final Random random = new Random(seed);
    private final Map<String, Integer> sold = new LinkedHashMap<>();
    private final Map<String, String> productIds = new LinkedHashMap<>();

    private Vertx vertx;
    private ContificoSimulator contifico;
    private Connection db;
    private App app;
    private String warehouseId;
    private long storeId;
    private int salesPosted;
    private long orderIds = System.currentTimeMillis() * 1000;

    @BeforeEach
    void setUp() throws Exception {
        try (Connection admin = DriverManager.getConnection(JDBC_URL, "postgres", "");
             Statement st = admin.createStatement()) {
            // Leftovers of an earlier run (or of a run killed half-way) must not count as this run's movements.
            st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            st.execute("CREATE SCHEMA " + SCHEMA);
        }
        db = DriverManager.getConnection(JDBC_URL + "?currentSchema=" + SCHEMA, "postgres", "");
        Files.createDirectories(LOG_DIR);

        vertx = Vertx.vertx();
        contifico = new ContificoSimulator(vertx, "crash-it-contifico-key").startAndWait(0);
        warehouseId = contifico.addWarehouse("BOD001", "Bodega Principal").id();
        for (String sku : SKUS) {
            String id = contifico.addProduct(sku, "Producto " + sku, true).id;
            contifico.setStock(id, warehouseId, INITIAL_STOCK);
            productIds.put(sku, id);
            sold.put(sku, 0);
        }
        // Slow enough that a kill lands while POSTs are on the wire; random, so some land before and some after it.
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.randomLatency(300, 700, -1));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (app != null) {
            app.stop();
        }
        if (contifico != null) {
            contifico.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void salesWhosePushWasCutBySigkillAreBookedExactlyOnceAfterRestart() throws Exception {
        long started = System.nanoTime();
        app = App.start("run1");
        createStoreAndIntegration();

        postSales(SALES_PER_WAVE);
        Snapshot first = killMidPush("first kill (normal traffic)", 0, () -> true);
        long firstKill = System.nanoTime();

        app = App.start("run2");
        // Fresh sales while the restarted worker settles what the dead one left in doubt.
        postSales(SALES_PER_WAVE);
        // Only once the dead process's leases have run out and been taken over: the second kill then lands on a worker
        // that is recovering, whose own leases on those movements must run out in turn.
        Snapshot second = killMidPush("second kill (during recovery)", first.done(),
                () -> System.nanoTime() - firstKill > LEASE.toNanos()
                        && count("status = 'IN_PROGRESS' AND lease_expires_at < now()") == 0);

        app = App.start("run3");
        awaitUntil("every movement DONE", DRAIN_TIMEOUT, () -> count("status = 'DONE'") == salesPosted);

        assertEverySaleBookedExactlyOnce();

        // Bookings Contifico made for a dead process are now owned by their movements: settled by a look-up, since
        // a re-send would have left them orphaned (and failed the exactly-once check above).
        Set<String> owned = strings("SELECT DISTINCT contifico_movement_id FROM inventory_movements_queue");
        for (Snapshot s : List.of(first, second)) {
            assertTrue(owned.containsAll(s.bookedUnrecorded()), "unsettled bookings " + s.bookedUnrecorded());
        }

        List<String> logs = new ArrayList<>();
        for (String run : List.of("run1", "run2", "run3")) {
            logs.addAll(Files.readAllLines(App.logFile(run)));
        }
        long lookupsFound = logs.stream().filter(l -> l.contains("although its answer was lost")).count();
        long repushed = logs.stream().filter(l -> l.contains("is not in Contifico: pushing again")).count();
        long takenOver = logs.stream().filter(l -> l.contains("whose lease expired")).count();
        Set<String> lostAnswers = new HashSet<>(first.bookedUnrecorded());
        lostAnswers.addAll(second.bookedUnrecorded());
        System.out.printf("[crash-it] %d sales in %d Contifico movements, all DONE; %d booking(s) made while the app was"
                        + " dead, settled by %d look-up(s); %d re-push(es) after a look-up found nothing; %d lease take-over(s);"
                        + " seed %d; %.1f s%n",
                salesPosted, contifico.movements().size(), lostAnswers.size(), lookupsFound, repushed, takenOver, seed,
                (System.nanoTime() - started) / 1e9);
    }

    @Test
    void aPullRunCutByAKillOrAShutdownEndsInterruptedNeverStaysRunning() throws Exception {
        app = App.start("pulls1");
        createStoreAndIntegration();
        // The run's first step (is the warehouse still there?) now takes 8 s: long enough to cut it.
        contifico.setFault(Endpoint.WAREHOUSE_LIST, Fault.latency(8000, -1));

        long killed = startPull();
        app.kill();
        assertEquals("RUNNING", runStatus(killed), "SIGKILL leaves the row as it was");
        app = App.start("pulls2");
        // The restarted replica finds the RUNNING row whose pull lock nobody holds.
        awaitUntil("the killed run marked INTERRUPTED", Duration.ofSeconds(20),
                () -> "INTERRUPTED".equals(runStatus(killed)));

        long stopped = startPull();
        app.stop(); // SIGTERM: the replica marks its own running pulls on the way out.
        assertEquals("INTERRUPTED", runStatus(stopped));
        assertTrue(string("SELECT reason FROM pull_runs WHERE id = " + stopped).contains("shut down"));
        contifico.clearFaults();
    }

    @Test
    void salesCutBySigtermAreBookedOnceAndTheirLeasesAreGivenBackWithoutWaitingForThemToExpire() throws Exception {
        // Leases far longer than the test: a movement left leased would hold up the drain for two minutes.
        String[] longLeases = {"-Dstocksync.worker.lease=120s", "-Dstocksync.worker.lease-renew-interval=10s",
                "-Dquarkus.shutdown.delay=1s", "-Dquarkus.shutdown.timeout=2s"};
        app = App.start("term1", longLeases);
        createStoreAndIntegration();
        // Every POST takes 6 s: pushes are on the wire when SIGTERM comes and cannot finish within the timeout.
        contifico.setFault(Endpoint.MOVEMENT_CREATE, Fault.latency(6000, -1));
        postSales(SALES_PER_WAVE);
        awaitUntil("POSTs on the wire", Duration.ofSeconds(20), () -> postsOnTheWire() > 0);

        long sigterm = System.nanoTime();
        app.process.destroy();
        boolean sawNotReady = false;
        while (app.alive() && !sawNotReady && System.nanoTime() - sigterm < Duration.ofSeconds(5).toNanos()) {
            sawNotReady = app.readiness() == 503;
        }
        assertTrue(sawNotReady, "readiness should be DOWN while the replica stops");
        assertTrue(app.process.waitFor(30, TimeUnit.SECONDS), "the replica did not stop within 30 s of SIGTERM");
        System.out.printf("[crash-it] stopped %.1f s after SIGTERM with %d POST(s) on the wire%n",
                (System.nanoTime() - sigterm) / 1e9, postsOnTheWire());
        assertEquals(0, count("status = 'IN_PROGRESS'"), "a stopped replica holds no lease; see " + app.log);
        // Given back by the drain, or by their own push's failure path if a POST was cut on the way out: either way
        // PENDING at once, never left to a lease.
        System.out.printf("[crash-it] at SIGTERM: %s%n", Files.readAllLines(app.log).stream()
                .anyMatch(l -> l.contains("movement(s) back to the queue")) ? "the drain gave movements back"
                : "every push had ended before the drain");

        contifico.clearFaults();
        app = App.start("term2", longLeases);
        long restarted = System.nanoTime();
        awaitUntil("every movement DONE", Duration.ofSeconds(60), () -> count("status = 'DONE'") == salesPosted);
        assertEverySaleBookedExactlyOnce();
        assertTrue(Files.readAllLines(app.log).stream().noneMatch(l -> l.contains("whose lease expired")),
                "nothing was taken over by lease expiry");
        System.out.printf("[crash-it] after SIGTERM: %d sales drained %.1f s after restart (leases: 120 s)%n",
                salesPosted, (System.nanoTime() - restarted) / 1e9);
    }

    @Test
    void twoReplicasPullAndReconcileEachStoreOncePerPeriod() throws Exception {
        // Every 2 s, on both replicas: the claims, not luck, must keep each store's runs to one per period.
        String[] everyTwoSeconds = {"-Dstocksync.sync.schedule=*/2 * * * * ?", "-Dstocksync.reconcile.every=2s",
                "-Dstocksync.reconcile.delayed=1s", "-Dstocksync.worker.enabled=false"};
        app = App.start("replicaA", everyTwoSeconds);
        List<Long> stores = List.of(createStore("replica-one"), createStore("replica-two"), createStore("replica-three"));
        App other = App.start("replicaB", everyTwoSeconds);
        // Log lines carry the local wall-clock time: count the runs made while both replicas were up.
        java.time.LocalDateTime bothUp = java.time.LocalDateTime.now();
        try {
            Thread.sleep(12_000);
        } finally {
            java.time.LocalDateTime firstStop = java.time.LocalDateTime.now();
            other.stop();
            app.stop();
            window = Duration.between(bothUp, firstStop);
            lastBothUp = firstStop;
        }

        Map<Long, Integer> pullPeriods = new HashMap<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("""
                SELECT store_id, scheduled_for, count(*), string_agg(owner, ' ') FROM pull_runs
                WHERE trigger = 'SCHEDULED' GROUP BY store_id, scheduled_for""")) {
            while (rs.next()) {
                assertEquals(1, rs.getInt(3), "store " + rs.getLong(1) + " pulled by " + rs.getString(4) + " for the period "
                        + rs.getString(2));
                pullPeriods.merge(rs.getLong(1), 1, Integer::sum);
            }
        }
        List<String> logs = new ArrayList<>(Files.readAllLines(App.logFile("replicaA")));
        logs.addAll(Files.readAllLines(App.logFile("replicaB")));
        for (long id : stores) {
            assertTrue(pullPeriods.getOrDefault(id, 0) >= 4, "store " + id + " pulled in only "
                    + pullPeriods.getOrDefault(id, 0) + " periods");
            long reconciled = logs.stream().filter(l -> l.contains("reconciled store=" + id + " "))
                    .filter(l -> within(l, bothUp, lastBothUp)).count();
            // Two replicas each reconciling every store every 2 s would make about twice this many.
            long periods = window.toMillis() / 2000 + 2;
            assertTrue(reconciled >= 3 && reconciled <= periods, "store " + id + " reconciled " + reconciled
                    + " times in the " + window.toSeconds() + " s both replicas ran (at most " + periods + " periods)");
        }
        System.out.printf("[crash-it] two replicas for %d s: scheduled pull periods per store %s, each pulled once%n",
                window.toSeconds(), pullPeriods);
    }

    private Duration window;
    private java.time.LocalDateTime lastBothUp;

    /** Whether a log line (the console format, or a JSON record) was written between {@code from} and {@code to}. */
    private static boolean within(String logLine, java.time.LocalDateTime from, java.time.LocalDateTime to) {
        java.time.LocalDateTime at;
        if (logLine.startsWith("{")) {
            String ts = new JsonObject(logLine).getString("timestamp");
            java.time.OffsetDateTime t;
            try {
                t = java.time.OffsetDateTime.parse(ts);
            } catch (java.time.format.DateTimeParseException notIso) {
                t = java.time.OffsetDateTime.parse(ts, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ"));
            }
            at = t.atZoneSameInstant(java.time.ZoneId.systemDefault()).toLocalDateTime();
        } else if (logLine.length() >= 23) {
            at = java.time.LocalDateTime.parse(logLine.substring(0, 23),
                    java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss,SSS"));
        } else {
            return false;
        }
        return !at.isBefore(from) && !at.isAfter(to);
    }

    private long startPull() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.uri("/api/stores/" + storeId + "/pull"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
        return new JsonObject(r.body()).getLong("id");
    }

    private String runStatus(long runId) {
        return string("SELECT status FROM pull_runs WHERE id = " + runId);
    }

    private String string(String sql) {
        try (Statement st = db.createStatement(); java.sql.ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ the crash

    /** How the queue and Contifico stood when the child was killed. */
    record Snapshot(long done, long inProgress, long inDoubt, int postsOnTheWire, Set<String> bookedUnrecorded) {
        @Override
        public String toString() {
            return done + " DONE, " + inProgress + " IN_PROGRESS (" + inDoubt + " in doubt), " + postsOnTheWire
                    + " POST(s) on the wire, " + bookedUnrecorded.size() + " booked by Contifico but unrecorded";
        }
    }

    /**
     * Waits until the worker has finished some movements since {@code doneBefore}, has not finished all, has a
     * movement POST on the wire and {@code also} holds, then SIGKILLs the child. A POST on the wire is one Contifico has received and not yet
     * answered: with latency on, the request count runs ahead of the bookings by exactly those.
     */
    private Snapshot killMidPush(String what, long doneBefore, BooleanSupplier also) throws Exception {
        awaitUntil(what, Duration.ofSeconds(30), () -> {
            long done = count("status = 'DONE'");
            return done > doneBefore && done < salesPosted && postsOnTheWire() > 0 && also.getAsBoolean();
        });
        int onTheWire = postsOnTheWire();
        app.kill();
        long done = count("status = 'DONE'");
        long inProgress = count("status = 'IN_PROGRESS'");
        long inDoubt = count("status = 'IN_PROGRESS' AND push_outcome_unknown");
        // Contifico finishes what it received even though the client is gone: wait out the longest latency.
        Thread.sleep(900);
        Set<String> recorded = strings("SELECT DISTINCT contifico_movement_id FROM inventory_movements_queue"
                + " WHERE contifico_movement_id IS NOT NULL");
        Set<String> unrecorded = contifico.movements().stream().map(SimMovement::id).filter(id -> !recorded.contains(id))
                .collect(Collectors.toSet());
        Snapshot s = new Snapshot(done, inProgress, inDoubt, onTheWire, unrecorded);
        System.out.printf("[crash-it] %s: %s%n", what, s);
        assertTrue(inProgress > 0, "the kill should catch movements in progress: " + s);
        return s;
    }

    private int postsOnTheWire() {
        return contifico.count(Endpoint.MOVEMENT_CREATE) - contifico.movements().size();
    }

    // ------------------------------------------------------------------------------------------------ assertions

    private void assertEverySaleBookedExactlyOnce() throws SQLException {
        record Row(long id, String sku, int quantity, String status, String movementId, String reference) {
        }
        List<Row> rows = new ArrayList<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT id, sku, quantity, status,"
                + " contifico_movement_id, contifico_reference FROM inventory_movements_queue ORDER BY id")) {
            while (rs.next()) {
                rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getString(5),
                        rs.getString(6)));
            }
        }
        assertEquals(salesPosted, rows.size(), "one movement per accepted sale line");
        for (Row r : rows) {
            assertEquals("DONE", r.status(), "movement " + r.id());
            assertNotNull(r.movementId(), "movement " + r.id() + " is DONE without a Contifico movement");
        }

        Map<String, SimMovement> booked = contifico.movements().stream()
                .collect(Collectors.toMap(SimMovement::id, m -> m));
        Map<String, List<Row>> byBooking = rows.stream().collect(Collectors.groupingBy(Row::movementId));
        for (SimMovement m : booked.values()) {
            assertEquals("EGR", m.tipo(), m.id());
            assertEquals(warehouseId, m.bodegaId(), m.id());
            assertEquals(1, m.detalles().size(), m.id());
            List<Row> members = byBooking.get(m.id());
            // A booking no queue row points at is a sale pushed twice (the other push is the one the rows point at).
            assertNotNull(members, "Contifico movement " + m.id() + " (" + m.descripcion() + ") belongs to no movement");
            SimLine line = m.detalles().get(0);
            for (Row r : members) {
                assertEquals(productIds.get(r.sku()), line.productoId(), "movement " + r.id());
                assertTrue(m.descripcion().contains(r.reference()), "movement " + r.id() + " reference " + r.reference()
                        + " not in " + m.descripcion());
            }
            assertEquals(0, BigDecimal.valueOf(members.stream().mapToInt(Row::quantity).sum()).compareTo(line.cantidad()),
                    "Contifico movement " + m.id() + " books " + line.cantidad() + " for " + members);
        }
        for (String movementId : byBooking.keySet()) {
            assertTrue(booked.containsKey(movementId), "movements point at " + movementId + ", which Contifico never booked");
        }

        for (String sku : SKUS) {
            String productId = productIds.get(sku);
            BigDecimal bookedForSku = booked.values().stream().map(m -> m.detalles().get(0))
                    .filter(l -> l.productoId().equals(productId)).map(SimLine::cantidad)
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal soldForSku = BigDecimal.valueOf(sold.get(sku));
            assertEquals(0, soldForSku.compareTo(bookedForSku), sku + ": sold " + soldForSku + ", booked " + bookedForSku);
            assertEquals(0, INITIAL_STOCK.subtract(soldForSku).compareTo(contifico.stock(productId, warehouseId)),
                    sku + " stock in Contifico");
            assertEquals(1, contifico.maxConcurrentMovementPosts(productId), sku + ": two pushes of one SKU overlapped");
        }
    }

    // ------------------------------------------------------------------------------------------------ traffic

    private void createStoreAndIntegration() throws Exception {
        storeId = createStore("crash-it");
    }

    private long createStore(String shop) throws Exception {
        // No Shopify runs in prod mode: the post-push pull fails fast on a closed port, is logged, and the push stays done.
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        JsonObject store = new JsonObject().put("name", "Crash IT " + shop).put("platform", "shopify")
                .put("shopDomain", shop + ".myshopify.com").put("apiBaseUrl", "http://127.0.0.1:" + closedPort)
                .put("accessToken", "shpat_crash_it").put("locationId", "655441491")
                .put("webhookSecret", SHOPIFY_SECRET);
        long id = adminPost("/api/stores", store).getLong("id");
        adminPost("/api/stores/" + id + "/integrations", new JsonObject().put("provider", "contifico")
                .put("baseUrl", contifico.baseUrl()).put("apiKey", contifico.apiKey()).put("warehouseId", warehouseId));
        return id;
    }

    private JsonObject adminPost(String path, JsonObject body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.uri(path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), path + ": " + r.body());
        return new JsonObject(r.body());
    }

    /** Signed Shopify orders/create deliveries of one line each; a 200 means the movement is committed. */
    private void postSales(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String sku = SKUS.get(random.nextInt(SKUS.size()));
            int quantity = 1 + random.nextInt(3);
            long orderId = ++orderIds;
            byte[] body = """
                    {"id": %d, "name": "#C%d", "test": false, "line_items": [
                      {"id": %d, "sku": "%s", "quantity": %d, "gift_card": false, "variant_inventory_management": "shopify"}]}"""
                    .formatted(orderId, orderId % 1_000_000, orderId + 7, sku, quantity).getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(app.uri("/webhooks/shopify/" + storeId))
                    .header("Content-Type", "application/json").header("X-Shopify-Topic", "orders/create")
                    .header("X-Shopify-Shop-Domain", "crash-it.myshopify.com")
                    .header("X-Shopify-Webhook-Id", UUID.randomUUID().toString())
                    .header("X-Shopify-Hmac-Sha256", WebhookSignature.sign(SHOPIFY_SECRET, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            sold.merge(sku, quantity, Integer::sum);
            salesPosted++;
        }
    }

    // ------------------------------------------------------------------------------------------------ database

    private long count(String where) {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM inventory_movements_queue WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> strings(String sql) throws SQLException {
        Set<String> out = new HashSet<>();
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private void awaitUntil(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (app != null && !app.alive()) {
                fail("the application died while waiting for " + what + "; see " + app.log);
            }
            if (System.nanoTime() > deadline) {
                Map<String, Long> byStatus = new HashMap<>();
                for (String s : List.of("PENDING", "IN_PROGRESS", "DONE", "DEAD")) {
                    byStatus.put(s, count("status = '" + s + "'"));
                }
                fail("timed out after " + timeout + " waiting for " + what + "; queue " + byStatus + " of " + salesPosted
                        + " sales; see " + LOG_DIR);
            }
            Thread.sleep(20);
        }
    }

    // ------------------------------------------------------------------------------------------------ the child

    /** The packaged application ({@code target/quarkus-app}) in its own JVM, in prod mode. */
    static final class App {
        private static final HttpClient PROBE = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

        final Process process;
        final int port;
        /** Health lives on the management interface, not on the public port. */
        final int managementPort;
        final Path log;

        private App(Process process, int port, int managementPort, Path log) {
            this.process = process;
            this.port = port;
            this.managementPort = managementPort;
            this.log = log;
        }

        static Path logFile(String name) {
            return LOG_DIR.resolve(name + ".log");
        }

        /** {@code extra} system properties come last, so they override the defaults below. */
        static App start(String name, String... extra) throws Exception {
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
            assertTrue(Files.exists(jar), jar + " is missing: run the IT through `mvnw verify` (after package)");
            int port = freePort();
            // Not the default 9000: a dev instance or another run may hold it.
            int managementPort = freePort();
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port,
                    "-Dquarkus.management.port=" + managementPort,
                    "-Dquarkus.datasource.reactive.url=postgresql://127.0.0.1:5432/postgres?search_path=" + SCHEMA,
                    "-Dquarkus.datasource.jdbc.url=" + JDBC_URL + "?currentSchema=" + SCHEMA,
                    "-Dquarkus.datasource.username=postgres",
                    "-Dquarkus.flyway.schemas=" + SCHEMA,
                    "-Dstocksync.admin-token=" + ADMIN_TOKEN,
                    // The packaged app runs in prod mode: let it reach the local simulators over http.
                    "-Dstocksync.outbound.allow-insecure=true",
                    "-Dstocksync.outbound.allowed-hosts=127.0.0.1,*.myshopify.com",
                    // Prod refuses to start without a secrets key; a fixed one here, generated like a real one.
                    "-Dstocksync.secrets.key=" + SECRETS_KEY,
                    // Seconds instead of the production minutes, so a dead worker's leases run out within the test.
                    "-Dstocksync.worker.lease=" + LEASE.toSeconds() + "s",
                    "-Dstocksync.worker.lease-renew-interval=1s",
                    "-Dstocksync.worker.poll-interval=300ms",
                    "-Dstocksync.worker.outcome-unknown-delay=1s",
                    "-Dstocksync.worker.backoff-base=200ms",
                    "-Dstocksync.worker.backoff-cap=1s",
                    "-Dstocksync.worker.lock-busy-delay=200ms",
                    // Small groups: more separate pushes, so more of them are cut by a kill.
                    "-Dstocksync.worker.max-group-size=3",
                    "-Dstocksync.storefront.retry.max-retries=0"));
            cmd.addAll(List.of(extra));
            cmd.addAll(List.of("-jar", jar.toString()));
            Path log = logFile(name);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            App app = new App(p, port, managementPort, log);
            try {
                app.awaitReady(Duration.ofSeconds(60));
            } catch (AssertionError | Exception e) {
                app.stop();
                throw e;
            }
            return app;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }

        boolean alive() {
            return process.isAlive();
        }

        private void awaitReady(Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                if (!process.isAlive()) {
                    fail("the application exited with " + process.exitValue() + " at start-up; see " + log);
                }
                try {
                    HttpResponse<Void> r = PROBE.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // Not listening yet.
                }
                if (System.nanoTime() > deadline) {
                    fail("the application was not ready after " + timeout + "; see " + log);
                }
                Thread.sleep(100);
            }
        }

        /** The readiness probe's status; 0 when nothing answers. */
        int readiness() {
            try {
                return PROBE.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }

        /** SIGKILL: no shutdown hook, no lease released, no in-flight request finished. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "the application survived SIGKILL");
            assertFalse(process.isAlive());
        }

        void stop() throws InterruptedException {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }
}
