package ec.stocksync.webhook;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The sale from end to end against the packaged app: the jar in {@code ./mvnw verify}, the binary with {@code -Dnative}. */
@QuarkusIntegrationTest
class WooCommerceSaleEndToEndIT extends WooCommerceSaleEndToEndTest {
}
