package ec.stocksync.health;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of the local PostgreSQL that a test can cut and restore: the database becomes unreachable for
 * the application under test only, while the shared server keeps running for everyone else. Cut, it drops every open
 * connection and closes new ones at once, as a dead database host behind a live network would.
 */
public class DatabaseProxy implements QuarkusTestResourceLifecycleManager {

    private static final String DB_HOST = "127.0.0.1";
    private static final int DB_PORT = 5432;

    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;
    private ServerSocket server;

    @Override
    public Map<String, String> start() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread acceptor = new Thread(this::accept, "db-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        String schema = System.getenv().getOrDefault("STOCKSYNC_TEST_SCHEMA", "stocksync_test");
        int port = server.getLocalPort();
        return Map.of(
                "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:" + port + "/postgres?search_path=" + schema,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres?currentSchema=" + schema);
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(this, new TestInjector.MatchesType(DatabaseProxy.class));
    }

    @Override
    public void stop() {
        cut();
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
    }

    /** The database is gone: open connections drop, new ones are closed as soon as they are accepted. */
    public void cut() {
        cut = true;
        open.forEach(DatabaseProxy::closeQuietly);
        open.clear();
    }

    public void restore() {
        cut = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket db = new Socket(DB_HOST, DB_PORT);
                open.add(client);
                open.add(db);
                pump(client, db);
                pump(db, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // One side went away: the finally below closes the other.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "db-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }
}
