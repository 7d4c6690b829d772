package ec.stocksync.status;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The dashboard's files from the packaged app: the jar in {@code ./mvnw verify}, the binary with {@code -Dnative}. */
@QuarkusIntegrationTest
class DashboardAssetsEndToEndIT extends DashboardAssetsEndToEndTest {
}
