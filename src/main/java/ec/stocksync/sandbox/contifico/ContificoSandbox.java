package ec.stocksync.sandbox.contifico;

import ec.stocksync.contifico.ContificoConfig;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Runs the {@link ContificoSimulator} inside the app in dev and test, so nobody needs a Contifico account. It starts
 * only when {@code stocksync.contifico.sandbox.enabled=true} <em>and</em> the launch mode is not prod: a stray
 * property in a prod deployment cannot expose a fake ERP.
 */
@ApplicationScoped
public class ContificoSandbox {

    private static final Logger LOG = Logger.getLogger(ContificoSandbox.class);

    @Inject
    Vertx vertx;
    @Inject
    ContificoConfig config;

    private volatile ContificoSimulator simulator;

    void onStart(@Observes StartupEvent event) {
        if (!shouldStart(config.sandbox().enabled(), LaunchMode.current())) {
            if (config.sandbox().enabled()) {
                LOG.warn("stocksync.contifico.sandbox.enabled is ignored in prod: the Contifico simulator never runs there");
            }
            return;
        }
        // Startup observers run on the main thread, so waiting for the listen here blocks no event loop.
        ContificoSimulator sim = new ContificoSimulator(vertx, config.sandbox().apiKey()).startAndWait(config.sandbox().port());
        simulator = sim;
        if (config.sandbox().seedDemo()) {
            ContificoSimulator.SimWarehouse demo = sim.seedDemo();
            LOG.infof("Contifico sandbox running. Create an integration with base URL %s, API key %s, warehouse (bodega_id) %s "
                            + "(%s). Demo SKUs: PT-0002-50ml (stock 101), PT-0001-30ml, CAM-001-M, NEG-0005; OLD-0099 has "
                            + "para_pos false. Faults: POST %s/__sim/faults, state: GET %s/__sim/state",
                    sim.baseUrl(), sim.apiKey(), demo.id(), demo.nombre(), "http://127.0.0.1:" + sim.port(),
                    "http://127.0.0.1:" + sim.port());
        } else {
            LOG.infof("Contifico simulator listening at %s (API key %s)", sim.baseUrl(), sim.apiKey());
        }
    }

    /** Both the switch and a non-prod launch mode are required. */
    static boolean shouldStart(boolean enabled, LaunchMode mode) {
        return enabled && mode != LaunchMode.NORMAL;
    }

    void onStop(@Observes ShutdownEvent event) {
        ContificoSimulator sim = simulator;
        if (sim != null) {
            simulator = null;
            sim.stop();
        }
    }

    public boolean active() {
        return simulator != null;
    }

    /** The running simulator; fails when the sandbox is off (always the case in prod). */
    public ContificoSimulator simulator() {
        ContificoSimulator sim = simulator;
        if (sim == null) {
            throw new IllegalStateException("The Contifico sandbox is not running (stocksync.contifico.sandbox.enabled, dev/test only)");
        }
        return sim;
    }
}
