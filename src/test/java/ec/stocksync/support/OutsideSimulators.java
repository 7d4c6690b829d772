package ec.stocksync.support;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import ec.stocksync.sandbox.storefront.WooCommerceSimulator;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeUnit;

/**
 * Contifico and WooCommerce simulators in the test's own JVM, outside the app under test, reached by it over HTTP like
 * the real services: the packaged app the integration tests start has none of its own, and the {@code @QuarkusTest}
 * form of the same tests uses these too, so both prove the same thing.
 */
public final class OutsideSimulators implements AutoCloseable {

    public static final String CONTIFICO_API_KEY = "e2e-contifico-key";

    private final Vertx vertx;
    private final ContificoSimulator contifico;
    private final WooCommerceSimulator woo;

    private OutsideSimulators() {
        vertx = Vertx.vertx();
        contifico = new ContificoSimulator(vertx, CONTIFICO_API_KEY).startAndWait(0);
        woo = WooCommerceSimulator.standalone(vertx);
    }

    public static OutsideSimulators start() {
        return new OutsideSimulators();
    }

    public ContificoSimulator contifico() {
        return contifico;
    }

    public WooCommerceSimulator woo() {
        return woo;
    }

    @Override
    public void close() throws Exception {
        woo.stop();
        contifico.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
