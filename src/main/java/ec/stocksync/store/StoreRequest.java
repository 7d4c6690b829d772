package ec.stocksync.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import ec.stocksync.common.Requests;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.io.IOException;

/**
 * A store as a client writes it ({@code POST}, {@code PUT}, {@code PATCH /api/stores}). Texts are trimmed and a blank
 * one counts as absent. The rules that depend on the platform or on the stored state (a Shopify store needs a shop
 * domain and a token, the platform never changes, a moved API needs its credential again) are the service's.
 * Secrets are write-only: {@link StoreView} never carries them.
 */
@RegisterForReflection
@Schema(name = "StoreRequest", requiredProperties = {"name", "platform", "webhookSecret"},
        description = "A Shopify or WooCommerce store: the required fields are those of a creation; a PATCH names any of"
                + " them. Secrets are write-only; on PUT and PATCH an absent secret keeps the stored one.")
public record StoreRequest(
        @Schema(examples = "Perfumería Quito", maxLength = NAME_MAX)
        @NotNull(groups = Requests.Whole.class, message = "is required")
        @Size(max = NAME_MAX, message = "must be at most " + NAME_MAX + " characters")
        String name,
        @Schema(enumeration = {"shopify", "woocommerce"}, description = "Required on creation; never changes.")
        @Pattern(regexp = "shopify|woocommerce", message = "must be \"shopify\" or \"woocommerce\"")
        String platform,
        @Schema(description = "Shopify: the shop's host name.", examples = "perfumeria-quito.myshopify.com")
        @Size(max = HOST_MAX, message = "must be at most " + HOST_MAX + " characters")
        String shopDomain,
        @Schema(description = "WooCommerce: the site's address.", examples = "https://tienda.example.com")
        @Size(max = URL_MAX, message = "must be at most " + URL_MAX + " characters")
        @Pattern(regexp = URL, message = URL_RULE)
        String siteUrl,
        @Schema(description = "Where the storefront's admin API lives, when not at the shop domain or site URL.")
        @Size(max = URL_MAX, message = "must be at most " + URL_MAX + " characters")
        @Pattern(regexp = URL, message = URL_RULE)
        String apiBaseUrl,
        @Schema(description = "Shopify Admin API access token (write-only).")
        @Size(max = SECRET_MAX, message = "must be at most " + SECRET_MAX + " characters")
        String accessToken,
        @Schema(description = "WooCommerce REST consumer key (write-only).")
        @Size(max = SECRET_MAX, message = "must be at most " + SECRET_MAX + " characters")
        String consumerKey,
        @Schema(description = "WooCommerce REST consumer secret (write-only).")
        @Size(max = SECRET_MAX, message = "must be at most " + SECRET_MAX + " characters")
        String consumerSecret,
        @Schema(description = "The key webhooks are signed with (write-only); required.")
        @Size(max = SECRET_MAX, message = "must be at most " + SECRET_MAX + " characters")
        String webhookSecret,
        @Schema(description = "The key before a rotation, still accepted (write-only).")
        @Size(max = SECRET_MAX, message = "must be at most " + SECRET_MAX + " characters")
        String previousWebhookSecret,
        @Schema(description = "Shopify location whose stock is synced; a number or a string.", examples = "61218455741")
        @JsonDeserialize(using = IdText.class)
        @Size(max = ID_MAX, message = "must be at most " + ID_MAX + " characters")
        String locationId,
        @Schema(defaultValue = "false") Boolean processTestOrders,
        @Schema(defaultValue = "false") Boolean refundsRestock,
        @Schema(defaultValue = "true") Boolean scheduledPullEnabled,
        @Schema(defaultValue = "false") Boolean syncUnmanagedStock,
        @Schema(defaultValue = "false") Boolean keepRawPayloads) {

    static final String EXAMPLE = """
            {"name": "Perfumería Quito", "platform": "shopify", "shopDomain": "perfumeria-quito.myshopify.com",
             "accessToken": "shpat_…", "webhookSecret": "…", "locationId": 61218455741}""";
    static final String EXAMPLE_PATCH = """
            {"name": "Perfumería Quito Norte", "scheduledPullEnabled": false}""";

    static final int NAME_MAX = 200;
    static final int HOST_MAX = 255;
    public static final int URL_MAX = 2048;
    public static final int SECRET_MAX = 1000;
    static final int ID_MAX = 100;
    /**
     * Absolute http(s) with a host: credentials are only ever sent to such an address. Case by character classes, not
     * {@code (?i)}: the pattern is published in the OpenAPI document, where regexes follow ECMA-262.
     */
    public static final String URL = "[hH][tT][tT][pP][sS]?://[^\\s/?#@]+(?:[/?#]\\S*)?";
    public static final String URL_RULE = "must be an absolute http(s) URL";

    public StoreRequest {
        name = text(name);
        platform = text(platform);
        shopDomain = text(shopDomain);
        siteUrl = url(siteUrl);
        apiBaseUrl = url(apiBaseUrl);
        accessToken = text(accessToken);
        consumerKey = text(consumerKey);
        consumerSecret = text(consumerSecret);
        webhookSecret = text(webhookSecret);
        previousWebhookSecret = text(previousWebhookSecret);
        locationId = text(locationId);
    }

    public static String text(String v) {
        if (v == null) {
            return null;
        }
        String t = v.trim();
        return t.isEmpty() ? null : t;
    }

    /** Stored without the trailing slash, so paths are appended one way. */
    public static String url(String v) {
        String t = text(v);
        return t != null && t.endsWith("/") ? t.substring(0, t.length() - 1) : t;
    }

    /** A Shopify location id may come as a number or a string: kept as text, exactly. */
    @RegisterForReflection
    public static final class IdText extends StdDeserializer<String> {

        public IdText() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT || p.currentToken() == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            return (String) ctxt.handleUnexpectedToken(String.class, p);
        }
    }
}
