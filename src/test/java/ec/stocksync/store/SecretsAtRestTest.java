package ec.stocksync.store;

import ec.stocksync.cluster.TryLock;
import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import ec.stocksync.support.Sandbox;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 11 point C: store credentials are encrypted at rest, and everything that uses them still works. */
@QuarkusTest
class SecretsAtRestTest {

    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The test profile's current key id and its retired key (application.properties, %test; not secrets). */
    static final String CURRENT = "enc:v1:test:";
    static final String RETIRED_KEY = "cmV0aXJlZC10ZXN0LWtleS1ub3QtYS1zZWNyZXQtMDA=";

    @Inject
    Db db;
    @Inject
    Sandbox sandbox;
    @Inject
    SecretBox box;
    @Inject
    SecretRotationJob job;
    @Inject
    StoreContexts contexts;
    @Inject
    Pool pool;

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    /** Every column of a store's row and of its integrations' rows, as JSON text. */
    List<String> dump(long storeId) {
        List<String> out = new ArrayList<>();
        db.rows("SELECT row_to_json(s)::text FROM stores s WHERE id = $1", storeId).forEach(r -> out.add(r.getString(0)));
        db.rows("SELECT row_to_json(i)::text FROM store_integrations i WHERE store_id = $1", storeId)
                .forEach(r -> out.add(r.getString(0)));
        return out;
    }

    static void assertNoneInClear(List<String> rows, String... secrets) {
        for (String row : rows) {
            for (String secret : secrets) {
                assertFalse(row.contains(secret), "secret in clear in " + row);
            }
        }
    }

    Row store(long id) {
        return db.rows("SELECT * FROM stores WHERE id = $1", id).get(0);
    }

    Row integration(long storeId) {
        return db.rows("SELECT * FROM store_integrations WHERE store_id = $1 AND active", storeId).get(0);
    }

    long movements(long storeId) {
        return db.count("SELECT count(*) FROM inventory_movements_queue WHERE store_id = $1", storeId);
    }

    /** One full pass of the re-encryption job, waiting out a pass another start-up may still be running. */
    SecretRotationJob.Result rotate(int batchSize) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            Optional<SecretRotationJob.Result> r = job.run(batchSize).await().atMost(TIMEOUT);
            if (r.isPresent()) {
                return r.get();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the rotation lock stayed busy");
    }

    long insertLegacyShopifyStore(String accessToken, String webhookSecret, String apiKey, String posToken) {
        long id = db.rows("""
                        INSERT INTO stores (name, platform, shop_domain, api_base_url, access_token, webhook_secret,
                                            location_id)
                        VALUES ($1, 'shopify', 'legacy.myshopify.com', $2, $3, $4, $5) RETURNING id""",
                "Legacy " + UUID.randomUUID(), sandbox.shopify().baseUrl(), accessToken, webhookSecret,
                sandbox.shopify().locationId()).get(0).getLong("id");
        db.rows("""
                        INSERT INTO store_integrations (store_id, provider, base_url, api_key, pos_token, warehouse_id)
                        VALUES ($1, 'contifico', $2, $3, $4, 'BOD-LEGACY') RETURNING id""",
                id, sandbox.contifico().baseUrl(), apiKey, posToken);
        return id;
    }

