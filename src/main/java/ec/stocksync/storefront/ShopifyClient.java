package ec.stocksync.storefront;

import com.fasterxml.jackson.databind.JsonNode;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.store.Platform;
import ec.stocksync.storefront.StorefrontTransport.CallKind;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.ws.rs.core.Response;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shopify through the GraphQL Admin API ({@link ShopifyAdminApi}), for one shop and one location. Orders are read over
 * REST: its order JSON is exactly what the order webhooks deliver, so the webhook parser reads it as is.
 */
final class ShopifyClient implements StorefrontClient {

    static final String STALE = "CHANGE_FROM_QUANTITY_STALE";

    private static final String REFERENCE_URI = "stocksync://contifico-sync";
    /** REST caps {@code limit} at 250. */
    static final int ORDERS_PAGE_SIZE = 250;
    private static final DateTimeFormatter REST_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final Pattern NEXT_PAGE_INFO = Pattern.compile("<[^>]*[?&]page_info=([^&>]+)[^>]*>\\s*;\\s*rel=\"?next\"?");

    private final StorefrontTransport transport;
    private final ShopifyAdminApi api;
    private final String version;
    private final String locationGid;

    ShopifyClient(StorefrontTransport transport, ShopifyAdminApi api, String locationId) {
        this.transport = transport;
        this.api = api;
        this.version = transport.config().shopify().apiVersion();
        this.locationGid = locationGid(locationId);
    }

    /** Stores may hold the numeric id from the admin URL or the GraphQL gid; the API wants the gid. */
    static String locationGid(String locationId) {
        if (locationId == null || locationId.isBlank()) {
            return null;
        }
        String id = locationId.trim();
        return id.startsWith("gid://") ? id : "gid://shopify/Location/" + id;
    }

    @Override
    public Uni<StorefrontItem> findBySku(String sku) {
        return requireLocation()
                .chain(() -> query("find " + sku, CallKind.READ, ShopifyQueries.FIND,
                        new JsonObject().put("query", "sku:" + quote(sku)).put("location", locationGid)))
                .map(data -> {
                    JsonArray nodes = data.getJsonObject("productVariants", new JsonObject()).getJsonArray("nodes", new JsonArray());
                    for (int i = 0; i < nodes.size(); i++) {
                        JsonObject node = nodes.getJsonObject(i);
                        if (sku.equals(node.getString("sku"))) {
                            return ShopifyJson.toItem(node);
                        }
                    }
                    throw StorefrontException.notFound("Shopify has no variant with SKU " + sku);
                });
    }

    @Override
    public Uni<StorefrontItem> readStock(StorefrontItem item) {
        if (item.inventoryItemId() == null) {
            return findBySku(item.sku());
        }
        return requireLocation()
                .chain(() -> query("read " + item.sku(), CallKind.READ, ShopifyQueries.READ,
                        new JsonObject().put("id", item.inventoryItemId()).put("location", locationGid)))
                .map(data -> {
                    JsonObject inventoryItem = data.getJsonObject("inventoryItem");
                    if (inventoryItem == null) {
                        throw StorefrontException.notFound("Shopify has no inventory item " + item.inventoryItemId() + " (SKU " + item.sku() + ")");
                    }
                    return item.withStock(ShopifyJson.available(inventoryItem), inventoryItem.getBoolean("tracked", false));
                });
    }

    @Override
    public Uni<StorefrontItem> setStock(StorefrontItem item, Integer expectedCurrent, int newQuantity) {
        if (item.inventoryItemId() == null) {
            // Callers holding only a SKU (e.g. from an order line) get the lookup done for them.
            return findBySku(item.sku()).chain(found -> setStock(found, expectedCurrent, newQuantity));
        }
        return requireLocation().chain(() -> compareAndSet(item, expectedCurrent, newQuantity, 0));
    }

