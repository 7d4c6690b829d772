package ec.stocksync.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;
import java.util.Optional;

/** The keys that encrypt store credentials at rest ({@code stocksync.secrets.*}, DESIGN rule 11). */
@ConfigMapping(prefix = "stocksync.secrets")
public interface SecretsConfig {

    /**
     * Base64 of 32 random bytes ({@code STOCKSYNC_SECRETS_KEY}). Optional here only so that a missing key fails with a
     * message saying what to do, rather than a generic "property not found".
     */
    Optional<String> key();

    /** Written into every value encrypted with {@link #key()}, so a value names the key that opens it. */
    @WithDefault("k1")
    String keyId();

    /** Retired keys by id ({@code stocksync.secrets.old-keys.<id>=<base64>}): they still decrypt, never encrypt. */
    Map<String, String> oldKeys();

    Rotation rotation();

    interface Rotation {
        /** Whether start-up re-encrypts values that are plaintext or under an old key. */
        @WithDefault("true")
        boolean enabled();

        /** Rows per transaction: short transactions keep the stores table free for the API and the webhooks. */
        @WithDefault("200")
        int batchSize();
    }
}
