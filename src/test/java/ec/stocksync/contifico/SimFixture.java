package ec.stocksync.contifico;

import ec.stocksync.sandbox.contifico.ContificoSimulator;
import io.smallrye.mutiny.Uni;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Seeds the shared simulator and hands out connections with fresh integration ids (so breakers never leak between tests). */
final class SimFixture {

    private static final AtomicLong NEXT_INTEGRATION = new AtomicLong(System.nanoTime() % 1_000_000 * 1000);

    final ContificoSimulator sim;
    final ContificoSimulator.SimWarehouse main;
    final ContificoSimulator.SimWarehouse other;

    SimFixture(ContificoSimulator sim) {
        this.sim = sim;
        sim.reset();
        main = sim.addWarehouse("BOD001", "Bodega Principal");
        other = sim.addWarehouse("BOD002", "Bodega Norte");
    }

    ContificoSimulator.SimProduct product(String sku, boolean paraPos, String mainQty) {
        ContificoSimulator.SimProduct p = sim.addProduct(sku, "Producto " + sku, paraPos);
        if (mainQty != null) {
            sim.setStock(p.id, main.id(), new BigDecimal(mainQty));
        }
        return p;
    }

    ContificoConnection connection() {
        return connection(main.id());
    }

    ContificoConnection connection(String warehouseId) {
        return new ContificoConnection(NEXT_INTEGRATION.incrementAndGet(), sim.baseUrl(), sim.apiKey(), null, warehouseId);
    }

    static <T> T await(Uni<T> uni) {
        return uni.await().atMost(Duration.ofSeconds(20));
    }

    /** The failure of {@code uni}, or an AssertionError if it succeeded. */
    static Throwable failure(Uni<?> uni) {
        Object[] out = new Object[1];
        Throwable t = uni.onItemOrFailure().transform((item, f) -> {
            out[0] = item;
            return f;
        }).await().atMost(Duration.ofSeconds(20));
        if (t == null) {
            throw new AssertionError("expected a failure, got " + out[0]);
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    static <E extends Throwable> E failure(Uni<?> uni, Class<E> type) {
        Throwable t = failure(uni);
        if (!type.isInstance(t)) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
        }
        return (E) t;
    }
}
