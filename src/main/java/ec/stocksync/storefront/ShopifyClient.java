package ec.stocksync.storefront;

import ec.stocksync.store.Platform;
import ec.stocksync.common.UpstreamText;
import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shopify through the GraphQL Admin API, for one shop and one location. Orders are read over REST: its order JSON is
 * exactly what the order webhooks deliver, so the webhook parser reads it as is.
 */
final class ShopifyClient implements StorefrontClient {

    static final String STALE = "CHANGE_FROM_QUANTITY_STALE";

    private static final String LEVEL = "inventoryLevel(locationId: $location) { quantities(names: [\"available\"]) { name quantity } }";
    private static final String VARIANT_FIELDS = "id sku title displayName product { id title } inventoryItem { id tracked " + LEVEL + " }";

    // Shopify's sku: search is tokenised, not exact, so a few candidates are fetched and the exact SKU picked locally.
    static final String FIND_QUERY = "query FindVariantBySku($query: String!, $location: ID!) { "
            + "productVariants(first: 5, query: $query) { nodes { " + VARIANT_FIELDS + " } } }";
    static final String PAGE_QUERY = "query CataloguePage($first: Int!, $after: String, $location: ID!) { "
            + "productVariants(first: $first, after: $after) { nodes { " + VARIANT_FIELDS + " } pageInfo { hasNextPage endCursor } } }";
    static final String READ_QUERY = "query ReadStock($id: ID!, $location: ID!) { inventoryItem(id: $id) { id tracked " + LEVEL + " } }";
    static final String SET_MUTATION = "mutation SetStock($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) { "
            + "inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) { "
            + "inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } } userErrors { field message code } } }";

    private static final String REFERENCE_URI = "stocksync://contifico-sync";
    /** REST caps {@code limit} at 250. */
    static final int ORDERS_PAGE_SIZE = 250;
    private static final DateTimeFormatter REST_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");
    private static final Pattern NEXT_PAGE_INFO = Pattern.compile("<[^>]*[?&]page_info=([^&>]+)[^>]*>\\s*;\\s*rel=\"?next\"?");

    private final StorefrontHttp http;
    private final String endpoint;
    private final String ordersUrl;
    private final String accessToken;
    private final String locationGid;

