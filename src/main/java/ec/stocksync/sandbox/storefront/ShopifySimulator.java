package ec.stocksync.sandbox.storefront;

import ec.stocksync.sandbox.SandboxOnly;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stateful fake of Shopify's GraphQL Admin API, for one shop with one location: product variants with inventory items,
 * lookup by SKU, cursor paging, {@code inventoryItem} reads and {@code inventorySetQuantities} with compare-and-set
 * ({@code changeFromQuantity}) and {@code @idempotent} replays. It does not parse GraphQL: it recognises the root field
 * and reads arguments (literal or variables) and answers every field the clients select.
 * Orders are listed over REST ({@code GET orders.json} with {@code updated_at_min} and {@code page_info} cursors in
 * the {@code Link} header), seeded from tests with {@link #addOrder(String)}.
 * Endpoint names: {@link #PRODUCT_VARIANTS}, {@link #INVENTORY_ITEM}, {@link #SET_QUANTITIES}, {@link #ORDERS}.
 */
@ApplicationScoped
@SandboxOnly
public class ShopifySimulator extends SimulatorServer {

    public static final String PRODUCT_VARIANTS = "productVariants";
    public static final String INVENTORY_ITEM = "inventoryItem";
    public static final String SET_QUANTITIES = "inventorySetQuantities";
    public static final String WEBHOOKS = "webhookSubscriptions";
    public static final String WEBHOOK_CREATE = "webhookSubscriptionCreate";
    public static final String WEBHOOK_DELETE = "webhookSubscriptionDelete";
    public static final String LOCATIONS = "locations";
    /** The topics the simulator knows (Shopify has many more; these are the order and refund ones). */
    static final Set<String> WEBHOOK_TOPICS = Set.of("ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_PAID", "ORDERS_CANCELLED",
            "ORDERS_EDITED", "REFUNDS_CREATE", "INVENTORY_LEVELS_UPDATE");
    public static final String ORDERS = "GET orders.json";
    /** {@code GET orders/{id}.json}: one order. */
    public static final String ORDER = "GET order";
    public static final String DEFAULT_TOKEN = "shpat_sandbox_token";
    public static final long DEFAULT_LOCATION_ID = 655441491L;

    private static final Pattern GRAPHQL_PATH = Pattern.compile("^/admin/api/(\\d{4}-\\d{2}|unstable)/graphql\\.json$");
    private static final Pattern ORDERS_PATH = Pattern.compile("^/admin/api/(\\d{4}-\\d{2}|unstable)/orders\\.json$");
    private static final Pattern ORDER_PATH = Pattern.compile("^/admin/api/(\\d{4}-\\d{2}|unstable)/orders/(\\d+)\\.json$");
    /** Ids of what order edits create (edits, lines, refunds, refund lines), above 2^53 like Shopify's. */
    private static final java.util.concurrent.atomic.AtomicLong EDIT_IDS = new java.util.concurrent.atomic.AtomicLong(7_300_000_000_000_000_000L);
    private static final Pattern SKU_TERM = Pattern.compile("sku:(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+))");

    /** A variant as the fake holds it; {@code available} is {@code null} when not stocked at the location. */
    public static final class Variant {
        public final String productId;
        public final String productTitle;
        public final String id;
        public final String title;
        public final String sku;
        public final String inventoryItemId;
        public boolean tracked;
        public Integer available;
        /** Levels at the shop's other locations, by location gid; absent = not stocked there. */
        final Map<String, Integer> otherLevels = new HashMap<>();

        Variant(String productId, String productTitle, String id, String title, String sku, String inventoryItemId,
                boolean tracked, Integer available) {
            this.productId = productId;
            this.productTitle = productTitle;
            this.id = id;
            this.title = title;
            this.sku = sku;
            this.inventoryItemId = inventoryItemId;
            this.tracked = tracked;
            this.available = available;
        }
    }

    /** Seed for one variant: {@code ShopifySimulator.variant("TS-M", "M", 5)}. */
    public record SeedVariant(String sku, String title, Integer available, boolean tracked) {
    }

    public static SeedVariant variant(String sku, String title, Integer available) {
        return new SeedVariant(sku, title, available, true);
    }

    @Inject
    Vertx vertx;
    /** The demo catalogue (dev); tests seed their own. */
    @ConfigProperty(name = "sandbox.seed-demo", defaultValue = "false")
    boolean demo;

    private final Object lock = new Object();
    private final Map<String, JsonObject> webhooks = new LinkedHashMap<>();
    private long webhookSequence;
    private final List<Variant> variants = new ArrayList<>();
    private final Map<String, String> idempotentAnswers = new HashMap<>();
    private final Map<String, Integer> salesBeforeWrites = new HashMap<>();
    private final List<JsonObject> orders = new ArrayList<>();
    /** Locations besides the default one, numeric id to name (Shopify's first location is created with the shop). */
    private final Map<Long, String> extraLocations = new LinkedHashMap<>();
    /** A faulty shop: location pages say more follow but give no cursor to read them. */
    private volatile boolean locationPagesWithoutCursor;
    /** A faulty shop: location pages whose nodes are not what the API documents ("isActive": "yes"). */
    private volatile boolean locationPagesMalformed;
    private long nextId = 1000;
    private volatile String accessToken = DEFAULT_TOKEN;

    void onStart(@Observes StartupEvent event) {
        listen(vertx);
        if (demo) {
            seedDemo();
        }
    }

    /** A small catalogue so dev mode has something to sync (the dev store's apiBaseUrl points at {@link #baseUrl()}). */
    public void seedDemo() {
        // The same SKUs as the Contifico sandbox's demo catalogue, so a dev store syncs end to end out of the box.
        addProduct("Perfume Tester", variant("PT-0002-50ml", "50 ml", 101), variant("PT-0001-30ml", "30 ml", 38));
        addProduct("Camiseta algodón", variant("CAM-001-M", "M", 25));
        addProduct("Llavero", variant("NEG-0005", "Default Title", 0));
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    protected String name() {
        return "Shopify";
    }

    // ---- seeding and inspection ----

    public String accessToken() {
        return accessToken;
    }

    /** Changes the token the fake accepts (the old one then gets 401). */
    public void locationPagesWithoutCursor(boolean on) {
        locationPagesWithoutCursor = on;
    }

    public void locationPagesMalformed(boolean on) {
        locationPagesMalformed = on;
    }

    public void accessToken(String token) {
        this.accessToken = token;
    }

    /** The numeric location id, as a store records it. */
    public String locationId() {
        return String.valueOf(DEFAULT_LOCATION_ID);
    }

    public String locationGid() {
        return "gid://shopify/Location/" + DEFAULT_LOCATION_ID;
    }

    /** A second (third...) location of the shop, as a merchant adds one in the admin; answers its numeric id. */
    public String addLocation(String name) {
        synchronized (lock) {
            long id = DEFAULT_LOCATION_ID + 1 + extraLocations.size();
            extraLocations.put(id, name);
            return String.valueOf(id);
        }
    }

    /** Adds a product with its variants; answers the variants as created (with their gids). */
    public List<Variant> addProduct(String title, SeedVariant... seeds) {
        synchronized (lock) {
            String productId = "gid://shopify/Product/" + (++nextId);
            List<Variant> created = new ArrayList<>();
            for (SeedVariant seed : seeds) {
                long n = ++nextId;
                Variant v = new Variant(productId, title, "gid://shopify/ProductVariant/" + n, seed.title(), seed.sku(),
                        "gid://shopify/InventoryItem/" + n, seed.tracked(), seed.available());
                variants.add(v);
                created.add(v);
            }
            return created;
        }
    }

    /** Current available quantity of the SKU at the location ({@code null} if not stocked there). */
    public Integer available(String sku) {
        synchronized (lock) {
            return find(sku).available;
        }
    }

    /** Available quantity of the SKU at a location (numeric id); {@code null} if not stocked there. */
    public Integer available(String sku, String locationId) {
        synchronized (lock) {
            String gid = "gid://shopify/Location/" + locationId;
            return gid.equals(locationGid()) ? find(sku).available : find(sku).otherLevels.get(gid);
        }
    }

    /** Stocks the SKU at a location (numeric id) with {@code quantity}, as the Shopify admin would. */
    public void setAvailable(String sku, String locationId, Integer quantity) {
        synchronized (lock) {
            String gid = "gid://shopify/Location/" + locationId;
            if (gid.equals(locationGid())) {
                find(sku).available = quantity;
            } else if (quantity == null) {
                find(sku).otherLevels.remove(gid);
            } else {
                find(sku).otherLevels.put(gid, quantity);
            }
        }
    }

    /** Changes stock behind the client's back, as a sale in the Shopify admin would. */
    public void setAvailable(String sku, Integer quantity) {
        synchronized (lock) {
            find(sku).available = quantity;
        }
    }

    /**
     * Before each of the next {@code times} mutations touching the SKU, one unit is sold on Shopify, so a
     * compare-and-set against what the client last read keeps going stale.
     */
    public void sellOneBeforeEachWrite(String sku, int times) {
        synchronized (lock) {
            find(sku);
            salesBeforeWrites.put(sku, times);
        }
    }

    public Variant variantBySku(String sku) {
        synchronized (lock) {
            return find(sku);
        }
    }

    /**
     * Adds (or replaces, by id) an order as the REST API returns it: the webhook's order JSON, with {@code refunds[]}.
     * Without {@code updated_at} it is stamped now. Given as text so ids above 2^53 stay exact.
     */
    public JsonObject addOrder(String json) {
        JsonObject order = new JsonObject(json);
        if (order.getValue("id") == null) {
            throw new IllegalArgumentException("an order needs an id");
        }
        if (order.getString("updated_at") == null) {
            order.put("updated_at", OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString());
        }
        synchronized (lock) {
            orders.removeIf(o -> idOf(o).equals(idOf(order)));
            orders.add(order);
            orders.sort(Comparator.comparing(ShopifySimulator::idOf));
        }
        return order;
    }

    /** The order as the REST API would answer it now, or null. */
    public JsonObject order(String orderId) {
        synchronized (lock) {
            return orders.stream().filter(o -> idOf(o).equals(new BigInteger(orderId))).findFirst()
                    .map(JsonObject::copy).orElse(null);
        }
    }

    /** Starts an order edit, as {@code orderEditBegin} does; nothing changes until {@link OrderEditing#commit()}. */
    public OrderEditing editOrder(String orderId) {
        return new OrderEditing(orderId);
    }

    /**
     * What an order edit committed: the {@code orders/edited} payload and, when it removed units, the
     * {@code refunds/create} payload of the refund Shopify records for the removal (restock type {@code cancel} when
     * restocked, {@code no_restock} otherwise). Webhook deliveries are the test's to make, in any order or twice.
     */
    public record CommittedEdit(String editId, String orderEditPayload, String refundPayload, List<String> newLineIds) {
    }

    /**
     * An order edit in progress (GraphQL {@code orderEditBegin}, {@code orderEditSetQuantity},
     * {@code orderEditAddVariant}, {@code orderEditCommit}), applied to the order like Shopify does: a raised or new
     * line takes units off the variant's available stock, and its line's {@code quantity} counts them; a lowered line
     * keeps its {@code quantity} and loses {@code current_quantity}, through a refund that restocks or not.
     */
    public final class OrderEditing {
        private final String orderId;
        private final List<Object[]> raises = new ArrayList<>();
        private final List<Object[]> newLines = new ArrayList<>();
        private final List<Object[]> lowers = new ArrayList<>();

        OrderEditing(String orderId) {
            this.orderId = orderId;
        }

        /** Raises an existing line by {@code delta} units. */
        public OrderEditing raise(String lineId, int delta) {
            raises.add(new Object[]{lineId, delta});
            return this;
        }

        /** Adds a new line of a variant (by SKU; an unknown SKU is a tracked line with no stock to take). */
        public OrderEditing addLine(String sku, int quantity) {
            newLines.add(new Object[]{sku, quantity});
            return this;
        }

        /** Lowers a line by {@code delta} units (to 0 removes it), restocking them or not. */
        public OrderEditing lower(String lineId, int delta, boolean restock) {
            lowers.add(new Object[]{lineId, delta, restock});
            return this;
        }

        public CommittedEdit commit() {
            synchronized (lock) {
                JsonObject order = orders.stream().filter(o -> idOf(o).equals(new BigInteger(orderId))).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no order " + orderId));
                String now = OffsetDateTime.now(ZoneOffset.UTC).withNano(0).toString();
                long editId = EDIT_IDS.incrementAndGet();
                JsonArray lines = order.getJsonArray("line_items");
                JsonArray additions = new JsonArray();
                JsonArray removals = new JsonArray();
                List<String> newIds = new ArrayList<>();
                for (Object[] r : raises) {
                    JsonObject line = line(lines, (String) r[0]);
                    int delta = (Integer) r[1];
                    line.put("quantity", line.getInteger("quantity") + delta);
                    line.put("current_quantity", line.getInteger("current_quantity", line.getInteger("quantity") - delta) + delta);
                    take(line.getString("sku"), delta);
                    additions.add(new JsonObject().put("id", line.getValue("id")).put("delta", delta));
                }
                for (Object[] n : newLines) {
                    long lineId = EDIT_IDS.incrementAndGet();
                    String sku = (String) n[0];
                    int quantity = (Integer) n[1];
                    Variant v = variants.stream().filter(x -> sku.equals(x.sku)).findFirst().orElse(null);
                    lines.add(new JsonObject().put("id", lineId).put("sku", sku).put("quantity", quantity)
                            .put("current_quantity", quantity).put("gift_card", false)
                            .put("variant_inventory_management", v == null || v.tracked ? "shopify" : null)
                            .put("product_exists", true));
                    take(sku, quantity);
                    additions.add(new JsonObject().put("id", lineId).put("delta", quantity));
                    newIds.add(String.valueOf(lineId));
                }
                JsonArray refundLines = new JsonArray();
                boolean anyRestock = false;
                for (Object[] l : lowers) {
                    JsonObject line = line(lines, (String) l[0]);
                    int delta = (Integer) l[1];
                    boolean restock = (Boolean) l[2];
                    anyRestock |= restock;
                    int current = line.getInteger("current_quantity", line.getInteger("quantity"));
                    if (delta > current) {
                        throw new IllegalArgumentException("line " + l[0] + " has only " + current + " unit(s) left");
                    }
                    line.put("current_quantity", current - delta);
                    if (restock) {
                        take(line.getString("sku"), -delta);
                    }
                    removals.add(new JsonObject().put("id", line.getValue("id")).put("delta", delta));
                    refundLines.add(new JsonObject().put("id", EDIT_IDS.incrementAndGet()).put("line_item_id", line.getValue("id"))
                            .put("quantity", delta).put("restock_type", restock ? "cancel" : "no_restock")
                            .put("location_id", DEFAULT_LOCATION_ID).put("line_item", line.copy()));
                }
                String refundPayload = null;
                if (!refundLines.isEmpty()) {
                    JsonObject refund = new JsonObject().put("id", EDIT_IDS.incrementAndGet()).put("order_id", order.getValue("id"))
                            .put("created_at", now).put("processed_at", now).put("restock", anyRestock)
                            .put("refund_line_items", refundLines).put("transactions", new JsonArray());
                    JsonArray refunds = order.getJsonArray("refunds");
                    if (refunds == null) {
                        refunds = new JsonArray();
                        order.put("refunds", refunds);
                    }
                    refunds.add(refund.copy());
                    refundPayload = refund.encode();
                }
                order.put("updated_at", now);
                JsonObject edit = new JsonObject().put("order_edit", new JsonObject().put("id", editId).putNull("app_id")
                        .put("created_at", now).put("committed_at", now).put("notify_customer", false)
                        .put("order_id", order.getValue("id")).put("staff_note", "").putNull("user_id")
                        .put("line_items", new JsonObject().put("additions", additions).put("removals", removals))
                        .put("discounts", new JsonObject().put("additions", new JsonArray()).put("removals", new JsonArray()))
                        .put("shipping_lines", new JsonObject().put("additions", new JsonArray()).put("removals", new JsonArray())));
                return new CommittedEdit(String.valueOf(editId), edit.encode(), refundPayload, newIds);
            }
        }

        private JsonObject line(JsonArray lines, String lineId) {
            for (int i = 0; i < lines.size(); i++) {
                if (String.valueOf(lines.getJsonObject(i).getValue("id")).equals(lineId)) {
                    return lines.getJsonObject(i);
                }
            }
            throw new IllegalArgumentException("order " + orderId + " has no line " + lineId);
        }

        private void take(String sku, int units) {
            variants.stream().filter(v -> sku != null && sku.equals(v.sku) && v.tracked && v.available != null)
                    .findFirst().ifPresent(v -> v.available -= units);
        }
    }

    private static BigInteger idOf(JsonObject order) {
        return new BigInteger(String.valueOf(order.getValue("id")));
    }

    private Variant find(String sku) {
        return variants.stream().filter(v -> sku.equals(v.sku)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no variant with SKU " + sku));
    }

    @Override
    protected void resetState() {
        synchronized (lock) {
            variants.clear();
            webhooks.clear();
            idempotentAnswers.clear();
            salesBeforeWrites.clear();
            orders.clear();
            extraLocations.clear();
            locationPagesWithoutCursor = false;
            locationPagesMalformed = false;
            accessToken = DEFAULT_TOKEN;
        }
    }

    // ---- HTTP ----

    @Override
    protected void routes(Router router) {
        router.post("/admin/api/:version/graphql.json").handler(this::graphql);
        router.get("/admin/api/:version/orders.json").handler(this::listOrders);
        router.getWithRegex("/admin/api/[^/]+/orders/(\\d+)\\.json").handler(this::getOrder);
    }

    @Override
    protected String endpointOf(RoutingContext ctx) {
        if (ORDERS_PATH.matcher(ctx.request().path()).matches() && "GET".equals(ctx.request().method().name())) {
            return ORDERS;
        }
        if (ORDER_PATH.matcher(ctx.request().path()).matches() && "GET".equals(ctx.request().method().name())) {
            return ORDER;
        }
        if (!GRAPHQL_PATH.matcher(ctx.request().path()).matches()) {
            return ctx.request().method().name() + " " + ctx.request().path();
        }
        String query = queryText(ctx);
        if (query.contains(SET_QUANTITIES)) {
            return SET_QUANTITIES;
        }
        if (query.contains(WEBHOOK_CREATE)) {
            return WEBHOOK_CREATE;
        }
        if (query.contains(WEBHOOK_DELETE)) {
            return WEBHOOK_DELETE;
        }
        if (query.contains(WEBHOOKS + "(")) {
            return WEBHOOKS;
        }
        if (query.contains(" " + LOCATIONS + "(")) {
            return LOCATIONS;
        }
        if (query.contains(PRODUCT_VARIANTS)) {
            return PRODUCT_VARIANTS;
        }
        if (query.contains(INVENTORY_ITEM + "(")) {
            return INVENTORY_ITEM;
        }
        return "graphql";
    }

    private static String queryText(RoutingContext ctx) {
        try {
            JsonObject body = ctx.body().asJsonObject();
            return body == null ? "" : body.getString("query", "");
        } catch (DecodeException | ClassCastException e) {
            return "";
        }
    }

    @Override
    protected boolean authorised(RoutingContext ctx) {
        return accessToken.equals(ctx.request().getHeader("X-Shopify-Access-Token"));
    }

    @Override
    protected void rejectAuth(RoutingContext ctx) {
        json(ctx, 401, new JsonObject().put("errors", "[API] Invalid API key or access token (unrecognized login or wrong password)"));
    }

    @Override
    protected void answerFault(RoutingContext ctx, Fault fault) {
        switch (fault.type()) {
            case RATE_LIMITED -> {
                ctx.response().putHeader("Retry-After", seconds(fault));
                json(ctx, 429, new JsonObject().put("errors",
                        "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."));
            }
            case THROTTLED -> {
                // Bucket empty; refills the query's cost in the fault's duration, which is what the client should wait.
                double cost = 100;
                double restoreRate = cost / Math.max(0.001, fault.duration().toMillis() / 1000.0);
                json(ctx, 200, new JsonObject()
                        .put("errors", new JsonArray().add(new JsonObject().put("message", "Throttled")
                                .put("extensions", new JsonObject().put("code", "THROTTLED")
                                        .put("documentation", "https://shopify.dev/api/usage/rate-limits"))))
                        .put("extensions", new JsonObject().put("cost", new JsonObject()
                                .put("requestedQueryCost", cost).putNull("actualQueryCost")
                                .put("throttleStatus", new JsonObject().put("maximumAvailable", 2000.0)
                                        .put("currentlyAvailable", 0).put("restoreRate", restoreRate)))));
            }
            default -> json(ctx, 500, new JsonObject().put("errors", "Internal Server Error"));
        }
    }

    private static String seconds(Fault fault) {
        return String.format(Locale.ROOT, "%.1f", fault.duration().toMillis() / 1000.0);
    }

    /**
     * Like Shopify: keyset paging by id with an opaque page_info that carries the filters, and a 400 when filters
     * are sent beside it.
     */
    private void listOrders(RoutingContext ctx) {
        int limit;
        try {
            limit = Integer.parseInt(ctx.request().getParam("limit", "50"));
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1 || limit > 250) {
            json(ctx, 400, new JsonObject().put("errors", new JsonObject().put("limit", "must be between 1 and 250")));
            return;
        }
        String pageInfo = ctx.request().getParam("page_info");
        String updatedAtMin = ctx.request().getParam("updated_at_min");
        BigInteger afterId = null;
        if (pageInfo != null) {
            if (updatedAtMin != null || ctx.request().getParam("status") != null) {
                json(ctx, 400, new JsonObject().put("errors", new JsonObject().put("page_info",
                        "page_info cannot be combined with other parameters than limit and fields")));
                return;
            }
            String[] cursor;
            try {
                cursor = new String(Base64.getUrlDecoder().decode(pageInfo), StandardCharsets.UTF_8).split("\\|", -1);
                afterId = new BigInteger(cursor[0]);
            } catch (RuntimeException e) {
                json(ctx, 400, new JsonObject().put("errors", new JsonObject().put("page_info", "Invalid value.")));
                return;
            }
            updatedAtMin = cursor[1].isEmpty() ? null : cursor[1];
        }
        OffsetDateTime min;
        try {
            min = updatedAtMin == null ? null : OffsetDateTime.parse(updatedAtMin);
        } catch (RuntimeException e) {
            json(ctx, 400, new JsonObject().put("errors", new JsonObject().put("updated_at_min", "Invalid date.")));
            return;
        }
        List<JsonObject> matching = new ArrayList<>();
        synchronized (lock) {
            for (JsonObject o : orders) {
                if ((afterId == null || idOf(o).compareTo(afterId) > 0)
                        && (min == null || !OffsetDateTime.parse(o.getString("updated_at")).isBefore(min))) {
                    matching.add(o.copy());
                }
            }
        }
        List<JsonObject> page = matching.subList(0, Math.min(limit, matching.size()));
        if (matching.size() > limit) {
            String next = Base64.getUrlEncoder().withoutPadding().encodeToString((idOf(page.get(page.size() - 1)) + "|"
                    + (updatedAtMin == null ? "" : updatedAtMin)).getBytes(StandardCharsets.UTF_8));
            ctx.response().putHeader("Link", "<" + baseUrl() + ctx.request().path() + "?limit=" + limit
                    + "&page_info=" + next + ">; rel=\"next\"");
        }
        json(ctx, 200, new JsonObject().put("orders", new JsonArray(new ArrayList<>(page))));
    }

    /** Like Shopify: {@code {"order": {...}}}, or 404 {@code {"errors": "Not Found"}}. */
    private void getOrder(RoutingContext ctx) {
        Matcher m = ORDER_PATH.matcher(ctx.request().path());
        JsonObject order = m.matches() ? order(m.group(2)) : null;
        if (order == null) {
            json(ctx, 404, new JsonObject().put("errors", "Not Found"));
            return;
        }
        json(ctx, 200, new JsonObject().put("order", order));
    }

    private void graphql(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            body = null;
        }
        if (body == null || body.getString("query") == null) {
            json(ctx, 400, new JsonObject().put("errors", new JsonObject().put("query", "Required parameter missing or invalid")));
            return;
        }
        String query = body.getString("query");
        JsonObject variables = body.getJsonObject("variables", new JsonObject());
        JsonObject answer;
        synchronized (lock) {
            answer = switch (endpointOf(ctx)) {
                case SET_QUANTITIES -> setQuantities(query, variables);
                case PRODUCT_VARIANTS -> productVariants(query, variables);
                case INVENTORY_ITEM -> inventoryItem(query, variables);
                case WEBHOOKS -> webhookList(query, variables);
                case LOCATIONS -> locationList(query, variables);
                case WEBHOOK_CREATE -> webhookCreate(query, variables);
                case WEBHOOK_DELETE -> webhookDelete(query, variables);
                default -> topLevelError("The simulator does not know this query", "BAD_REQUEST");
            };
        }
        json(ctx, 200, answer);
    }

    /**
     * {@code locations(first:, after:)}: every location is active here; paged like Shopify (at most 250 a page, an
     * opaque cursor, {@code pageInfo}), the shop's first location first.
     */
    private JsonObject locationList(String query, JsonObject variables) {
        Map<String, Object> args = arguments(query, LOCATIONS, variables);
        int first = args.get("first") instanceof Number n ? n.intValue() : -1;
        if (first < 1 || first > 250) {
            return topLevelError("first must be between 1 and 250", "BAD_REQUEST");
        }
        List<JsonObject> all = new ArrayList<>();
        all.add(new JsonObject().put("id", locationGid()).put("name", "Shop location")
                .put("isActive", locationPagesMalformed ? "yes" : true));
        extraLocations.forEach((id, name) -> all.add(new JsonObject().put("id", "gid://shopify/Location/" + id)
                .put("name", name).put("isActive", true)));
        int start = args.get("after") instanceof String after ? decodeCursor(after) + 1 : 0;
        if (start < 0) {
            return topLevelError("Invalid cursor for current pagination.", "BAD_REQUEST");
        }
        int end = Math.min(all.size(), start + first);
        JsonArray nodes = new JsonArray();
        for (int i = start; i < end; i++) {
            nodes.add(all.get(i));
        }
        return data(new JsonObject().put(LOCATIONS, new JsonObject().put("nodes", nodes)
                .put("pageInfo", new JsonObject().put("hasNextPage", end < all.size())
                        .put("endCursor", end > start && !locationPagesWithoutCursor ? cursor(end - 1) : null))));
    }

    private JsonObject productVariants(String query, JsonObject variables) {
        Map<String, Object> args = arguments(query, PRODUCT_VARIANTS, variables);
        int first = args.get("first") instanceof Number n ? n.intValue() : -1;
        if (first < 1 || first > 250) {
            return topLevelError("first must be between 1 and 250", "BAD_REQUEST");
        }
        String search = (String) args.get("query");
        String location = levelLocation(query, variables);
        List<Variant> matching = new ArrayList<>();
        for (Variant v : variants) {
            if (search == null || matchesSearch(v, search)) {
                matching.add(v);
            }
        }
        int start = args.get("after") instanceof String after ? decodeCursor(after) + 1 : 0;
        if (start < 0) {
            return topLevelError("Invalid cursor for current pagination.", "BAD_REQUEST");
        }
        JsonArray nodes = new JsonArray();
        int end = Math.min(matching.size(), start + first);
        for (int i = start; i < end; i++) {
            nodes.add(variantJson(matching.get(i), location));
        }
        JsonObject pageInfo = new JsonObject().put("hasNextPage", end < matching.size())
                .put("endCursor", end > start ? cursor(end - 1) : null);
        return data(new JsonObject().put(PRODUCT_VARIANTS, new JsonObject().put("nodes", nodes).put("pageInfo", pageInfo)));
    }

    /** Like Shopify's search, a SKU term matches by prefix rather than exactly, so clients must filter. */
    private static boolean matchesSearch(Variant v, String search) {
        Matcher m = SKU_TERM.matcher(search);
        if (!m.find()) {
            return true;
        }
        String term = m.group(1) != null ? m.group(1).replace("\\\"", "\"").replace("\\\\", "\\") : m.group(2);
        return v.sku != null && v.sku.toLowerCase(Locale.ROOT).startsWith(term.toLowerCase(Locale.ROOT));
    }

    private JsonObject inventoryItem(String query, JsonObject variables) {
        Object id = arguments(query, INVENTORY_ITEM, variables).get("id");
        String location = levelLocation(query, variables);
        Variant v = variants.stream().filter(x -> x.inventoryItemId.equals(id)).findFirst().orElse(null);
        return data(new JsonObject().put(INVENTORY_ITEM, v == null ? null : inventoryItemJson(v, location)));
    }

    private JsonObject setQuantities(String query, JsonObject variables) {
        String key = idempotencyKey(query, variables);
        if (key == null) {
            return topLevelError("The @idempotent directive is required for this mutation.", "BAD_REQUEST");
        }
        String replay = idempotentAnswers.get(key);
        if (replay != null) {
            return new JsonObject(replay);
        }
        Object inputArg = arguments(query, SET_QUANTITIES, variables).get("input");
        if (!(inputArg instanceof JsonObject input)) {
            return topLevelError("Variable $input of type InventorySetQuantitiesInput! was provided invalid value", "INVALID_VARIABLE");
        }
        if (!"available".equals(input.getString("name")) && !"on_hand".equals(input.getString("name"))) {
            return payload(null, new JsonArray().add(userError(List.of("input", "name"), "The quantity name must be either 'available' or 'on_hand'.", "INVALID_NAME")));
        }
        JsonArray quantities = input.getJsonArray("quantities", new JsonArray());
        JsonArray userErrors = new JsonArray();
        List<Variant> targets = new ArrayList<>();
        for (int i = 0; i < quantities.size(); i++) {
            JsonObject q = quantities.getJsonObject(i);
            List<String> field = List.of("input", "quantities", String.valueOf(i));
            if (!q.containsKey("changeFromQuantity")) {
                return topLevelError("Variable $input of type InventorySetQuantitiesInput! was provided invalid value for quantities."
                        + i + ".changeFromQuantity (Expected value to not be null)", "INVALID_VARIABLE");
            }
            Variant v = variants.stream().filter(x -> x.inventoryItemId.equals(q.getString("inventoryItemId"))).findFirst().orElse(null);
            targets.add(v);
            if (v != null && salesBeforeWrites.getOrDefault(v.sku, 0) > 0) {
                salesBeforeWrites.merge(v.sku, -1, Integer::sum);
                v.available = (v.available == null ? 0 : v.available) - 1;
            }
            String location = q.getString("locationId");
            boolean main = locationGid().equals(location);
            if (v == null) {
                userErrors.add(userError(concat(field, "inventoryItemId"), "The specified inventory item could not be found.", "INVALID_INVENTORY_ITEM"));
            } else if (!main && !isExtraLocation(location)) {
                userErrors.add(userError(concat(field, "locationId"), "The specified location could not be found.", "INVALID_LOCATION"));
            } else if (!main && !v.otherLevels.containsKey(location)) {
                userErrors.add(userError(concat(field, "locationId"), "The item is not stocked at the location.", "ITEM_NOT_STOCKED_AT_LOCATION"));
            } else if (q.getValue("changeFromQuantity") != null
                    && !q.getInteger("changeFromQuantity").equals(levelOf(v, location))) {
                userErrors.add(userError(concat(field, "changeFromQuantity"),
                        "The specified compare quantity does not match the current quantity.", "CHANGE_FROM_QUANTITY_STALE"));
            }
        }
        JsonObject answer;
        if (!userErrors.isEmpty()) {
            // All or nothing, like Shopify: one bad quantity means none is applied.
            answer = payload(null, userErrors);
        } else {
            JsonArray changes = new JsonArray();
            for (int i = 0; i < quantities.size(); i++) {
                Variant v = targets.get(i);
                int quantity = quantities.getJsonObject(i).getInteger("quantity");
                String location = quantities.getJsonObject(i).getString("locationId");
                Integer before = locationGid().equals(location) ? v.available : v.otherLevels.get(location);
                if (locationGid().equals(location)) {
                    v.available = quantity;
                } else {
                    v.otherLevels.put(location, quantity);
                }
                recordStockWrite(v.sku, before, quantity, SET_QUANTITIES);
                changes.add(new JsonObject().put("name", input.getString("name"))
                        .put("delta", quantity - (before == null ? 0 : before)).put("quantityAfterChange", quantity));
            }
            JsonObject group = new JsonObject().put("id", "gid://shopify/InventoryAdjustmentGroup/" + (++nextId))
                    .put("reason", input.getString("reason")).put("referenceDocumentUri", input.getString("referenceDocumentUri"))
                    .put("changes", changes);
            answer = payload(group, new JsonArray());
        }
        idempotentAnswers.put(key, answer.encode());
        return answer;
    }

    // ---- webhook subscriptions (API 2025-10 and later: one "uri" field for every kind of endpoint) ----

    /** The shop's webhook subscriptions, oldest first: topic and uri of each. */
    public List<JsonObject> webhooks() {
        synchronized (lock) {
            return webhooks.values().stream().map(JsonObject::copy).toList();
        }
    }

    /** A subscription made by someone else (another app, an earlier deployment), as tests need one. */
    public String addWebhook(String topicEnum, String uri) {
        synchronized (lock) {
            String id = "gid://shopify/WebhookSubscription/" + (++webhookSequence);
            webhooks.put(id, new JsonObject().put("id", id).put("topic", topicEnum).put("uri", uri).put("format", "JSON"));
            return id;
        }
    }

    private JsonObject webhookList(String query, JsonObject variables) {
        Object first = arguments(query, WEBHOOKS, variables).get("first");
        if (!(first instanceof Number n) || n.intValue() < 1 || n.intValue() > 250) {
            return topLevelError("first must be between 1 and 250", "BAD_REQUEST");
        }
        JsonArray nodes = new JsonArray();
        webhooks.values().stream().limit(((Number) first).intValue()).forEach(h -> nodes.add(h.copy()));
        return data(new JsonObject().put(WEBHOOKS, new JsonObject().put("nodes", nodes)
                .put("pageInfo", new JsonObject().put("hasNextPage", webhooks.size() > ((Number) first).intValue()))));
    }

    private JsonObject webhookCreate(String query, JsonObject variables) {
        Map<String, Object> args = arguments(query, WEBHOOK_CREATE, variables);
        Object topic = args.get("topic");
        if (!(topic instanceof String t) || !WEBHOOK_TOPICS.contains(t)) {
            return topLevelError("Variable $topic of type WebhookSubscriptionTopic! was provided invalid value", "INVALID_VARIABLE");
        }
        Object input = args.get("webhookSubscription");
        String uri = input instanceof JsonObject o ? o.getString("uri") : null;
        JsonArray errors = new JsonArray();
        java.net.URI parsed = null;
        try {
            parsed = uri == null ? null : java.net.URI.create(uri);
        } catch (IllegalArgumentException e) {
            parsed = null;
        }
        // Shopify delivers over HTTPS only. The sandbox also takes http on this machine, so the dev demo can register.
        boolean local = parsed != null && ("localhost".equals(parsed.getHost()) || "127.0.0.1".equals(parsed.getHost()));
        if (parsed == null || parsed.getHost() == null || !("https".equals(parsed.getScheme()) || local && "http".equals(parsed.getScheme()))) {
            errors.add(userError(List.of("webhookSubscription", "uri"), "Address is invalid", "INVALID"));
        } else if (webhooks.values().stream().anyMatch(h -> h.getString("topic").equals(t) && h.getString("uri").equals(uri))) {
            errors.add(userError(List.of("webhookSubscription", "uri"), "Address for this topic has already been taken", "TAKEN"));
        }
        JsonObject created = null;
        if (errors.isEmpty()) {
            String id = "gid://shopify/WebhookSubscription/" + (++webhookSequence);
            created = new JsonObject().put("id", id).put("topic", t).put("uri", uri).put("format", "JSON");
            webhooks.put(id, created);
        }
        return data(new JsonObject().put(WEBHOOK_CREATE, new JsonObject()
                .put("webhookSubscription", created == null ? null : created.copy()).put("userErrors", errors)));
    }

    private JsonObject webhookDelete(String query, JsonObject variables) {
        Object id = arguments(query, WEBHOOK_DELETE, variables).get("id");
        JsonObject removed = id instanceof String s ? webhooks.remove(s) : null;
        JsonArray errors = new JsonArray();
        if (removed == null) {
            errors.add(userError(List.of("id"), "Webhook subscription does not exist", "NOT_FOUND"));
        }
        return data(new JsonObject().put(WEBHOOK_DELETE, new JsonObject()
                .put("deletedWebhookSubscriptionId", removed == null ? null : removed.getString("id")).put("userErrors", errors)));
    }

    private static List<String> concat(List<String> base, String last) {
        List<String> l = new ArrayList<>(base);
        l.add(last);
        return l;
    }

    private static JsonObject payload(JsonObject group, JsonArray userErrors) {
        return data(new JsonObject().put(SET_QUANTITIES,
                new JsonObject().put("inventoryAdjustmentGroup", group).put("userErrors", userErrors)));
    }

    private static JsonObject userError(List<String> field, String message, String code) {
        return new JsonObject().put("field", new JsonArray(new ArrayList<>(field))).put("message", message).put("code", code);
    }

    private JsonObject variantJson(Variant v, String location) {
        return new JsonObject().put("id", v.id).put("sku", v.sku).put("title", v.title)
                .put("displayName", v.productTitle + " - " + v.title)
                .put("product", new JsonObject().put("id", v.productId).put("title", v.productTitle))
                .put("inventoryItem", inventoryItemJson(v, location));
    }

    private boolean isExtraLocation(String gid) {
        return gid != null && gid.startsWith("gid://shopify/Location/")
                && extraLocations.containsKey(parseLong(gid.substring("gid://shopify/Location/".length())));
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The level a compare-and-set compares with: 0 where nothing is stocked. */
    private Integer levelOf(Variant v, String location) {
        Integer level = locationGid().equals(location) ? v.available : v.otherLevels.get(location);
        return level == null ? 0 : level;
    }

    private JsonObject inventoryItemJson(Variant v, String location) {
        JsonObject level = null;
        Integer quantity = locationGid().equals(location) ? v.available
                : isExtraLocation(location) ? v.otherLevels.get(location) : null;
        if (quantity != null) {
            level = new JsonObject().put("quantities",
                    new JsonArray().add(new JsonObject().put("name", "available").put("quantity", quantity)));
        }
        return new JsonObject().put("id", v.inventoryItemId).put("tracked", v.tracked).put("inventoryLevel", level);
    }

    private static JsonObject data(JsonObject data) {
        return new JsonObject().put("data", data)
                .put("extensions", new JsonObject().put("cost", new JsonObject().put("requestedQueryCost", 10).put("actualQueryCost", 10)
                        .put("throttleStatus", new JsonObject().put("maximumAvailable", 2000.0).put("currentlyAvailable", 1990)
                                .put("restoreRate", 100.0))));
    }

    private static JsonObject topLevelError(String message, String code) {
        return new JsonObject().put("errors", new JsonArray().add(new JsonObject().put("message", message)
                .put("extensions", new JsonObject().put("code", code))));
    }

    private static String cursor(int index) {
        return Base64.getEncoder().encodeToString(("sim:" + index).getBytes(StandardCharsets.UTF_8));
    }

    /** The index a cursor points at; -2 (a start below 0) for a cursor this shop never gave, which Shopify refuses. */
    private static int decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
            int index = text.startsWith("sim:") ? Integer.parseInt(text.substring(4)) : -2;
            return index < 0 ? -2 : index;
        } catch (RuntimeException e) {
            return -2;
        }
    }

    private String levelLocation(String query, JsonObject variables) {
        Object location = arguments(query, "inventoryLevel", variables).get("locationId");
        return location == null ? null : location.toString();
    }

    private static String idempotencyKey(String query, JsonObject variables) {
        Matcher m = Pattern.compile("@idempotent\\(\\s*key:\\s*(?:\"([^\"]*)\"|\\$(\\w+))\\s*\\)").matcher(query);
        if (!m.find()) {
            return null;
        }
        return m.group(1) != null ? m.group(1) : variables.getString(m.group(2));
    }

    /** Arguments of the first call of {@code field}: literals (strings, numbers, null) or {@code $variables}. */
    static Map<String, Object> arguments(String query, String field, JsonObject variables) {
        Map<String, Object> args = new LinkedHashMap<>();
        Matcher call = Pattern.compile("\\b" + Pattern.quote(field) + "\\s*\\(([^)]*)\\)").matcher(query);
        if (!call.find()) {
            return args;
        }
        Matcher arg = Pattern.compile("(\\w+)\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|\\$\\w+|-?\\d+|null|true|false)").matcher(call.group(1));
        while (arg.find()) {
            String raw = arg.group(2);
            Object value;
            if (raw.startsWith("$")) {
                value = variables.getValue(raw.substring(1));
            } else if (raw.startsWith("\"")) {
                value = raw.substring(1, raw.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
            } else if (raw.equals("null")) {
                value = null;
            } else if (raw.equals("true") || raw.equals("false")) {
                value = Boolean.valueOf(raw);
            } else {
                value = Long.parseLong(raw);
            }
            args.put(arg.group(1), value);
        }
        return args;
    }
}
