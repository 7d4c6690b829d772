package ec.stocksync.sandbox.contifico;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A stateful fake of the Contifico API (see {@code shared/contifico-api.md}) on a local port, for tests and the dev
 * sandbox. It reproduces what our client must cope with: raw-key auth, trailing-slash 301s, string decimals, v1 paging,
 * the v2 envelope, the {@code para_pos} search quirk, no deduplication of movements, and switchable faults per endpoint.
 *
 * <p>State is guarded by {@code this}: handlers run on an event loop while tests seed and inspect from their own
 * threads; every critical section is short and in-memory, so the lock never blocks the loop for long.
 * Error codes other than the documented 1003/1055 and the 401/404 bodies are invented (the real ones are unknown).
 */
public final class ContificoSimulator {

    public static final String API_ROOT = "/sistema/api";
    private static final DateTimeFormatter FECHA = DateTimeFormatter.ofPattern("dd/MM/yyyy");
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /** Endpoints faults can target; the wire name is what the HTTP admin API takes. */
    public enum Endpoint {
        PRODUCT_LIST("producto.list"), PRODUCT_GET("producto.get"), PRODUCT_STOCK("producto.stock"),
        WAREHOUSE_LIST("bodega.list"), MOVEMENT_CREATE("movimiento.create"), MOVEMENT_LIST("movimiento.list"),
        MOVEMENT_GET("movimiento.get"), DOCUMENT_LIST("documento.list"), ANY("*");

        public final String wire;

        Endpoint(String wire) {
            this.wire = wire;
        }

        public static Endpoint fromWire(String s) {
            for (Endpoint e : values()) {
                if (e.wire.equals(s) || e.name().equalsIgnoreCase(s)) {
                    return e;
                }
            }
            throw new IllegalArgumentException("unknown endpoint " + s);
        }
    }

    public enum FaultType {
        /** Wait {@code latencyMs}, then answer normally. */
        LATENCY,
        /** Wait a random time in [latencyMs, maxLatencyMs], then answer normally. */
        RANDOM_LATENCY,
        /** 500 with a Python traceback, before doing anything. */
        ERROR_500,
        /** Do the work (a movement is booked), then answer 500. */
        ERROR_500_AFTER_STORE,
        /** Do the work (a movement is booked), then never answer. */
        HANG,
        /** Close the connection before doing anything. */
        DROP_CONNECTION,
        /** 429 before doing anything, with the fault's {@code retryAfter} as the Retry-After header ("1" if unset). */
        TOO_MANY_REQUESTS,
        /** Book the movement, then close the connection without an answer. */
        STORED_RESPONSE_LOST
    }

    /**
     * A fault; {@code times < 0} is permanent until cleared. {@code retryAfter} is the Retry-After header a
     * TOO_MANY_REQUESTS sends, verbatim (delta-seconds or an HTTP-date, or anything a test wants to throw at the client).
     */
    public record Fault(FaultType type, long latencyMs, long maxLatencyMs, int times, String retryAfter) {
        public Fault(FaultType type, long latencyMs, long maxLatencyMs, int times) {
            this(type, latencyMs, maxLatencyMs, times, null);
        }

        public static Fault throttled(String retryAfter, int times) {
            return new Fault(FaultType.TOO_MANY_REQUESTS, 0, 0, times, retryAfter);
        }

        public static Fault once(FaultType type) {
            return new Fault(type, 0, 0, 1);
        }

        public static Fault times(FaultType type, int n) {
            return new Fault(type, 0, 0, n);
        }

        public static Fault always(FaultType type) {
            return new Fault(type, 0, 0, -1);
        }

        public static Fault latency(long ms, int times) {
            return new Fault(FaultType.LATENCY, ms, ms, times);
        }

        public static Fault randomLatency(long minMs, long maxMs, int times) {
            return new Fault(FaultType.RANDOM_LATENCY, minMs, maxMs, times);
        }

        long delayMs() {
            return switch (type) {
                case LATENCY -> latencyMs;
                case RANDOM_LATENCY -> maxLatencyMs <= latencyMs ? latencyMs
                        : ThreadLocalRandom.current().nextLong(latencyMs, maxLatencyMs + 1);
                default -> 0;
            };
        }
    }

    public record RecordedRequest(Instant at, String method, String path, String query, String body, Endpoint endpoint) {
    }

    public record SimWarehouse(String id, String codigo, String nombre) {
    }

    public record SimLine(String productoId, BigDecimal cantidad, BigDecimal precio) {
    }

    /** {@code bodegaDestinoId} is set on transfers (TRA) only. */
    public record SimMovement(String id, String codigo, String tipo, LocalDate fecha, String bodegaId,
                              String bodegaDestinoId, String descripcion, List<SimLine> detalles) {
    }

    /** A sales document (FAC, NVE, PRE...); {@code documento} is its printed number, e.g. 001-001-000000123. */
    public record SimDocument(String id, String tipo, String documento, LocalDate fecha, String bodegaId,
                              List<SimLine> detalles) {
    }

    /** A product; mutable only through the simulator. */
    public static final class SimProduct {
        public final String id;
        public final String codigo;
        public final String nombre;
        public final boolean paraPos;
        public final String tipo;
        public final BigDecimal pvp1;
        private final Map<String, BigDecimal> stock = new LinkedHashMap<>();

        SimProduct(String id, String codigo, String nombre, boolean paraPos, String tipo, BigDecimal pvp1) {
            this.id = id;
            this.codigo = codigo;
            this.nombre = nombre;
            this.paraPos = paraPos;
            this.tipo = tipo;
            this.pvp1 = pvp1;
        }
    }

