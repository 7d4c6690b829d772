package ec.stocksync.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Shopify and WooCommerce both sign a delivery as base64(HMAC-SHA256(secret, raw body bytes)). The check runs on the
 * exact bytes received: a re-serialized body (Shopify escapes "/" as "\/") would not match.
 */
public final class WebhookSignature {

    /**
     * Never a real secret: random per process, so no signature can be made for it. Made on first use rather than in a
     * static initialiser, which a native image runs at build time: the value (and the SecureRandom behind
     * {@code randomUUID}) would ship inside the binary. Two threads racing here may each pick one; any will do.
     */
    private static volatile String noSecret;

    private WebhookSignature() {
    }

    private static String noSecret() {
        String s = noSecret;
        if (s == null) {
            s = java.util.UUID.randomUUID().toString();
            noSecret = s;
        }
        return s;
    }

    public static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    public static String sign(String secret, byte[] body) {
        return Base64.getEncoder().encodeToString(hmac(secret, body));
    }

    /**
     * True when the header carries the signature under the current secret or, during a rotation, the previous one.
     * Compared in constant time; a header that is not base64 never matches.
     */
    public static boolean verify(byte[] body, String header, String secret, String previousSecret) {
        if (header == null || header.isBlank()) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(header.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        // Always two HMACs and two comparisons, with a stand-in key for a missing secret: the time taken says neither
        // which secret matched nor whether a previous secret (or the store itself) exists.
        String standIn = noSecret();
        boolean ok = MessageDigest.isEqual(given, hmac(secret != null ? secret : standIn, body));
        boolean okPrevious = MessageDigest.isEqual(given,
                hmac(previousSecret != null ? previousSecret : standIn, body));
        return (ok && secret != null) | (okPrevious && previousSecret != null);
    }
}
