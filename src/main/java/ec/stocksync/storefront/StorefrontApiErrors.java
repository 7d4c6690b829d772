package ec.stocksync.storefront;

import ec.stocksync.common.ApiException;
import ec.stocksync.common.UpstreamText;

/** A storefront failure as the admin API answers it: what failed, in words that say what to fix, never a credential. */
public final class StorefrontApiErrors {

    private StorefrontApiErrors() {
    }

    public static ApiException explain(StorefrontException e) {
        String detail = UpstreamText.sanitize(e.getMessage());
        return switch (e.kind()) {
            case AUTH -> new ApiException(400, "storefront_auth", "The storefront refused the store's credentials (HTTP "
                    + e.httpStatus() + "): check the access token (Shopify) or the consumer key and secret (WooCommerce).");
            case NOT_FOUND, REJECTED -> new ApiException(400, "storefront_rejected", "The storefront refused the request ("
                    + detail + "): check the shop address, the location id and the app's permissions.");
            case UNAVAILABLE, RATE_LIMITED, TIMEOUT, CONFLICT -> new ApiException(502, "storefront_unreachable",
                    "The storefront did not answer (" + detail + "): check the shop address, or try again in a moment.");
        };
    }
}