    private final Vertx vertx;
    private final String apiKey;
    private final Random random = new SecureRandom();
    private HttpServer server;
    private int port;

    private final Map<String, SimWarehouse> warehouses = new LinkedHashMap<>();
    private final Map<String, SimProduct> products = new LinkedHashMap<>();
    private final List<SimMovement> movements = new ArrayList<>();
    private final List<SimDocument> documents = new ArrayList<>();
    private int documentSequence;
    private boolean documentsAffectStock;
    private final Map<String, Integer> codigoSequence = new HashMap<>();
    private final Map<Endpoint, Fault> faults = new EnumMap<>(Endpoint.class);
    private final List<RecordedRequest> requests = new ArrayList<>();
    private final Map<Endpoint, Integer> counts = new EnumMap<>(Endpoint.class);
    private final Map<String, Integer> inFlightPosts = new HashMap<>();
    private final Map<String, Integer> maxInFlightPosts = new HashMap<>();
    private boolean decimalsAsNumbers;
    /** Raw JSON values that replace a computed figure, keyed by product id (and warehouse id for /stock/ lines). */
    private final Map<String, Map<String, Object>> rawStock = new HashMap<>();
    private final Map<String, Object> rawCantidadStock = new HashMap<>();
    private int v2PageSize = 100;

    public ContificoSimulator(Vertx vertx, String apiKey) {
        this.vertx = vertx;
        this.apiKey = apiKey;
    }

    // ------------------------------------------------------------------------------------------------ lifecycle

