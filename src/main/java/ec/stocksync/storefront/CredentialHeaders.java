package ec.stocksync.storefront;

import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The store's credential on every request of its client, and nowhere else (never in a URL, so never in a log line). */
final class CredentialHeaders implements ClientHeadersFactory {

    private final Map<String, String> headers;

    private CredentialHeaders(Map<String, String> headers) {
        this.headers = headers;
    }

    static CredentialHeaders shopify(String accessToken) {
        return new CredentialHeaders(Map.of("X-Shopify-Access-Token", accessToken == null ? "" : accessToken));
    }

    /** WooCommerce over HTTPS takes the consumer key and secret as HTTP Basic. */
    static CredentialHeaders wooCommerce(String consumerKey, String consumerSecret) {
        String credentials = (consumerKey == null ? "" : consumerKey) + ":" + (consumerSecret == null ? "" : consumerSecret);
        return new CredentialHeaders(Map.of("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8))));
    }

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming,
                                                 MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> result = new MultivaluedHashMap<>();
        headers.forEach(result::putSingle);
        return result;
    }
}
