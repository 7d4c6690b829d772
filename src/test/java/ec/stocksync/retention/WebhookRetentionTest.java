package ec.stocksync.retention;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Defaults apply: raw webhook bodies 7 days, webhook events 90 days. Ages are set by SQL. */
@QuarkusTest
class WebhookRetentionTest {

    @Inject
    RetentionJob retention;
    @Inject
    Db db;

    RetentionJob.Purged purge(int batchSize) {
        Optional<RetentionJob.Purged> purged = retention.purge(batchSize).await().atMost(Duration.ofSeconds(60));
        assertTrue(purged.isPresent(), "no other replica holds the retention lock");
        return purged.get();
    }

    /** An event received {@code daysAgo} days ago, with a raw body when {@code raw} is not null. */
    long event(long storeId, int daysAgo, String raw) {
        return db.rows("""
                        INSERT INTO webhook_events (store_id, platform, topic, dedupe_key, resource_id, outcome, payload,
                                                    raw_payload, received_at)
                        VALUES ($1, 'shopify', 'orders/create', $2, '1', 'BOOKED', '{"id": 1}'::jsonb, $3,
                                now() - $4::int * interval '1 day') RETURNING id""",
                storeId, "ret:" + UUID.randomUUID(), raw, daysAgo).get(0).getLong(0);
    }

    /** A movement booked by {@code eventId}; {@code doneDaysAgo} null for one still open. */
    long movement(long storeId, long eventId, String status, Integer doneDaysAgo) {
        return db.rows("""
                        INSERT INTO inventory_movements_queue (store_id, webhook_event_id, sku, kind, quantity,
                                                               business_key, status, created_at, done_at)
                        VALUES ($1, $2, 'RET-W', 'SALE', 1, $3, $4, now() - interval '200 days',
                                now() - $5::int * interval '1 day') RETURNING id""",
                storeId, eventId, "ret-" + UUID.randomUUID(), status, doneDaysAgo).get(0).getLong(0);
    }

    String raw(long eventId) {
        return db.rows("SELECT raw_payload FROM webhook_events WHERE id = $1", eventId).get(0).getString(0);
    }

    @Test
    void anOldEventWhoseShopifyOrderEditIsStillToBookStaysAndGoesOnceTheEditIsBooked() {
        long store = Api.createShopifyStore();
        long pending = event(store, 95, null);
        long done = event(store, 96, null);
        db.rows("""
                INSERT INTO shopify_order_edits (store_id, edit_id, order_id, webhook_event_id, edited_at, status)
                VALUES ($1, 'ret-edit-1', '1', $2, now(), 'PENDING'), ($1, 'ret-edit-2', '1', $3, now(), 'DONE')""",
                store, pending, done);

        purge(100);

        assertEquals(List.of(pending), db.rows("SELECT id FROM webhook_events WHERE store_id = $1", store).stream()
                .map(r -> r.getLong(0)).toList(), "the PENDING edit's event stays, the booked one's goes");
        db.rows("UPDATE shopify_order_edits SET status = 'DONE' WHERE store_id = $1", store);
        purge(100);
        assertEquals(0, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1", store));
    }

    @Test
    void rawBodiesAreClearedAfterSevenDaysWhileTheirEventsStay() {
        long store = Api.createShopifyStore();
        long old = event(store, 8, "{\"email\": \"jon@example.com\"}");
        long older = event(store, 30, "{\"email\": \"jon@example.com\"}");
        long recent = event(store, 6, "{\"email\": \"jon@example.com\"}");

        RetentionJob.Purged purged = purge(1);

        assertTrue(purged.rawWebhookPayloads() >= 2, "raw bodies purged: " + purged);
        assertNull(raw(old));
        assertNull(raw(older));
        assertNotNull(raw(recent), "within its 7 days");
        assertEquals(3, db.count("SELECT count(*) FROM webhook_events WHERE store_id = $1 AND payload IS NOT NULL",
                store), "the minimised events are kept for their own retention");
    }

    @Test
    void oldEventsArePurgedInBatchesButNeverOneAnOpenOrDeadMovementStillPointsAt() {
        long store = Api.createShopifyStore();
        for (int i = 0; i < 5; i++) {
            event(store, 91 + i, null);
        }
        long ofPending = event(store, 120, null);
        long pending = movement(store, ofPending, "PENDING", null);
        long ofDead = event(store, 120, null);
        movement(store, ofDead, "DEAD", null);
        // A DONE movement past its own retention is purged first, which frees its event in the same run.
        long ofDone = event(store, 120, null);
        movement(store, ofDone, "DONE", 100);
        long recent = event(store, 89, null);

        RetentionJob.Purged purged = purge(2);

        assertTrue(purged.webhookEvents() >= 6, "batches of 2 deleted the 5 unreferenced events and the freed one: "
                + purged);
        assertEquals(List.of(ofPending, ofDead, recent), db.rows(
                "SELECT id FROM webhook_events WHERE store_id = $1 ORDER BY id", store).stream()
                .map(r -> r.getLong(0)).toList());
        assertEquals(ofPending, db.rows("SELECT webhook_event_id FROM inventory_movements_queue WHERE id = $1", pending)
                .get(0).getLong(0), "the open movement still knows its delivery");
    }
}