    @Test
    void credentialsWrittenThroughTheApiAreNeverStoredInClear() {
        long shopify = sandbox.shopifyStoreOnly();
        Api.admin().body(Map.of("previousWebhookSecret", "prev-WEBHOOK-secret-7f3"))
                .patch("/api/stores/" + shopify).then().statusCode(200);
        String warehouse = sandbox.contifico().addWarehouse("BODS", "Bodega Secretos").id();
        long integrationId = Api.admin().body(Map.of("provider", "contifico", "baseUrl", sandbox.contifico().baseUrl(),
                        "apiKey", sandbox.contifico().apiKey(), "posToken", "pos-TOKEN-first-91c", "warehouseId", warehouse))
                .post("/api/stores/" + shopify + "/integrations").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().body(Map.of("posToken", "pos-TOKEN-second-2ab"))
                .patch("/api/stores/" + shopify + "/integrations/" + integrationId).then().statusCode(200);
        long woo = sandbox.wooStoreOnly();

        assertNoneInClear(dump(shopify), sandbox.shopify().accessToken(), Api.SHOPIFY_SECRET, "prev-WEBHOOK-secret-7f3",
                sandbox.contifico().apiKey(), "pos-TOKEN-first-91c", "pos-TOKEN-second-2ab");
        assertNoneInClear(dump(woo), sandbox.woo().consumerKey(), sandbox.woo().consumerSecret(), Api.WOO_SECRET);
        Row s = store(shopify);
        for (String column : List.of("access_token", "webhook_secret", "previous_webhook_secret")) {
            assertTrue(s.getString(column).startsWith(CURRENT), column + " is sealed under the current key");
        }
        for (String column : List.of("consumer_key", "consumer_secret", "webhook_secret")) {
            assertTrue(store(woo).getString(column).startsWith(CURRENT), column);
        }
        Row i = integration(shopify);
        assertTrue(i.getString("api_key").startsWith(CURRENT));
        assertEquals("pos-TOKEN-second-2ab", box.open(i.getString("pos_token")), "the PATCHed token, sealed");

        // Code that uses the credentials gets them back in clear, and the API still only says they are set.
        StoreContext ctx = contexts.load(shopify, null).await().atMost(TIMEOUT);
        assertEquals(sandbox.shopify().accessToken(), ctx.store().accessToken);
        assertEquals(sandbox.contifico().apiKey(), ctx.integration().apiKey);
        assertEquals("pos-TOKEN-second-2ab", ctx.integration().posToken);
        String view = Api.admin().get("/api/stores/" + shopify).then().statusCode(200)
                .body("credentials.previousWebhookSecretSet", org.hamcrest.Matchers.equalTo(true)).extract().asString();
        assertFalse(view.contains("enc:v1:"), "not even the ciphertext is returned");
    }

    @Test
    void aShopifyOrderSignedWithTheSecretGivenToTheApiStillBooks() {
        long storeId = sandbox.shopifyStore().storeId();
        assertTrue(store(storeId).getString("webhook_secret").startsWith(CURRENT));

        sandbox.sell(storeId, "SEC-SKU-1", 2).statusCode(200);

        assertEquals(1, movements(storeId));
    }

    @Test
    void aLegacyPlaintextRowIsReencryptedByTheJobAndKeepsWorking() throws InterruptedException {
        long storeId = insertLegacyShopifyStore("legacy-ACCESS-token-5d1", Api.SHOPIFY_SECRET, "legacy-API-key-8e2",
                "legacy-POS-token-0c4");
        sandbox.sell(storeId, "SEC-SKU-2", 1).statusCode(200);
        assertEquals(1, movements(storeId), "a plaintext row keeps working before the job");

        SecretRotationJob.Result result = rotate(1);

        assertTrue(result.resealed() >= 4, "four values of this store alone: " + result);
        assertNoneInClear(dump(storeId), "legacy-ACCESS-token-5d1", Api.SHOPIFY_SECRET, "legacy-API-key-8e2",
                "legacy-POS-token-0c4");
        Row s = store(storeId);
        assertTrue(s.getString("access_token").startsWith(CURRENT));
        assertTrue(s.getString("webhook_secret").startsWith(CURRENT));
        assertEquals(null, s.getString("previous_webhook_secret"), "an absent secret stays absent");
        StoreContext ctx = contexts.load(storeId, null).await().atMost(TIMEOUT);
        assertEquals("legacy-ACCESS-token-5d1", ctx.store().accessToken);
        assertEquals("legacy-API-key-8e2", ctx.integration().apiKey);
        assertEquals("legacy-POS-token-0c4", ctx.integration().posToken);
        sandbox.sell(storeId, "SEC-SKU-3", 1).statusCode(200);
        assertEquals(2, movements(storeId), "the re-encrypted webhook secret still verifies");

        // Idempotent: a second pass leaves values already under the current key exactly as they are.
        String sealedToken = s.getString("access_token");
        String sealedKey = integration(storeId).getString("api_key");
        rotate(200);
        assertEquals(sealedToken, store(storeId).getString("access_token"));
        assertEquals(sealedKey, integration(storeId).getString("api_key"));
    }

