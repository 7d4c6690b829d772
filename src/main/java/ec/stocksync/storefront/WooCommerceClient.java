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

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/** WooCommerce through REST v3 ({@link WooCommerceApi}) with the store's consumer key and secret. */
final class WooCommerceClient implements StorefrontClient {

    /** WooCommerce's GMT dates carry no offset. */
    private static final DateTimeFormatter GMT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    /** Ordered by id, not WooCommerce's default newest-first, so items added during a walk do not shift the pages. */
    private static final String BY_ID = "id";
    private static final String ASC = "asc";

    private final StorefrontTransport transport;
    private final WooCommerceApi api;

    WooCommerceClient(StorefrontTransport transport, WooCommerceApi api) {
        this.transport = transport;
        this.api = api;
    }

    private record Page(JsonArray items, boolean hasNext) {
    }

    @Override
    public Uni<StorefrontItem> findBySku(String sku) {
        return call("find " + sku, CallKind.READ, () -> api.products(sku, null, null, null, null, null))
                .map(StorefrontResponse::jsonArray)
                .chain(products -> {
                    for (int i = 0; i < products.size(); i++) {
                        JsonObject product = products.getJsonObject(i);
                        if (sku.equals(product.getString("sku"))) {
                            return Uni.createFrom().item(WooCommerceJson.productItem(product));
                        }
                    }
                    // /products?sku= only searches products, never variations: look under each variable product.
                    return findVariation(sku);
                });
    }

    private Uni<StorefrontItem> findVariation(String sku) {
        return pages("variable products", (perPage, page) -> api.products(null, "variable", null, null, perPage, page))
                .onItem().transformToUniAndConcatenate(parent -> call("find variation " + sku, CallKind.READ,
                        () -> api.variations(String.valueOf(parent.getLong("id")), sku, null, null, null, null))
                        .map(response -> {
                            JsonArray variations = response.jsonArray();
                            List<StorefrontItem> matches = new ArrayList<>();
                            for (int i = 0; i < variations.size(); i++) {
                                JsonObject v = variations.getJsonObject(i);
                                if (sku.equals(v.getString("sku"))) {
                                    matches.add(WooCommerceJson.variationItem(parent, v));
                                }
                            }
                            return matches;
                        }))
                .onItem().<StorefrontItem>transformToIterable(matches -> matches)
                // Stops paging through variable products at the first hit.
                .select().first()
                .toUni()
                .onItem().ifNull().failWith(() -> StorefrontException.notFound("WooCommerce has no product or variation with SKU " + sku));
    }

    @Override
    public Uni<StorefrontItem> readStock(StorefrontItem item) {
        return call("read " + item.sku(), CallKind.READ, () -> item.variantId() != null
                        ? api.variation(item.productId(), item.variantId())
                        : api.product(item.productId()))
                .map(response -> {
                    JsonObject json = response.jsonObject();
                    return item.withStock(WooCommerceJson.stockOf(json), WooCommerceJson.managed(json));
                });
    }

    /** WooCommerce has no compare-and-set: {@code expectedCurrent} is ignored and the absolute quantity written. */
    @Override
    public Uni<StorefrontItem> setStock(StorefrontItem item, Integer expectedCurrent, int newQuantity) {
        // Without manage_stock=true WooCommerce silently ignores stock_quantity.
        String body = new JsonObject().put("manage_stock", true).put("stock_quantity", newQuantity).encode();
        return call("set " + item.sku(), CallKind.WRITE, () -> item.variantId() != null
                        ? api.updateVariation(item.productId(), item.variantId(), body)
                        : api.updateProduct(item.productId(), body))
                .map(response -> {
                    Integer written = WooCommerceJson.stockOf(response.jsonObject());
                    return item.withStock(written == null ? newQuantity : written, true);
                });
    }

