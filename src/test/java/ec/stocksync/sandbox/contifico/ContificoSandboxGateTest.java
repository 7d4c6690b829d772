package ec.stocksync.sandbox.contifico;

import io.quarkus.runtime.LaunchMode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContificoSandboxGateTest {

    @Test
    void simulatorNeverStartsInProdEvenWhenEnabled() {
        assertFalse(ContificoSandbox.shouldStart(true, LaunchMode.NORMAL));
    }

    @Test
    void simulatorStartsInDevAndTestOnlyWhenEnabled() {
        assertTrue(ContificoSandbox.shouldStart(true, LaunchMode.DEVELOPMENT));
        assertTrue(ContificoSandbox.shouldStart(true, LaunchMode.TEST));
        assertFalse(ContificoSandbox.shouldStart(false, LaunchMode.DEVELOPMENT));
        assertFalse(ContificoSandbox.shouldStart(false, LaunchMode.TEST));
    }
}
