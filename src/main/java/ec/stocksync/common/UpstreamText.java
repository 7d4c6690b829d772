package ec.stocksync.common;

import java.util.regex.Pattern;

/**
 * What an upstream (Contifico, Shopify, WooCommerce) said, made safe to repeat in API answers, {@code lastError}
 * columns and logs. Error bodies are written by a server we do not control: they can be megabytes long, carry
 * terminal escapes or forged log lines, or echo our own request (headers, the API key) back at us.
 */
public final class UpstreamText {

    /** Enough for "Producto no existe"-style messages; anything longer is an error page, not a message. */
    public static final int MAX_LENGTH = 200;

    // Anything that looks like "token: X", "apiKey=X", "Authorization: Bearer X": the value is dropped.
    private static final Pattern CREDENTIAL = Pattern.compile(
            "(?i)\\b(authorization|token|access[_-]?token|api[_-]?key|secret|password|consumer[_-]?key|consumer[_-]?secret|x-shopify-access-token)"
                    + "(\"?\\s*[:=]\\s*\"?)(?:(?:bearer|basic)\\s+)?[^\\s\",;&}]+");
    private static final Pattern SCHEME_CREDENTIAL = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}");
    // Shopify and WooCommerce credentials have recognisable shapes wherever they appear.
    private static final Pattern KNOWN_SECRET = Pattern.compile("\\b(shpat|shpca|shppa|shpss|ck|cs)_[A-Za-z0-9]{6,}");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\u200B-\\u200F\\u202A-\\u202E\\u2066-\\u2069]+");

    private UpstreamText() {
    }

    /** At most {@link #MAX_LENGTH} characters, one line, no control characters, credential-like values redacted. */
    public static String sanitize(String text) {
        if (text == null) {
            return "";
        }
        // Cut a generous prefix first so a huge body costs no regex time.
        String s = text.length() > MAX_LENGTH * 4 ? text.substring(0, MAX_LENGTH * 4) : text;
        s = CONTROL.matcher(s).replaceAll(" ");
        s = CREDENTIAL.matcher(s).replaceAll("$1$2[redacted]");
        s = SCHEME_CREDENTIAL.matcher(s).replaceAll("$1 [redacted]");
        s = KNOWN_SECRET.matcher(s).replaceAll("[redacted]");
        s = s.replaceAll(" {2,}", " ").strip();
        if (s.length() > MAX_LENGTH) {
            int cut = MAX_LENGTH;
            // Do not split a surrogate pair.
            if (Character.isHighSurrogate(s.charAt(cut - 1))) {
                cut--;
            }
            s = s.substring(0, cut) + "...";
        }
        return s;
    }
}
