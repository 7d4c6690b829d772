package ec.stocksync.sync;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 14 D: a store maps its storefront locations to Contifico warehouses; the map is checked on both sides. */
@QuarkusTest
class LocationMapTest {

    @Inject
    Sandbox sandbox;
    @Inject
    Db db;
    @Inject
    LocationMapService service;

    Sandbox.Wired store;
    String base;
    String mainLocation;
    String quito;
    String w2;
    String w3;

    @BeforeEach
    void setUp() {
        sandbox.reset();
        store = sandbox.shopifyStore();
        base = "/api/stores/" + store.storeId() + "/locations";
        mainLocation = sandbox.shopify().locationId();
        quito = sandbox.shopify().addLocation("Tienda Quito");
        w2 = sandbox.contifico().addWarehouse("BQ2", "Bodega Quito").id();
        w3 = sandbox.contifico().addWarehouse("BQ3", "Bodega Quito Norte").id();
    }

    private static Map<String, Object> entry(Object locationId, List<String> warehouses, String push) {
        Map<String, Object> e = new java.util.LinkedHashMap<>();
        if (locationId != null) {
            e.put("locationId", locationId);
        }
        e.put("warehouseIds", warehouses);
        if (push != null) {
            e.put("pushWarehouseId", push);
        }
        return e;
    }

    private Map<String, Object> validMap() {
        return Map.of("locations", List.of(entry(Long.parseLong(mainLocation), List.of(store.warehouseId()), null),
                entry("gid://shopify/Location/" + quito, List.of(w2, w3), w2)));
    }

    @Test
    void aShopifyStoreMapsEachLocationToWarehousesContificoAndShopifyList() {
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(0));
        Api.admin().get(base + "/storefront").then().statusCode(200)
                .body("id", hasItems(mainLocation, quito))
                .body("find { it.id == '" + quito + "' }.name", equalTo("Tienda Quito"));

        Api.admin().body(validMap()).put(base).then().statusCode(200)
                .body("locationId", equalTo(List.of(mainLocation, quito)))
                .body("[0].pushWarehouseId", equalTo(store.warehouseId()))
                .body("[1].warehouseIds", equalTo(List.of(w2, w3)))
                .body("[1].pushWarehouseId", equalTo(w2))
                .body("[1].name", equalTo("Tienda Quito"));
        Api.admin().get(base).then().statusCode(200).body("locationId", equalTo(List.of(mainLocation, quito)));