    ShopifyClient(StorefrontHttp http, String baseUrl, String accessToken, String locationId) {
        this.http = http;
        this.endpoint = baseUrl + "/admin/api/" + http.config().shopify().apiVersion() + "/graphql.json";
        this.ordersUrl = baseUrl + "/admin/api/" + http.config().shopify().apiVersion() + "/orders.json";
        this.accessToken = accessToken;
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
                .chain(() -> query("find " + sku, FIND_QUERY,
                        new JsonObject().put("query", "sku:" + quote(sku)).put("location", locationGid)))
                .map(data -> {
                    JsonArray nodes = data.getJsonObject("productVariants", new JsonObject()).getJsonArray("nodes", new JsonArray());
                    for (int i = 0; i < nodes.size(); i++) {
                        JsonObject node = nodes.getJsonObject(i);
                        if (sku.equals(node.getString("sku"))) {
                            return toItem(node);
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
                .chain(() -> query("read " + item.sku(), READ_QUERY,
                        new JsonObject().put("id", item.inventoryItemId()).put("location", locationGid)))
                .map(data -> {
                    JsonObject inventoryItem = data.getJsonObject("inventoryItem");
                    if (inventoryItem == null) {
                        throw StorefrontException.notFound("Shopify has no inventory item " + item.inventoryItemId() + " (SKU " + item.sku() + ")");
                    }
                    return item.withStock(available(inventoryItem), inventoryItem.getBoolean("tracked", false));
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
            if (hasCode(userErrors, STALE)) {
                if (staleRetriesDone >= http.config().shopify().staleRetries()) {
                    return Uni.createFrom().failure(StorefrontException.conflict(STALE,
                            "Shopify stock of " + item.sku() + " kept changing during " + (staleRetriesDone + 1) + " compare-and-set attempts"));
                }
                // Shopify's stock moved since we read it: a sale, a return, an edit in the admin. Writing our old target
                // would undo that change (a sale already made would be put back on sale), so the target moves by the
                // same amount and the change is kept; the sale's own webhook then books it in Contifico.
                return readStock(item).chain(fresh -> compareAndSet(fresh, fresh.stock(),
                        rebase(quantity, expected, fresh.stock()), staleRetriesDone + 1));
            }
            return Uni.createFrom().failure(userErrorFailure(userErrors));
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
        int size = Math.max(1, http.config().shopify().batchSize());
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
        return query(what, SET_MUTATION, variables).map(data -> {
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
                .uni(AtomicReference<String>::new, cursor -> query("catalogue page", PAGE_QUERY, new JsonObject()
                                .put("first", http.config().shopify().pageSize())
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
                                    items.add(toItem(node));
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
        // status=any: cancelled and closed orders sold units too, and their refunds restock them.
        String first = ordersUrl + "?status=any&limit=" + ORDERS_PAGE_SIZE + "&updated_at_min="
                + URLEncoder.encode(REST_TIME.format(since.atOffset(ZoneOffset.UTC)), StandardCharsets.UTF_8);
        return Multi.createBy().repeating()
                .uni(() -> new AtomicReference<>(first), next -> rest("orders page", next.get()).map(response -> {
                    JsonNode orders = response.jsonTree().path("orders");
                    if (!orders.isArray()) {
                        throw StorefrontException.rejected(response.status(), "invalid_orders", "Shopify's orders answer has no orders array");
                    }
                    List<StorefrontOrder> page = new ArrayList<>(orders.size());
                    orders.forEach(order -> page.add(new StorefrontOrder(order.path("id").asText(),
                            instant(order.path("updated_at").asText(null)), order)));
                    // A page_info cursor carries the filters; Shopify refuses them beside it. Only the cursor is taken
                    // from the Link header, so the token is never sent to a host other than the store's.
                    String pageInfo = nextPageInfo(response.header("Link"));
                    next.set(pageInfo == null ? null : ordersUrl + "?limit=" + ORDERS_PAGE_SIZE + "&page_info=" + pageInfo);
                    return new Page(page, pageInfo != null && !page.isEmpty());
                }))
                .whilst(Page::hasNext)
                .onItem().transformToIterable(Page::orders);
    }

    static String nextPageInfo(String link) {
        if (link == null) {
            return null;
        }
        for (String part : link.split(",")) {
            Matcher m = NEXT_PAGE_INFO.matcher(part.trim());
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    private static Instant instant(String time) {
        if (time == null || time.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(time).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A REST GET with retries; answers the response or fails typed. */
    private Uni<StorefrontHttp.Response> rest(String what, String url) {
        return http.withRetries(Platform.SHOPIFY, "Shopify " + what, () -> http
                .send(HttpMethod.GET, url, Map.of("X-Shopify-Access-Token", accessToken == null ? "" : accessToken), null)
                .map(response -> {
                    failIfNotOk(response);
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
    private Uni<JsonObject> query(String what, String query, JsonObject variables) {
        String body = new JsonObject().put("query", query).put("variables", variables).encode();
        return http.withRetries(Platform.SHOPIFY, "Shopify " + what, () -> http
                .send(HttpMethod.POST, endpoint, Map.of("X-Shopify-Access-Token", accessToken == null ? "" : accessToken), body)
                .map(this::data));
    }

    private JsonObject data(StorefrontHttp.Response response) {
        failIfNotOk(response);
        JsonObject json = response.jsonObject();
        JsonArray errors = json.getJsonArray("errors");
        if (errors != null && !errors.isEmpty()) {
            throw graphqlFailure(json, errors);
        }
        JsonObject data = json.getJsonObject("data");
        if (data == null) {
            throw StorefrontException.rejected(200, "no_data", "Shopify answered without data or errors");
        }
        return data;
    }

    private static void failIfNotOk(StorefrontHttp.Response response) {
        if (!response.ok()) {
            String message = "Shopify answered HTTP " + response.status();
            try {
                Object errors = response.jsonObject().getValue("errors");
                if (errors != null) {
                    message += ": " + UpstreamText.sanitize(String.valueOf(errors));
                }
            } catch (StorefrontException ignored) {
                // Non-JSON error page (e.g. from a proxy): the status alone says enough.
            }
            throw StorefrontHttp.statusFailure(response, "http_" + response.status(), message);
        }
    }

    private static StorefrontException graphqlFailure(JsonObject json, JsonArray errors) {
        StringBuilder messages = new StringBuilder();
        String firstCode = null;
        boolean throttled = false;
        boolean internal = false;
        boolean denied = false;
        for (int i = 0; i < errors.size(); i++) {
            JsonObject error = errors.getJsonObject(i);
            String code = error.getJsonObject("extensions", new JsonObject()).getString("code");
            firstCode = firstCode == null && code != null ? UpstreamText.sanitize(code) : firstCode;
            throttled |= "THROTTLED".equals(code);
            internal |= "INTERNAL_SERVER_ERROR".equals(code);
            denied |= "ACCESS_DENIED".equals(code);
            messages.append(messages.isEmpty() ? "" : "; ").append(error.getString("message"));
        }
        String message = "Shopify GraphQL errors: " + UpstreamText.sanitize(messages.toString());
        if (throttled) {
            return StorefrontException.rateLimited(200, "THROTTLED", message, throttleWait(json));
        }
        if (internal) {
            return StorefrontException.unavailable(200, "INTERNAL_SERVER_ERROR", message, null);
        }
        if (denied) {
            return StorefrontException.auth(200, "ACCESS_DENIED", message);
        }
        return StorefrontException.rejected(200, firstCode == null ? "graphql_error" : firstCode, message);
    }

    /** Time until the cost bucket refills enough for the query, from Shopify's throttleStatus; {@code null} if not given. */
    private static Duration throttleWait(JsonObject json) {
        JsonObject cost = json.getJsonObject("extensions", new JsonObject()).getJsonObject("cost");
        if (cost == null || cost.getJsonObject("throttleStatus") == null) {
            return null;
        }
        JsonObject status = cost.getJsonObject("throttleStatus");
        double requested = cost.getNumber("requestedQueryCost", 0).doubleValue();
        double available = status.getNumber("currentlyAvailable", 0).doubleValue();
        double restoreRate = status.getNumber("restoreRate", 0).doubleValue();
        if (restoreRate <= 0) {
            return null;
        }
        double seconds = Math.max(0, requested - available) / restoreRate;
        return Duration.ofMillis((long) Math.ceil(seconds * 1000));
    }

    private static StorefrontException userErrorFailure(JsonArray userErrors) {
        JsonObject first = userErrors.getJsonObject(0);
        StringBuilder messages = new StringBuilder();
        for (int i = 0; i < userErrors.size(); i++) {
            JsonObject e = userErrors.getJsonObject(i);
            messages.append(messages.isEmpty() ? "" : "; ").append(e.getString("code")).append(": ").append(e.getString("message"));
        }
        String code = first.getString("code", "user_error");
        return StorefrontException.rejected(200, UpstreamText.sanitize(code), "Shopify refused the stock write: "
                + UpstreamText.sanitize(messages.toString()));
    }

    private static boolean hasCode(JsonArray userErrors, String code) {
        for (int i = 0; i < userErrors.size(); i++) {
            if (code.equals(userErrors.getJsonObject(i).getString("code"))) {
                return true;
            }
        }
        return false;
    }

    private static StorefrontItem toItem(JsonObject variant) {
        JsonObject inventoryItem = variant.getJsonObject("inventoryItem", new JsonObject());
        JsonObject product = variant.getJsonObject("product", new JsonObject());
        String name = variant.getString("displayName");
        if (name == null) {
            name = product.getString("title");
        }
        return new StorefrontItem(variant.getString("sku"), name, product.getString("id"), variant.getString("id"),
                inventoryItem.getString("id"), available(inventoryItem), inventoryItem.getBoolean("tracked", false));
    }

    /** {@code null} when the item is not stocked at the location. */
    private static Integer available(JsonObject inventoryItem) {
        JsonObject level = inventoryItem.getJsonObject("inventoryLevel");
        if (level == null) {
            return null;
        }
        JsonArray quantities = level.getJsonArray("quantities", new JsonArray());
        for (int i = 0; i < quantities.size(); i++) {
            JsonObject q = quantities.getJsonObject(i);
            if ("available".equals(q.getString("name"))) {
                return q.getNumber("quantity").intValue();
            }
        }
        return null;
    }

    /** Shopify search syntax: quote the value so spaces, colons and dashes in SKUs stay one term. */
    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
