package ec.stocksync.observability;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped application.properties as each profile reads it: JSON logs and no tracing in prod, console format in dev and test. */
class LogFormatByProfileTest {

    private static SmallRyeConfig config(String profile) throws IOException {
        URL properties = LogFormatByProfileTest.class.getResource("/application.properties");
        return new SmallRyeConfigBuilder().withProfile(profile)
                .withSources(new PropertiesConfigSource(properties, 250))
                .build();
    }

    @Test
    void prodLogsJsonAndDevAndTestKeepTheConsoleFormat() throws IOException {
        assertTrue(config("prod").getValue("quarkus.log.console.json.enabled", Boolean.class));
        assertEquals(false, config("dev").getValue("quarkus.log.console.json.enabled", Boolean.class));
        assertEquals(false, config("test").getValue("quarkus.log.console.json.enabled", Boolean.class));
    }

    @Test
    void prodHasTracingOffUntilAnOperatorTurnsItOn() throws IOException {
        assertTrue(config("prod").getValue("quarkus.otel.sdk.disabled", Boolean.class));
    }
}
