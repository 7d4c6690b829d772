package ec.stocksync.storefront;

/**
 * A place the storefront keeps stock: a Shopify location ({@code id} is its numeric id, as orders name it in
 * {@code location_id}), or {@link #WOOCOMMERCE_ID} for the one stock of a WooCommerce site.
 */
public record StorefrontLocation(String id, String name) {

    /** WooCommerce keeps one stock per product: its one location has this id. */
    public static final String WOOCOMMERCE_ID = ec.stocksync.store.StoreLocations.WOOCOMMERCE_LOCATION;

    /** The most active Shopify locations read (pages of 250, 20 pages): a shop with more is refused, not cut short. */
    public static final int MAX_SHOPIFY_LOCATIONS = 5000;

    private static final String GID = "gid://shopify/Location/";

    /**
     * A Shopify location id as orders name it (the number), from the number or the GraphQL gid; other text as given,
     * trimmed; null for blank.
     */
    public static String number(String locationId) {
        if (locationId == null || locationId.isBlank()) {
            return null;
        }
        String id = locationId.trim();
        return id.startsWith(GID) ? id.substring(GID.length()) : id;
    }
}
