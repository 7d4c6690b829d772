package ec.stocksync.contifico;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.contifico.ContificoException.BadAnswer;
import ec.stocksync.contifico.ContificoException.NotFound;
import ec.stocksync.contifico.ContificoException.OutcomeUnknown;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import ec.stocksync.store.IntegrationChanged;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The Contifico operations the service uses, one bean for every integration (the {@link ContificoConnection} says
 * which tenant). Each operation names its endpoint on {@link ContificoApi}, how to read the answer
 * ({@link ContificoMapper}, {@link ContificoErrors}) and how to walk pages; the call policy (turns, breaker, retry,
 * deadlines) is {@link ContificoExchange}'s, the clients per integration {@link ContificoApis}'.
 *
 * <p>Rejections (4xx), not-found and {@link BadAnswer bad answers} are a healthy Contifico talking: they neither trip
 * the breaker nor are retried (a bad answer would only come back).
 */
@ApplicationScoped
public class ContificoClient {

    private static final Logger LOG = Logger.getLogger(ContificoClient.class);
    public static final DateTimeFormatter FECHA = ContificoMapper.FECHA;
    private static final String OUT_OF_RANGE = "Pagina fuera del rango";
    /** A list that pages on past this is not paging (a page parameter ignored): end the walk instead of looping. */
    private static final int MAX_PAGES = 10_000;

    private final ContificoExchange exchange;
    private final ContificoApis apis;
    private final ContificoBreakers breakers;
    private final ObjectMapper mapper;

    public ContificoClient(ContificoExchange exchange, ContificoApis apis, ContificoBreakers breakers,
                           ObjectMapper mapper) {
        this.exchange = exchange;
        this.apis = apis;
        this.breakers = breakers;
        this.mapper = mapper;
    }

    /**
     * Drops what was built for the integration: its REST clients (closed) and its circuit breaker with its gauge. The
     * next call, if any, builds them afresh from the connection it is given.
     */
    public void forget(long integrationId) {
        apis.forget(integrationId);
        breakers.forget(integrationId);
    }

    /** Deactivated, or pointed at another Contifico: its clients and breaker described the old one. */
    void onIntegrationChanged(@Observes IntegrationChanged event) {
        forget(event.integrationId());
    }

    // ---------------------------------------------------------------------------------------------------- products

    /**
     * The product whose {@code codigo} is exactly {@code sku}. Fails with {@link NotFound} when v1 does not list it,
     * which includes every product with {@code para_pos: false}.
     */
    public Uni<ContificoProduct> findProductBySku(ContificoConnection c, String sku) {
        return read(c, "product_search", "GET /v1/producto/?codigo=", true,
                api -> api.products(enc(sku), null, null), json -> {
                    ContificoProduct first = null;
                    List<ContificoProduct> exact = new java.util.ArrayList<>();
                    for (ContificoProduct p : ContificoMapper.products(json)) {
                        if (sku.equals(p.codigo())) {
                            exact.add(p);
                        }
                        first = first == null ? p : first;
                    }
                    if (exact.size() == 1) {
                        return exact.get(0);
                    }
                    if (exact.size() > 1) {
                        // Never guess between duplicates: the operator links the SKU to one of them by hand.
                        throw NotFound.ambiguous(sku, exact.stream().map(ContificoProduct::id).toList());
                    }
                    if (first != null) {
                        // Contifico documents an exact match; if it ever fuzzes, a different code must not be taken for ours.
                        LOG.warnf("Contifico answered codigo=%s with other codes (first %s): treated as not found", sku,
                                first.codigo());
                    }
                    throw NotFound.sku(sku);
                });
    }

    public Uni<ContificoProduct> getProduct(ContificoConnection c, String productId) {
        String label = "GET /v1/producto/" + productId + "/";
        return exchange.read(c, "product_get", label, true, api -> api.product(productId),
                a -> ContificoMapper.product(bodyOrNotFound(a, productId, label)));
    }