        // Replaced as a whole, and [] removes it: back to the integration's one warehouse.
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w3), null)))).put(base).then().statusCode(200)
                .body("$", hasSize(1)).body("[0].pushWarehouseId", equalTo(w3));
        Api.admin().body(Map.of("locations", List.of())).put(base).then().statusCode(200).body("$", hasSize(0));
        assertEquals(0, db.count("SELECT count(*) FROM store_locations WHERE store_id = $1", store.storeId()));
    }

    @Test
    void aMapContificoOrTheStorefrontDoesNotKnowIsRefusedAndChangesNothing() {
        Api.admin().body(validMap()).put(base).then().statusCode(200);

        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w2, "noSuchBodega01"), w2)))).put(base)
                .then().statusCode(400).body("error", equalTo("unknown_warehouse"))
                .body("message", containsString("noSuchBodega01"));
        Api.admin().body(Map.of("locations", List.of(entry(999_999_999L, List.of(w2), null)))).put(base)
                .then().statusCode(400).body("error", equalTo("unknown_location"))
                .body("message", containsString("999999999"));
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w2, w3), store.warehouseId())))).put(base)
                .then().statusCode(400).body("error", equalTo("invalid_field"))
                .body("message", containsString("locations[0].pushWarehouseId"));
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w2, w3), null)))).put(base)
                .then().statusCode(400).body("message", containsString("pushWarehouseId: is required"));
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w2), null), entry("gid://shopify/Location/" + quito,
                List.of(w3), null)))).put(base).then().statusCode(400).body("error", equalTo("duplicate_location"));
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(), null)))).put(base)
                .then().statusCode(400).body("message", containsString("warehouseIds"));
        Api.admin().body(Map.of("locations", List.of(entry(null, List.of(w2), null)))).put(base)
                .then().statusCode(400).body("message", containsString("locationId: is required"));
        Api.admin().body(Map.of("locations", List.of(Map.of("locationId", quito, "warehouseIds", List.of(w2),
                "warehouse", w2)))).put(base).then().statusCode(400).body("error", equalTo("unknown_field"));
        Api.admin().body(Map.of()).put(base).then().statusCode(400);

        Api.admin().get(base).then().statusCode(200).body("locationId", equalTo(List.of(mainLocation, quito)))
                .body("[1].warehouseIds", equalTo(List.of(w2, w3)));
    }

    @Test
    void anotherStoresTokenCannotReadOrWriteTheMap() {
        Api.admin().body(validMap()).put(base).then().statusCode(200);
        long other = sandbox.shopifyStoreOnly();
        String token = Api.admin().body(Map.of("name", "otra tienda", "storeId", other, "access", "read-write"))
                .post("/api/tokens").then().statusCode(201).extract().jsonPath().getString("token");
        for (String path : List.of(base, base + "/storefront")) {
            given().header("Authorization", "Bearer " + token).get(path).then().statusCode(404)
                    .body("error", equalTo("store_not_found"));
        }
        given().header("Authorization", "Bearer " + token).contentType("application/json")
                .body(Map.of("locations", List.of())).put(base).then().statusCode(404)
                .body("error", equalTo("store_not_found"));
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(2));
    }

    @Test
    void aWooCommerceStoreHasOneLocationWhichCanSumSeveralWarehouses() {
        Sandbox.Wired woo = sandbox.wooStore();
        String wooBase = "/api/stores/" + woo.storeId() + "/locations";
        Api.admin().get(wooBase + "/storefront").then().statusCode(200).body("id", equalTo(List.of("default")));
        Api.admin().body(Map.of("locations", List.of(entry(null, List.of(woo.warehouseId()), null),
                entry(null, List.of(w2), null)))).put(wooBase).then().statusCode(400).body("error", equalTo("one_location"));
        Api.admin().body(Map.of("locations", List.of(entry("655441491", List.of(w2), null)))).put(wooBase)
                .then().statusCode(400).body("message", containsString("locations[0].locationId"));
        Api.admin().body(Map.of("locations", List.of(entry(null, List.of(woo.warehouseId(), w2), woo.warehouseId()))))
                .put(wooBase).then().statusCode(200)
                .body("[0].locationId", equalTo("default"))
                .body("[0].warehouseIds", equalTo(List.of(woo.warehouseId(), w2)));
    }

    @Test
    void anIntegrationThatMayBeAnotherCompanyDeletesTheMapButAnotherWarehouseKeepsIt() {
        Api.admin().body(validMap()).put(base).then().statusCode(200);
        String integration = "/api/stores/" + store.storeId() + "/integrations/" + store.integrationId();
        // Another warehouse of the same company: the map's warehouses still mean the same.
        Api.admin().body(Map.of("warehouseId", w2)).patch(integration).then().statusCode(200);
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(2));

        // A key sent again may be another company's: its warehouse ids would name other warehouses, or none.
        Api.admin().body(Map.of("apiKey", sandbox.contifico().apiKey())).patch(integration).then().statusCode(200);
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(0));
        assertEquals(0, db.count("SELECT count(*) FROM store_locations WHERE store_id = $1", store.storeId()));
    }

    /**
     * The map is checked against the integration's company, then written: an integration change committed in between
     * (a key sent again: maybe another company, so the map is deleted) must not leave behind a map checked against
     * the old one. The hook puts the change exactly there; without the version check in the map's transaction the map
     * was written (200) and survived the change.
     */
    @Test
    void anIntegrationChangeBetweenTheChecksAndTheSaveRefusesTheMap() {
        String integration = "/api/stores/" + store.storeId() + "/integrations/" + store.integrationId();
        service.afterChecks(() -> Uni.createFrom().item(() -> {
            Api.admin().body(Map.of("apiKey", sandbox.contifico().apiKey())).patch(integration).then().statusCode(200);
            return "changed";
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
        try {
            Api.admin().body(validMap()).put(base).then().statusCode(409).body("error", equalTo("integration_changed"));
        } finally {
            service.afterChecks(null);
        }
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(0));

        // Checked again against the integration as it is now, it is saved.
        Api.admin().body(validMap()).put(base).then().statusCode(200).body("$", hasSize(2));
    }

    /**
     * The same change arriving while the map's transaction is open (after its re-check): it waits for the map on the
     * store's row and then deletes it. Without that lock the change's DELETE waited on the old rows the map's
     * transaction had deleted, found them gone once it committed, and never saw the new rows (inserted after its
     * snapshot): the map checked against the old company survived.
     */
    @Test
    void anIntegrationChangeDuringTheSaveWaitsForTheMapAndDeletesIt() throws Exception {
        String integration = "/api/stores/" + store.storeId() + "/integrations/" + store.integrationId();
        Api.admin().body(validMap()).put(base).then().statusCode(200);
        java.util.concurrent.CompletableFuture<Integer> change = new java.util.concurrent.CompletableFuture<>();
        service.beforeCommit(() -> Uni.createFrom().item(() -> {
            java.util.concurrent.CompletableFuture.runAsync(() -> change.complete(Api.admin()
                    .body(Map.of("apiKey", sandbox.contifico().apiKey())).patch(integration).statusCode()));
            try {
                // Time for the change to reach its cleanup (or, locked out, to wait for this transaction).
                change.get(2, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException expected) {
                // Waiting on the store's row: what the fix does.
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return "held";
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
        try {
            Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w3), null)))).put(base)
                    .then().statusCode(200);
        } finally {
            service.beforeCommit(null);
        }
        assertEquals(200, change.get(20, java.util.concurrent.TimeUnit.SECONDS));
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(0));
    }

    private Map<String, Object> storeLocation(Object locationId) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("locationId", locationId);
        return m;
    }

    /**
     * The store's own location, while the map does not name it, follows the integration's warehouse: a store location
     * or an integration warehouse changed under a saved map must not make two locations publish one warehouse.
     * Without the check both changes were saved (200) and Main and Quito published the same warehouse.
     */
    @Test
    void aStoreLocationOrIntegrationWarehouseThatAMappedLocationAlreadySumsIsRefused() {
        String storePath = "/api/stores/" + store.storeId();
        String integration = storePath + "/integrations/" + store.integrationId();
        Api.admin().body(storeLocation(null)).patch(storePath).then().statusCode(200);
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(store.warehouseId()), null)))).put(base)
                .then().statusCode(200);
        Api.admin().body(storeLocation(Long.parseLong(mainLocation))).patch(storePath).then().statusCode(400)
                .body("error", equalTo("warehouse_shared")).body("message", containsString(store.warehouseId()));
        Api.admin().get(storePath).then().statusCode(200).body("locationId", org.hamcrest.Matchers.nullValue());

        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w2), null)))).put(base).then().statusCode(200);
        Api.admin().body(storeLocation(Long.parseLong(mainLocation))).patch(storePath).then().statusCode(200);
        Api.admin().body(Map.of("warehouseId", w2)).patch(integration).then().statusCode(400)
                .body("error", equalTo("warehouse_shared"));
        Api.admin().get(storePath + "/integrations").then().statusCode(200)
                .body("[0].warehouseId", equalTo(store.warehouseId()));
        // Named by the map, the own location no longer follows the integration's warehouse.
        Api.admin().body(Map.of("locations", List.of(entry(mainLocation, List.of(w3), null), entry(quito, List.of(w2), null))))
                .put(base).then().statusCode(200);
        Api.admin().body(Map.of("warehouseId", w2)).patch(integration).then().statusCode(200);
    }

    /**
     * A store change committed between the map's checks and its save (here the own location, which makes the map
     * share the integration's warehouse) refuses the map. Without the store's version in the map's transaction the
     * map was saved (200) over the change.
     */
    @Test
    void aStoreChangeBetweenTheChecksAndTheSaveRefusesTheMap() {
        String storePath = "/api/stores/" + store.storeId();
        Api.admin().body(storeLocation(null)).patch(storePath).then().statusCode(200);
        service.afterChecks(() -> Uni.createFrom().item(() -> {
            Api.admin().body(storeLocation(Long.parseLong(mainLocation))).patch(storePath).then().statusCode(200);
            return "changed";
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool()).replaceWithVoid());
        try {
            Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(store.warehouseId()), null)))).put(base)
                    .then().statusCode(409).body("error", equalTo("store_changed"));
        } finally {
            service.afterChecks(null);
        }
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(0));
    }

    /** Another shop: the map's location ids are the old shop's, so it is deleted, as for another company. */
    @Test
    void anotherShopDeletesTheMap() {
        Api.admin().body(validMap()).put(base).then().statusCode(200);
        Api.admin().body(Map.of("apiBaseUrl", sandbox.shopify().baseUrl() + "/otra-tienda", "accessToken", "shpat_otra"))
                .patch("/api/stores/" + store.storeId()).then().statusCode(200);
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(0));
    }

    @Test
    void aWarehouseSummedByTwoLocationsIsRefusedAndChangesNothing() {
        Api.admin().body(validMap()).put(base).then().statusCode(200);
        Api.admin().body(Map.of("locations", List.of(entry(mainLocation, List.of(store.warehouseId(), w2), store.warehouseId()),
                        entry(quito, List.of(w2, w3), w3))))
                .put(base).then().statusCode(400).body("error", equalTo("warehouse_shared"))
                .body("message", containsString(w2));
        // The store's own location, left out of the map, sums the integration's warehouse.
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(store.warehouseId(), w2), w2))))
                .put(base).then().statusCode(400).body("error", equalTo("warehouse_shared"));
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(2))
                .body("[1].warehouseIds", equalTo(List.of(w2, w3))).body("[1].pushWarehouseId", equalTo(w2));
    }

    /** Shopify answers 250 locations a page at most: a shop with more is read page by page, to its last location. */
    @Test
    void aShopWithMoreLocationsThanOnePageIsReadToItsLastPage() {
        String last = null;
        for (int i = 0; i < 300; i++) {
            last = sandbox.shopify().addLocation("Sucursal " + i);
        }
        Api.admin().get(base + "/storefront").then().statusCode(200)
                .body("$", hasSize(302))
                .body("find { it.id == '" + last + "' }.name", equalTo("Sucursal 299"));
        // A location of the second page is a known one.
        Api.admin().body(Map.of("locations", List.of(entry(last, List.of(w2), null)))).put(base).then().statusCode(200)
                .body("[0].name", equalTo("Sucursal 299"));
    }

    /**
     * Credentials the shop refuses are not a storefront that failed to answer: trying again would not help, so the
     * answer says what to fix (400 storefront_auth), not 503 "try again" as before.
     */
    @Test
    void credentialsTheShopRefusesAreSaidSoAndChangeNothing() {
        Api.admin().body(validMap()).put(base).then().statusCode(200);
        sandbox.shopify().accessToken("shpat_rotated_elsewhere");
        Api.admin().get(base + "/storefront").then().statusCode(400).body("error", equalTo("storefront_auth"));
        Api.admin().body(Map.of("locations", List.of(entry(quito, List.of(w3), null)))).put(base).then()
                .statusCode(400).body("error", equalTo("storefront_auth"));
        Api.admin().get(base).then().statusCode(200).body("$", hasSize(2));
    }

    /**
     * A shop that says more locations follow but gives no cursor to read them: the list read so far is a part, and a
     * part would refuse real locations as unknown, so the read fails (it answered the first page as the whole list).
     * The simulator, like Shopify, refuses a cursor it never gave rather than answering an empty page.
     */
    @Test
    void aLocationListThatCannotBeReadToItsEndIsRefusedNotCutShort() {
        for (int i = 0; i < 300; i++) {
            sandbox.shopify().addLocation("Sucursal " + i);
        }
        sandbox.shopify().locationPagesWithoutCursor(true);
        Api.admin().get(base + "/storefront").then().statusCode(400).body("error", equalTo("storefront_rejected"));
        sandbox.shopify().locationPagesWithoutCursor(false);

        given().header("X-Shopify-Access-Token", sandbox.shopify().accessToken()).contentType("application/json")
                .body(Map.of("query", "query($first: Int!, $after: String) { locations(first: $first, after: $after)"
                        + " { nodes { id name isActive } pageInfo { hasNextPage endCursor } } }",
                        "variables", Map.of("first", 250, "after", "bm90LWEtY3Vyc29y")))
                .post(sandbox.shopify().baseUrl() + "/admin/api/2025-01/graphql.json").then()
                .body("errors[0].message", containsString("Invalid cursor"));
    }

    @Test
    void aLocationPageTheServiceCannotReadIsRefusedAsTheShopsAnswerNotAServerError() {
        sandbox.shopify().locationPagesMalformed(true);
        try {
            Api.admin().get(base + "/storefront").then().statusCode(400).body("error", equalTo("storefront_rejected"));
        } finally {
            sandbox.shopify().locationPagesMalformed(false);
        }
        Api.admin().get(base + "/storefront").then().statusCode(200);
    }

    @Test
    void aLocationNameWithControlCharactersOrOfAnyLengthIsListedAndStoredCleanAndBounded() {
        String odd = sandbox.shopify().addLocation("Bodega\u0000 Norte\u001b[31m" + "x".repeat(5000));
        String listed = Api.admin().get(base + "/storefront").then().statusCode(200)
                .extract().path("find { it.id == '" + odd + "' }.name");
        assertTrue(listed.startsWith("Bodega Norte") && listed.length() <= 203 && listed.chars().noneMatch(c -> c < 32),
                listed);
        // A NUL in the name failed the map's save (PostgreSQL refuses it in text): a 500.
        Api.admin().body(Map.of("locations", List.of(entry(odd, List.of(w2), null)))).put(base).then().statusCode(200);
    }

    @Test
    void theMapOfAStoreThatDoesNotExistIsNotFound() {
        Api.admin().get("/api/stores/987654321/locations").then().statusCode(404).body("error", equalTo("store_not_found"));
    }
}
