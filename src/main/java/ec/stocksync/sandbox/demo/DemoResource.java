package ec.stocksync.sandbox.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.StrictJson;
import ec.stocksync.common.UpstreamText;
import ec.stocksync.sandbox.SandboxOnly;
import ec.stocksync.sandbox.storefront.ShopifySimulator;
import ec.stocksync.store.StoreContexts;
import ec.stocksync.webhook.WebhookSignature;
import io.quarkus.resteasy.reactive.jackson.CustomDeserialization;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A sample sale for demos, sent the way Shopify sends one: an {@code orders/create} body signed with the store's
 * webhook secret, POSTed over HTTP to this service's own webhook endpoint, so ingest, queue, worker, push, post-push pull
 * and the status table are all exercised. A prod build has no such endpoint ({@link SandboxOnly}): there
 * {@code /api/demo} answers 404 like any unknown path, and the dashboard hides its demo bar.
 */
@SandboxOnly
@Path("/api/demo")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@CustomDeserialization(StrictJson.class)
public class DemoResource {

    private static final AtomicLong ORDER_IDS = new AtomicLong(System.currentTimeMillis() * 1000);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    StoreContexts stores;
    @Inject
    DemoSetup demo;
    @Inject
    Vertx vertx;
    @Inject
    ObjectMapper mapper;
    @Inject
    ShopifySimulator shopify;

    private volatile HttpClient client;

    /** Lets the dashboard show its demo panel only where the demo exists. */
    @GET
    @Operation(summary = "Whether the demo exists here, and its store and SKUs (dev and test builds only)")
    public Uni<Map<String, Object>> info() {
        return demo.demoStoreId().map(id -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("enabled", true);
            out.put("demoStoreId", id);
            out.put("skus", DemoSetup.DEMO_SKUS);
            return out;
        });
    }

    /** Starts the demo over: simulators re-seeded and the demo store pulled; answers what the pull did per SKU. */
    @POST
    @Path("/reset")
    @Operation(summary = "Start the demo over: re-seed the simulators and pull the demo store")
    public Uni<Map<String, Object>> reset() {
        return demo.reset().chain(results -> demo.demoStoreId().map(id -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("demoStoreId", id);
            out.put("results", results);
            return out;
        }));
    }

    @POST
    @Path("/sale")
    @Operation(summary = "Simulate a Shopify sale of a demo SKU, delivered as a signed webhook")
    public Uni<Map<String, Object>> sale(@RequestBody(required = true, content = @Content(
                    mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DemoSaleRequest.class),
                    examples = @ExampleObject(name = "example", value = DemoSaleRequest.EXAMPLE)))
                    @NotNull @Valid DemoSaleRequest body, @Context HttpServerRequest request) {
        String sku = body.sku();
        int quantity = body.quantity() == null ? 1 : body.quantity();
        Long requested = body.storeId();
        int qty = quantity;
        int port = request.localAddress().port();
        Uni<Long> storeId = requested != null ? Uni.createFrom().item(requested) : demo.demoStoreId().map(id -> {
            if (id == null) {
                throw ApiException.invalidField("storeId", "is required (the demo store exists in dev mode only)");
            }
            return id;
        });
        return storeId.chain(id -> secret(id).chain(store -> {
            takeFromSimulatedShop(store.apiBaseUrl(), sku, qty);
            return post(port, id, store.webhookSecret(), store.shopDomain(), sku, qty);
        }));
    }

    record SaleStore(String webhookSecret, String apiBaseUrl, String shopDomain) {
    }

    /**
     * A real Shopify takes the units off its own stock when it creates the order, before any webhook: the simulator
     * behind the store does the same, so "Stock Tienda" moves as it would in production.
     */
    private void takeFromSimulatedShop(String apiBaseUrl, String sku, int quantity) {
        if (!shopify.running() || apiBaseUrl == null || !apiBaseUrl.equals(shopify.baseUrl())) {
            return;
        }
        try {
            Integer available = shopify.available(sku);
            if (available != null) {
                shopify.setAvailable(sku, available - quantity);
            }
        } catch (IllegalArgumentException unknownSku) {
            // A sale of something the shop does not sell would only end as a DEAD movement: refuse it before sending.
            throw ApiException.invalidField("sku", "the demo shop does not sell " + UpstreamText.sanitize(sku)
                    + "; choose one of its SKUs (GET /api/demo lists them). No sale was sent.");
        }
    }

    private Uni<SaleStore> secret(long storeId) {
        // Two reads through the store package (a demo click, not a hot path): its settings carry the webhook secret,
        // the store itself the API address the sale is checked against.
        return stores.webhookSettings(storeId).chain(found -> {
            StoreContexts.WebhookSettings r = found.orElseThrow(() -> ApiException.storeNotFound(storeId));
            if (!"shopify".equals(r.platform())) {
                throw ApiException.conflict("not_shopify", "The sample sale is a Shopify webhook; store "
                        + storeId + " is " + r.platform() + ".");
            }
            if (!r.active()) {
                throw ApiException.conflict("store_inactive", "Store " + storeId + " is deactivated.");
            }
            return stores.storeWithIntegrationId(storeId).map(store -> new SaleStore(r.webhookSecret(),
                    store.map(s -> s.store().apiBaseUrl).orElse(null), r.shopDomain()));
        });
    }

    private Uni<Map<String, Object>> post(int port, long storeId, String secret, String shopDomain, String sku,
                                          int quantity) {
        long orderId = ORDER_IDS.incrementAndGet();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("id", orderId + 1);
        line.put("sku", sku);
        line.put("quantity", quantity);
        line.put("gift_card", false);
        line.put("variant_inventory_management", "shopify");
        Map<String, Object> order = new LinkedHashMap<>();
        order.put("id", orderId);
        order.put("name", "#D" + (orderId % 100000));
        order.put("test", false);
        order.put("line_items", java.util.List.of(line));
        byte[] bytes;
        try {
            bytes = mapper.writeValueAsBytes(order);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/webhooks/shopify/" + storeId).setTimeout(TIMEOUT.toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Shopify-Topic", "orders/create")
                // The webhook only accepts deliveries naming the store's own shop.
                .putHeader("X-Shopify-Shop-Domain", shopDomain)
                .putHeader("X-Shopify-Webhook-Id", UUID.randomUUID().toString())
                .putHeader("X-Shopify-Hmac-Sha256", WebhookSignature.sign(secret, bytes));
        return client().request(options)
                .chain(req -> req.send(Buffer.buffer(bytes)))
                .chain(resp -> resp.body().map(b -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("storeId", storeId);
                    out.put("orderId", orderId);
                    out.put("sku", sku);
                    out.put("quantity", quantity);
                    out.put("webhookStatus", resp.statusCode());
                    out.put("webhookResponse", parse(b.toString(StandardCharsets.UTF_8)));
                    return out;
                }));
    }

    private Object parse(String text) {
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            return text;
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.createHttpClient();
                }
                c = client;
            }
        }
        return c;
    }
}
