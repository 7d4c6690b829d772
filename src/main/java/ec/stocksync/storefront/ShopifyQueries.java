package ec.stocksync.storefront;

/** The GraphQL documents we send to Shopify's Admin API, in one place so a version bump reviews them together. */
final class ShopifyQueries {

    private ShopifyQueries() {
    }

    private static final String LEVEL = "inventoryLevel(locationId: $location) { quantities(names: [\"available\"]) { name quantity } }";
    private static final String VARIANT_FIELDS = "id sku title displayName product { id title } inventoryItem { id tracked " + LEVEL + " }";

    // Shopify's sku: search is tokenised, not exact, so a few candidates are fetched and the exact SKU picked locally.
    static final String FIND = "query FindVariantBySku($query: String!, $location: ID!) { "
            + "productVariants(first: 5, query: $query) { nodes { " + VARIANT_FIELDS + " } } }";
    static final String PAGE = "query CataloguePage($first: Int!, $after: String, $location: ID!) { "
            + "productVariants(first: $first, after: $after) { nodes { " + VARIANT_FIELDS + " } pageInfo { hasNextPage endCursor } } }";
    static final String READ = "query ReadStock($id: ID!, $location: ID!) { inventoryItem(id: $id) { id tracked " + LEVEL + " } }";
    static final String SET_QUANTITIES = "mutation SetStock($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) { "
            + "inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) { "
            + "inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange } } userErrors { field message code } } }";

    static final String LOCATIONS = "query Locations($first: Int!, $after: String) { locations(first: $first, after: $after) { "
            + "nodes { id name isActive } pageInfo { hasNextPage endCursor } } }";

    static final String WEBHOOKS = "query Webhooks($first: Int!) { webhookSubscriptions(first: $first) { nodes { id topic uri } } }";
    static final String WEBHOOK_CREATE = "mutation WebhookCreate($topic: WebhookSubscriptionTopic!, $subscription: WebhookSubscriptionInput!) { "
            + "webhookSubscriptionCreate(topic: $topic, webhookSubscription: $subscription) { webhookSubscription { id topic uri } "
            + "userErrors { field message } } }";
    static final String WEBHOOK_DELETE = "mutation WebhookDelete($id: ID!) { webhookSubscriptionDelete(id: $id) { "
            + "deletedWebhookSubscriptionId userErrors { field message } } }";
}
