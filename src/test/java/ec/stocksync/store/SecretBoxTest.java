package ec.stocksync.store;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cipher and the start-up check, without Quarkus. */
class SecretBoxTest {

    static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
    static final String OLD_KEY = Base64.getEncoder().encodeToString("fedcba9876543210fedcba9876543210".getBytes());

    static SecretsConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(SecretsConfig.class)
                .withSources(new MapBackedConfigSource("test", properties) {
                })
                .build();
        return config.getConfigMapping(SecretsConfig.class);
    }

    @Test
    void prodConfigurationWithoutTheKeyRefusesToStartNamingTheVariable() {
        SecretsConfig prod = config(Map.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SecretBox(prod));
        assertTrue(e.getMessage().contains("STOCKSYNC_SECRETS_KEY"), e.getMessage());
        assertTrue(e.getMessage().contains("openssl rand -base64 32"), e.getMessage());
    }

    @Test
    void aKeyThatIsNot32BytesOrNotBase64IsRefused() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertTrue(assertThrows(IllegalStateException.class,
                () -> new SecretBox(config(Map.of("stocksync.secrets.key", short16))))
                .getMessage().contains("16 bytes"));
        assertThrows(IllegalStateException.class, () -> new SecretBox(Optional.of("not base64!"), "k1", Map.of()));
        assertThrows(IllegalStateException.class, () -> new SecretBox(Optional.of(KEY), "bad:id", Map.of()));
        assertThrows(IllegalStateException.class, () -> new SecretBox(Optional.of(KEY), "k1", Map.of("k1", OLD_KEY)));
    }

    @Test
    void configWithOnlyTheKeyHasDefaultsAndNoOldKeys() {
        SecretsConfig c = config(Map.of("stocksync.secrets.key", KEY));
        assertEquals("k1", c.keyId());
        assertTrue(c.oldKeys().isEmpty());
        assertEquals(200, c.rotation().batchSize());
        assertTrue(new SecretBox(c).seal("x").startsWith("enc:v1:k1:"));
    }

    @Test
    void theEnvironmentVariablesTheReadmeNamesSetTheKeysAKubernetesSecretProvides() {
        SmallRyeConfig env = new SmallRyeConfigBuilder()
                .withMapping(SecretsConfig.class)
                .withSources(new EnvConfigSource(Map.of("STOCKSYNC_SECRETS_KEY", KEY, "STOCKSYNC_SECRETS_KEY_ID", "k2",
                        "STOCKSYNC_SECRETS_OLD_KEYS_K1", OLD_KEY), 300))
                .build();
        SecretsConfig c = env.getConfigMapping(SecretsConfig.class);
        assertEquals("k2", c.keyId());
        assertEquals(Map.of("k1", OLD_KEY), c.oldKeys());
        String underK1 = new SecretBox(Optional.of(OLD_KEY), "k1", Map.of()).seal("woo-secret");
        assertEquals("woo-secret", new SecretBox(c).open(underK1));
    }

    @Test
    void sealsUnderTheCurrentKeyIdWithAFreshIvAndOpensBack() {
        SecretBox box = new SecretBox(Optional.of(KEY), "k1", Map.of());
        String a = box.seal("shpat_secret");
        String b = box.seal("shpat_secret");
        assertTrue(a.startsWith("enc:v1:k1:"), a);
        assertNotEquals(a, b, "a fresh IV per value");
        assertFalse(a.contains("shpat_secret"));
        assertEquals(12 + "shpat_secret".length() + 16, Base64.getDecoder().decode(a.substring(10)).length);
        assertEquals("shpat_secret", box.open(a));
        assertEquals("shpat_secret", box.open(b));
        assertEquals("", box.open(box.seal("")));
        assertEquals(null, box.seal(null));
        assertEquals(null, box.open(null));
    }

    @Test
    void aValueWithoutThePrefixIsLegacyPlaintextAndNeedsResealing() {
        SecretBox box = new SecretBox(Optional.of(KEY), "k1", Map.of());
        assertEquals("legacy-token", box.open("legacy-token"));
        assertTrue(box.needsReseal("legacy-token"));
        assertFalse(box.needsReseal(box.seal("x")));
        assertFalse(box.needsReseal(null));
    }

    @Test
    void anOldKeyStillOpensWhatItSealedWhileNewValuesUseTheCurrentKey() {
        String old = new SecretBox(Optional.of(OLD_KEY), "k0", Map.of()).seal("consumer-secret");
        SecretBox rotated = new SecretBox(Optional.of(KEY), "k1", Map.of("k0", OLD_KEY));
        assertEquals("consumer-secret", rotated.open(old));
        assertTrue(rotated.needsReseal(old));
        assertTrue(rotated.seal("consumer-secret").startsWith("enc:v1:k1:"));

        SecretBox forgotten = new SecretBox(Optional.of(KEY), "k1", Map.of());
        SecretBox.SecretException e = assertThrows(SecretBox.SecretException.class, () -> forgotten.open(old));
        assertTrue(e.getMessage().contains("'k0'"), e.getMessage());
    }

    @Test
    void aTamperedOrRelabelledValueFailsNamingTheKeyIdAndNeverTheSecret() {
        SecretBox box = new SecretBox(Optional.of(KEY), "k1", Map.of("k0", OLD_KEY));
        String sealed = box.seal("api-key-123");
        byte[] raw = Base64.getDecoder().decode(sealed.substring("enc:v1:k1:".length()));
        raw[14] ^= 1;
        String tampered = "enc:v1:k1:" + Base64.getEncoder().encodeToString(raw);
        SecretBox.SecretException e = assertThrows(SecretBox.SecretException.class, () -> box.open(tampered));
        assertTrue(e.getMessage().contains("'k1'"), e.getMessage());
        assertTrue(e.getMessage().contains("altered"), e.getMessage());
        assertFalse(e.getMessage().contains("api-key-123"));

        String relabelled = sealed.replace("enc:v1:k1:", "enc:v1:k0:");
        assertTrue(assertThrows(SecretBox.SecretException.class, () -> box.open(relabelled)).getMessage()
                .contains("'k0'"));
        assertThrows(SecretBox.SecretException.class, () -> box.open("enc:v1:k1:AAAA"));
        assertThrows(SecretBox.SecretException.class, () -> box.open("enc:v2:k1:" + sealed.substring(10)));
    }
}
