package ec.stocksync.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The shared storefront payloads, byte for byte (signatures are over the exact bytes). */
public final class Fixtures {

    private Fixtures() {
    }

    public static byte[] bytes(String path) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String path) {
        return new String(bytes(path), StandardCharsets.UTF_8);
    }

    /**
     * The fixture with one top-level or nested text edit applied to its raw text, so the rest of the bytes (and their
     * "\/" escapes) stay exactly as Shopify sends them.
     */
    public static byte[] edited(String path, String from, String to) {
        String text = text(path);
        if (!text.contains(from)) {
            throw new IllegalArgumentException(path + " has no " + from);
        }
        return text.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    public static ObjectNode json(String path) {
        try {
            return (ObjectNode) new ObjectMapper().readTree(bytes(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
