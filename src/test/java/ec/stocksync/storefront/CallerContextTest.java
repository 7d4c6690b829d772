package ec.stocksync.storefront;

import ec.stocksync.store.Store;
import ec.stocksync.sandbox.storefront.Fault;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertSame;

/** Callers on an event loop (the movement worker, resources) must get results back on their own Vert.x context. */
@QuarkusTest
class CallerContextTest {

    @Inject
    WooCommerceSimulator sim;
    @Inject
    StorefrontClients clients;
    @Inject
    Vertx vertx;

    StorefrontClient client;

    @BeforeEach
    void seed() {
        sim.reset();
        sim.addSimple("Mug", "MUG-1", 25);
        Store store = new Store();
        store.platform = "woocommerce";
        store.apiBaseUrl = sim.baseUrl();
        store.consumerKey = sim.consumerKey();
        store.consumerSecret = sim.consumerSecret();
        client = clients.forStore(store);
    }

    private void assertOutcomeOnCallersContext(Runnable arrangeFaults, boolean expectFailure) throws Exception {
        arrangeFaults.run();
        Context caller = vertx.getOrCreateContext();
        CompletableFuture<Context> seen = new CompletableFuture<>();
        caller.runOnContext(ignored -> client.findBySku("MUG-1").subscribe().with(
                item -> seen.complete(expectFailure ? null : Vertx.currentContext()),
                failure -> seen.complete(expectFailure ? Vertx.currentContext() : null)));
        assertSame(caller, seen.get(20, TimeUnit.SECONDS));
    }

    @Test
    void itemAfterABackoffRetryArrivesOnTheCallersContext() throws Exception {
        assertOutcomeOnCallersContext(() -> sim.inject(Fault.error500().times(2)), false);
    }

    @Test
    void timeoutFailureArrivesOnTheCallersContext() throws Exception {
        assertOutcomeOnCallersContext(() -> sim.inject(Fault.hang().always()), true);
    }
}
