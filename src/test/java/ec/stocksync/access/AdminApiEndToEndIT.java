package ec.stocksync.access;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The admin API against the packaged app: the jar in {@code ./mvnw verify}, the binary with {@code -Dnative}. */
@QuarkusIntegrationTest
class AdminApiEndToEndIT extends AdminApiEndToEndTest {
}
