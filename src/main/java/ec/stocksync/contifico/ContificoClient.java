package ec.stocksync.contifico;

import ec.stocksync.common.UpstreamText;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.contifico.ContificoException.NotFound;
import ec.stocksync.contifico.ContificoException.OutcomeUnknown;
import ec.stocksync.contifico.ContificoException.Rejected;
import ec.stocksync.contifico.ContificoException.Unavailable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.core.http.HttpClientRequest;
import io.vertx.mutiny.core.http.HttpClientResponse;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Contifico API client, one bean for every integration (the {@link ContificoConnection} says which tenant).
 *
 * <p>Why the Vert.x core HTTP client rather than the Quarkus REST client or the WebClient: DESIGN rule 2 hinges on
 * knowing whether a movement POST <em>left the machine</em>. The core client exposes the two steps separately
 * ({@code request()} obtains a connection, {@code send()} writes the request), so "refused before sending" (safe to
 * retry) and "lost after sending" (outcome unknown) are told apart by construction instead of by guessing from wrapped
 * exception types. It also needs no extra dependency and no reflection: bodies are read as Jackson trees and mapped by
 * hand, which keeps the native image free of our own reflective classes.
 *
 * <p>Resilience: every exchange has its own timeout (read or write) that also resets the HTTP request. Reads go
 * through a SmallRye FT retry (exponential backoff + jitter, only for {@link ContificoException#isRetryable()}
 * failures) around a per-integration circuit breaker; a movement POST goes through the breaker only, never a retry.
 * Rejections (4xx), not-found and {@link ContificoException.BadAnswer bad answers} are a healthy Contifico talking, so
 * they do not trip the breaker; a bad answer is not retried either, as it would only come back.
 */
@ApplicationScoped
public class ContificoClient {

    private static final Logger LOG = Logger.getLogger(ContificoClient.class);
    public static final DateTimeFormatter FECHA = DateTimeFormatter.ofPattern("dd/MM/yyyy");
    private static final String OUT_OF_RANGE = "Pagina fuera del rango";
    private static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(10);
    // Ten billion units: beyond any real stock, and within what the cache and the log store (NUMERIC(14,3)).
    private static final String MAX_ABS_TEXT = "10000000000";
    private static final BigDecimal MAX_ABS = new BigDecimal(MAX_ABS_TEXT);
    private static final int MAX_DECIMALS = 6;
    /** A sign, 13 digits, a point, 6 decimals and room for trailing zeros; anything longer is not a quantity. */
    private static final int MAX_DECIMAL_CHARS = 40;
    /** A list that pages on past this is not paging (a page parameter ignored): end the walk instead of looping. */
    private static final int MAX_PAGES = 10_000;

    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper mapper;
    @Inject
    ContificoConfig config;
    @Inject
    ContificoPacer pacer;
    @Inject
    MeterRegistry registry;

    private HttpClient http;
    private Guard readRetry;
    private final Map<Long, Guard> breakers = new ConcurrentHashMap<>();

    @PostConstruct
    void init() {
        http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setKeepAlive(true)
                .setMaxPoolSize(32));
        ContificoConfig.Retry r = config.retry();
        readRetry = Guard.create()
                .withDescription("contifico-read-retry")
                .withRetry()
                    .maxRetries(r.maxRetries())
                    .delay(r.initialDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(r.jitter().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(r.maxDuration().toMillis(), ChronoUnit.MILLIS)
                    .whenException(ContificoClient::retryable)
                    .withExponentialBackoff().factor(2).maxDelay(r.maxDelay().toMillis(), ChronoUnit.MILLIS).done()
                    .done()
                .build();
    }

    @PreDestroy
    void close() {
        if (http != null) {
            http.closeAndForget();
        }
    }

    // ---------------------------------------------------------------------------------------------------- products

    /**
     * The product whose {@code codigo} is exactly {@code sku}. Fails with {@link NotFound} when v1 does not list it,
     * which includes every product with {@code para_pos: false}.
     */
    public Uni<ContificoProduct> findProductBySku(ContificoConnection c, String sku) {
        String path = "/v1/producto/?codigo=" + enc(sku);
        return read(c, path, json -> {
            ContificoProduct first = null;
            for (JsonNode n : array(json)) {
                ContificoProduct p = product(n);
                if (sku.equals(p.codigo())) {
                    return p;
                }
                first = first == null ? p : first;
            }
            if (first != null) {
                // Contifico documents an exact match; if it ever fuzzes, a different code must not be taken for ours.
                LOG.warnf("Contifico answered codigo=%s with other codes (first %s): treated as not found", sku, first.codigo());
            }
            throw NotFound.sku(sku);
        });
    }

    public Uni<ContificoProduct> getProduct(ContificoConnection c, String productId) {
        return readOrNotFound(c, "/v1/producto/" + enc(productId) + "/", productId, ContificoClient::product);
    }

    /** Stock per warehouse; only warehouses linked to a point of sale are listed. */
    public Uni<List<WarehouseStock>> stockByWarehouse(ContificoConnection c, String productId) {
        return readOrNotFound(c, "/v1/producto/" + enc(productId) + "/stock/", productId, json -> {
            List<WarehouseStock> out = new ArrayList<>();
            for (JsonNode n : array(json)) {
                out.add(new WarehouseStock(text(n, "bodega_id"), text(n, "bodega_nombre"), decimal(n, "cantidad")));
            }
            return out;
        });
    }

    /**
     * The product's stock in the connection's warehouse: the store's stock. A warehouse absent from the list, or listed
     * without a quantity, fails with {@link BadAnswer} for this product: read as 0 it would empty the store.
     */
    public Uni<BigDecimal> stockInWarehouse(ContificoConnection c, String productId) {
        return stockByWarehouse(c, productId).map(list -> {
            for (WarehouseStock s : list) {
                if (s.bodegaId() != null && s.bodegaId().equals(c.warehouseId())) {
                    if (s.cantidad() == null) {
                        throw new BadAnswer("Contifico lists warehouse " + c.warehouseId() + " in the stock of product "
                                + productId + " without a quantity (cantidad is null)");
                    }
                    return s.cantidad();
                }
            }
            throw BadAnswer.warehouseNotListed(c.warehouseId(), productId);
        });
    }

    /** One page (1-based) of the v1 catalogue; an empty list means past the end. */
    public Uni<List<ContificoProduct>> productPage(ContificoConnection c, int page, int pageSize) {
        String path = "/v1/producto/?result_size=" + pageSize + "&result_page=" + page;
        return read(c, path, json -> {
            List<ContificoProduct> out = new ArrayList<>();
            for (JsonNode n : array(json)) {
                out.add(product(n));
            }
            return out;
        });
    }

    /** The whole v1 catalogue, page by page (each page retried on its own), until Contifico answers {@code []}. */
    public Multi<ContificoProduct> catalogue(ContificoConnection c, int pageSize) {
        // The page counter lives per subscription, so a re-subscription starts again from page 1.
        return Multi.createBy().repeating()
                .uni(AtomicInteger::new, page -> productPage(c, page.incrementAndGet(), pageSize))
                .until(List::isEmpty)
                .onItem().transformToIterable(list -> list);
    }

    public Uni<List<Warehouse>> warehouses(ContificoConnection c) {
        return read(c, "/v1/bodega/", json -> {
            List<Warehouse> out = new ArrayList<>();
            for (JsonNode n : array(json)) {
                out.add(new Warehouse(text(n, "id"), text(n, "codigo"), text(n, "nombre"), bool(n, "venta"),
                        bool(n, "compra"), bool(n, "produccion")));
            }
            return out;
        });
    }

    // --------------------------------------------------------------------------------------------------- movements

    /**
     * Books a movement in the connection's warehouse. Sent once: a failure after sending is {@link OutcomeUnknown},
     * and the caller must {@link #findMovementsByReference look the reference up} before any re-send.
     */
    public Uni<Movement> createMovement(ContificoConnection c, NewMovement m) {
        ObjectNode body = mapper.createObjectNode();
        body.put("tipo", m.tipo().name());
        body.put("fecha", FECHA.format(m.fecha()));
        body.put("bodega_id", c.warehouseId());
        body.put("descripcion", m.descripcion());
        ArrayNode detalles = body.putArray("detalles");
        for (MovementLine l : m.detalles()) {
            ObjectNode line = detalles.addObject();
            line.put("producto_id", l.productoId());
            line.put("cantidad", l.cantidad().toPlainString());
            if (l.precio() != null) {
                line.put("precio", l.precio().toPlainString());
            }
        }
        String path = "/v1/movimiento-inventario/";
        Supplier<Uni<Movement>> call = () -> exchange(c, HttpMethod.POST, path, body, true)
                .map(raw -> {
                    JsonNode json = handle(raw, true, path);
                    try {
                        return movement(json);
                    } catch (RuntimeException e) {
                        // A 2xx means it was booked; unreadable means we do not know its id: the lookup will find it.
                        throw new OutcomeUnknown("Contifico accepted the movement (HTTP " + raw.status
                                + ") but its answer could not be read: look up the reference", raw.status, e);
                    }
                });
        // The turn is taken outside the breaker: a call the pacer refuses never reached Contifico, so it must count
        // neither as a failure nor as a success of the breaker.
        return Uni.createFrom().deferred(() -> pacer.call(c, () -> guarded(breaker(c), call)))
                .onFailure().transform(e -> openBreaker(e, operation(HttpMethod.POST, path)));
    }

    /**
     * Movements of {@code tipo} in the connection's warehouse whose {@code descripcion} contains {@code reference},
     * dated {@code from}..{@code to} (both inclusive; the v2 range is half-open, the client adds a day). Walks every
     * v2 page; the 400 "Pagina fuera del rango" past the end is the end, not an error. Matching is a substring test,
     * so references must be delimited (e.g. {@code [ss:<store>:<movement>]}): a bare "ss-1" would also match "ss-10".
     */
    public Uni<List<Movement>> findMovementsByReference(ContificoConnection c, String reference, MovementType tipo,
                                                        LocalDate from, LocalDate to) {
        return movementPages(c, movementQuery(from, to, tipo, c.warehouseId()),
                m -> m.descripcion() != null && m.descripcion().contains(reference), true);
    }

    /**
     * Every movement dated {@code from}..{@code toInclusive} (the client turns that into v2's half-open day range),
     * of {@code tipoOrNull} if given, across all v2 pages, each movement once. With {@code onlyConnectionWarehouse}
     * the list is filtered by {@code bodega_id}: whether Contifico matches a transfer's destination on it is unknown
     * (the simulator does not), so a caller that must see transfers <em>into</em> its warehouse reads unfiltered and
     * looks at {@link Movement#bodegaDestinoId()}. Which date the range applies to (movement or registration date) is
     * not conclusive either: keep an overlap window and dedupe by id.
     */
    public Uni<List<Movement>> movementsBetween(ContificoConnection c, LocalDate from, LocalDate toInclusive,
                                                MovementType tipoOrNull, boolean onlyConnectionWarehouse) {
        if (from.isAfter(toInclusive)) {
            return Uni.createFrom().failure(new IllegalArgumentException("from " + from + " is after " + toInclusive));
        }
        if (onlyConnectionWarehouse && c.warehouseId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("the connection has no warehouse to filter by"));
        }
        // A change signal, not a sale's business: its failures must not open the breaker that sales go through.
        return movementPages(c, movementQuery(from, toInclusive, tipoOrNull,
                onlyConnectionWarehouse ? c.warehouseId() : null), m -> true, false);
    }

    private static String movementQuery(LocalDate from, LocalDate toInclusive, MovementType tipo, String warehouseId) {
        return "?fecha_inicial=" + enc(FECHA.format(from)) + "&fecha_final=" + enc(FECHA.format(toInclusive.plusDays(1)))
                + (tipo == null ? "" : "&tipo=" + tipo.name())
                + (warehouseId == null ? "" : "&bodega_id=" + enc(warehouseId));
    }

    /**
     * The kept movements of every page of a v2 movement list. Deferred: each subscription (a retry, a second caller)
     * walks from page 1 with its own accumulator. Keyed by id because offset paging repeats a movement when the list
     * shifts under the walk.
     */
    private Uni<List<Movement>> movementPages(ContificoConnection c, String query, Predicate<Movement> keep,
                                              boolean breaker) {
        return Uni.createFrom().deferred(() -> movementPage(c, query, keep, 1, new LinkedHashMap<>(), breaker));
    }

    private Uni<List<Movement>> movementPage(ContificoConnection c, String query, Predicate<Movement> keep, int page,
                                             Map<String, Movement> acc, boolean breaker) {
        String path = "/v2/movimiento-inventario/" + query + "&page=" + page;
        if (page > MAX_PAGES) {
            return Uni.createFrom().failure(new BadAnswer("Contifico still announces a next page after " + MAX_PAGES
                    + " pages of " + path));
        }
        return readRaw(c, path, breaker, raw -> {
            if (raw.status == 400 && raw.bodyText().contains(OUT_OF_RANGE)) {
                return new V2Page(List.of(), false);
            }
            JsonNode env = handle(raw, false, path);
            List<Movement> results = new ArrayList<>();
            for (JsonNode n : array(env.path("results"))) {
                results.add(movement(n));
            }
            JsonNode next = env.get("next");
            return new V2Page(results, next != null && !next.isNull() && !next.asText().isEmpty());
        }).chain(p -> {
            for (Movement m : p.results) {
                if (keep.test(m)) {
                    acc.putIfAbsent(m.id(), m);
                }
            }
            return p.hasNext && !p.results.isEmpty()
                    ? movementPage(c, query, keep, page + 1, acc, breaker)
                    : Uni.createFrom().item(() -> List.copyOf(acc.values()));
        });
    }

    private record V2Page(List<Movement> results, boolean hasNext) {
    }

    // ------------------------------------------------------------------------------------------------ documents

    /**
     * The connection warehouse's sales documents issued {@code from}..{@code toInclusive}, every v1 page of
     * {@code pageSize} until Contifico answers {@code []}, each document once. Both dates are always sent: an
     * unfiltered document list answered nothing for a minute on a real tenant. {@code fecha_final} is sent as the last
     * day wanted, taking the range as inclusive; Contifico's real bound is unknown, so callers keep an overlap window.
     */
    public Uni<List<SalesDocument>> documentsBetween(ContificoConnection c, LocalDate from, LocalDate toInclusive,
                                                     int pageSize) {
        if (from.isAfter(toInclusive)) {
            return Uni.createFrom().failure(new IllegalArgumentException("from " + from + " is after " + toInclusive));
        }
        if (pageSize < 1) {
            return Uni.createFrom().failure(new IllegalArgumentException("pageSize must be positive, got " + pageSize));
        }
        if (c.warehouseId() == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("the connection has no warehouse to filter by"));
        }
        String query = "?fecha_inicial=" + enc(FECHA.format(from)) + "&fecha_final=" + enc(FECHA.format(toInclusive))
                + "&bodega_id=" + enc(c.warehouseId()) + "&result_size=" + pageSize;
        // Deferred like the movement walk: each subscription pages from 1 with its own accumulator.
        return Uni.createFrom().deferred(() -> documentPage(c, query, pageSize, 1, new LinkedHashMap<>()));
    }

    private Uni<List<SalesDocument>> documentPage(ContificoConnection c, String query, int pageSize, int page,
                                                  Map<String, SalesDocument> acc) {
        String path = "/v1/documento/" + query + "&result_page=" + page;
        if (page > MAX_PAGES) {
            return Uni.createFrom().failure(new BadAnswer("Contifico still serves full pages after " + MAX_PAGES
                    + " pages of " + path));
        }
        // A change signal: its failures must not open the breaker that sales go through.
        return readRaw(c, path, false, raw -> handle(raw, false, path)).map(json -> {
            List<SalesDocument> out = new ArrayList<>();
            for (JsonNode n : array(json)) {
                out.add(document(n));
            }
            return out;
        }).chain(docs -> {
            int before = acc.size();
            docs.forEach(d -> acc.putIfAbsent(d.id(), d));
            if (!docs.isEmpty() && acc.size() == before) {
                // The same documents again: this tenant ignores result_page, and walking on would never end.
                return Uni.createFrom().failure(new BadAnswer("Contifico served page " + page + " of " + path
                        + " with only documents already seen: result_page seems to be ignored"));
            }
            // Until [], not until a short page: a tenant that serves fewer per page than asked must not end the walk.
            return docs.isEmpty()
                    ? Uni.createFrom().item(() -> List.copyOf(acc.values()))
                    : documentPage(c, query, pageSize, page + 1, acc);
        });
    }

    // ------------------------------------------------------------------------------------------------ the plumbing

    private <T> Uni<T> read(ContificoConnection c, String path, Function<JsonNode, T> parse) {
        return readRaw(c, path, raw -> parse.apply(handle(raw, false, path)));
    }

    private <T> Uni<T> readOrNotFound(ContificoConnection c, String path, String productId, Function<JsonNode, T> parse) {
        return readRaw(c, path, raw -> {
            if (raw.status == 404) {
                throw NotFound.product(productId);
            }
            return parse.apply(handle(raw, false, path));
        });
    }

    /** A read: retried (transient failures only) around the integration's breaker, each attempt with its timeout. */
    private <T> Uni<T> readRaw(ContificoConnection c, String path, Function<Raw, T> parse) {
        return readRaw(c, path, true, parse);
    }

    /**
     * A read; {@code breaker} false leaves the integration's breaker out of it, for auxiliary lists whose failure (one
     * endpoint a tenant cannot serve) says nothing of whether a sale can be booked.
     */
    private <T> Uni<T> readRaw(ContificoConnection c, String path, boolean breaker, Function<Raw, T> parse) {
        Supplier<Uni<T>> call = () -> exchange(c, HttpMethod.GET, path, null, false).map(parse);
        // Retry, then a turn in the integration's lane, then the breaker: a refused turn never enters the breaker.
        // An integration not saved yet has no breaker: its check is one interactive call, and a breaker shared by every
        // unsaved integration would let one unreachable Contifico skip the checks of the next ones created.
        Supplier<Uni<T>> guardedCall = breaker && c.integrationId() != ContificoConnection.UNSAVED
                ? () -> guarded(breaker(c), call) : call;
        Supplier<Uni<T>> attempt = () -> pacer.call(c, guardedCall);
        return Uni.createFrom().deferred(() -> guarded(readRetry, attempt))
                .onFailure().transform(e -> openBreaker(e, operation(HttpMethod.GET, path)));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static <T> Uni<T> guarded(Guard guard, Supplier<Uni<T>> call) {
        return (Uni<T>) guard.get((Supplier) call, (Class) Uni.class);
    }

    private Guard breaker(ContificoConnection c) {
        return breakers.computeIfAbsent(c.integrationId(), id -> {
            ContificoConfig.CircuitBreaker cb = config.circuitBreaker();
            // 0 closed, 1 half-open, 2 open: one series per integration that has called Contifico on this replica.
            AtomicInteger state = new AtomicInteger();
            Gauge.builder("stocksync.contifico.circuit.breaker.state", state, AtomicInteger::get)
                    .description("Contifico circuit breaker of the integration: 0 closed, 1 half-open, 2 open")
                    .tag("integration", String.valueOf(id))
                    .register(registry);
            return Guard.create()
                    .withDescription("contifico-integration-" + id)
                    .withCircuitBreaker()
                        .requestVolumeThreshold(cb.requestVolumeThreshold())
                        .failureRatio(cb.failureRatio())
                        .delay(cb.delay().toMillis(), ChronoUnit.MILLIS)
                        .successThreshold(cb.successThreshold())
                        .when(e -> e instanceof ContificoException ce && ce.countsAsOutage())
                        .onStateChange(s -> {
                            state.set(s == CircuitBreakerState.OPEN ? 2 : s == CircuitBreakerState.HALF_OPEN ? 1 : 0);
                            LOG.warnf("Contifico circuit breaker of integration %d is now %s", id, s);
                        })
                        .done()
                    .build();
        });
    }

    private static boolean retryable(Throwable e) {
        return e instanceof ContificoException ce && ce.isRetryable();
    }

    private Throwable openBreaker(Throwable e, String operation) {
        if (e instanceof CircuitBreakerOpenException) {
            calls(operation, "circuit_open");
            return new Unavailable("Contifico is failing for this integration: circuit breaker open, call not attempted",
                    0, true, e);
        }
        return e;
    }

    /**
     * One HTTP exchange with its own timeout. Failures before the request is written are {@link Unavailable}; after,
     * a write is {@link OutcomeUnknown} (Contifico may have booked it) and a read {@link Unavailable}.
     */
    /** One attempt, run by the caller inside its turn of the integration's lane (see {@link ContificoPacer}). */
    private Uni<Raw> exchange(ContificoConnection c, HttpMethod method, String path, JsonNode body, boolean write) {
        return exchangeNow(c, method, path, body, write).invoke(raw -> {
            if (raw.status == 429) {
                Duration wait = retryAfter(raw.retryAfter, Instant.now());
                pacer.pause(c.integrationId(), wait == null ? Duration.ofSeconds(1) : wait);
            }
        });
    }

    private Uni<Raw> exchangeNow(ContificoConnection c, HttpMethod method, String path, JsonNode body, boolean write) {
        long timeoutMs = (write ? config.writeTimeout() : config.readTimeout()).toMillis();
        String label = method + " " + path;
        String operation = operation(method, path);
        RequestOptions options = new RequestOptions()
                .setMethod(method)
                .setAbsoluteURI(c.baseUrl() + path)
                .setConnectTimeout(config.connectTimeout().toMillis())
                // Backstop of the Mutiny timeout below: Vert.x resets the stream itself when nothing arrives.
                .setIdleTimeout(timeoutMs)
                .putHeader("Authorization", c.apiKey())
                .putHeader("Accept", "application/json");
        AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
        return Uni.createFrom().deferred(() -> http.request(options))
                .onFailure().transform(e -> new Unavailable("Could not reach Contifico for " + label + " (nothing sent): "
                        + e.getMessage(), 0, false, e))
                .chain(req -> {
                    // From here on the request may reach Contifico. A failure before the first byte is written also
                    // lands in "outcome unknown" for a POST: over-cautious (one extra lookup), never a double booking.
                    sent.set(req);
                    Uni<HttpClientResponse> response;
                    if (body == null) {
                        response = req.send();
                    } else {
                        req.putHeader("Content-Type", "application/json");
                        response = req.send(Buffer.buffer(body.toString()));
                    }
                    return response
                            .chain(resp -> resp.body().map(b -> new Raw(resp.statusCode(), resp.getHeader("Location"),
                                    resp.getHeader("Retry-After"), b)))
                            .onFailure().transform(e -> lostAfterSending(write, label, e));
                })
                .onCancellation().invoke(() -> {
                    HttpClientRequest req = sent.get();
                    if (req != null) {
                        req.reset();
                    }
                })
                // Counted before the timeout below, which cancels what is above it: a timed-out call counts once.
                .invoke(raw -> calls(operation, outcome(raw.status)))
                .onFailure().invoke(e -> calls(operation, "connection_error"))
                .ifNoItem().after(java.time.Duration.ofMillis(timeoutMs)).failWith(() -> {
                    calls(operation, "timeout");
                    return sent.get() != null && write
                            ? new OutcomeUnknown("Contifico did not answer " + label + " within " + timeoutMs
                                    + " ms after it was sent: the movement may exist, look up its reference", 0, null)
                            : new Unavailable("Contifico did not answer " + label + " within " + timeoutMs + " ms", 0,
                                    false, null);
                });
    }

    private void calls(String operation, String outcome) {
        registry.counter("stocksync.contifico.calls", "operation", operation, "outcome", outcome).increment();
    }

    /** What an answer's status says, for {@code stocksync.contifico.calls}. */
    static String outcome(int status) {
        if (status >= 200 && status < 300) {
            return "ok";
        }
        if (status == 404) {
            return "not_found";
        }
        if (status == 429) {
            return "throttled";
        }
        if (status == 401 || status == 403) {
            return "unauthorized";
        }
        return status >= 500 ? "server_error" : "rejected";
    }

    /**
     * A fixed name per Contifico endpoint, for the {@code operation} tag: never the path itself, which carries product
     * ids, dates and SKUs (a series per SKU would swamp Prometheus).
     */
    static String operation(HttpMethod method, String path) {
        if (path.startsWith("/v1/movimiento-inventario/")) {
            return HttpMethod.POST.equals(method) ? "movement_create" : "movement_get";
        }
        if (path.startsWith("/v2/movimiento-inventario/")) {
            return "movement_list";
        }
        if (path.startsWith("/v1/documento/")) {
            return "document_list";
        }
        if (path.startsWith("/v1/bodega/")) {
            return "warehouse_list";
        }
        if (path.startsWith("/v1/producto/?")) {
            return path.contains("codigo=") ? "product_search" : "catalogue_page";
        }
        if (path.startsWith("/v1/producto/")) {
            return path.endsWith("/stock/") ? "product_stock" : "product_get";
        }
        return "other";
    }

    private static ContificoException lostAfterSending(boolean write, String label, Throwable e) {
        if (e instanceof ContificoException ce) {
            return ce;
        }
        if (write) {
            return new OutcomeUnknown("Connection to Contifico lost after sending " + label
                    + ": the movement may exist, look up its reference (" + e + ")", 0, e);
        }
        return new Unavailable("Connection to Contifico lost during " + label + ": " + e, 0, false, e);
    }

    /** Maps a status to the typed failure, or returns the parsed 2xx body. */
    private JsonNode handle(Raw raw, boolean write, String path) {
        int s = raw.status;
        if (s >= 200 && s < 300) {
            try {
                return raw.body.length() == 0 ? mapper.nullNode() : mapper.readTree(raw.body.getBytes());
            } catch (IOException e) {
                if (write) {
                    throw new OutcomeUnknown("Contifico answered " + s + " with unreadable JSON to " + path, s, e);
                }
                throw new Unavailable("Contifico answered " + s + " with unreadable JSON to " + path, s, false, e);
            }
        }
        if (s == 429) {
            Duration wait = retryAfter(raw.retryAfter, Instant.now());
            throw new Unavailable("Contifico is throttling (429) " + path + (wait == null ? "" : ", retry after " + wait),
                    s, false, null, wait);
        }
        if (s >= 500) {
            String snippet = snippet(raw.bodyText());
            if (write) {
                throw new OutcomeUnknown("Contifico failed with " + s + " on " + path
                        + ": the movement may exist, look up its reference. Body: " + snippet, s, null);
            }
            throw new Unavailable("Contifico failed with " + s + " on " + path + ": " + snippet, s, false, null);
        }
        if (s >= 300 && s < 400) {
            throw new Rejected(s, "redirected to " + raw.location + ": Contifico paths need a trailing slash", null);
        }
        String mensaje = null;
        Integer cod = null;
        try {
            JsonNode err = mapper.readTree(raw.body.getBytes());
            if (err != null && err.isObject()) {
                mensaje = err.hasNonNull("mensaje") ? err.get("mensaje").asText()
                        : err.hasNonNull("error") ? err.get("error").asText() : null;
                JsonNode code = err.hasNonNull("cod_error") ? err.get("cod_error") : err.get("code");
                if (code != null && !code.isNull() && code.asText().matches("-?\\d+")) {
                    cod = Integer.valueOf(code.asText());
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Not JSON (401/403 bodies are undocumented): the snippet below still says what came back.
        }
        throw new Rejected(s, snippet(mensaje != null ? mensaje : raw.bodyText()), cod);
    }

    /**
     * A Retry-After header (delta-seconds or HTTP-date) as a wait from {@code now}; null when absent or unreadable.
     * Capped, so a broken or hostile value cannot park a caller for days; a date in the past is no wait.
     */
    static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        Duration wait;
        if (h.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            // More digits than a long holds is still "a very long time", not an unreadable header.
            wait = h.length() > 12 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(h));
        } else {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return wait.isNegative() ? Duration.ZERO : wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait;
    }

    /** Contifico's words, short and clean: they end up in lastError, pull reasons and API answers. */
    private static String snippet(String s) {
        return UpstreamText.sanitize(s);
    }

    private record Raw(int status, String location, String retryAfter, Buffer body) {
        String bodyText() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------------------------------------ JSON mapping

    /**
     * A product's figures are informative (the stock a pull publishes comes from the per-warehouse list): an unusable
     * one reads as unknown, so a sale of the product is still booked and a delta pull still flags it.
     */
    private static ContificoProduct product(JsonNode n) {
        BigDecimal iva = informative(n, "porcentaje_iva");
        return new ContificoProduct(text(n, "id"), text(n, "codigo"), text(n, "nombre"), informative(n, "cantidad_stock"),
                text(n, "estado"), bool(n, "para_pos"), text(n, "tipo"), informative(n, "pvp1"), informative(n, "minimo"),
                iva == null ? null : iva.intValue(), text(n, "codigo_barra"), text(n, "categoria_id"));
    }

    private static BigDecimal informative(JsonNode n, String field) {
        try {
            return decimal(n, field);
        } catch (BadAnswer e) {
            LOG.warnf("Contifico product %s: %s", text(n, "id"), e.getMessage());
            return null;
        }
    }

    private static Movement movement(JsonNode n) {
        if (n == null || !n.isObject() || !n.hasNonNull("id")) {
            throw new BadAnswer("Contifico listed something that is not a movement: " + snippet(String.valueOf(n)));
        }
        List<MovementLine> lines = new ArrayList<>();
        for (JsonNode l : array(n.path("detalles"))) {
            lines.add(new MovementLine(text(l, "producto_id"), decimal(l, "cantidad"), decimal(l, "precio")));
        }
        return new Movement(text(n, "id"), text(n, "codigo"), text(n, "tipo"), date(text(n, "fecha")), text(n, "bodega_id"),
                text(n, "bodega_destino_id"), text(n, "descripcion"), text(n, "estado"), decimal(n, "total"), lines);
    }

    private static SalesDocument document(JsonNode n) {
        if (n == null || !n.isObject() || !n.hasNonNull("id")) {
            throw new BadAnswer("Contifico listed something that is not a sales document: " + snippet(String.valueOf(n)));
        }
        List<MovementLine> lines = new ArrayList<>();
        for (JsonNode l : array(n.path("detalles"))) {
            lines.add(new MovementLine(text(l, "producto_id"), decimal(l, "cantidad"), decimal(l, "precio")));
        }
        return new SalesDocument(text(n, "id"), text(n, "tipo_documento"), date(text(n, "fecha_emision")),
                text(n, "bodega_id"), List.copyOf(lines));
    }

    /** Dates are informative in lists (ids and lines are what matter): an unreadable one is null, not a failure. */
    private static LocalDate date(String f) {
        if (f == null) {
            return null;
        }
        try {
            return LocalDate.parse(f, FECHA);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Iterable<JsonNode> array(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new Unavailable("Contifico answered a " + n.getNodeType() + " where a list was expected", 200, false, null);
        }
        return n;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && (v.isBoolean() ? v.booleanValue() : "true".equalsIgnoreCase(v.asText()));
    }

    /** Contifico sends decimals as strings ("-5.0") except where it does not (stock lines): accept both. */
    static BigDecimal decimal(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : decimalOf(v, field);
    }

    /**
     * A decimal safe to compute with, or {@link BadAnswer}. No quantity or price Contifico holds is beyond
     * {@value #MAX_ABS_TEXT} or has more than {@value #MAX_DECIMALS} significant decimals; and a value such as
     * {@code 1E+999999999} parses cheaply but would make {@code setScale} or {@code toPlainString} build a billion
     * digits, so it must be refused before anyone rescales it.
     */
    static BigDecimal decimalOf(JsonNode v, String field) {
        BigDecimal d;
        if (v.isNumber()) {
            if ((v.isDouble() || v.isFloat()) && !Double.isFinite(v.doubleValue())) {
                throw unusable(field, v.asText(), "not a finite number");
            }
            d = v.decimalValue();
        } else if (v.isTextual()) {
            String t = v.textValue().trim();
            if (t.isEmpty()) {
                return null;
            }
            if (t.length() > MAX_DECIMAL_CHARS) {
                throw unusable(field, t, "too long for a quantity");
            }
            try {
                d = new BigDecimal(t);
            } catch (NumberFormatException e) {
                throw unusable(field, t, "not a number");
            }
        } else {
            throw unusable(field, v.toString(), "not a number");
        }
        if (d.signum() == 0) {
            return BigDecimal.ZERO; // 0E+999999999 is zero too: no caller should meet its exponent
        }
        // compareTo looks at the exponents before any digit, so this costs nothing even for 1E+999999999.
        if (d.abs().compareTo(MAX_ABS) > 0) {
            throw unusable(field, v.asText(), "beyond " + MAX_ABS_TEXT);
        }
        if (d.scale() > MAX_DECIMALS && d.stripTrailingZeros().scale() > MAX_DECIMALS) {
            throw unusable(field, v.asText(), "more than " + MAX_DECIMALS + " decimals");
        }
        return d.scale() < 0 ? d.setScale(0) : d;
    }

    private static BadAnswer unusable(String field, String raw, String why) {
        String shown = UpstreamText.sanitize(raw.length() > 40 ? raw.substring(0, 40) + "..." : raw);
        return new BadAnswer("Contifico sent an unusable " + field + " '" + shown + "': " + why);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }
}
