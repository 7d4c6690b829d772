package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.StockSyncConfig;
import ec.stocksync.store.Platform;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The storefronts' front door. Only verification, parsing and one insert transaction happen here (Shopify gives up
 * after 5 s); pushing to Contifico is the worker's job. A 200 means the delivery's movements are committed.
 */
@Path("/webhooks")
@Produces(MediaType.APPLICATION_JSON)
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);
    private static final Pattern WOO_PING = Pattern.compile("^webhook_id=\\d+$");

    @Inject
    WebhookIngestService ingest;

    @Inject
    ObjectMapper mapper;

    @Inject
    StockSyncConfig config;

    @POST
    @Path("/shopify/{storeId}")
    public Uni<WebhookIngestService.Result> shopify(@RestPath long storeId,
                                                    @RestHeader("X-Shopify-Topic") String topic,
                                                    @RestHeader("X-Shopify-Hmac-Sha256") String signature,
                                                    @RestHeader("X-Shopify-Webhook-Id") String webhookId,
                                                    byte[] body) {
        return ingest.findStore(storeId, Platform.SHOPIFY).chain(store -> {
            checkSize(body);
            checkSignature(body, signature, store);
            if (topic == null || topic.isBlank()) {
                throw ApiException.badRequest("missing_header", "X-Shopify-Topic is required.");
            }
            if (webhookId == null || webhookId.isBlank()) {
                throw ApiException.badRequest("missing_header", "X-Shopify-Webhook-Id is required.");
            }
            JsonNode payload = parseObject(body);
            ParsedDelivery parsed = ShopifyPayloads.parse(topic.trim(), payload, store.processTestOrders());
            String dedupeKey = "shopify:" + webhookId.trim();
            if (ShopifyPayloads.REFUNDS_CREATE.equals(topic.trim()) && !store.processTestOrders()
                    && parsed.outcome() == WebhookOutcome.BOOKED) {
                // A refund carries no test flag: its order's does. Restocking units of an ignored test order would add
                // stock that no sale ever took out.
                return ingest.wasIgnoredTestOrder(store.id(), parsed.resourceId()).chain(test -> ingest.ingestParsed(
                        store, topic.trim(), dedupeKey, json(body), test ? ParsedDelivery.ignored(parsed.resourceId(),
                                WebhookOutcome.IGNORED_TEST_ORDER, "refund of test order " + parsed.resourceId()
                                        + ": recorded, not booked") : parsed));
            }
            return ingest.ingestParsed(store, topic.trim(), dedupeKey, json(body), parsed);
        }).invoke(r -> log(storeId, "shopify", topic, r));
    }

    @POST
    @Path("/woocommerce/{storeId}")
    public Uni<Object> wooCommerce(@RestPath long storeId,
                                   @RestHeader("X-WC-Webhook-Topic") String topic,
                                   @RestHeader("X-WC-Webhook-Signature") String signature,
                                   byte[] body) {
        return ingest.findStore(storeId, Platform.WOOCOMMERCE).chain(store -> {
            checkSize(body);
            // WooCommerce pings a new webhook unsigned; anything but a plain 200 makes it ping again on every save.
            if (signature == null && WOO_PING.matcher(new String(body, StandardCharsets.UTF_8).trim()).matches()) {
                return Uni.createFrom().item((Object) Map.of("status", "ping"));
            }
            checkSignature(body, signature, store);
            if (topic == null || topic.isBlank()) {
                throw ApiException.badRequest("missing_header", "X-WC-Webhook-Topic is required.");
            }
            JsonNode payload = parseObject(body);
            String t = topic.trim();
            if (!t.equals("order.created") && !t.equals("order.updated")) {
                ParsedDelivery ignored = ParsedDelivery.ignored(payload.path("id").asText(null),
                        WebhookOutcome.IGNORED_TOPIC, "topic " + t + " does not move stock");
                return ingest.ingestParsed(store, t, wooDedupeKey(body), json(body), ignored).map(r -> (Object) r);
            }
            // X-WC-Webhook-Delivery-ID is not unique (webhook id + current second): the body itself is the identity.
            return ingest.ingestWooCommerce(store, t, wooDedupeKey(body), json(body), payload).map(r -> (Object) r);
        }).invoke(r -> {
            if (r instanceof WebhookIngestService.Result result) {
                log(storeId, "woocommerce", topic, result);
            }
        });
    }

    private void checkSize(byte[] body) {
        if (body != null && body.length > config.webhook().maxBodyBytes()) {
            throw new ApiException(413, "payload_too_large",
                    "The body is " + body.length + " bytes; the limit is " + config.webhook().maxBodyBytes() + ".");
        }
    }

    private static void checkSignature(byte[] body, String signature, WebhookIngestService.WebhookStore store) {
        if (signature == null || signature.isBlank()) {
            throw new ApiException(401, "missing_signature", "The delivery carries no HMAC signature header.");
        }
        if (!WebhookSignature.verify(body == null ? new byte[0] : body, signature, store.webhookSecret(),
                store.previousWebhookSecret())) {
            throw new ApiException(401, "invalid_signature",
                    "The HMAC signature does not match the body under this store's webhook secret.");
        }
    }

    private JsonNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = body == null || body.length == 0 ? null : mapper.readTree(body);
        } catch (IOException e) {
            throw ApiException.badRequest("malformed_json", "The body is not valid JSON.");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("malformed_json", "The body must be a JSON object.");
        }
        return node;
    }

    /** The raw text is kept (as JSONB) for audit; it is already known to be valid JSON. */
    private static String json(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    private static String wooDedupeKey(byte[] body) {
        try {
            return "woocommerce:sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void log(long storeId, String platform, String topic, WebhookIngestService.Result r) {
        LOG.infof("webhook %s store=%d topic=%s status=%s outcome=%s movements=%d skipped=%d", platform, storeId, topic,
                r.status(), r.outcome(), r.movementsCreated(), r.skippedLines().size());
    }
}
