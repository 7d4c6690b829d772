package ec.stocksync.storefront;

import ec.stocksync.store.Platform;
import ec.stocksync.common.UpstreamText;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** WooCommerce through REST v3 with the store's consumer key and secret. */
final class WooCommerceClient implements StorefrontClient {

    /** WooCommerce's GMT dates carry no offset. */
    private static final DateTimeFormatter GMT_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private final StorefrontHttp http;
    private final String api;
    private final Map<String, String> headers;

    WooCommerceClient(StorefrontHttp http, String baseUrl, String consumerKey, String consumerSecret) {
        this.http = http;
        this.api = baseUrl + "/wp-json/wc/v3";
        String credentials = (consumerKey == null ? "" : consumerKey) + ":" + (consumerSecret == null ? "" : consumerSecret);
        this.headers = Map.of("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    private record Page(JsonArray items, boolean hasNext) {
    }

    @Override
    public Uni<StorefrontItem> findBySku(String sku) {
        return call("find " + sku, HttpMethod.GET, "/products?sku=" + encode(sku), null)
                .map(StorefrontHttp.Response::jsonArray)
                .chain(products -> {
                    for (int i = 0; i < products.size(); i++) {
                        JsonObject product = products.getJsonObject(i);
                        if (sku.equals(product.getString("sku"))) {
                            return Uni.createFrom().item(productItem(product));
                        }
                    }
                    // /products?sku= only searches products, never variations: look under each variable product.
                    return findVariation(sku);
                });
    }

    private Uni<StorefrontItem> findVariation(String sku) {
        return pages("variable products", "/products?type=variable")
                .onItem().transformToUniAndConcatenate(parent -> call("find variation " + sku, HttpMethod.GET,
                        "/products/" + parent.getLong("id") + "/variations?sku=" + encode(sku), null)
                        .map(response -> {
                            JsonArray variations = response.jsonArray();
                            List<StorefrontItem> matches = new ArrayList<>();
                            for (int i = 0; i < variations.size(); i++) {
                                JsonObject v = variations.getJsonObject(i);
                                if (sku.equals(v.getString("sku"))) {
                                    matches.add(variationItem(parent, v));
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
        return call("read " + item.sku(), HttpMethod.GET, itemPath(item), null)
                .map(response -> {
                    JsonObject json = response.jsonObject();
                    return item.withStock(stockOf(json), managed(json));
                });
    }

    /** WooCommerce has no compare-and-set: {@code expectedCurrent} is ignored and the absolute quantity written. */
    @Override
    public Uni<StorefrontItem> setStock(StorefrontItem item, Integer expectedCurrent, int newQuantity) {
        // Without manage_stock=true WooCommerce silently ignores stock_quantity.
        JsonObject body = new JsonObject().put("manage_stock", true).put("stock_quantity", newQuantity);
        return call("set " + item.sku(), HttpMethod.PUT, itemPath(item), body.encode())
                .map(response -> {
                    JsonObject json = response.jsonObject();
                    Integer written = stockOf(json);
                    return item.withStock(written == null ? newQuantity : written, true);
                });
    }

    @Override
    public Uni<List<StockWriteResult>> setStocks(List<StockWrite> writes) {
        if (writes.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // Simple products go to /products/batch, variations to their parent's /variations/batch.
        Map<String, List<Integer>> byEndpoint = new LinkedHashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            StorefrontItem item = writes.get(i).item();
            String endpoint = item.variantId() != null ? "/products/" + item.productId() + "/variations/batch" : "/products/batch";
            byEndpoint.computeIfAbsent(endpoint, k -> new ArrayList<>()).add(i);
        }
        int size = Math.max(1, Math.min(100, http.config().woocommerce().batchSize()));
        List<Map.Entry<String, List<Integer>>> chunks = new ArrayList<>();
        byEndpoint.forEach((endpoint, indexes) -> {
            for (int i = 0; i < indexes.size(); i += size) {
                chunks.add(Map.entry(endpoint, indexes.subList(i, Math.min(indexes.size(), i + size))));
            }
        });
        StockWriteResult[] results = new StockWriteResult[writes.size()];
        return Multi.createFrom().iterable(chunks)
                .onItem().transformToUniAndConcatenate(chunk -> batch(chunk.getKey(), chunk.getValue(), writes, results))
                .collect().last()
                .map(ignored -> List.of(results));
    }

    private Uni<Void> batch(String endpoint, List<Integer> indexes, List<StockWrite> writes, StockWriteResult[] results) {
        JsonArray update = new JsonArray();
        for (int index : indexes) {
            StockWrite w = writes.get(index);
            String id = w.item().variantId() != null ? w.item().variantId() : w.item().productId();
            update.add(new JsonObject().put("id", Long.parseLong(id)).put("manage_stock", true).put("stock_quantity", w.newQuantity()));
        }
        String body = new JsonObject().put("update", update).encode();
        return call("batch of " + indexes.size(), HttpMethod.POST, endpoint, body)
                .map(response -> {
                    JsonArray updated = response.jsonObject().getJsonArray("update", new JsonArray());
                    Map<Long, JsonObject> byId = new HashMap<>();
                    for (int i = 0; i < updated.size(); i++) {
                        JsonObject o = updated.getJsonObject(i);
                        byId.put(o.getLong("id"), o);
                    }
                    for (int index : indexes) {
                        StockWrite w = writes.get(index);
                        long id = Long.parseLong(w.item().variantId() != null ? w.item().variantId() : w.item().productId());
                        JsonObject answer = byId.get(id);
                        results[index] = batchResult(w, answer);
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

    private static StockWriteResult batchResult(StockWrite w, JsonObject answer) {
        if (answer == null) {
            return StockWriteResult.failure(w, StorefrontException.rejected(200, "missing_in_batch",
                    "WooCommerce's batch answer did not mention " + w.item().sku()));
        }
        JsonObject error = answer.getJsonObject("error");
        if (error != null) {
            JsonObject data = error.getJsonObject("data", new JsonObject());
            int status = data.getInteger("status", 400);
            String code = UpstreamText.sanitize(error.getString("code", "batch_error"));
            String message = "WooCommerce refused the stock of " + w.item().sku() + ": "
                    + UpstreamText.sanitize(error.getString("message"));
            return StockWriteResult.failure(w, status == 404
                    ? new StorefrontException(StorefrontException.Kind.NOT_FOUND, status, code, message)
                    : StorefrontException.rejected(status, code, message));
        }
        Integer written = stockOf(answer);
        return StockWriteResult.success(w, written == null ? w.newQuantity() : written);
    }

    @Override
    public Multi<StorefrontItem> catalogue() {
        // Ordered by id, not WooCommerce's default newest-first, so products added during the walk do not shift the pages.
        return pages("catalogue", "/products?orderby=id&order=asc")
                .onItem().transformToMultiAndConcatenate(product -> {
                    if ("variable".equals(product.getString("type"))) {
                        // The variable parent is not a sellable unit; its variations are.
                        return pages("variations of " + product.getLong("id"),
                                "/products/" + product.getLong("id") + "/variations?orderby=id&order=asc")
                                .map(v -> variationItem(product, v));
                    }
                    return Multi.createFrom().item(productItem(product));
                })
                // Nothing can map an item without SKU to Contifico.
                .filter(item -> item.sku() != null && !item.sku().isBlank());
    }

    @Override
    public Multi<StorefrontOrder> ordersChangedSince(Instant since) {
        // dates_are_gmt: without it modified_after is read in the site's time zone. Ordered by id, not by modification:
        // an order edited during the walk would move to the end and shift an unread one onto a page already read.
        String after = GMT_TIME.format(since.atOffset(ZoneOffset.UTC));
        return pages("orders", "/orders?modified_after=" + encode(after) + "&dates_are_gmt=true&orderby=id&order=asc")
                .map(order -> new StorefrontOrder(String.valueOf(order.getValue("id")),
                        gmtInstant(order.getString("date_modified_gmt")), tree(order)));
    }

    private static JsonNode tree(JsonObject order) {
        try {
            return StorefrontHttp.JSON.readTree(order.encode());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a decoded JSON object did not re-encode", e);
        }
    }

    private static Instant gmtInstant(String time) {
        if (time == null || time.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(time).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Every object of a listing, following X-WP-TotalPages; each page is fetched only when the previous one is consumed. */
    private Multi<JsonObject> pages(String what, String pathWithQuery) {
        int perPage = Math.max(1, Math.min(100, http.config().woocommerce().pageSize()));
        String separator = pathWithQuery.contains("?") ? "&" : "?";
        return Multi.createBy().repeating()
                .uni(AtomicInteger::new, page -> {
                    int n = page.incrementAndGet();
                    return call(what + " page " + n, HttpMethod.GET,
                            pathWithQuery + separator + "per_page=" + perPage + "&page=" + n, null)
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

    private Uni<StorefrontHttp.Response> call(String what, HttpMethod method, String path, String body) {
        return http.withRetries(Platform.WOOCOMMERCE, "WooCommerce " + what, () -> http.send(method, api + path, headers, body)
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
                    throw StorefrontHttp.statusFailure(response, code, message);
                }));
    }

    private static String itemPath(StorefrontItem item) {
        return item.variantId() != null
                ? "/products/" + item.productId() + "/variations/" + item.variantId()
                : "/products/" + item.productId();
    }

    private static StorefrontItem productItem(JsonObject product) {
        return new StorefrontItem(product.getString("sku"), product.getString("name"), String.valueOf(product.getLong("id")),
                null, null, stockOf(product), managed(product));
    }

    private static StorefrontItem variationItem(JsonObject parent, JsonObject variation) {
        String name = variation.getString("name");
        if (name == null || name.isBlank()) {
            StringBuilder b = new StringBuilder(String.valueOf(parent.getString("name")));
            JsonArray attributes = variation.getJsonArray("attributes", new JsonArray());
            for (int i = 0; i < attributes.size(); i++) {
                b.append(i == 0 ? " - " : ", ").append(attributes.getJsonObject(i).getString("option"));
            }
            name = b.toString();
        }
        return new StorefrontItem(variation.getString("sku"), name, String.valueOf(parent.getLong("id")),
                String.valueOf(variation.getLong("id")), null, stockOf(variation), managed(variation));
    }

    /** stock_quantity is null when not managed and may come as a decimal from some plugins. */
    private static Integer stockOf(JsonObject json) {
        Object value = json.getValue("stock_quantity");
        if (value instanceof Number n) {
            return n.intValue();
        }
        if (value instanceof String s && !s.isBlank()) {
            try {
                return (int) Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A variation's manage_stock may be "parent": the parent tracks the stock, so it is still managed. */
    private static boolean managed(JsonObject json) {
        Object value = json.getValue("manage_stock");
        return Boolean.TRUE.equals(value) || "parent".equals(value);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