    @Override
    public Uni<List<StockWriteResult>> setStocks(List<StockWrite> writes) {
        if (writes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // Simple products go to /products/batch, variations to their parent's /variations/batch (key: the parent's id).
        Map<String, List<Integer>> byParent = new LinkedHashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            StorefrontItem item = writes.get(i).item();
            byParent.computeIfAbsent(item.variantId() != null ? item.productId() : "", k -> new ArrayList<>()).add(i);
        }
        int size = Math.max(1, Math.min(100, transport.config().woocommerce().batchSize()));
        List<Map.Entry<String, List<Integer>>> chunks = new ArrayList<>();
        byParent.forEach((parent, indexes) -> {
            for (int i = 0; i < indexes.size(); i += size) {
                chunks.add(Map.entry(parent, indexes.subList(i, Math.min(indexes.size(), i + size))));
            }
        });
        StockWriteResult[] results = new StockWriteResult[writes.size()];
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> batch(chunk.getKey(), chunk.getValue(), writes, results))
                .collect().last()
                .map(ignored -> List.of(results));
    }

    private Uni<Void> batch(String parent, List<Integer> indexes, List<StockWrite> writes, StockWriteResult[] results) {
        JsonArray update = new JsonArray();
        for (int index : indexes) {
            StockWrite w = writes.get(index);
            update.add(new JsonObject().put("id", Long.parseLong(idOf(w))).put("manage_stock", true)
                    .put("stock_quantity", w.newQuantity()));
        }
        String body = new JsonObject().put("update", update).encode();
        return call("batch of " + indexes.size(), CallKind.WRITE, () -> parent.isEmpty()
                        ? api.batchProducts(body) : api.batchVariations(parent, body))
                .map(response -> {
                    JsonArray updated = response.jsonObject().getJsonArray("update", new JsonArray());
                    Map<Long, JsonObject> byId = new HashMap<>();
                    for (int i = 0; i < updated.size(); i++) {
                        JsonObject o = updated.getJsonObject(i);
                        byId.put(o.getLong("id"), o);
                    }
                    for (int index : indexes) {
                        StockWrite w = writes.get(index);
                        results[index] = WooCommerceJson.batchResult(w, byId.get(Long.parseLong(idOf(w))));
                    }
                    return (Void) null;
                })
                .onFailure(StorefrontException.class).recoverWithItem(failure -> {
                    for (int index : indexes) {
                        results[index] = StockWriteResult.failure(writes.get(index), (StorefrontException) failure);
                    }
                    return null;
                });
    }

    private static String idOf(StockWrite w) {
        return w.item().variantId() != null ? w.item().variantId() : w.item().productId();
    }

    @Override
    public Multi<StorefrontItem> catalogue() {
        return pages("catalogue", (perPage, page) -> api.products(null, null, BY_ID, ASC, perPage, page))
                .onItem().transformToMultiAndConcatenate(product -> {
                    if ("variable".equals(product.getString("type"))) {
                        // The variable parent is not a sellable unit; its variations are.
                        String parent = String.valueOf(product.getLong("id"));
                        return pages("variations of " + parent,
                                (perPage, page) -> api.variations(parent, null, BY_ID, ASC, perPage, page))
                                .map(v -> WooCommerceJson.variationItem(product, v));
                    }
                    return Multi.createFrom().item(WooCommerceJson.productItem(product));
                })
                // Nothing can map an item without SKU to Contifico.
                .filter(item -> item.sku() != null && !item.sku().isBlank());
    }

    @Override
    public Multi<StorefrontOrder> ordersChangedSince(Instant since) {
        // dates_are_gmt: without it modified_after is read in the site's time zone. Ordered by id, not by modification:
        // an order edited during the walk would move to the end and shift an unread one onto a page already read.
        String after = GMT_TIME.format(since.atOffset(ZoneOffset.UTC));
        return pages("orders", (perPage, page) -> api.orders(after, true, BY_ID, ASC, perPage, page))
                .map(order -> new StorefrontOrder(String.valueOf(order.getValue("id")),
                        WooCommerceJson.gmtInstant(order.getString("date_modified_gmt")), WooCommerceJson.tree(order)));
    }

    @Override
    public StorefrontClient atLocation(String locationId) {
        return this;
    }

    @Override
    public Uni<List<StorefrontLocation>> locations() {
        return Uni.createFrom().item(List.of(new StorefrontLocation(StorefrontLocation.WOOCOMMERCE_ID, "WooCommerce")));
    }

    @Override
    public Uni<JsonNode> order(String orderId) {
        return call("order", CallKind.READ, () -> api.order(orderId)).map(response -> WooCommerceJson.tree(response.jsonObject()));
    }

    /** 100 per page is WooCommerce's maximum; an order with more refunds than that is not a case worth paging for. */
    @Override
    public Uni<JsonNode> refunds(String orderId) {
        return call("refunds", CallKind.READ, () -> api.refunds(orderId, 100)).map(response -> {
            JsonNode list = response.jsonTree();
            if (!list.isArray()) {
                throw StorefrontException.rejected(response.status(), "invalid_refunds", "WooCommerce's refunds answer is not a list");
            }
            return list;
        });
    }

    @Override
    public Uni<List<WebhookSubscription>> webhooks() {
        return pages("webhooks", api::webhooks).map(WooCommerceClient::webhook).collect().asList();
    }

    @Override
    public Uni<WebhookSubscription> subscribe(String topic, String url, String secret) {
        // A retried create could make a second one (WooCommerce has no uniqueness): look first, then create.
        return webhooks().chain(all -> {
            var existing = all.stream().filter(w -> w.topic().equals(topic) && url.equals(w.url())).findFirst();
            if (existing.isPresent()) {
                return Uni.createFrom().item(existing.get());
            }
            String body = new JsonObject().put("name", "stock-sync " + topic).put("topic", topic).put("delivery_url", url)
                    .put("secret", secret).put("status", "active").encode();
            return call("subscribe " + topic, CallKind.WRITE, () -> api.createWebhook(body))
                    .map(response -> webhook(response.jsonObject()));
        });
    }

    @Override
    public Uni<Void> unsubscribe(String id) {
        return call("unsubscribe " + id, CallKind.WRITE, () -> api.deleteWebhook(id, true))
                .replaceWithVoid()
                .onFailure(StorefrontException.class).recoverWithUni(e -> ((StorefrontException) e).kind() == StorefrontException.Kind.NOT_FOUND
                        ? Uni.createFrom().voidItem() : Uni.createFrom().failure(e));
    }

    private static WebhookSubscription webhook(JsonObject hook) {
        Object secret = hook.getValue("secret");
        return new WebhookSubscription(String.valueOf(hook.getValue("id")), hook.getString("topic"),
                hook.getString("delivery_url"), hook.getString("status"),
                secret instanceof String s ? WebhookSubscription.sha256(s) : null);
    }

    /** Every object of a listing, following X-WP-TotalPages; each page is fetched only when the previous one is consumed. */
    private Multi<JsonObject> pages(String what, BiFunction<Integer, Integer, Uni<Response>> listing) {
        int perPage = Math.max(1, Math.min(100, transport.config().woocommerce().pageSize()));
        return Multi.createBy().repeating()
                .uni(AtomicInteger::new, page -> {
                    int n = page.incrementAndGet();
                    return call(what + " page " + n, CallKind.READ, () -> listing.apply(perPage, n))
                            .map(response -> {
                                JsonArray items = response.jsonArray();
                                String total = response.header("X-WP-TotalPages");
                                boolean hasNext = total != null ? n < parseInt(total) : items.size() >= perPage;
                                return new Page(items, hasNext && !items.isEmpty());
                            });
                })
                .whilst(Page::hasNext)
                .onItem().transformToIterable(page -> {
                    List<JsonObject> objects = new ArrayList<>(page.items().size());
                    for (int i = 0; i < page.items().size(); i++) {
                        objects.add(page.items().getJsonObject(i));
                    }
                    return objects;
                });
    }

    /** One call with retries; answers a 2xx response or fails typed, with WooCommerce's own code and message. */
    private Uni<StorefrontResponse> call(String what, CallKind kind, Supplier<Uni<Response>> request) {
        String label = "WooCommerce " + what;
        return transport.withRetries(Platform.WOOCOMMERCE, label, () -> transport.send(label, kind, request)
                .map(response -> {
                    if (response.ok()) {
                        return response;
                    }
                    String code = "http_" + response.status();
                    String message = "WooCommerce answered HTTP " + response.status() + " to " + what;
                    try {
                        JsonObject error = response.jsonObject();
                        code = UpstreamText.sanitize(error.getString("code", code));
                        if (error.getString("message") != null) {
                            message += ": " + UpstreamText.sanitize(error.getString("message"));
                        }
                    } catch (RuntimeException ignored) {
                        // An HTML error page from the web server: the status is all we have.
                    }
                    throw StorefrontFailures.status(response, code, message);
                }));
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
