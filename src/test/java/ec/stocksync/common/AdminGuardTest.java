package ec.stocksync.common;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin guard cannot be walked around: whatever spelling of a path reaches an /api resource, it needs the token.
 * Requests go out byte for byte over a socket, so no client normalises the path on the attacker's behalf.
 */
@QuarkusTest
class AdminGuardTest {

    /** The status line of a GET of {@code rawPath} without any Authorization header. */
    static String statusOf(String rawPath) throws Exception {
        try (Socket s = new Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void everySpellingOfAnAdminPathNeedsTheToken() throws Exception {
        for (String path : List.of("/api/stores", "//api/stores", "///api//stores", "/api;x/stores", "/api/stores;x",
                "/%61pi/stores", "/api%2fstores", "/x/../api/stores", "/x/%2e%2e/api/stores", "/./api/stores",
                "/api/./stores", "/api/sync-status", "/%2e/api/stores", "/API/stores", "/api/stores/")) {
            String status = statusOf(path);
            System.out.printf("[admin-guard] %-24s -> %s%n", path, status);
            // 401 (guarded), or 400/404 (refused or no such resource): never a 2xx with data.
            assertTrue(status.contains(" 401 ") || status.contains(" 404 ") || status.contains(" 400 "),
                    path + " answered " + status);
        }
        assertTrue(statusOf("//api/stores").contains(" 401 ") || statusOf("//api/stores").contains(" 404 "));
        assertTrue(statusOf("/api/stores").contains(" 401 "));
    }

    @Test
    void theTokenIsComparedWholeWhateverItsPrefix() throws Exception {
        // A prefix of the right token, or the right token with something appended, is refused.
        for (String token : List.of("test-admin", "test-admin-token-and-more", "", " ")) {
            int code = RestAssured.given().header("Authorization", "Bearer " + token).get("/api/stores").statusCode();
            assertTrue(code == 401, token + " -> " + code);
        }
    }
}
