package ec.stocksync.contifico;

import java.nio.charset.StandardCharsets;

/**
 * What one exchange with Contifico brought back, whatever its status: the few headers the client acts on and the
 * body as bytes (at most {@code stocksync.contifico.max-body-size}, see {@link ContificoBodyLimit}).
 */
record ContificoAnswer(int status, String location, String retryAfter, byte[] body) {

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
