package ec.stocksync.support;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

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
     * answer {@code expectedStatus}. One kept-alive connection on a plain blocking socket, read on the calling thread:
     * the JDK client hands every answer from its selector thread to the caller, and on 2 cores those hand-offs showed
     * in the tail as milliseconds the server never spent.
     */
    public static List<Double> time(URI uri, String token, String ifNoneMatch, int expectedStatus, int warmup,
                                    int rounds) {
        String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort() + "\r\nAuthorization: Bearer " + token
                + (ifNoneMatch == null ? "" : "\r\nIf-None-Match: " + ifNoneMatch) + "\r\n\r\n";
        byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        List<Double> ms = new ArrayList<>();
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            for (int i = 0; i < warmup + rounds; i++) {
                long t0 = System.nanoTime();
                out.write(bytes);
                out.flush();
                int status = readResponse(in);
                double elapsed = (System.nanoTime() - t0) / 1e6;
                if (status != expectedStatus) {
                    throw new AssertionError(uri + " answered " + status + ", expected " + expectedStatus);
                }
                if (i >= warmup) {
                    ms.add(elapsed);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(uri + ": " + e, e);
        }
        return ms;
    }

    /** Reads one HTTP/1.1 answer (by Content-Length or chunked), body discarded; answers its status. */
    private static int readResponse(BufferedInputStream in) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        long length = -1;
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(h.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            }
        }
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";")[0].trim(), 16); size > 0;
                 size = Long.parseLong(line(in).split(";")[0].trim(), 16)) {
                skip(in, size);
                line(in);
            }
            line(in);
        } else if (length > 0) {
            skip(in, length);
        }
        return status;
    }

    private static void skip(BufferedInputStream in, long n) throws IOException {
        while (n > 0) {
            long k = in.skip(n);
            if (k <= 0) {
                if (in.read() < 0) {
                    throw new IOException("connection closed mid-answer");
                }
                k = 1;
            }
            n -= k;
        }
    }

    private static String line(BufferedInputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed mid-answer");
            }
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