    /** Stock per warehouse; only warehouses linked to a point of sale are listed. */
    public Uni<List<WarehouseStock>> stockByWarehouse(ContificoConnection c, String productId) {
        String label = "GET /v1/producto/" + productId + "/stock/";
        return exchange.read(c, "product_stock", label, true, api -> api.stock(productId),
                a -> ContificoMapper.stock(bodyOrNotFound(a, productId, label)));
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

    /**
     * The product's stock summed over {@code warehouseIds} (a location's figure, issue 14 D), from one stock read. Any
     * of them absent or without a quantity fails the product with {@link BadAnswer}, like {@link #stockInWarehouse}.
     */
    public Uni<BigDecimal> stockInWarehouses(ContificoConnection c, String productId, List<String> warehouseIds) {
        return stockByWarehouse(c, productId).map(list -> sumOf(list, warehouseIds, productId));
    }

    /** See {@link #stockInWarehouses}: the sum over {@code warehouseIds} of an answer already read. */
    public static BigDecimal sumOf(List<WarehouseStock> list, List<String> warehouseIds, String productId) {
        BigDecimal sum = BigDecimal.ZERO;
        for (String w : warehouseIds) {
            WarehouseStock found = list.stream().filter(s -> w.equals(s.bodegaId())).findFirst()
                    .orElseThrow(() -> BadAnswer.warehouseNotListed(w, productId));
            if (found.cantidad() == null) {
                throw new BadAnswer("Contifico lists warehouse " + w + " in the stock of product " + productId
                        + " without a quantity (cantidad is null)");
            }
            sum = sum.add(found.cantidad());
        }
        return sum;
    }

    /** One page (1-based) of the v1 catalogue; an empty list means past the end. */
    public Uni<List<ContificoProduct>> productPage(ContificoConnection c, int page, int pageSize) {
        return read(c, "catalogue_page", "GET /v1/producto/?result_page=" + page, true,
                api -> api.products(null, pageSize, page), ContificoMapper::products);
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
        return read(c, "warehouse_list", "GET /v1/bodega/", true, ContificoApi::warehouses, ContificoMapper::warehouses);
    }

    // --------------------------------------------------------------------------------------------------- movements

    /**
     * Books a movement in the connection's warehouse. Sent once: a failure after sending is {@link OutcomeUnknown},
     * and the caller must {@link #findMovementsByReference look the reference up} before any re-send.
     */
    public Uni<Movement> createMovement(ContificoConnection c, NewMovement m) {
        ContificoMapper.MovementRequest body = ContificoMapper.request(m, c.warehouseId());
        String label = "POST /v1/movimiento-inventario/";
        return exchange.write(c, "movement_create", label, api -> api.createMovement(body), a -> {
            JsonNode json = ContificoErrors.body(mapper, a, true, label);
            try {
                return ContificoMapper.movement(json);
            } catch (RuntimeException e) {
                // A 2xx means it was booked; unreadable means we do not know its id: the lookup will find it.
                throw new OutcomeUnknown("Contifico accepted the movement (HTTP " + a.status()
                        + ") but its answer could not be read: look up the reference", a.status(), e);
            }
        });
    }

    /**
     * Movements of {@code tipo} in the connection's warehouse whose {@code descripcion} contains {@code reference},
     * dated {@code from}..{@code to} (both inclusive; the v2 range is half-open, the client adds a day). Walks every
     * v2 page; the 400 "Pagina fuera del rango" past the end is the end, not an error. Matching is a substring test,
     * so references must be delimited (e.g. {@code [ss:<store>:<movement>]}): a bare "ss-1" would also match "ss-10".
     */
    public Uni<List<Movement>> findMovementsByReference(ContificoConnection c, String reference, MovementType tipo,
                                                        LocalDate from, LocalDate to) {
        return movementPages(c, new MovementQuery(from, to, tipo, c.warehouseId()),
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
        return movementPages(c, new MovementQuery(from, toInclusive, tipoOrNull,
                onlyConnectionWarehouse ? c.warehouseId() : null), m -> true, false);
    }

    /** A v2 movement list's filters; the day range is inclusive here and sent half-open. */
    private record MovementQuery(LocalDate from, LocalDate toInclusive, MovementType tipo, String warehouseId) {
    }

    /**
     * The kept movements of every page of a v2 movement list. Deferred: each subscription (a retry, a second caller)
     * walks from page 1 with its own accumulator. Keyed by id because offset paging repeats a movement when the list
     * shifts under the walk.
     */
    private Uni<List<Movement>> movementPages(ContificoConnection c, MovementQuery query, Predicate<Movement> keep,
                                              boolean breaker) {
        return Uni.createFrom().deferred(() -> movementPage(c, query, keep, 1, new LinkedHashMap<>(), breaker));
    }

    private Uni<List<Movement>> movementPage(ContificoConnection c, MovementQuery q, Predicate<Movement> keep, int page,
                                             Map<String, Movement> acc, boolean breaker) {
        String label = "GET /v2/movimiento-inventario/ page " + page;
        if (page > MAX_PAGES) {
            return Uni.createFrom().failure(new BadAnswer("Contifico still announces a next page after " + MAX_PAGES
                    + " pages of /v2/movimiento-inventario/"));
        }
        return exchange.read(c, "movement_list", label, breaker,
                api -> api.movements(enc(FECHA.format(q.from())), enc(FECHA.format(q.toInclusive().plusDays(1))),
                        q.tipo() == null ? null : q.tipo().name(), q.warehouseId() == null ? null : enc(q.warehouseId()),
                        page),
                a -> {
                    if (a.status() == 400 && a.bodyText().contains(OUT_OF_RANGE)) {
                        return new ContificoMapper.MovementPage(List.of(), false);
                    }
                    return ContificoMapper.movementPage(ContificoErrors.body(mapper, a, false, label));
                }).chain(p -> {
                    for (Movement m : p.results()) {
                        if (keep.test(m)) {
                            acc.putIfAbsent(m.id(), m);
                        }
                    }
                    return p.hasNext() && !p.results().isEmpty()
                            ? movementPage(c, q, keep, page + 1, acc, breaker)
                            : Uni.createFrom().item(() -> List.copyOf(acc.values()));
                });
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
        // Deferred like the movement walk: each subscription pages from 1 with its own accumulator.
        return Uni.createFrom().deferred(() -> documentPage(c, from, toInclusive, pageSize, 1, new LinkedHashMap<>()));
    }

    private Uni<List<SalesDocument>> documentPage(ContificoConnection c, LocalDate from, LocalDate toInclusive,
                                                  int pageSize, int page, Map<String, SalesDocument> acc) {
        String label = "GET /v1/documento/ page " + page;
        if (page > MAX_PAGES) {
            return Uni.createFrom().failure(new BadAnswer("Contifico still serves full pages after " + MAX_PAGES
                    + " pages of /v1/documento/"));
        }
        // A change signal: its failures must not open the breaker that sales go through.
        return read(c, "document_list", label, false,
                api -> api.documents(enc(FECHA.format(from)), enc(FECHA.format(toInclusive)), enc(c.warehouseId()),
                        pageSize, page),
                ContificoMapper::documents).chain(docs -> {
                    int before = acc.size();
                    docs.forEach(d -> acc.putIfAbsent(d.id(), d));
                    if (!docs.isEmpty() && acc.size() == before) {
                        // The same documents again: this tenant ignores result_page, and walking on would never end.
                        return Uni.createFrom().failure(new BadAnswer("Contifico served page " + page
                                + " of /v1/documento/ with only documents already seen: result_page seems to be ignored"));
                    }
                    // Until [], not until a short page: a tenant that serves fewer per page than asked must not end the walk.
                    return docs.isEmpty()
                            ? Uni.createFrom().item(() -> List.copyOf(acc.values()))
                            : documentPage(c, from, toInclusive, pageSize, page + 1, acc);
                });
    }

    // ------------------------------------------------------------------------------------------------ the plumbing

    /** A read whose 2xx body is parsed; any other status is its typed failure. */
    private <T> Uni<T> read(ContificoConnection c, String operation, String label, boolean breaker,
                            Function<ContificoApi, Uni<jakarta.ws.rs.core.Response>> call, Function<JsonNode, T> parse) {
        return exchange.read(c, operation, label, breaker, call,
                a -> parse.apply(ContificoErrors.body(mapper, a, false, label)));
    }

    private JsonNode bodyOrNotFound(ContificoAnswer a, String productId, String label) {
        if (a.status() == 404) {
            throw NotFound.product(productId);
        }
        return ContificoErrors.body(mapper, a, false, label);
    }

    /** Query values go out encoded here (see {@link ContificoApi}): dates as {@code dd%2FMM%2Fyyyy}. */
    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }
}