    @Test
    void aValueUnderARetiredKeyStillDecryptsAndTheJobMovesItToTheCurrentKey() throws InterruptedException {
        SecretBox retired = new SecretBox(Optional.of(RETIRED_KEY), "retired", Map.of());
        long storeId = insertLegacyShopifyStore(retired.seal("retired-ACCESS-token"), retired.seal(Api.SHOPIFY_SECRET),
                retired.seal("retired-API-key"), null);
        assertTrue(store(storeId).getString("webhook_secret").startsWith("enc:v1:retired:"));
        sandbox.sell(storeId, "SEC-SKU-4", 1).statusCode(200);
        assertEquals(1, movements(storeId), "the retired key still opens the webhook secret");

        rotate(200);

        Row s = store(storeId);
        assertTrue(s.getString("access_token").startsWith(CURRENT), s.getString("access_token"));
        assertTrue(s.getString("webhook_secret").startsWith(CURRENT));
        assertTrue(integration(storeId).getString("api_key").startsWith(CURRENT));
        assertEquals(null, integration(storeId).getString("pos_token"));
        StoreContext ctx = contexts.load(storeId, null).await().atMost(TIMEOUT);
        assertEquals("retired-ACCESS-token", ctx.store().accessToken);
        assertEquals("retired-API-key", ctx.integration().apiKey);
        sandbox.sell(storeId, "SEC-SKU-5", 1).statusCode(200);
        assertEquals(2, movements(storeId));
    }

    @Test
    void aTamperedCiphertextFailsNamingTheKeyAndTheJobLeavesItAlone() throws InterruptedException {
        SecretBox retired = new SecretBox(Optional.of(RETIRED_KEY), "retired", Map.of());
        String sealed = retired.seal("tampered-ACCESS-token");
        String prefix = "enc:v1:retired:";
        byte[] raw = Base64.getDecoder().decode(sealed.substring(prefix.length()));
        raw[raw.length - 1] ^= 1;
        String tampered = prefix + Base64.getEncoder().encodeToString(raw);
        long storeId = insertLegacyShopifyStore(tampered, box.seal(Api.SHOPIFY_SECRET), box.seal("some-api-key"), null);
        try {
            Throwable failure = assertThrows(Throwable.class,
                    () -> contexts.load(storeId, null).await().atMost(TIMEOUT));
            assertTrue(failure instanceof SecretBox.SecretException, failure.toString());
            assertTrue(failure.getMessage().contains("'retired'"), failure.getMessage());
            assertFalse(failure.getMessage().contains("tampered-ACCESS-token"));

            SecretRotationJob.Result result = rotate(200);

            assertTrue(result.unreadable() >= 1, result.toString());
            assertEquals(tampered, store(storeId).getString("access_token"), "never overwritten: the right key may return");
        } finally {
            // A row no key opens would break every later listing of stores in this schema.
            db.rows("DELETE FROM store_integrations WHERE store_id = $1 RETURNING id", storeId);
            db.rows("DELETE FROM stores WHERE id = $1 RETURNING id", storeId);
        }
    }

    @Test
    void anotherReplicaHoldingTheRotationLockMakesThisPassStandAside() {
        long storeId = insertLegacyShopifyStore("lock-ACCESS-token", Api.SHOPIFY_SECRET, "lock-API-key", null);

        Optional<SecretRotationJob.Result> r = pool.withTransaction(tx -> tx.preparedQuery(TryLock.SQL)
                        .execute(Tuple.of("secrets-rotation"))
                        .chain(() -> job.run(200)))
                .await().atMost(TIMEOUT);

        assertTrue(r.isEmpty(), "the pass stood aside");
        assertEquals("lock-ACCESS-token", store(storeId).getString("access_token"), "and wrote nothing");
    }
}
