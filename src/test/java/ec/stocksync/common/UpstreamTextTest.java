package ec.stocksync.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamTextTest {

    @Test
    void aLongBodyWithControlCharactersBecomesOneShortLine() {
        String body = "<html>\r\n<title>502 Bad Gateway</title>\n2026-01-01 INFO forged log line\u001b[2J\u0000\t"
                + "y".repeat(100_000);
        String s = UpstreamText.sanitize(body);
        assertTrue(s.length() <= UpstreamText.MAX_LENGTH + 3, "length " + s.length());
        assertTrue(s.endsWith("..."));
        assertFalse(s.chars().anyMatch(Character::isISOControl), s);
        assertTrue(s.startsWith("<html> <title>502 Bad Gateway</title> 2026-01-01 INFO forged log line"), s);
    }

    @Test
    void credentialsEchoedByAnUpstreamAreRedacted() {
        String s = UpstreamText.sanitize("bad request; headers: X-Shopify-Access-Token: shpat_0123456789abcdef "
                + "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload {\"apiKey\":\"FrWTQ8V9sEcret\"} consumer_secret=cs_live_abcdef123");
        assertFalse(s.contains("shpat_0123456789abcdef"), s);
        assertFalse(s.contains("eyJhbGciOiJIUzI1NiJ9"), s);
        assertFalse(s.contains("FrWTQ8V9sEcret"), s);
        assertFalse(s.contains("cs_live_abcdef123"), s);
        assertTrue(s.contains("[redacted]"), s);
    }

    @Test
    void anOrdinaryMessageIsKeptAsIs() {
        assertEquals("Producto no existe", UpstreamText.sanitize("Producto no existe"));
        assertEquals("Invalid API key or token expired", UpstreamText.sanitize("Invalid API key or token expired"));
        assertEquals("", UpstreamText.sanitize(null));
    }
}
