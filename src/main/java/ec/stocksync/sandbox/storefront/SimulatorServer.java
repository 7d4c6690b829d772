package ec.stocksync.sandbox.storefront;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both storefront simulators share: a Vert.x HTTP server on a random local port, request recording, fault
 * injection (from Java or {@code POST /__sim/faults}) and the admin paths under {@code /__sim}.
 */
public abstract class SimulatorServer {

    private static final Logger LOG = Logger.getLogger(SimulatorServer.class);
    public static final String ADMIN_PREFIX = "/__sim";

    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<RecordedStockWrite> stockWrites = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private volatile HttpServer server;

    protected abstract String name();

    /** Platform routes, mounted after recording, fault injection and the auth check. */
    protected abstract void routes(Router router);

    /** The simulator's endpoint name for a request (used for counters and endpoint-scoped faults). */
    protected abstract String endpointOf(RoutingContext ctx);

    /** Whether the request carries the right credentials; answer the platform's 401 otherwise. */
    protected abstract boolean authorised(RoutingContext ctx);

    protected abstract void rejectAuth(RoutingContext ctx);

    protected abstract void answerFault(RoutingContext ctx, Fault fault);

    /** Clears the catalogue and any other platform state. */
    protected abstract void resetState();

    /**
     * Starts listening on a random local port: at start-up for the simulator beans of a dev or test build, or from code
     * that runs a simulator outside any app (the integration tests run one in their own JVM, beside a packaged app that
     * has none).
     */
    protected void listen(Vertx vertx) {
        Router router = Router.router(vertx);
        router.route(ADMIN_PREFIX + "/*").handler(BodyHandler.create());
        router.post(ADMIN_PREFIX + "/faults").handler(this::adminAddFault);
        router.delete(ADMIN_PREFIX + "/faults").handler(ctx -> {
            faults.clear();
            ctx.response().setStatusCode(204).end();
        });
        router.post(ADMIN_PREFIX + "/reset").handler(ctx -> {
            reset();
            ctx.response().setStatusCode(204).end();
        });
        router.get(ADMIN_PREFIX + "/requests").handler(ctx -> json(ctx, 200, new JsonArray(requests.stream()
                .map(r -> new JsonObject().put("method", r.method()).put("path", r.path()).put("query", r.query())
                        .put("endpoint", r.endpoint()).put("body", r.body())).toList())));
        router.get(ADMIN_PREFIX + "/counts").handler(ctx -> {
            JsonObject body = new JsonObject();
            counts.forEach((k, v) -> body.put(k, v.get()));
            json(ctx, 200, body);
        });
        router.route().handler(BodyHandler.create());
        router.route().handler(this::intercept);
        routes(router);
        try {
            // Called from the StartupEvent observer (main thread) or a test's thread, never an event loop: waiting is safe.
            server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the " + name() + " simulator", e);
        }
        LOG.infof("%s simulator listening on %s", name(), baseUrl());
    }

    /** Closes the server: the app's simulators at shutdown, a standalone one when its test is done. */
    public void stop() {
        HttpServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    private void intercept(RoutingContext ctx) {
        String endpoint = endpointOf(ctx);
        requests.add(new RecordedRequest(ctx.request().method().name(), ctx.request().path(), ctx.request().query(),
                ctx.body().asString(), endpoint, Instant.now()));
        counts.computeIfAbsent(endpoint, k -> new AtomicInteger()).incrementAndGet();
        Fault fault = faults.stream().filter(f -> f.tryConsume(endpoint)).findFirst().orElse(null);
        if (fault == null) {
            proceed(ctx);
            return;
        }
        switch (fault.type()) {
            case LATENCY -> ctx.vertx().setTimer(Math.max(1, fault.duration().toMillis()), id -> proceed(ctx));
            case HANG -> {
                // Deliberately never answered; the client's timeout (and its idle timeout) must end it.
            }
            case DROP_CONNECTION -> ctx.request().connection().close();
            default -> answerFault(ctx, fault);
        }
    }

    private void proceed(RoutingContext ctx) {
        if (!authorised(ctx)) {
            rejectAuth(ctx);
            return;
        }
        ctx.next();
    }

    private void adminAddFault(RoutingContext ctx) {
        try {
            Fault fault = Fault.fromJson(ctx.body().asJsonObject());
            faults.add(fault);
            json(ctx, 201, fault.toJson());
        } catch (RuntimeException e) {
            json(ctx, 400, new JsonObject().put("error", "invalid_fault").put("message", String.valueOf(e.getMessage())));
        }
    }

    protected static void json(RoutingContext ctx, int status, Object body) {
        String encoded = body instanceof JsonObject o ? o.encode() : body instanceof JsonArray a ? a.encode() : String.valueOf(body);
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=UTF-8").end(encoded);
    }

    protected void recordStockWrite(String sku, Integer before, int after, String endpoint) {
        stockWrites.add(new RecordedStockWrite(sku, before, after, endpoint));
    }

    // ---- API for tests and dev mode ----

    /** {@code http://127.0.0.1:<port>}: put it in a store's {@code apiBaseUrl}. */
    public String baseUrl() {
        HttpServer s = server;
        if (s == null) {
            throw new IllegalStateException("the " + name() + " simulator is not running");
        }
        return "http://127.0.0.1:" + s.actualPort();
    }

    public boolean running() {
        return server != null;
    }

    /** Adds a fault; it applies in the order added, first match wins. */
    public void inject(Fault fault) {
        faults.add(fault);
    }

    public void clearFaults() {
        faults.clear();
    }

    /** Faults still active (used-up ones are dropped lazily). */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public List<RecordedRequest> requests(String endpoint) {
        return requests.stream().filter(r -> endpoint.equals(r.endpoint())).toList();
    }

    public int count(String endpoint) {
        AtomicInteger c = counts.get(endpoint);
        return c == null ? 0 : c.get();
    }

    public List<RecordedStockWrite> stockWrites() {
        return List.copyOf(stockWrites);
    }

    /** Forgets requests, counters, stock writes and faults, but keeps the catalogue. */
    public void clearRecordings() {
        requests.clear();
        counts.clear();
        stockWrites.clear();
    }

    /** Back to an empty simulator: no catalogue, no faults, no recordings. */
    public void reset() {
        faults.clear();
        clearRecordings();
        resetState();
    }
}
