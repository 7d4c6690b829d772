package ec.stocksync.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Times requests the way a client sees them, over a kept-alive connection. RestAssured is fine for asserting but adds
 * milliseconds of its own per call, which would swamp a 2 ms answer.
 */
public final class HttpTimer {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private HttpTimer() {
    }

    public static HttpResponse<String> send(HttpRequest request) {
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Milliseconds of each of {@code rounds} GETs (with {@code token}) after {@code warmup} untimed ones; each must
     * answer {@code expectedStatus}.
     */
    public static List<Double> time(URI uri, String token, String ifNoneMatch, int expectedStatus, int warmup,
                                    int rounds) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET()
                .header("Authorization", "Bearer " + token);
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        HttpRequest request = b.build();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < warmup + rounds; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(request);
            double elapsed = (System.nanoTime() - t0) / 1e6;
            if (r.statusCode() != expectedStatus) {
                throw new AssertionError(uri + " answered " + r.statusCode() + ", expected " + expectedStatus + ": " + r.body());
            }
            if (i >= warmup) {
                ms.add(elapsed);
            }
        }
        return ms;
    }
}
