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

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A stateful fake of the WooCommerce REST API v3 ({@code /wp-json/wc/v3}): simple and variable products with variations,
 * {@code ?sku=} lookups (products only, like WooCommerce), paging with {@code X-WP-Total}/{@code X-WP-TotalPages},
 * {@code PUT} that only changes stock when {@code manage_stock} is on, and batch updates capped at 100 objects.
 * Orders are listed with {@code modified_after} (site time, or GMT with {@code dates_are_gmt=true}; the fake site is
 * at UTC-5), seeded from tests with {@link #addOrder(String)}.
 * Endpoint names are method plus path pattern relative to {@code /wp-json/wc/v3}, e.g. {@link #PUT_PRODUCT}.
 */
@ApplicationScoped
@SandboxOnly
public class WooCommerceSimulator extends SimulatorServer {

    public static final String LIST_PRODUCTS = "GET /products";
    public static final String GET_PRODUCT = "GET /products/{id}";
    public static final String PUT_PRODUCT = "PUT /products/{id}";
    public static final String BATCH_PRODUCTS = "POST /products/batch";
    public static final String LIST_VARIATIONS = "GET /products/{id}/variations";
    public static final String GET_VARIATION = "GET /products/{id}/variations/{vid}";
    public static final String PUT_VARIATION = "PUT /products/{id}/variations/{vid}";
    public static final String BATCH_VARIATIONS = "POST /products/{id}/variations/batch";
    public static final String LIST_ORDERS = "GET /orders";
    public static final String GET_ORDER = "GET /orders/{id}";
    public static final String LIST_REFUNDS = "GET /orders/{id}/refunds";
    /** The fake site's time zone (Ecuador), so a client that forgets {@code dates_are_gmt} misses five hours. */
    public static final ZoneOffset SITE_OFFSET = ZoneOffset.ofHours(-5);
    public static final String DEFAULT_KEY = "ck_sandbox_key";
    public static final String DEFAULT_SECRET = "cs_sandbox_secret";

    private static final String API = "/wp-json/wc/v3";
    private static final int MAX_BATCH = 100;

    /** A product or variation as the fake holds it ({@code parentId} 0 for products). */
    public static final class Item {
        public final long id;
        public final long parentId;
        public final String type;
        public final String name;
        public final String sku;
        public final String option;
        public boolean manageStock;
        public Integer stockQuantity;
        final List<Long> variationIds = new ArrayList<>();

        Item(long id, long parentId, String type, String name, String sku, String option, boolean manageStock, Integer stock) {
            this.id = id;
            this.parentId = parentId;
            this.type = type;
            this.name = name;
            this.sku = sku;
            this.option = option;
            this.manageStock = manageStock;
            this.stockQuantity = stock;
        }
    }

    /** Seed for a variation: {@code WooCommerceSimulator.variation("HOOD-M", "M", 4)}. */
    public record SeedVariation(String sku, String option, Integer stock) {
    }

    public static SeedVariation variation(String sku, String option, Integer stock) {
        return new SeedVariation(sku, option, stock);
    }

    @Inject
    Vertx vertx;
    /** The demo catalogue (dev); tests seed their own. */
    @ConfigProperty(name = "sandbox.seed-demo", defaultValue = "false")
    boolean demo;

    private final Object lock = new Object();
    private final List<Item> items = new ArrayList<>();
    private final List<JsonObject> orders = new ArrayList<>();
    /** Refunds per order id, newest first, as {@code GET /orders/{id}/refunds} lists them. */
    private final java.util.Map<Long, List<JsonObject>> refunds = new java.util.HashMap<>();
    private final List<JsonObject> webhooks = new ArrayList<>();
    private long nextWebhookId = 1;
    private long nextId = 100;
    private volatile String consumerKey = DEFAULT_KEY;
    private volatile String consumerSecret = DEFAULT_SECRET;

    /**
     * A simulator outside any app, on a random local port: the end-to-end tests run one in their own JVM, since the
     * packaged app they test is built for prod and has none. {@link #stop()} it when done.
     */
    public static WooCommerceSimulator standalone(Vertx vertx) {
        WooCommerceSimulator sim = new WooCommerceSimulator();
        sim.listen(vertx);
        return sim;
    }

    void onStart(@Observes StartupEvent event) {
        listen(vertx);
        if (demo) {
            seedDemo();
        }
    }

    /** A small catalogue so dev mode has something to sync (the dev store's apiBaseUrl points at {@link #baseUrl()}). */
    public void seedDemo() {
        addSimple("Taza cerámica", "TAZA-01", 30);
        addVariable("Buzo con capucha", "BUZO", variation("BUZO-S", "S", 5), variation("BUZO-M", "M", 7), variation("BUZO-L", "L", 2));
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    protected String name() {
        return "WooCommerce";
    }

    // ---- seeding and inspection ----

    public String consumerKey() {
        return consumerKey;
    }

    public String consumerSecret() {
        return consumerSecret;
    }

    /** Changes the credentials the fake accepts. */
    public void credentials(String key, String secret) {
        this.consumerKey = key;
        this.consumerSecret = secret;
    }

    /** A simple product; {@code stock == null} means WooCommerce does not manage its stock. */
    public Item addSimple(String name, String sku, Integer stock) {
        synchronized (lock) {
            Item item = new Item(++nextId, 0, "simple", name, sku, null, stock != null, stock);
            items.add(item);
            return item;
        }
    }

    /** A variable product (the parent holds no stock) with its variations; answers the parent. */
    public Item addVariable(String name, String sku, SeedVariation... seeds) {
        synchronized (lock) {
            Item parent = new Item(++nextId, 0, "variable", name, sku, null, false, null);
            items.add(parent);
            for (SeedVariation seed : seeds) {
                Item v = new Item(++nextId, parent.id, "variation", name, seed.sku(), seed.option(), seed.stock() != null, seed.stock());
                items.add(v);
                parent.variationIds.add(v.id);
            }
            return parent;
        }
    }

    public Item itemBySku(String sku) {
        synchronized (lock) {
            return items.stream().filter(i -> sku.equals(i.sku)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no product or variation with SKU " + sku));
        }
    }

    public Integer stockOf(String sku) {
        return itemBySku(sku).stockQuantity;
    }

    public boolean managesStock(String sku) {
        return itemBySku(sku).manageStock;
    }

    /** Changes stock behind the client's back, as an order would. */
    public void setStock(String sku, Integer quantity) {
        synchronized (lock) {
            Item item = itemBySku(sku);
            item.manageStock = quantity != null;
            item.stockQuantity = quantity;
        }
    }

    /**
     * Adds (or replaces, by id) an order as REST v3 returns it. Without {@code date_modified_gmt} it is stamped now.
     */
    public JsonObject addOrder(String json) {
        JsonObject order = new JsonObject(json);
        if (order.getLong("id") == null) {
            throw new IllegalArgumentException("an order needs an id");
        }
        if (order.getString("date_modified_gmt") == null) {
            order.put("date_modified_gmt", LocalDateTime.now(ZoneOffset.UTC).withNano(0).toString());
        }
        synchronized (lock) {
            orders.removeIf(o -> o.getLong("id").equals(order.getLong("id")));
            orders.add(order);
            orders.sort(Comparator.comparing(o -> o.getLong("id")));
        }
        return order;
    }

    /**
     * Refunds units of an order's lines ({@code line item id → units}), as the admin's refund form or
     * {@code POST /orders/{id}/refunds} with {@code line_items} does: the refund is listed by
     * {@code GET /orders/{id}/refunds} with negative quantities and each line's {@code _refunded_item_id}, the order's
     * {@code refunds[]} gains {@code {id, reason, total}} (newest first) and its modification time moves; with
     * {@code restock} the units go back to the products' stock. The line items themselves keep their quantities, as in
     * WooCommerce. Answers the order as an {@code order.updated} would carry it now.
     */
    public JsonObject refund(long orderId, java.util.Map<Long, Integer> unitsByLineId, boolean restock) {
        synchronized (lock) {
            JsonObject order = orders.stream().filter(o -> o.getLong("id") == orderId).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no order " + orderId));
            long refundId = ++nextId;
            JsonArray lines = new JsonArray();
            unitsByLineId.forEach((lineId, units) -> {
                JsonObject line = null;
                for (int i = 0; i < order.getJsonArray("line_items").size(); i++) {
                    if (order.getJsonArray("line_items").getJsonObject(i).getLong("id").equals(lineId)) {
                        line = order.getJsonArray("line_items").getJsonObject(i);
                    }
                }
                if (line == null) {
                    throw new IllegalArgumentException("order " + orderId + " has no line " + lineId);
                }
                lines.add(new JsonObject().put("id", ++nextId).put("name", line.getString("name", ""))
                        .put("product_id", line.getValue("product_id")).put("variation_id", line.getValue("variation_id"))
                        .put("quantity", -units).put("sku", line.getString("sku")).put("subtotal", "0.00").put("total", "0.00")
                        .put("meta_data", new JsonArray().add(new JsonObject().put("id", ++nextId)
                                .put("key", "_refunded_item_id").put("value", String.valueOf(lineId)))));
                String sku = line.getString("sku");
                if (restock && sku != null) {
                    items.stream().filter(i -> sku.equals(i.sku) && i.manageStock && i.stockQuantity != null).findFirst()
                            .ifPresent(i -> i.stockQuantity += units);
                }
            });
            String now = LocalDateTime.now(ZoneOffset.UTC).withNano(0).toString();
            JsonObject refund = new JsonObject().put("id", refundId).put("date_created_gmt", now).put("amount", "0.00")
                    .put("reason", "").put("refunded_by", 1).put("refunded_payment", false).put("meta_data", new JsonArray())
                    .put("line_items", lines).put("shipping_lines", new JsonArray()).put("tax_lines", new JsonArray())
                    .put("fee_lines", new JsonArray());
            refunds.computeIfAbsent(orderId, k -> new ArrayList<>()).add(0, refund);
            JsonArray summary = order.getJsonArray("refunds");
            if (summary == null) {
                summary = new JsonArray();
                order.put("refunds", summary);
            }
            List<Object> listed = new ArrayList<>(summary.getList());
            listed.add(0, new JsonObject().put("id", refundId).put("reason", "").put("total", "-0.00"));
            order.put("refunds", new JsonArray(listed));
            order.put("date_modified_gmt", now);
            return order.copy();
        }
    }

    /** Changes an order's status (as the admin would), stamping its modification time; answers the order now. */
    public JsonObject setStatus(long orderId, String status) {
        synchronized (lock) {
            JsonObject order = orders.stream().filter(o -> o.getLong("id") == orderId).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no order " + orderId));
            order.put("status", status).put("date_modified_gmt", LocalDateTime.now(ZoneOffset.UTC).withNano(0).toString());
            return order.copy();
        }
    }

    @Override
    protected void resetState() {
        synchronized (lock) {
            items.clear();
            orders.clear();
            refunds.clear();
            webhooks.clear();
            consumerKey = DEFAULT_KEY;
            consumerSecret = DEFAULT_SECRET;
        }
    }

    // ---- HTTP ----

    @Override
    protected void routes(Router router) {
        router.get(API + "/products").handler(this::listProducts);
        router.get(API + "/orders").handler(this::listOrders);
        router.get(API + "/orders/:id").handler(this::getOrder);
        router.get(API + "/orders/:id/refunds").handler(this::listRefunds);
        router.post(API + "/products/batch").handler(ctx -> batch(ctx, 0));
        router.get(API + "/products/:id").handler(ctx -> withItem(ctx, 0, this::show));
        router.put(API + "/products/:id").handler(ctx -> withItem(ctx, 0, this::update));
        router.get(API + "/products/:id/variations").handler(this::listVariations);
        router.post(API + "/products/:id/variations/batch").handler(ctx -> batch(ctx, parentId(ctx)));
        router.get(API + "/products/:id/variations/:vid").handler(ctx -> withItem(ctx, parentId(ctx), this::show));
        router.put(API + "/products/:id/variations/:vid").handler(ctx -> withItem(ctx, parentId(ctx), this::update));
        router.get(API + "/webhooks").handler(this::listWebhooks);
        router.post(API + "/webhooks").handler(this::createWebhook);
        router.delete(API + "/webhooks/:id").handler(this::deleteWebhook);
    }

    // ---- webhooks ----

    /** The topics WooCommerce accepts as {@code resource.event} (a subset: orders, products, customers, coupons). */
    private static final Set<String> WEBHOOK_RESOURCES = Set.of("order", "product", "customer", "coupon");
    private static final Set<String> WEBHOOK_EVENTS = Set.of("created", "updated", "deleted", "restored");

    /** The webhooks registered on the site, oldest first: what WooCommerce's Settings → Advanced → Webhooks lists. */
    public List<JsonObject> webhooks() {
        synchronized (lock) {
            return webhooks.stream().map(JsonObject::copy).toList();
        }
    }

    /** A webhook made by hand in the WooCommerce admin (or by another plugin), in the given status. */
    public long addWebhook(String topic, String deliveryUrl, String status) {
        return addWebhook(topic, deliveryUrl, status, "manual-secret");
    }

    /** The same, signed with {@code secret} (another deployment's, or ours from before the service moved). */
    public long addWebhook(String topic, String deliveryUrl, String status, String secret) {
        synchronized (lock) {
            long id = nextWebhookId++;
            String[] parts = topic.split("\\.", 2);
            webhooks.add(new JsonObject().put("id", id).put("name", "manual").put("status", status).put("topic", topic)
                    .put("resource", parts[0]).put("event", parts[1]).put("delivery_url", deliveryUrl).put("secret", secret));
            return id;
        }
    }

    private void listWebhooks(RoutingContext ctx) {
        List<JsonObject> all;
        synchronized (lock) {
            all = webhooks.stream().map(JsonObject::copy).toList();
        }
        pageOf(ctx, all);
    }

    private void createWebhook(RoutingContext ctx) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (RuntimeException e) {
            body = null;
        }
        if (body == null) {
            error(ctx, 400, "rest_invalid_json", "Invalid JSON body passed.");
            return;
        }
        String topic = body.getValue("topic") instanceof String t ? t : null;
        String url = body.getValue("delivery_url") instanceof String u ? u : null;
        if (topic == null || url == null) {
            error(ctx, 400, "rest_missing_callback_param", "Missing parameter(s): " + (topic == null ? "topic" : "delivery_url"));
            return;
        }
        String[] parts = topic.split("\\.", 2);
        if (parts.length != 2 || !WEBHOOK_RESOURCES.contains(parts[0]) || !WEBHOOK_EVENTS.contains(parts[1])) {
            error(ctx, 400, "woocommerce_rest_webhook_invalid_topic", "Webhook topic is required and must be valid.");
            return;
        }
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            error(ctx, 400, "woocommerce_rest_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://.");
            return;
        }
        String status = body.getValue("status") instanceof String st ? st : "active";
        JsonObject hook;
        synchronized (lock) {
            hook = new JsonObject().put("id", nextWebhookId++)
                    .put("name", body.getValue("name") instanceof String n ? n : "Webhook created on " + LocalDateTime.now(ZoneOffset.UTC))
                    .put("status", status).put("topic", topic).put("resource", parts[0]).put("event", parts[1])
                    .put("hooks", new JsonArray().add("woocommerce_" + parts[1] + "_" + parts[0]))
                    .put("delivery_url", url)
                    .put("secret", body.getValue("secret") instanceof String sec ? sec : "generated-" + nextWebhookId)
                    .put("date_created_gmt", LocalDateTime.now(ZoneOffset.UTC).withNano(0).toString());
            webhooks.add(hook);
        }
        json(ctx, 201, hook.copy());
    }

    private void deleteWebhook(RoutingContext ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            error(ctx, 404, "rest_no_route", "No route was found matching the URL and request method.");
            return;
        }
        if (!"true".equals(ctx.request().getParam("force"))) {
            // Webhooks have no trash: WooCommerce refuses a delete without force.
            error(ctx, 501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.");
            return;
        }
        JsonObject removed = null;
        synchronized (lock) {
            for (JsonObject h : webhooks) {
                if (h.getLong("id") == id) {
                    removed = h;
                }
            }
            if (removed != null) {
                webhooks.remove(removed);
            }
        }
        if (removed == null) {
            error(ctx, 404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.");
            return;
        }
        json(ctx, 200, removed.copy());
    }

    @Override
    protected String endpointOf(RoutingContext ctx) {
        String path = ctx.request().path();
        String relative = path.startsWith(API) ? path.substring(API.length()) : path;
        String[] parts = relative.split("/");
        StringBuilder pattern = new StringBuilder();
        boolean firstId = true;
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            pattern.append('/');
            if (part.chars().allMatch(Character::isDigit)) {
                pattern.append(firstId ? "{id}" : "{vid}");
                firstId = false;
            } else {
                pattern.append(part);
            }
        }
        return ctx.request().method().name() + " " + pattern;
    }

    @Override
    protected boolean authorised(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.startsWith("Basic ")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
                return decoded.equals(consumerKey + ":" + consumerSecret);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        // WooCommerce also takes the keys as query parameters over HTTPS.
        return consumerKey.equals(ctx.request().getParam("consumer_key"))
                && consumerSecret.equals(ctx.request().getParam("consumer_secret"));
    }

    @Override
    protected void rejectAuth(RoutingContext ctx) {
        boolean sent = ctx.request().getHeader("Authorization") != null || ctx.request().getParam("consumer_key") != null;
        error(ctx, 401, sent ? "woocommerce_rest_authentication_error" : "woocommerce_rest_cannot_view",
                sent ? "Consumer secret is invalid." : "Sorry, you cannot list resources.");
    }

    @Override
    protected void answerFault(RoutingContext ctx, Fault fault) {
        if (fault.type() == Fault.Type.RATE_LIMITED || fault.type() == Fault.Type.THROTTLED) {
            ctx.response().putHeader("Retry-After", String.valueOf(Math.max(0, (fault.duration().toMillis() + 999) / 1000)));
            error(ctx, 429, "too_many_requests", "Too many requests. Please wait and try again.");
            return;
        }
        error(ctx, 500, "internal_server_error", "<p>There has been a critical error on this website.</p>");
    }

    private static void error(RoutingContext ctx, int status, String code, String message) {
        json(ctx, status, new JsonObject().put("code", code).put("message", message)
                .put("data", new JsonObject().put("status", status)));
    }

    private static long parentId(RoutingContext ctx) {
        return Long.parseLong(ctx.pathParam("id"));
    }

    private void listProducts(RoutingContext ctx) {
        String sku = ctx.request().getParam("sku");
        String type = ctx.request().getParam("type");
        Set<String> skus = sku == null ? null : Arrays.stream(sku.split(",")).map(String::trim).collect(Collectors.toSet());
        List<Item> matching;
        synchronized (lock) {
            matching = items.stream()
                    .filter(i -> i.parentId == 0)
                    .filter(i -> skus == null || skus.contains(i.sku))
                    .filter(i -> type == null || type.equals(i.type))
                    .toList();
        }
        page(ctx, matching);
    }

    private void listVariations(RoutingContext ctx) {
        long parent = parentId(ctx);
        String sku = ctx.request().getParam("sku");
        List<Item> matching;
        synchronized (lock) {
            Item p = items.stream().filter(i -> i.id == parent && i.parentId == 0).findFirst().orElse(null);
            if (p == null) {
                error(ctx, 404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
                return;
            }
            matching = items.stream().filter(i -> i.parentId == parent).filter(i -> sku == null || sku.equals(i.sku)).toList();
        }
        page(ctx, matching);
    }

    private JsonObject orderOf(RoutingContext ctx) {
        try {
            long id = Long.parseLong(ctx.pathParam("id"));
            synchronized (lock) {
                return orders.stream().filter(o -> o.getLong("id") == id).findFirst().map(JsonObject::copy).orElse(null);
            }
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void getOrder(RoutingContext ctx) {
        JsonObject order = orderOf(ctx);
        if (order == null) {
            error(ctx, 404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
            return;
        }
        json(ctx, 200, order);
    }

    private void listRefunds(RoutingContext ctx) {
        JsonObject order = orderOf(ctx);
        if (order == null) {
            error(ctx, 404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.");
            return;
        }
        List<JsonObject> list;
        synchronized (lock) {
            list = refunds.getOrDefault(order.getLong("id"), List.of()).stream().map(JsonObject::copy).toList();
        }
        pageOf(ctx, list);
    }

    private void listOrders(RoutingContext ctx) {
        String after = ctx.request().getParam("modified_after");
        LocalDateTime afterGmt;
        try {
            afterGmt = after == null ? null : "true".equals(ctx.request().getParam("dates_are_gmt"))
                    ? LocalDateTime.parse(after)
                    : LocalDateTime.parse(after).atOffset(SITE_OFFSET).withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime();
        } catch (RuntimeException e) {
            error(ctx, 400, "rest_invalid_param", "Invalid parameter(s): modified_after");
            return;
        }
        String orderBy = ctx.request().getParam("orderby", "date");
        List<JsonObject> matching = new ArrayList<>();
        synchronized (lock) {
            for (JsonObject o : orders) {
                if (afterGmt == null || LocalDateTime.parse(o.getString("date_modified_gmt")).isAfter(afterGmt)) {
                    matching.add(o.copy());
                }
            }
        }
        if ("modified".equals(orderBy)) {
            matching.sort(Comparator.comparing(o -> o.getString("date_modified_gmt")));
        }
        if ("desc".equals(ctx.request().getParam("order", "desc"))) {
            java.util.Collections.reverse(matching);
        }
        pageOf(ctx, matching);
    }

    private void page(RoutingContext ctx, List<Item> matching) {
        List<JsonObject> json;
        synchronized (lock) {
            json = matching.stream().map(this::toJson).toList();
        }
        pageOf(ctx, json);
    }

    private void pageOf(RoutingContext ctx, List<JsonObject> matching) {
        int perPage;
        int page;
        try {
            perPage = Integer.parseInt(ctx.request().getParam("per_page", "10"));
            page = Integer.parseInt(ctx.request().getParam("page", "1"));
        } catch (NumberFormatException e) {
            error(ctx, 400, "rest_invalid_param", "Invalid parameter(s): per_page, page");
            return;
        }
        if (perPage < 1 || perPage > 100) {
            error(ctx, 400, "rest_invalid_param", "Invalid parameter(s): per_page (per_page must be between 1 (inclusive) and 100 (inclusive))");
            return;
        }
        int total = matching.size();
        int totalPages = (total + perPage - 1) / perPage;
        if (page < 1 || (page > totalPages && total > 0)) {
            error(ctx, 400, "woocommerce_rest_invalid_page_number", "The page number requested is larger than the number of pages available.");
            return;
        }
        JsonArray body = new JsonArray();
        matching.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(body::add);
        ctx.response().putHeader("X-WP-Total", String.valueOf(total)).putHeader("X-WP-TotalPages", String.valueOf(totalPages));
        json(ctx, 200, body);
    }

    private interface ItemHandler {
        void handle(RoutingContext ctx, Item item);
    }

    private void withItem(RoutingContext ctx, long parent, ItemHandler handler) {
        long id;
        try {
            id = Long.parseLong(parent == 0 ? ctx.pathParam("id") : ctx.pathParam("vid"));
        } catch (NumberFormatException e) {
            ctx.next();
            return;
        }
        Item item;
        synchronized (lock) {
            item = items.stream().filter(i -> i.id == id && i.parentId == parent).findFirst().orElse(null);
        }
        if (item == null) {
            error(ctx, 404, parent == 0 ? "woocommerce_rest_product_invalid_id" : "woocommerce_rest_product_variation_invalid_id", "Invalid ID.");
            return;
        }
        handler.handle(ctx, item);
    }

    private void show(RoutingContext ctx, Item item) {
        synchronized (lock) {
            json(ctx, 200, toJson(item));
        }
    }

    private void update(RoutingContext ctx, Item item) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            error(ctx, 400, "rest_invalid_json", "Invalid JSON body passed.");
            return;
        }
        synchronized (lock) {
            String problem = apply(item, body == null ? new JsonObject() : body, ctx.request().method().name() + " "
                    + (item.parentId == 0 ? "/products/{id}" : "/products/{id}/variations/{vid}"));
            if (problem != null) {
                error(ctx, 400, "rest_invalid_param", problem);
                return;
            }
            json(ctx, 200, toJson(item));
        }
    }

    /** Applies an update like WooCommerce: stock_quantity only counts when the item manages stock. Caller holds the lock. */
    private String apply(Item item, JsonObject body, String endpoint) {
        Object manage = body.getValue("manage_stock");
        if (manage != null && !(manage instanceof Boolean)) {
            return "Invalid parameter(s): manage_stock";
        }
        Object quantity = body.getValue("stock_quantity");
        if (quantity != null && !(quantity instanceof Number)) {
            return "Invalid parameter(s): stock_quantity";
        }
        if (manage != null) {
            item.manageStock = (Boolean) manage;
        }
        if (quantity != null && item.manageStock) {
            Integer before = item.stockQuantity;
            item.stockQuantity = ((Number) quantity).intValue();
            recordStockWrite(item.sku, before, item.stockQuantity, endpoint);
        }
        return null;
    }

    private void batch(RoutingContext ctx, long parent) {
        JsonObject body;
        try {
            body = ctx.body().asJsonObject();
        } catch (DecodeException | ClassCastException e) {
            body = null;
        }
        if (body == null) {
            error(ctx, 400, "rest_invalid_json", "Invalid JSON body passed.");
            return;
        }
        JsonArray update = body.getJsonArray("update", new JsonArray());
        int total = update.size() + body.getJsonArray("create", new JsonArray()).size() + body.getJsonArray("delete", new JsonArray()).size();
        if (total > MAX_BATCH) {
            error(ctx, 413, "woocommerce_rest_request_entity_too_large",
                    "Unable to accept more than " + MAX_BATCH + " items for this request.");
            return;
        }
        String endpoint = parent == 0 ? BATCH_PRODUCTS : BATCH_VARIATIONS;
        JsonArray answers = new JsonArray();
        synchronized (lock) {
            if (parent != 0 && items.stream().noneMatch(i -> i.id == parent && i.parentId == 0)) {
                error(ctx, 404, "woocommerce_rest_product_invalid_id", "Invalid ID.");
                return;
            }
            for (int n = 0; n < update.size(); n++) {
                JsonObject change = update.getJsonObject(n);
                Long id = change.getLong("id");
                Item item = id == null ? null : items.stream().filter(i -> i.id == id && i.parentId == parent).findFirst().orElse(null);
                if (item == null) {
                    answers.add(new JsonObject().put("id", id == null ? 0 : id).put("error", new JsonObject()
                            .put("code", parent == 0 ? "woocommerce_rest_product_invalid_id" : "woocommerce_rest_product_variation_invalid_id")
                            .put("message", "Invalid ID.").put("data", new JsonObject().put("status", 400))));
                    continue;
                }
                String problem = apply(item, change, endpoint);
                answers.add(problem == null ? toJson(item) : new JsonObject().put("id", id).put("error",
                        new JsonObject().put("code", "rest_invalid_param").put("message", problem).put("data", new JsonObject().put("status", 400))));
            }
        }
        json(ctx, 200, new JsonObject().put("update", answers));
    }

    private JsonObject toJson(Item item) {
        String stockStatus = !item.manageStock || item.stockQuantity == null || item.stockQuantity > 0 ? "instock" : "outofstock";
        JsonObject json = new JsonObject().put("id", item.id).put("sku", item.sku)
                .put("manage_stock", item.manageStock).put("stock_quantity", item.manageStock ? item.stockQuantity : null)
                .put("stock_status", stockStatus).put("status", "publish");
        if (item.parentId == 0) {
            json.put("name", item.name).put("slug", item.name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"))
                    .put("type", item.type).put("parent_id", 0).put("variations", new JsonArray(new ArrayList<>(item.variationIds)));
        } else {
            // Like WooCommerce, a variation carries its attributes but no name of its own.
            json.put("attributes", new JsonArray().add(new JsonObject().put("id", 0).put("name", "Option").put("option", item.option)));
        }
        return json;
    }
}
