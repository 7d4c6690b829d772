package ec.stocksync.sandbox.contifico;

import ec.stocksync.sandbox.SandboxOnly;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs the {@link ContificoSimulator} inside the app in dev and test, so nobody needs a Contifico account. Its settings
 * are properties of this bean rather than a config mapping: a mapping is registered in every build, the bean only in
 * the builds that have a sandbox.
 */
@ApplicationScoped
@SandboxOnly
public class ContificoSandbox {

    private static final Logger LOG = Logger.getLogger(ContificoSandbox.class);

    @Inject
    Vertx vertx;
    /** 0 picks a random free port (tests); dev listens on 8089, where the README points. */
    @ConfigProperty(name = "sandbox.contifico.port", defaultValue = "0")
    int port;
    @ConfigProperty(name = "sandbox.contifico.api-key", defaultValue = "sandbox-api-key")
    String apiKey;
    /** The demo catalogue (dev); tests seed their own data. */
    @ConfigProperty(name = "sandbox.seed-demo", defaultValue = "false")
    boolean demo;

    private volatile ContificoSimulator simulator;

    void onStart(@Observes StartupEvent event) {
        // Startup observers run on the main thread, so waiting for the listen here blocks no event loop.
        ContificoSimulator sim = new ContificoSimulator(vertx, apiKey).startAndWait(port);
        simulator = sim;
        if (demo) {
            ContificoSimulator.SimWarehouse warehouse = sim.seedDemo();
            LOG.infof("Contifico sandbox running. Create an integration with base URL %s, API key %s, warehouse (bodega_id) %s "
                            + "(%s). Demo SKUs: PT-0002-50ml (stock 101), PT-0001-30ml, CAM-001-M, NEG-0005; OLD-0099 has "
                            + "para_pos false. Faults: POST %s/__sim/faults, state: GET %s/__sim/state",
                    sim.baseUrl(), sim.apiKey(), warehouse.id(), warehouse.nombre(), "http://127.0.0.1:" + sim.port(),
                    "http://127.0.0.1:" + sim.port());
        } else {
            LOG.infof("Contifico simulator listening at %s (API key %s)", sim.baseUrl(), sim.apiKey());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        ContificoSimulator sim = simulator;
        if (sim != null) {
            simulator = null;
            sim.stop();
        }
    }

    /** The running simulator; it starts with the app. */
    public ContificoSimulator simulator() {
        ContificoSimulator sim = simulator;
        if (sim == null) {
            throw new IllegalStateException("The Contifico sandbox is not running (the app has not started, or has stopped)");
        }
        return sim;
    }
}
