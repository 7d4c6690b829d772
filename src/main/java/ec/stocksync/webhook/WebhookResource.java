package ec.stocksync.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import ec.stocksync.common.StockSyncConfig;
import ec.stocksync.store.Platform;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestHeader;
import org.jboss.resteasy.reactive.RestPath;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
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

    @Inject
    ShopifyOrderEdits orderEdits;

    @POST
    @Path("/shopify/{storeId}")
    public Uni<WebhookIngestService.Result> shopify(@RestPath long storeId,
                                                    @RestHeader("X-Shopify-Topic") String topic,
                                                    @RestHeader("X-Shopify-Hmac-Sha256") String signature,
                                                    @RestHeader("X-Shopify-Webhook-Id") String webhookId,
                                                    @RestHeader("X-Shopify-Shop-Domain") String shopDomain,
                                                    RoutingContext rc, byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        checkSize(raw);
        return ingest.findStore(storeId, Platform.SHOPIFY).chain(found -> {
            WebhookIngestService.WebhookStore store = authenticate(found, raw, signature);
            // The app's client secret signs every shop that installed the app: the signature alone does not say
            // which shop sent the delivery, the (signed-for) domain header does.
            if (!sameShop(shopDomain, found.get().shopDomain())) {
                throw unauthenticated();
            }
            if (topic == null || topic.isBlank()) {
                throw ApiException.badRequest("missing_header", "X-Shopify-Topic is required.");
            }
            if (webhookId == null || webhookId.isBlank()) {
                throw ApiException.badRequest("missing_header", "X-Shopify-Webhook-Id is required.");
            }
            JsonNode payload = parseObject(raw);
            String t = topic.trim();
            String dedupeKey = "shopify:" + webhookId.trim();
            String bodyHash = bodyHash(t, raw);
            if (ShopifyPayloads.ORDERS_EDITED.equals(t)) {
                // Recorded now, booked once the added lines are read from Shopify (not within the 5 s of a webhook).
                return ingest.ingestShopifyEdit(store, t, dedupeKey, bodyHash, json(raw), payload,
                                ShopifyPayloads.orderEdit(payload))
                        .invoke(r -> {
                            if (r.outcome() == WebhookOutcome.DEFERRED) {
                                orderEdits.kick();
                            }
                        });
            }
            ParsedDelivery parsed = ShopifyPayloads.parse(t, payload, store.processTestOrders());
            if (ShopifyPayloads.REFUNDS_CREATE.equals(t) && !store.processTestOrders()
                    && parsed.outcome() == WebhookOutcome.BOOKED) {
                // A refund carries no test flag: its order's does. Restocking units of an ignored test order would add
                // stock that no sale ever took out.
                return ingest.wasIgnoredTestOrder(store.id(), parsed.resourceId()).chain(test -> ingest.ingestParsed(
                        store, t, dedupeKey, bodyHash, json(raw), payload, test ? ParsedDelivery.ignored(parsed.resourceId(),
                                WebhookOutcome.IGNORED_TEST_ORDER, "refund of test order " + parsed.resourceId()
                                        + ": recorded, not booked") : parsed));
            }
            return ingest.ingestParsed(store, t, dedupeKey, bodyHash, json(raw), payload, parsed);
        }).invoke(r -> {
            rc.put(WebhookMetrics.OUTCOME, r.status());
            log(storeId, "shopify", topic, r);
        });
    }

    @POST
    @Path("/woocommerce/{storeId}")
    public Uni<Object> wooCommerce(@RestPath long storeId,
                                   @RestHeader("X-WC-Webhook-Topic") String topic,
                                   @RestHeader("X-WC-Webhook-Signature") String signature,
                                   @RestHeader("X-WC-Webhook-Source") String source,
                                   RoutingContext rc, byte[] body) {
        byte[] raw = body == null ? new byte[0] : body;
        checkSize(raw);
        // WooCommerce pings a new webhook unsigned; anything but a plain 200 makes it ping again on every save. The
        // ping is answered before any lookup: it writes nothing, and the same answer for every id reveals none.
        if (signature == null && WOO_PING.matcher(new String(raw, StandardCharsets.UTF_8).trim()).matches()) {
            rc.put(WebhookMetrics.OUTCOME, "ping");
            return Uni.createFrom().item((Object) Map.of("status", "ping"));
        }
        return ingest.findStore(storeId, Platform.WOOCOMMERCE).chain(found -> {
            WebhookIngestService.WebhookStore store = authenticate(found, raw, signature);
            if (!sameSite(source, found.get().siteUrl())) {
                throw unauthenticated();
            }
            if (topic == null || topic.isBlank()) {
                throw ApiException.badRequest("missing_header", "X-WC-Webhook-Topic is required.");
            }
            JsonNode payload = parseObject(raw);
            String t = topic.trim();
            String bodyHash = bodyHash(t, raw);
            if (!t.equals("order.created") && !t.equals("order.updated")) {
                ParsedDelivery ignored = ParsedDelivery.ignored(payload.path("id").asText(null),
                        WebhookOutcome.IGNORED_TOPIC, "topic " + t + " does not move stock");
                return ingest.ingestParsed(store, t, wooDedupeKey(raw), bodyHash, json(raw), payload, ignored)
                        .map(r -> (Object) r);
            }
            // X-WC-Webhook-Delivery-ID is not unique (webhook id + current second): the body itself is the identity.
            return ingest.ingestWooCommerce(store, t, wooDedupeKey(raw), bodyHash, json(raw), payload)
                    .map(r -> (Object) r);
        }).invoke(r -> {
            if (r instanceof WebhookIngestService.Result result) {
                rc.put(WebhookMetrics.OUTCOME, result.status());
                log(storeId, "woocommerce", topic, result);
            }
        });
    }

    /** Backstop only: {@link WebhookBodyLimit} refuses a larger body while it is being read. */
    private void checkSize(byte[] body) {
        if (body.length > config.webhook().maxBodyBytes()) {
            throw WebhookBodyLimit.tooLarge(config.webhook().maxBodyBytes());
        }
    }

    /**
     * The one refusal for every delivery that cannot be authenticated: unknown id, inactive store, store of the other
     * platform, missing or wrong signature, another shop or site. Telling them apart would let anyone list store ids.
     */
    static ApiException unauthenticated() {
        return new ApiException(401, "unauthenticated",
                "The delivery could not be authenticated for this webhook URL (signature, shop or store).");
    }

    /**
     * The signature is checked before anything else about the store is used, and it is computed (against a stand-in
     * secret) even when there is no store, so that the answer and the work done are the same in every case.
     */
    private static WebhookIngestService.WebhookStore authenticate(
            Optional<WebhookIngestService.DeliveryTarget> found, byte[] body, String signature) {
        WebhookIngestService.WebhookStore store = found.map(WebhookIngestService.DeliveryTarget::store).orElse(null);
        boolean signed = WebhookSignature.verify(body, signature, store == null ? null : store.webhookSecret(),
                store == null ? null : store.previousWebhookSecret());
        if (!signed || store == null || !found.get().accepts()) {
            throw unauthenticated();
        }
        return store;
    }

    /** Shopify's shop domain, compared as DNS names are: trimmed and case-insensitive. */
    static boolean sameShop(String header, String storeDomain) {
        return header != null && storeDomain != null && !header.isBlank()
                && header.trim().equalsIgnoreCase(storeDomain.trim());
    }

    /**
     * WooCommerce's source header is checked when both sides are known: a store without a site URL, or a delivery
     * without the header (older WooCommerce, proxies that drop it), rests on the signature alone. A header that is
     * present but names another host, or no host at all, is refused.
     */
    static boolean sameSite(String sourceHeader, String siteUrl) {
        if (sourceHeader == null || sourceHeader.isBlank() || siteUrl == null || siteUrl.isBlank()) {
            return true;
        }
        String given = host(sourceHeader);
        String expected = host(siteUrl);
        return given != null && expected != null && given.equalsIgnoreCase(expected);
    }

    private static String host(String url) {
        try {
            String h = URI.create(url.trim()).getHost();
            return h == null || h.isBlank() ? null : h;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The replay key: the topic is part of it because one body legitimately arrives under several topics. */
    static String bodyHash(String topic, byte[] body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(topic.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            return "sha256:" + HexFormat.of().formatHex(sha.digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
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