    private Uni<StorefrontItem> compareAndSet(StorefrontItem item, Integer expected, int quantity, int staleRetriesDone) {
        return mutate("set " + item.sku(), List.of(new StockWrite(item, expected, quantity))).chain(userErrors -> {
            if (userErrors.isEmpty()) {
                return Uni.createFrom().item(item.withStock(quantity, true));
            }
            if (ShopifyJson.hasCode(userErrors, STALE)) {
                if (staleRetriesDone >= transport.config().shopify().staleRetries()) {
                    return Uni.createFrom().failure(StorefrontException.conflict(STALE,
                            "Shopify stock of " + item.sku() + " kept changing during " + (staleRetriesDone + 1) + " compare-and-set attempts"));
                }
                // Shopify's stock moved since we read it: a sale, a return, an edit in the admin. Writing our old target
                // would undo that change (a sale already made would be put back on sale), so the target moves by the
                // same amount and the change is kept; the sale's own webhook then books it in Contifico.
                return readStock(item).chain(fresh -> compareAndSet(fresh, fresh.stock(),
                        rebase(quantity, expected, fresh.stock()), staleRetriesDone + 1));
            }
            return Uni.createFrom().failure(ShopifyJson.userErrorFailure(userErrors));
        });
    }

    /** The target moved by what the storefront itself changed since {@code expected} was read; never below 0. */
    static int rebase(int target, Integer expected, Integer current) {
        if (expected == null || current == null) {
            return target;
        }
        long moved = (long) target + current - expected;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, moved));
    }

    @Override
    public Uni<List<StockWriteResult>> setStocks(List<StockWrite> writes) {
        if (writes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int size = Math.max(1, transport.config().shopify().batchSize());
        List<List<StockWrite>> chunks = new ArrayList<>();
        for (int i = 0; i < writes.size(); i += size) {
            chunks.add(writes.subList(i, Math.min(writes.size(), i + size)));
        }
        return requireLocation().chain(() -> Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(this::setChunk)
                .collect().asList()
                .map(lists -> lists.stream().flatMap(List::stream).toList()));
    }

    private Uni<List<StockWriteResult>> setChunk(List<StockWrite> chunk) {
        if (chunk.stream().anyMatch(w -> w.item().inventoryItemId() == null)) {
            return oneByOne(chunk);
        }
        return mutate("batch of " + chunk.size(), chunk)
                .chain(userErrors -> userErrors.isEmpty()
                        ? Uni.createFrom().item(chunk.stream().map(w -> StockWriteResult.success(w, w.newQuantity())).toList())
                        // The mutation is all-or-nothing; per-item writes sort out which one is stale or refused.
                        : oneByOne(chunk))
                .onFailure(StorefrontException.class).recoverWithItem(failure -> chunk.stream()
                        .map(w -> StockWriteResult.failure(w, (StorefrontException) failure)).toList());
    }

    private Uni<List<StockWriteResult>> oneByOne(List<StockWrite> chunk) {
        return Multi.createFrom().iterable(chunk)
                .onItem().transformToUniAndConcatenate(w -> setStock(w.item(), w.expectedCurrent(), w.newQuantity())
                        .map(written -> StockWriteResult.success(w, written.stock()))
                        .onFailure(StorefrontException.class)
                        .recoverWithItem(failure -> StockWriteResult.failure(w, (StorefrontException) failure)))
                .collect().asList();
    }

    /** One inventorySetQuantities call; transport retries reuse the idempotency key so Shopify applies it once. */
    private Uni<JsonArray> mutate(String what, List<StockWrite> writes) {
        JsonArray quantities = new JsonArray();
        for (StockWrite w : writes) {
            quantities.add(new JsonObject()
                    .put("inventoryItemId", w.item().inventoryItemId())
                    .put("locationId", locationGid)
                    .put("quantity", w.newQuantity())
                    // From 2026-04 the field is mandatory: an explicit null opts out of the comparison.
                    .put("changeFromQuantity", w.expectedCurrent()));
        }
        JsonObject variables = new JsonObject()
                .put("input", new JsonObject()
                        .put("name", "available")
                        .put("reason", "correction")
                        .put("referenceDocumentUri", REFERENCE_URI)
                        .put("quantities", quantities))
                .put("idempotencyKey", UUID.randomUUID().toString());
        return query(what, CallKind.WRITE, ShopifyQueries.SET_QUANTITIES, variables).map(data -> {
            JsonObject payload = data.getJsonObject("inventorySetQuantities");
            if (payload == null) {
                throw StorefrontException.rejected(200, "empty_payload", "Shopify returned no inventorySetQuantities payload");
            }
            return payload.getJsonArray("userErrors", new JsonArray());
        });
    }

    @Override
    public Multi<StorefrontItem> catalogue() {
        record Page(List<StorefrontItem> items, boolean hasNext, String endCursor) {
        }
        if (locationGid == null) {
            return Multi.createFrom().failure(noLocation());
        }
        // The cursor lives per subscription, so the same Multi can be consumed twice.
        return Multi.createBy().repeating()
                .uni(AtomicReference<String>::new, cursor -> query("catalogue page", CallKind.READ, ShopifyQueries.PAGE, new JsonObject()
                                .put("first", transport.config().shopify().pageSize())
                                .put("after", cursor.get())
                                .put("location", locationGid))
                        .map(data -> {
                            JsonObject variants = data.getJsonObject("productVariants", new JsonObject());
                            JsonArray nodes = variants.getJsonArray("nodes", new JsonArray());
                            List<StorefrontItem> items = new ArrayList<>();
                            for (int i = 0; i < nodes.size(); i++) {
                                JsonObject node = nodes.getJsonObject(i);
                                String sku = node.getString("sku");
                                // Nothing can map a variant without SKU to Contifico.
                                if (sku != null && !sku.isBlank()) {
                                    items.add(ShopifyJson.toItem(node));
                                }
                            }
                            JsonObject pageInfo = variants.getJsonObject("pageInfo", new JsonObject());
                            cursor.set(pageInfo.getString("endCursor"));
                            return new Page(items, pageInfo.getBoolean("hasNextPage", false) && cursor.get() != null, cursor.get());
                        }))
                .whilst(Page::hasNext)
                .onItem().transformToIterable(Page::items);
    }

    @Override
    public Multi<StorefrontOrder> ordersChangedSince(Instant since) {
        record Page(List<StorefrontOrder> orders, boolean hasNext) {
        }
        String updatedAtMin = REST_TIME.format(since.atOffset(ZoneOffset.UTC));
        // The cursor of the next page, per subscription; null on the first call.
        return Multi.createBy().repeating()
                .uni(AtomicReference<String>::new, cursor -> rest("orders page", cursor.get() == null
                        // status=any: cancelled and closed orders sold units too, and their refunds restock them.
                        ? () -> api.orders(version, ORDERS_PAGE_SIZE, null, "any", updatedAtMin)
                        : () -> api.orders(version, ORDERS_PAGE_SIZE, cursor.get(), null, null)).map(response -> {
                    JsonNode orders = response.jsonTree().path("orders");
                    if (!orders.isArray()) {
                        throw StorefrontException.rejected(response.status(), "invalid_orders", "Shopify's orders answer has no orders array");
                    }
                    List<StorefrontOrder> page = new ArrayList<>(orders.size());
                    orders.forEach(order -> page.add(new StorefrontOrder(order.path("id").asText(),
                            ShopifyJson.instant(order.path("updated_at").asText(null)), order)));
                    // A page_info cursor carries the filters; Shopify refuses them beside it. Only the cursor is taken
                    // from the Link header, so the token is never sent to a host other than the store's.
                    String pageInfo = nextPageInfo(response.header("Link"));
                    cursor.set(pageInfo);
                    return new Page(page, pageInfo != null && !page.isEmpty());
                }))
                .whilst(Page::hasNext)
                .onItem().transformToIterable(Page::orders);
    }

    @Override
    public Uni<JsonNode> order(String orderId) {
        return rest("order", () -> api.order(version, orderId)).map(response -> {
            JsonNode order = response.jsonTree().path("order");
            if (!order.isObject()) {
                throw StorefrontException.rejected(response.status(), "invalid_order", "Shopify's order answer has no order object");
            }
            return order;
        });
    }

    /** The page_info of the Link header's rel="next", decoded (the client encodes query values itself). */
    static String nextPageInfo(String link) {
        if (link == null) {
            return null;
        }
        for (String part : link.split(",")) {
            Matcher m = NEXT_PAGE_INFO.matcher(part.trim());
            if (m.find()) {
                return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** A REST GET with retries; answers the response or fails typed. */
    private Uni<StorefrontResponse> rest(String what, Supplier<Uni<Response>> request) {
        String label = "Shopify " + what;
        return transport.withRetries(Platform.SHOPIFY, label, () -> transport.send(label, CallKind.READ, request)
                .map(response -> {
                    ShopifyJson.failIfNotOk(response);
                    return response;
                }));
    }

    private Uni<Void> requireLocation() {
        return locationGid == null ? Uni.createFrom().failure(noLocation()) : Uni.createFrom().voidItem();
    }

    private static StorefrontException noLocation() {
        return StorefrontException.rejected(0, "no_location", "the Shopify store has no locationId configured; stock is per location");
    }

    /** A GraphQL call with retries; answers the {@code data} object or fails typed. */
    @Override
    public StorefrontClient atLocation(String locationId) {
        return new ShopifyClient(transport, api, locationId);
    }

    /** Shopify's page maximum for {@code locations(first:)}. */
    static final int LOCATION_PAGE = 250;
    /**
     * Pages read at most: a shop with more locations than this is refused rather than listed in part, since a partial
     * list would make the location map refuse real locations as unknown.
     */
    static final int LOCATION_PAGES = StorefrontLocation.MAX_SHOPIFY_LOCATIONS / LOCATION_PAGE;

    /** Active locations only (an inactive one fulfils nothing and takes no stock writes), every page of them. */
    @Override
    public Uni<List<StorefrontLocation>> locations() {
        return locationPages(null, 1, new ArrayList<>(), new HashSet<>());
    }

    private Uni<List<StorefrontLocation>> locationPages(String after, int page, List<StorefrontLocation> out,
                                                        Set<String> cursors) {
        return query("list locations", CallKind.READ, ShopifyQueries.LOCATIONS,
                new JsonObject().put("first", LOCATION_PAGE).put("after", after))
                .chain(data -> {
                    boolean more;
                    String next;
                    try {
                        JsonObject locations = data.getJsonObject("locations", new JsonObject());
                        JsonArray nodes = locations.getJsonArray("nodes", new JsonArray());
                        for (int i = 0; i < nodes.size(); i++) {
                            JsonObject node = nodes.getJsonObject(i);
                            // getString would turn an object into its JSON text: only strings are ids and names.
                            String id = node.getValue("id") instanceof String gid ? StorefrontLocation.number(gid) : null;
                            if (id != null && node.getBoolean("isActive", true)) {
                                // The shop's text, shown to operators and stored with the map: one line, bounded,
                                // and no NUL (which PostgreSQL refuses in text, failing the map's save).
                                out.add(new StorefrontLocation(id, node.getValue("name") instanceof String name
                                        ? UpstreamText.sanitize(name) : null));
                            }
                        }
                        JsonObject pageInfo = locations.getJsonObject("pageInfo", new JsonObject());
                        more = pageInfo.getBoolean("hasNextPage", false);
                        next = pageInfo.getString("endCursor");
                    } catch (ClassCastException | NullPointerException e) {
                        // A null node, "isActive": "yes", "pageInfo": 3: the shop's answer is refused as such (the
                        // map's callers turn it into a clear error) rather than failing the request with a 500.
                        return Uni.createFrom().failure(StorefrontException.rejected(0, "bad_location_page",
                                "Shopify answered a page of locations that cannot be read"));
                    }
                    if (!more) {
                        return Uni.createFrom().item(out);
                    }
                    // More pages but no cursor to reach them, or one already followed (a loop): what was read is a
                    // part of the list, and a part would refuse real locations as unknown.
                    if (next == null || !cursors.add(next)) {
                        return Uni.createFrom().failure(StorefrontException.rejected(0, "bad_location_cursor",
                                "Shopify said more locations follow but gave no new cursor to read them"));
                    }
                    if (page >= LOCATION_PAGES) {
                        return Uni.createFrom().failure(StorefrontException.rejected(0, "too_many_locations",
                                "the Shopify store lists more than " + StorefrontLocation.MAX_SHOPIFY_LOCATIONS
                                        + " active locations, more than are read"));
                    }
                    return locationPages(next, page + 1, out, cursors);
                });
    }

    /** The subscriptions this app made on the shop (Shopify lists no other app's); 250 is Shopify's page maximum. */
    @Override
    public Uni<List<WebhookSubscription>> webhooks() {
        return query("list webhooks", CallKind.READ, ShopifyQueries.WEBHOOKS, new JsonObject().put("first", 250))
                .map(data -> {
                    JsonArray nodes = data.getJsonObject("webhookSubscriptions", new JsonObject()).getJsonArray("nodes", new JsonArray());
                    List<WebhookSubscription> out = new ArrayList<>();
                    for (int i = 0; i < nodes.size(); i++) {
                        out.add(webhook(nodes.getJsonObject(i)));
                    }
                    return out;
                });
    }

    @Override
    public Uni<WebhookSubscription> subscribe(String topic, String url, String secret) {
        JsonObject variables = new JsonObject().put("topic", topicEnum(topic))
                .put("subscription", new JsonObject().put("uri", url).put("format", "JSON"));
        return query("subscribe " + topic, CallKind.WRITE, ShopifyQueries.WEBHOOK_CREATE, variables).chain(data -> {
            JsonObject payload = data.getJsonObject("webhookSubscriptionCreate", new JsonObject());
            JsonArray errors = payload.getJsonArray("userErrors", new JsonArray());
            if (errors.isEmpty() && payload.getJsonObject("webhookSubscription") != null) {
                return Uni.createFrom().item(webhook(payload.getJsonObject("webhookSubscription")));
            }
            // A create whose answer was lost and was sent again finds its own subscription: "already been taken".
            return webhooks().map(all -> all.stream().filter(w -> w.topic().equals(topic) && url.equals(w.url())).findFirst()
                    .orElseThrow(() -> StorefrontException.rejected(200, "webhook_refused", "Shopify refused the "
                            + topic + " subscription: " + ec.stocksync.common.UpstreamText.sanitize(errors.encode()))));
        });
    }

    @Override
    public Uni<Void> unsubscribe(String id) {
        return query("unsubscribe " + id, CallKind.WRITE, ShopifyQueries.WEBHOOK_DELETE, new JsonObject().put("id", id))
                .invoke(data -> {
                    JsonObject payload = data.getJsonObject("webhookSubscriptionDelete", new JsonObject());
                    JsonArray errors = payload.getJsonArray("userErrors", new JsonArray());
                    // One already gone is what was asked for (a retried delete finds nothing); anything else is refused.
                    if (!errors.isEmpty() && !errors.encode().contains("does not exist")) {
                        throw StorefrontException.rejected(200, "webhook_refused", "Shopify refused to remove " + id + ": "
                                + ec.stocksync.common.UpstreamText.sanitize(errors.encode()));
                    }
                })
                .replaceWithVoid();
    }

    private static WebhookSubscription webhook(JsonObject node) {
        return new WebhookSubscription(node.getString("id"), topicName(node.getString("topic", "")), node.getString("uri"),
                "active", null);
    }

    /** {@code orders/create} → {@code ORDERS_CREATE}; {@code inventory_levels/update} → {@code INVENTORY_LEVELS_UPDATE}. */
    static String topicEnum(String topic) {
        return topic.replace('/', '_').toUpperCase(java.util.Locale.ROOT);
    }

    /** The reverse: the last underscore separates the resource from the event. */
    static String topicName(String topicEnum) {
        String lower = topicEnum.toLowerCase(java.util.Locale.ROOT);
        int cut = lower.lastIndexOf('_');
        return cut < 0 ? lower : lower.substring(0, cut) + "/" + lower.substring(cut + 1);
    }

    private Uni<JsonObject> query(String what, CallKind kind, String query, JsonObject variables) {
        String body = new JsonObject().put("query", query).put("variables", variables).encode();
        String label = "Shopify " + what;
        return transport.withRetries(Platform.SHOPIFY, label, () -> transport.send(label, kind,
                        () -> api.graphql(version, body))
                .map(ShopifyJson::data));
    }

    /** Shopify search syntax: quote the value so spaces, colons and dashes in SKUs stay one term. */
    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
