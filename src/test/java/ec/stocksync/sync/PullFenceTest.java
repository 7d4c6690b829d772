package ec.stocksync.sync;

import ec.stocksync.support.Api;
import ec.stocksync.support.Db;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** What the fence compares: every movement that can make a pulled figure stale moves it, and a purge never does. */
@QuarkusTest
class PullFenceTest {

    static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    PullFence fence;
    @Inject
    Db db;

    long store;

    PullFence.Snapshot snapshot(String sku) {
        return fence.snapshot(store, List.of(sku)).await().atMost(WAIT).get(sku);
    }

    long movement(String sku, String status, String pushedAgo, String doneAgo) {
        return db.rows("""
                INSERT INTO inventory_movements_queue (store_id, sku, kind, quantity, business_key, status,
                    contifico_movement_id, pushed_at, done_at)
                VALUES ($1, $2, 'SALE', 1, gen_random_uuid()::text, $3,
                    CASE WHEN $4::text IS NULL THEN NULL ELSE 'CM' || gen_random_uuid()::text END,
                    now() - $4::text::interval, now() - $5::text::interval) RETURNING id""",
                store, sku, status, pushedAgo, doneAgo).get(0).getLong(0);
    }

    @Test
    void aSaleCreatedPushedAndDoneSinceTheSnapshotMovesItEvenWhenAPurgeRemovedAnOldSale() {
        store = Api.createShopifyStore();
        long old = movement("F-1", "DONE", "100 days", "100 days");
        PullFence.Snapshot before = snapshot("F-1");

        // A sale arrives, is pushed and done; meanwhile retention deletes the old DONE row.
        movement("F-1", "DONE", "0 seconds", "0 seconds");
        db.rows("DELETE FROM inventory_movements_queue WHERE id = $1 RETURNING id", old);

        assertNotEquals(before, snapshot("F-1"));
    }

    @Test
    void aPurgeAloneLeavesTheSnapshotAsItWas() {
        store = Api.createShopifyStore();
        long old = movement("F-2", "DONE", "100 days", "100 days");
        movement("F-2", "DONE", "1 day", "1 day");
        PullFence.Snapshot before = snapshot("F-2");
        db.rows("DELETE FROM inventory_movements_queue WHERE id = $1 RETURNING id", old);
        assertEquals(before, snapshot("F-2"));
    }

    @Test
    void aNewWaitingSaleAndADismissalEachMoveTheSnapshot() {
        store = Api.createShopifyStore();
        PullFence.Snapshot none = snapshot("F-3");
        long pending = movement("F-3", "PENDING", null, null);
        PullFence.Snapshot waiting = snapshot("F-3");
        assertNotEquals(none, waiting);
        assertEquals(-1, waiting.openDelta());

        db.rows("UPDATE inventory_movements_queue SET status = 'DEAD' WHERE id = $1 RETURNING id", pending);
        PullFence.Snapshot dead = snapshot("F-3");
        assertEquals(-1, dead.openDelta(), "a DEAD sale keeps its unit reserved");
        db.rows("UPDATE inventory_movements_queue SET dismissed_at = now(), dismissed_reason = 'x' WHERE id = $1"
                + " RETURNING id", pending);
        PullFence.Snapshot dismissed = snapshot("F-3");
        assertNotEquals(dead, dismissed);
        assertEquals(0, dismissed.openDelta());
    }
}