    /** Starts listening on 127.0.0.1 ({@code port} 0 = random). */
    public Future<ContificoSimulator> start(int port) {
        Router router = router();
        return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port))
                .requestHandler(router)
                .listen()
                .map(s -> {
                    this.server = s;
                    this.port = s.actualPort();
                    return this;
                });
    }

    /** Blocking start, for start-up code and plain tests (never call it on an event loop). */
    public ContificoSimulator startAndWait(int port) {
        try {
            return start(port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Contifico simulator could not start on port " + port, e);
        }
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.close();
    }

    public int port() {
        return port;
    }

    /** The base URL to store in an integration, e.g. {@code http://127.0.0.1:8089/sistema/api}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port + API_ROOT;
    }

    public String apiKey() {
        return apiKey;
    }

    // ------------------------------------------------------------------------------------------------ seeding

    /**
     * Forgets everything: catalogue, movements, documents (and their stock switch), raw values, faults, recorded
     * requests and counters.
     */
    public synchronized void reset() {
        warehouses.clear();
        products.clear();
        movements.clear();
        documents.clear();
        documentSequence = 0;
        documentsAffectStock = false;
        codigoSequence.clear();
        faults.clear();
        requests.clear();
        counts.clear();
        inFlightPosts.clear();
        maxInFlightPosts.clear();
        decimalsAsNumbers = false;
        rawStock.clear();
        rawCantidadStock.clear();
        v2PageSize = 100;
    }

    public SimWarehouse addWarehouse(String codigo, String nombre) {
        return addWarehouse(newId(), codigo, nombre);
    }

    public synchronized SimWarehouse addWarehouse(String id, String codigo, String nombre) {
        SimWarehouse w = new SimWarehouse(id, codigo, nombre);
        warehouses.put(id, w);
        return w;
    }

    public SimProduct addProduct(String codigo, String nombre, boolean paraPos) {
        return addProduct(newId(), codigo, nombre, paraPos, "PRO", new BigDecimal("10.0"));
    }

    public synchronized SimProduct addProduct(String id, String codigo, String nombre, boolean paraPos, String tipo,
                                              BigDecimal pvp1) {
        SimProduct p = new SimProduct(id, codigo, nombre, paraPos, tipo, pvp1);
        products.put(id, p);
        return p;
    }

    /** Sets a product's quantity in a warehouse; the warehouse then appears in the product's {@code /stock/} list. */
    public synchronized void setStock(String productId, String warehouseId, BigDecimal quantity) {
        product(productId).stock.put(warehouseId, quantity);
    }

    public synchronized BigDecimal stock(String productId, String warehouseId) {
        return product(productId).stock.getOrDefault(warehouseId, BigDecimal.ZERO);
    }

    /**
     * Makes the product's {@code /stock/} line for {@code warehouseId} carry {@code json} as its {@code cantidad},
     * verbatim (null, "abc", "1E+999999999", a BigDecimal...), to try the client's defences. The line is listed even if
     * the product has no stock there; booked movements do not change the raw value.
     */
    public synchronized void rawStockValue(String productId, String warehouseId, Object json) {
        product(productId).stock.putIfAbsent(warehouseId, BigDecimal.ZERO);
        rawStock.computeIfAbsent(productId, k -> new HashMap<>()).put(warehouseId, json);
    }

    /** Makes the product's {@code cantidad_stock} the raw JSON value {@code json}, verbatim, instead of the sum. */
    public synchronized void rawCantidadStock(String productId, Object json) {
        product(productId);
        rawCantidadStock.put(productId, json);
    }

    /** Emit decimals as JSON numbers instead of Contifico's usual strings. */
    public synchronized void decimalsAsNumbers(boolean on) {
        decimalsAsNumbers = on;
    }

    /** v2 lists have 100 per page in Contifico; smaller pages let tests walk several. */
    public synchronized void v2PageSize(int size) {
        v2PageSize = size;
    }

    /**
     * Books a movement dated {@code fecha} as if it had been POSTed (same codigo sequence, same stock effect), so tests
     * can place movements on past days. {@code destinoId} is required for TRA and ignored otherwise; ING lines get
     * price 0, which Contifico accepts.
     */
    public synchronized SimMovement addMovement(String tipo, LocalDate fecha, String bodegaId, String destinoId,
                                                Map<String, BigDecimal> lines) {
        if (!List.of("ING", "EGR", "TRA", "AJU").contains(tipo)) {
            throw new IllegalArgumentException("unknown movement tipo " + tipo);
        }
        if (!warehouses.containsKey(bodegaId)) {
            throw new IllegalArgumentException("no simulated warehouse " + bodegaId);
        }
        if ("TRA".equals(tipo) && (destinoId == null || !warehouses.containsKey(destinoId))) {
            throw new IllegalArgumentException("a TRA needs a known destination warehouse, got " + destinoId);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a movement needs lines");
        }
        List<SimLine> simLines = new ArrayList<>();
        lines.forEach((productId, qty) -> {
            product(productId);
            if (qty == null || qty.signum() <= 0) {
                throw new IllegalArgumentException("cantidad must be positive: the direction comes from tipo");
            }
            simLines.add(new SimLine(productId, qty, "ING".equals(tipo) ? BigDecimal.ZERO : null));
        });
        return book(tipo, fecha, bodegaId, "TRA".equals(tipo) ? destinoId : null, null, simLines);
    }

    /**
     * Whether a FAC or NVE lowers the stock of its warehouse by its quantities. Public evidence on real documents is
     * contradictory, so tests choose; off by default, and only documents added while it is on are affected.
     */
    public synchronized void documentsAffectStock(boolean on) {
        documentsAffectStock = on;
    }

    /**
     * Records a sales document issued on {@code fecha} in warehouse {@code bodegaId}; each line is priced at the
     * product's pvp1. Returns the document id.
     */
    public synchronized String addDocument(String tipo, LocalDate fecha, String bodegaId, Map<String, BigDecimal> lines) {
        if (tipo == null || tipo.isBlank()) {
            throw new IllegalArgumentException("a document needs a tipo (FAC, NVE, PRE...)");
        }
        if (fecha == null) {
            throw new IllegalArgumentException("a document needs a fecha");
        }
        if (!warehouses.containsKey(bodegaId)) {
            throw new IllegalArgumentException("no simulated warehouse " + bodegaId);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a document needs lines");
        }
        List<SimLine> simLines = new ArrayList<>();
        lines.forEach((productId, qty) -> {
            if (qty == null || qty.signum() <= 0) {
                throw new IllegalArgumentException("cantidad must be positive");
            }
            simLines.add(new SimLine(productId, qty, product(productId).pvp1));
        });
        String t = tipo.toUpperCase(java.util.Locale.ROOT);
        SimDocument d = new SimDocument(newId(), t, String.format("001-001-%09d", ++documentSequence), fecha, bodegaId,
                List.copyOf(simLines));
        documents.add(d);
        if (documentsAffectStock && (t.equals("FAC") || t.equals("NVE"))) {
            for (SimLine l : simLines) {
                products.get(l.productoId()).stock.merge(bodegaId, l.cantidad().negate(), BigDecimal::add);
            }
        }
        return d.id();
    }

    public synchronized List<SimDocument> documents() {
        return List.copyOf(documents);
    }

    /** The demo catalogue of the dev sandbox. Returns the demo warehouse (the one to configure). */
    public synchronized SimWarehouse seedDemo() {
        SimWarehouse main = addWarehouse("nRMdROzqhvDZel6Y", "BOD001", "Bodega Principal");
        SimWarehouse north = addWarehouse("BQ9pdBB26H52d8KE", "BOD002", "Bodega Norte");
        demo("lY4erkB4vtrVa2Lz", "PT-0002-50ml", "Perfume Tester 50 ml", true, "PRO", "35.0", main, "101", north, "12");
        demo("Kq3ZpT8mWx2RvN5a", "PT-0001-30ml", "Perfume Tester 30 ml", true, "PRO", "22.5", main, "40", north, "0");
        demo("Ab7cD9eF1gH3iJ5k", "CAM-001-M", "Camiseta algodón talla M", true, "PRO", "15.0", main, "25", null, null);
        demo("Zt6yU4wQ2sR8pL0m", "NEG-0005", "Llavero (stock negativo)", true, "PRO", "3.5", main, "-5", null, null);
        demo("Xo1Pq2Rs3Tu4Vw5Y", "OLD-0099", "Producto fuera de POS (para_pos false)", false, "PRO", "9.9", main, "7", null, null);
        demo("Sv9Ce8Rv7Ic6Io5E", "SRV-INST", "Servicio de instalación", true, "SER", "20.0", null, null, null, null);
        return main;
    }

    private void demo(String id, String codigo, String nombre, boolean paraPos, String tipo, String pvp,
                      SimWarehouse w1, String q1, SimWarehouse w2, String q2) {
        SimProduct p = addProduct(id, codigo, nombre, paraPos, tipo, new BigDecimal(pvp));
        if (w1 != null) {
            p.stock.put(w1.id(), new BigDecimal(q1));
        }
        if (w2 != null) {
            p.stock.put(w2.id(), new BigDecimal(q2));
        }
    }

    // ------------------------------------------------------------------------------------------------ faults

    public synchronized void setFault(Endpoint endpoint, Fault fault) {
        faults.put(endpoint, fault);
    }

    public synchronized void clearFaults() {
        faults.clear();
    }

    private synchronized Fault takeFault(Endpoint endpoint) {
        Endpoint key = faults.containsKey(endpoint) ? endpoint : faults.containsKey(Endpoint.ANY) ? Endpoint.ANY : null;
        if (key == null) {
            return null;
        }
        Fault f = faults.get(key);
        if (f.times() > 0) {
            if (f.times() == 1) {
                faults.remove(key);
            } else {
                faults.put(key, new Fault(f.type(), f.latencyMs(), f.maxLatencyMs(), f.times() - 1, f.retryAfter()));
            }
        }
        return f;
    }

    // ------------------------------------------------------------------------------------------------ observation

    public synchronized List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Requests that reached an endpoint (faulted ones included; those stopped by auth or 301 are not counted). */
    public synchronized int count(Endpoint endpoint) {
        return counts.getOrDefault(endpoint, 0);
    }

    public synchronized int totalCount() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized List<SimMovement> movements() {
        return List.copyOf(movements);
    }

    /** Highest number of movement POSTs for this product that were in flight at the same time. */
    public synchronized int maxConcurrentMovementPosts(String productId) {
        return maxInFlightPosts.getOrDefault(productId, 0);
    }

    public synchronized int maxConcurrentMovementPosts() {
        return maxInFlightPosts.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    // ------------------------------------------------------------------------------------------------ HTTP

    private record Reply(int status, Object json) {
    }

    /** What a handler returns to leave the request unanswered, as a real tenant does with some queries. */
    private static final Reply NO_ANSWER = new Reply(0, null);

    private Router router() {
        Router router = Router.router(vertx);
        router.route().handler(BodyHandler.create().setBodyLimit(1024 * 1024));
        adminRoutes(router);
        router.route(API_ROOT + "/*").handler(ctx -> {
            String path = ctx.request().path();
            if (!path.endsWith("/")) {
                // Contifico answers 301 to the slashed path; a client following it with a POST loses its body.
                String q = ctx.request().query();
                ctx.response().setStatusCode(301).putHeader("Location", path + "/" + (q == null ? "" : "?" + q)).end();
                return;
            }
            if (!apiKey.equals(ctx.request().getHeader("Authorization"))) {
                record(ctx, null);
                json(ctx, new Reply(401, new JsonObject().put("mensaje", "Credenciales de autenticación inválidas").put("cod_error", 401)));
                return;
            }
            ctx.next();
        });
        String v1 = API_ROOT + "/v1";
        router.get(v1 + "/producto/").handler(api(Endpoint.PRODUCT_LIST, this::listProducts));
        router.get(v1 + "/producto/:id/").handler(api(Endpoint.PRODUCT_GET, this::getProduct));
        router.get(v1 + "/producto/:id/stock/").handler(api(Endpoint.PRODUCT_STOCK, this::productStock));
        router.get(v1 + "/bodega/").handler(api(Endpoint.WAREHOUSE_LIST, this::listWarehouses));
        router.post(v1 + "/movimiento-inventario/").handler(api(Endpoint.MOVEMENT_CREATE, this::createMovement));
        router.get(v1 + "/movimiento-inventario/").handler(api(Endpoint.MOVEMENT_LIST, ctx -> listMovements(ctx, false)));
        router.get(v1 + "/movimiento-inventario/:id/").handler(api(Endpoint.MOVEMENT_GET, this::getMovement));
        router.get(v1 + "/documento/").handler(api(Endpoint.DOCUMENT_LIST, this::listDocuments));
        router.get(API_ROOT + "/v2/movimiento-inventario/").handler(api(Endpoint.MOVEMENT_LIST, ctx -> listMovements(ctx, true)));
        router.route(API_ROOT + "/*").handler(ctx -> json(ctx, new Reply(404,
                new JsonObject().put("mensaje", "Recurso no encontrado").put("cod_error", 404))));
        return router;
    }

    private Handler<RoutingContext> api(Endpoint endpoint, Function<RoutingContext, Reply> handler) {
        return ctx -> {
            Fault fault;
            synchronized (this) {
                record(ctx, endpoint);
                counts.merge(endpoint, 1, Integer::sum);
            }
            fault = takeFault(endpoint);
            Runnable release = endpoint == Endpoint.MOVEMENT_CREATE ? trackInFlight(ctx) : () -> { };
            long delay = fault == null ? 0 : fault.delayMs();
            if (delay > 0) {
                vertx.setTimer(delay, t -> respond(ctx, handler, fault, release));
            } else {
                respond(ctx, handler, fault, release);
            }
        };
    }

    private void respond(RoutingContext ctx, Function<RoutingContext, Reply> handler, Fault fault, Runnable release) {
        FaultType type = fault == null ? null : fault.type();
        if (type == FaultType.DROP_CONNECTION) {
            release.run();
            ctx.request().connection().close();
            return;
        }
        if (type == FaultType.ERROR_500) {
            traceback(ctx);
            return;
        }
        if (type == FaultType.TOO_MANY_REQUESTS) {
            ctx.response().putHeader("Retry-After", fault.retryAfter() == null ? "1" : fault.retryAfter());
            json(ctx, new Reply(429, new JsonObject().put("mensaje", "Demasiadas solicitudes").put("cod_error", 429)));
            return;
        }
        Reply reply;
        try {
            reply = handler.apply(ctx);
        } catch (RuntimeException e) {
            traceback(ctx);
            return;
        }
        if (type == FaultType.HANG || reply == NO_ANSWER) {
            hang(ctx);
            return;
        }
        if (type == FaultType.STORED_RESPONSE_LOST) {
            release.run();
            ctx.request().connection().close();
            return;
        }
        if (type == FaultType.ERROR_500_AFTER_STORE) {
            traceback(ctx);
            return;
        }
        json(ctx, reply);
    }

    private void hang(RoutingContext ctx) {
        // The client gives up and resets; the timer only stops a forgotten connection from lingering forever.
        vertx.setTimer(120_000, t -> ctx.request().connection().close());
    }

    private Runnable trackInFlight(RoutingContext ctx) {
        List<String> ids = new ArrayList<>();
        try {
            JsonArray lines = ctx.body().asJsonObject().getJsonArray("detalles");
            for (int i = 0; lines != null && i < lines.size(); i++) {
                Object pid = lines.getJsonObject(i).getValue("producto_id");
                if (pid != null && !ids.contains(pid.toString())) {
                    ids.add(pid.toString());
                }
            }
        } catch (RuntimeException ignored) {
            // A malformed body is rejected by the handler; it concerns no product.
        }
        synchronized (this) {
            for (String id : ids) {
                int now = inFlightPosts.merge(id, 1, Integer::sum);
                maxInFlightPosts.merge(id, now, Math::max);
            }
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable release = () -> {
            if (done.compareAndSet(false, true)) {
                synchronized (this) {
                    for (String id : ids) {
                        inFlightPosts.merge(id, -1, Integer::sum);
                    }
                }
            }
        };
        ctx.response().endHandler(v -> release.run());
        ctx.response().closeHandler(v -> release.run());
        return release;
    }

    private void record(RoutingContext ctx, Endpoint endpoint) {
        synchronized (this) {
            String body = ctx.body() == null || ctx.body().buffer() == null ? null : ctx.body().asString();
            requests.add(new RecordedRequest(Instant.now(), ctx.request().method().name(), ctx.request().path(),
                    ctx.request().query(), body, endpoint));
        }
    }

    private static void traceback(RoutingContext ctx) {
        ctx.response().setStatusCode(500).putHeader("Content-Type", "text/html")
                .end("Traceback (most recent call last):\n  File \"/app/api/views.py\", line 812, in post\n"
                        + "OperationalError: server closed the connection unexpectedly");
    }

    private static void json(RoutingContext ctx, Reply reply) {
        if (ctx.response().closed() || ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(reply.status()).putHeader("Content-Type", "application/json")
                .end(reply.json() == null ? "" : reply.json() instanceof JsonObject o ? o.encode() : ((JsonArray) reply.json()).encode());
    }

    private static Reply error(int status, String mensaje, int cod) {
        return new Reply(status, new JsonObject().put("mensaje", mensaje).put("cod_error", cod));
    }

    // ------------------------------------------------------------------------------------------------ endpoints

    private synchronized Reply listProducts(RoutingContext ctx) {
        MultiMap q = ctx.request().params();
        String codigo = q.get("codigo");
        String estado = q.get("estado");
        String filtro = q.get("filtro");
        List<SimProduct> hits = new ArrayList<>();
        for (SimProduct p : products.values()) {
            // The quirk two teams saw: v1 list and search only return products enabled for the point of sale.
            if (!p.paraPos) {
                continue;
            }
            if (codigo != null && !codigo.equals(p.codigo)) {
                continue;
            }
            if (estado != null && !"A".equals(estado)) {
                continue;
            }
            if (filtro != null && !(p.nombre.toLowerCase().contains(filtro.toLowerCase())
                    || p.codigo.toLowerCase().contains(filtro.toLowerCase()))) {
                continue;
            }
            hits.add(p);
        }
        JsonArray out = new JsonArray();
        for (SimProduct p : page(hits, q.get("result_size"), q.get("result_page"))) {
            out.add(productJson(p));
        }
        return new Reply(200, out);
    }

    private static <T> List<T> page(List<T> all, String size, String page) {
        if (size == null) {
            return all;
        }
        int s = Math.max(1, Integer.parseInt(size));
        int p = page == null ? 1 : Math.max(1, Integer.parseInt(page));
        int from = (p - 1) * s;
        return from >= all.size() ? List.of() : all.subList(from, Math.min(all.size(), from + s));
    }

    private synchronized Reply getProduct(RoutingContext ctx) {
        SimProduct p = products.get(ctx.pathParam("id"));
        return p == null ? error(404, "Producto no existe", 1404) : new Reply(200, productJson(p));
    }

    private synchronized Reply productStock(RoutingContext ctx) {
        SimProduct p = products.get(ctx.pathParam("id"));
        if (p == null) {
            return error(404, "Producto no existe", 1404);
        }
        JsonArray out = new JsonArray();
        Map<String, Object> raw = rawStock.getOrDefault(p.id, Map.of());
        p.stock.forEach((wid, qty) -> {
            SimWarehouse w = warehouses.get(wid);
            // Contifico sends this one as a JSON number, unlike every other decimal.
            Object cantidad = raw.containsKey(wid) ? raw.get(wid)
                    : qty.stripTrailingZeros().scale() <= 0 ? (Object) qty.intValueExact() : (Object) qty.doubleValue();
            out.add(new JsonObject().put("bodega_nombre", w == null ? null : w.nombre()).put("bodega_id", wid)
                    .put("cantidad", cantidad));
        });
        return new Reply(200, out);
    }

    private synchronized Reply listWarehouses(RoutingContext ctx) {
        JsonArray out = new JsonArray();
        for (SimWarehouse w : warehouses.values()) {
            out.add(new JsonObject().put("id", w.id()).put("codigo", w.codigo()).put("nombre", w.nombre())
                    .put("venta", true).put("compra", true).put("produccion", true));
        }
        return new Reply(200, out);
    }

    private synchronized Reply createMovement(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            return error(400, "JSON inválido", 1000);
        }
        if (body == null) {
            return error(400, "JSON inválido", 1000);
        }
        String tipo = body.getString("tipo");
        if (tipo == null || !List.of("ING", "EGR", "TRA", "AJU").contains(tipo)) {
            return error(400, "Falta campo tipo", 1001);
        }
        if ("TRA".equals(tipo) && (body.getValue("bodega_destino_id") == null || body.getValue("pos") == null)) {
            throw new IllegalStateException("KeyError: 'bodega_destino_id'"); // Contifico answers a bare 500 here
        }
        String destinoId = "TRA".equals(tipo) ? String.valueOf(body.getValue("bodega_destino_id")) : null;
        LocalDate fecha;
        try {
            fecha = LocalDate.parse(String.valueOf(body.getValue("fecha")), FECHA);
        } catch (DateTimeParseException e) {
            return error(400, "Falta campo fecha o formato inválido (dd/mm/aaaa)", 1002);
        }
        String bodegaId = body.getString("bodega_id");
        if (bodegaId == null || !warehouses.containsKey(bodegaId)) {
            return error(400, "Bodega no existe", 1004);
        }
        if (destinoId != null && !warehouses.containsKey(destinoId)) {
            return error(400, "Bodega destino no existe", 1004);
        }
        JsonArray detalles = body.getJsonArray("detalles");
        if (detalles == null || detalles.isEmpty()) {
            return error(400, "Falta campo detalle", 1003);
        }
        List<SimLine> lines = new ArrayList<>();
        for (int i = 0; i < detalles.size(); i++) {
            JsonObject l = detalles.getJsonObject(i);
            Object pid = l.getValue("producto_id");
            if (pid == null) {
                return error(400, "Falta campo producto_id", 1055);
            }
            if (!products.containsKey(pid.toString())) {
                return error(400, "Producto no existe", 1056);
            }
            BigDecimal cantidad = decimal(l.getValue("cantidad"));
            if (cantidad == null || cantidad.signum() <= 0) {
                return error(400, "Falta campo cantidad", 1057);
            }
            BigDecimal precio = decimal(l.getValue("precio"));
            if ("ING".equals(tipo) && precio == null) {
                return error(400, "Falta campo precio", 1058);
            }
            lines.add(new SimLine(pid.toString(), cantidad, precio));
        }
        // No deduplication, like Contifico: the same body twice books twice.
        return new Reply(201, movementJson(book(tipo, fecha, bodegaId, destinoId, body.getString("descripcion"), lines)));
    }

    /** Books a validated movement and moves the stock: the one path for HTTP and for tests' {@link #addMovement}. */
    private SimMovement book(String tipo, LocalDate fecha, String bodegaId, String destinoId, String descripcion,
                             List<SimLine> lines) {
        String codigo = String.format("%s %04d%02d%06d", tipo, fecha.getYear(), fecha.getMonthValue(),
                codigoSequence.merge(tipo, 1, Integer::sum));
        SimMovement m = new SimMovement(newId(), codigo, tipo, fecha, bodegaId, destinoId, descripcion, List.copyOf(lines));
        movements.add(m);
        for (SimLine l : lines) {
            SimProduct p = products.get(l.productoId());
            switch (tipo) {
                case "ING" -> p.stock.merge(bodegaId, l.cantidad(), BigDecimal::add);
                case "EGR" -> p.stock.merge(bodegaId, l.cantidad().negate(), BigDecimal::add);
                case "TRA" -> {
                    p.stock.merge(bodegaId, l.cantidad().negate(), BigDecimal::add);
                    p.stock.merge(destinoId, l.cantidad(), BigDecimal::add);
                }
                // AJU adjusts cost, not quantity.
                default -> p.stock.putIfAbsent(bodegaId, BigDecimal.ZERO);
            }
        }
        return m;
    }

    private synchronized Reply getMovement(RoutingContext ctx) {
        for (SimMovement m : movements) {
            if (m.id().equals(ctx.pathParam("id"))) {
                return new Reply(200, movementJson(m));
            }
        }
        return error(404, "Movimiento no existe", 1404);
    }

    private synchronized Reply listMovements(RoutingContext ctx, boolean v2) {
        MultiMap q = ctx.request().params();
        String tipo = q.get("tipo");
        String bodega = v2 ? q.get("bodega_id") : null;
        LocalDate from;
        LocalDate to;
        try {
            from = v2 && q.get("fecha_inicial") != null ? LocalDate.parse(q.get("fecha_inicial"), FECHA) : null;
            to = v2 && q.get("fecha_final") != null ? LocalDate.parse(q.get("fecha_final"), FECHA) : null;
        } catch (DateTimeParseException e) {
            return error(400, "Formato de fecha inválido (dd/mm/aaaa)", 1002);
        }
        List<SimMovement> hits = new ArrayList<>();
        for (SimMovement m : movements) {
            if (tipo != null && !tipo.equals(m.tipo())) {
                continue;
            }
            if (bodega != null && !bodega.equals(m.bodegaId())) {
                continue;
            }
            // Half-open day range: fecha_final itself is excluded.
            if (from != null && m.fecha().isBefore(from) || to != null && !m.fecha().isBefore(to)) {
                continue;
            }
            hits.add(m);
        }
        if (!v2) {
            JsonArray out = new JsonArray();
            page(hits, q.get("result_size"), q.get("result_page")).forEach(m -> out.add(movementJson(m)));
            return new Reply(200, out);
        }
        int page;
        try {
            page = q.get("page") == null ? 1 : Integer.parseInt(q.get("page"));
        } catch (NumberFormatException e) {
            page = 0;
        }
        int pages = Math.max(1, (hits.size() + v2PageSize - 1) / v2PageSize);
        if (page < 1 || page > pages) {
            return new Reply(400, new JsonObject().put("code", "400").put("error", "Pagina fuera del rango"));
        }
        JsonArray results = new JsonArray();
        page(hits, String.valueOf(v2PageSize), String.valueOf(page)).forEach(m -> results.add(movementJson(m)));
        return new Reply(200, new JsonObject().put("count", hits.size())
                .put("next", page < pages ? pageUrl(ctx, page + 1) : null)
                .put("previous", page > 1 ? pageUrl(ctx, page - 1) : null)
                .put("results", results));
    }

    private synchronized Reply listDocuments(RoutingContext ctx) {
        MultiMap q = ctx.request().params();
        if (q.get("fecha_inicial") == null) {
            // A real tenant answered an unfiltered document list with nothing for 60 s: the caller's timeout ends it.
            return NO_ANSWER;
        }
        LocalDate from;
        LocalDate to;
        try {
            from = LocalDate.parse(q.get("fecha_inicial"), FECHA);
            to = q.get("fecha_final") == null ? null : LocalDate.parse(q.get("fecha_final"), FECHA);
        } catch (DateTimeParseException e) {
            return error(400, "Formato de fecha inválido (dd/mm/aaaa)", 1002);
        }
        String tipo = q.get("tipo");
        String bodega = q.get("bodega_id");
        List<SimDocument> hits = new ArrayList<>();
        for (SimDocument d : documents) {
            // Both ends inclusive on fecha_emision. Contifico's real bound is unknown (movements are half-open by day);
            // a client that keeps an overlap window does not depend on it.
            if (d.fecha().isBefore(from) || to != null && d.fecha().isAfter(to)) {
                continue;
            }
            if (tipo != null && !tipo.equals(d.tipo()) || bodega != null && !bodega.equals(d.bodegaId())) {
                continue;
            }
            hits.add(d);
        }
        JsonArray out = new JsonArray();
        page(hits, q.get("result_size"), q.get("result_page")).forEach(d -> out.add(documentJson(d)));
        return new Reply(200, out);
    }

    private String pageUrl(RoutingContext ctx, int page) {
        StringBuilder sb = new StringBuilder("http://127.0.0.1:" + port + ctx.request().path() + "?");
        for (Map.Entry<String, String> e : ctx.request().params()) {
            if (!"page".equals(e.getKey())) {
                sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).append('&');
            }
        }
        return sb.append("page=").append(page).toString();
    }

    // ------------------------------------------------------------------------------------------------ JSON

    private JsonObject productJson(SimProduct p) {
        BigDecimal total = p.stock.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        return new JsonObject().put("id", p.id).put("codigo", p.codigo).put("nombre", p.nombre)
                .put("cantidad_stock", rawCantidadStock.containsKey(p.id) ? rawCantidadStock.get(p.id) : dec(total)).put("pvp1", dec(p.pvp1)).put("pvp2", dec(p.pvp1))
                .put("estado", "A").put("para_pos", p.paraPos).put("tipo", p.tipo).put("tipo_producto", "SIM")
                .put("minimo", dec(BigDecimal.ZERO)).put("porcentaje_iva", 15).put("codigo_barra", null)
                .put("categoria_id", null);
    }

    private JsonObject movementJson(SimMovement m) {
        JsonArray lines = new JsonArray();
        BigDecimal total = BigDecimal.ZERO;
        for (SimLine l : m.detalles()) {
            lines.add(new JsonObject().put("producto_id", l.productoId()).put("cantidad", dec(l.cantidad()))
                    .put("precio", l.precio() == null ? null : dec(l.precio())).put("serie", null).put("edicion", null));
            if (l.precio() != null) {
                total = total.add(l.precio().multiply(l.cantidad()));
            }
        }
        return new JsonObject().put("id", m.id()).put("codigo", m.codigo()).put("tipo", m.tipo())
                .put("fecha", FECHA.format(m.fecha())).put("bodega_id", m.bodegaId()).put("descripcion", m.descripcion())
                .put("estado", "G").put("total", dec(total)).put("pos", null).put("detalles", lines)
                .put("bodega_destino_id", m.bodegaDestinoId()).put("codigo_interno", null).put("generar_asiento", false);
    }

    private JsonObject documentJson(SimDocument d) {
        JsonArray lines = new JsonArray();
        BigDecimal total = BigDecimal.ZERO;
        for (SimLine l : d.detalles()) {
            lines.add(new JsonObject().put("producto_id", l.productoId()).put("cantidad", dec(l.cantidad()))
                    .put("precio", dec(l.precio())));
            total = total.add(l.precio().multiply(l.cantidad()));
        }
        return new JsonObject().put("id", d.id()).put("tipo_documento", d.tipo()).put("documento", d.documento())
                .put("fecha_emision", FECHA.format(d.fecha())).put("estado", "P").put("bodega_id", d.bodegaId())
                .put("total", dec(total)).put("detalles", lines);
    }

    /** Contifico's style: "101.0", "-5.0", "2.50"; or a JSON number when a test asks for it. */
    private Object dec(BigDecimal v) {
        if (v == null) {
            return null;
        }
        if (decimalsAsNumbers) {
            return v.doubleValue();
        }
        return v.scale() < 1 ? v.setScale(1).toPlainString() : v.toPlainString();
    }

    private static BigDecimal decimal(Object v) {
        if (v == null) {
            return null;
        }
        try {
            return new BigDecimal(v.toString().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private SimProduct product(String id) {
        SimProduct p = products.get(id);
        if (p == null) {
            throw new IllegalArgumentException("no simulated product " + id);
        }
        return p;
    }

    private String newId() {
        StringBuilder sb = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            sb.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------ admin API

    /**
     * {@code /__sim/...}: lets a child process or curl drive the fake. POST /__sim/faults
     * {@code {"endpoint":"movimiento.create","type":"STORED_RESPONSE_LOST","times":1,"latencyMs":0,"maxLatencyMs":0}}
     * (times -1 = permanent; a TOO_MANY_REQUESTS also takes {@code "retryAfter":"2"}, the Retry-After header it sends), DELETE /__sim/faults, POST /__sim/reset, POST /__sim/products
     * {@code {"codigo","nombre","para_pos","stock":{"<bodega_id>":5}}}, GET /__sim/state, GET /__sim/movements,
     * POST /__sim/documents {@code {"tipo":"FAC","fecha":"01/12/2026","bodega_id","detalles":[{"producto_id","cantidad"}]}}
     * (fecha dd/MM/yyyy or yyyy-MM-dd; answers 201 with the document as GET /documento/ lists it),
     * POST /__sim/documents-affect-stock {@code {"enabled":true}}.
     */
    private synchronized JsonObject faultsJson() {
        JsonObject out = new JsonObject();
        faults.forEach((k, v) -> out.put(k.wire, v.toString()));
        return out;
    }

    private static LocalDate adminDate(String s) {
        if (s == null) {
            throw new IllegalArgumentException("fecha is required (dd/MM/yyyy or yyyy-MM-dd)");
        }
        try {
            return LocalDate.parse(s, FECHA);
        } catch (DateTimeParseException e) {
            return LocalDate.parse(s);
        }
    }

    private void adminRoutes(Router router) {
        router.post("/__sim/faults").handler(ctx -> {
            try {
                JsonObject b = ctx.body().asJsonObject();
                Fault f = new Fault(FaultType.valueOf(b.getString("type")), b.getLong("latencyMs", 0L),
                        b.getLong("maxLatencyMs", 0L), b.getInteger("times", -1), b.getString("retryAfter"));
                setFault(Endpoint.fromWire(b.getString("endpoint", "*")), f);
                ctx.response().setStatusCode(204).end();
            } catch (RuntimeException e) {
                json(ctx, new Reply(400, new JsonObject().put("error", String.valueOf(e.getMessage()))));
            }
        });
        router.delete("/__sim/faults").handler(ctx -> {
            clearFaults();
            ctx.response().setStatusCode(204).end();
        });
        router.post("/__sim/reset").handler(ctx -> {
            reset();
            if ("true".equals(ctx.request().getParam("demo"))) {
                seedDemo();
            }
            ctx.response().setStatusCode(204).end();
        });
        router.post("/__sim/products").handler(ctx -> {
            try {
                JsonObject b = ctx.body().asJsonObject();
                SimProduct p = addProduct(b.getString("codigo"), b.getString("nombre", b.getString("codigo")),
                        b.getBoolean("para_pos", true));
                JsonObject stock = b.getJsonObject("stock", new JsonObject());
                for (String wid : stock.fieldNames()) {
                    setStock(p.id, wid, new BigDecimal(String.valueOf(stock.getValue(wid))));
                }
                synchronized (this) {
                    json(ctx, new Reply(201, productJson(p)));
                }
            } catch (RuntimeException e) {
                json(ctx, new Reply(400, new JsonObject().put("error", String.valueOf(e.getMessage()))));
            }
        });
        router.get("/__sim/state").handler(ctx -> {
            JsonObject state;
            synchronized (this) {
                JsonObject c = new JsonObject();
                counts.forEach((k, v) -> c.put(k.wire, v));
                JsonObject w = new JsonObject();
                warehouses.values().forEach(x -> w.put(x.id(), x.nombre()));
                state = new JsonObject().put("baseUrl", baseUrl()).put("counts", c).put("requests", requests.size())
                        .put("movements", movements.size()).put("documents", documents.size())
                        .put("documentsAffectStock", documentsAffectStock).put("warehouses", w)
                        .put("maxConcurrentMovementPosts", new JsonObject(new HashMap<String, Object>(maxInFlightPosts)))
                        .put("faults", faultsJson());
            }
            json(ctx, new Reply(200, state));
        });
        router.post("/__sim/documents").handler(ctx -> {
            try {
                JsonObject b = ctx.body().asJsonObject();
                Map<String, BigDecimal> lines = new LinkedHashMap<>();
                JsonArray detalles = b.getJsonArray("detalles", new JsonArray());
                for (int i = 0; i < detalles.size(); i++) {
                    JsonObject l = detalles.getJsonObject(i);
                    lines.merge(l.getString("producto_id"), new BigDecimal(String.valueOf(l.getValue("cantidad"))),
                            BigDecimal::add);
                }
                String id = addDocument(b.getString("tipo"), adminDate(b.getString("fecha")), b.getString("bodega_id"), lines);
                synchronized (this) {
                    SimDocument d = documents.stream().filter(x -> x.id().equals(id)).findFirst().orElseThrow();
                    json(ctx, new Reply(201, documentJson(d)));
                }
            } catch (RuntimeException e) {
                json(ctx, new Reply(400, new JsonObject().put("error", String.valueOf(e.getMessage()))));
            }
        });
        router.post("/__sim/documents-affect-stock").handler(ctx -> {
            try {
                documentsAffectStock(ctx.body().asJsonObject().getBoolean("enabled"));
                ctx.response().setStatusCode(204).end();
            } catch (RuntimeException e) {
                json(ctx, new Reply(400, new JsonObject().put("error", "expected {\"enabled\": true|false}")));
            }
        });
        router.get("/__sim/movements").handler(ctx -> {
            JsonArray out = new JsonArray();
            synchronized (this) {
                movements.forEach(m -> out.add(movementJson(m)));
            }
            json(ctx, new Reply(200, out));
        });
    }
}
