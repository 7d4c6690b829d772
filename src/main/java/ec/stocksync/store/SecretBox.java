package ec.stocksync.store;

import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * AES-256-GCM for credentials at rest. A stored value reads {@code enc:v1:<keyId>:<base64(iv | ciphertext | tag)>};
 * the key id lets old keys keep decrypting while a rotation re-encrypts, and a value without the prefix is legacy
 * plaintext from before encryption (read as is until the start-up job re-encrypts it).
 * <p>
 * Built at start-up on purpose: without a usable key the service refuses to start instead of failing on the first
 * store it loads.
 */
@Startup
@Singleton
public class SecretBox {

    public static final String PREFIX = "enc:v1:";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /**
     * Per instance, not static: a native image runs static initialisers at build time, and a SecureRandom made there
     * would be frozen into the binary (GraalVM refuses it); the bean is made at start-up.
     */
    private final SecureRandom random = new SecureRandom();
    private final String currentId;
    private final Map<String, SecretKeySpec> keys;
    /**
     * Opened values by their stored form: every webhook delivery needs its store's secret, and decrypting it each time
     * was a few percent of the ingest's CPU. A stored form carries a fresh IV, so a changed secret is a new entry and
     * an entry never goes stale; only values that opened are kept, and the map is emptied when it grows past a bound
     * (stores and their rotations, not requests, fill it).
     */
    private final Map<String, String> opened = new ConcurrentHashMap<>();
    private static final int OPENED_MAX = 4096;

    @Inject
    public SecretBox(SecretsConfig config) {
        this(config.key(), config.keyId(), config.oldKeys());
    }

    /** Fails, naming the setting to fix, when the current key is missing or any key is malformed. */
    public SecretBox(Optional<String> key, String keyId, Map<String, String> oldKeys) {
        if (key.isEmpty() || key.get().isBlank()) {
            throw new IllegalStateException("STOCKSYNC_SECRETS_KEY (stocksync.secrets.key) is not set: stock-sync will"
                    + " not start without the key that encrypts store credentials at rest. Generate one with"
                    + " `openssl rand -base64 32` and keep it in a Kubernetes Secret.");
        }
        Map<String, SecretKeySpec> all = new LinkedHashMap<>();
        all.put(checkId(keyId), aesKey(key.get(), "stocksync.secrets.key"));
        oldKeys.forEach((id, value) -> {
            if (id.equals(keyId)) {
                throw new IllegalStateException("stocksync.secrets.old-keys." + id + " has the id of the current key;"
                        + " a retired key needs an id of its own");
            }
            all.put(checkId(id), aesKey(value, "stocksync.secrets.old-keys." + id));
        });
        this.currentId = keyId;
        this.keys = Map.copyOf(all);
    }

    public String currentKeyId() {
        return currentId;
    }

    /** The stored form of {@code plaintext}, under the current key with a fresh IV; null stays null. */
    public String seal(String plaintext) {
        if (plaintext == null) {
            return null;
        }
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        String header = PREFIX + currentId + ":";
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, iv));
            // The header is authenticated too: a value cannot be relabelled with another key id or version.
            cipher.updateAAD(header.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return header + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /**
     * The plaintext of a stored value; a value without the {@code enc:} prefix is legacy plaintext. Throws
     * {@link SecretException} (naming the key id, never the value) when the key is unknown or the value was altered.
     */
    public String open(String stored) {
        if (stored == null || !stored.startsWith("enc:")) {
            return stored;
        }
        String plain = opened.get(stored);
        if (plain == null) {
            plain = decrypt(stored);
            if (opened.size() >= OPENED_MAX) {
                opened.clear();
            }
            opened.put(stored, plain);
        }
        return plain;
    }

    private String decrypt(String stored) {
        if (!stored.startsWith(PREFIX)) {
            throw new SecretException("stored secret has an unknown format version (expected " + PREFIX + ")");
        }
        int colon = stored.indexOf(':', PREFIX.length());
        if (colon < 0) {
            throw new SecretException("stored secret has no key id");
        }
        String keyId = stored.substring(PREFIX.length(), colon);
        SecretKeySpec key = keys.get(keyId);
        if (key == null) {
            throw new SecretException("stored secret is encrypted under key id '" + keyId + "', which is neither"
                    + " stocksync.secrets.key-id nor in stocksync.secrets.old-keys");
        }
        byte[] data;
        try {
            data = Base64.getDecoder().decode(stored.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            throw new SecretException("stored secret under key id '" + keyId + "' is not valid base64");
        }
        if (data.length < IV_BYTES + TAG_BITS / 8) {
            throw new SecretException("stored secret under key id '" + keyId + "' is truncated");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, data, 0, IV_BYTES));
            cipher.updateAAD(stored.substring(0, colon + 1).getBytes(StandardCharsets.US_ASCII));
            return new String(cipher.doFinal(data, IV_BYTES, data.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretException("stored secret failed authentication under key id '" + keyId
                    + "': it was altered, or that id names a different key than the one that encrypted it");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable in this JVM", e);
        }
    }

    /** Whether a stored value must be rewritten: plaintext, or under a key other than the current one. */
    public boolean needsReseal(String stored) {
        return stored != null && !stored.startsWith(PREFIX + currentId + ":");
    }

    private static String checkId(String id) {
        if (id == null || !KEY_ID.matcher(id).matches()) {
            throw new IllegalStateException("secrets key id '" + id + "' must be 1 to 32 letters, digits, '-' or '_'");
        }
        return id;
    }

    private static SecretKeySpec aesKey(String base64, String setting) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(setting + " is not base64; generate a key with `openssl rand -base64 32`");
        }
        if (raw.length != 32) {
            throw new IllegalStateException(setting + " decodes to " + raw.length + " bytes; AES-256 needs 32"
                    + " (generate one with `openssl rand -base64 32`)");
        }
        return new SecretKeySpec(raw, "AES");
    }

    /** A stored secret that cannot be decrypted: the message names the key id, never any part of the secret. */
    public static final class SecretException extends IllegalStateException {
        public SecretException(String message) {
            super(message);
        }
    }
}
