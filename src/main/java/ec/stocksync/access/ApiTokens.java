package ec.stocksync.access;

import ec.stocksync.common.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** The one owner of {@code api_tokens}: issuing, listing, revoking and recognising named tokens. */
@ApplicationScoped
public class ApiTokens {

    /** Marks our tokens, so a secret scanner (or a person) can tell one found in a log or a repository. */
    static final String PREFIX = "sst_";
    private static final String COLUMNS = "id, name, token_prefix, store_id, can_write, created_at, created_by, expires_at,"
            + " revoked_at, last_used_at, now() AS now";

    /** Per bean, not static: a native image would run a static initialiser at build time and freeze the generator. */
    private final SecureRandom random = new SecureRandom();

    @Inject
    Pool pool;

    /** A new token: 256 random bits, of which only the hash is stored. */
    String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Issues a token and answers it with its secret, the only time that secret leaves the service. */
    public Uni<ApiToken> create(String name, Long storeId, boolean canWrite, int expiresInDays, String createdBy) {
        String token = newToken();
        return pool.preparedQuery("INSERT INTO api_tokens (name, token_hash, token_prefix, store_id, can_write, created_by,"
                        + " expires_at) VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(days => $7)) RETURNING " + COLUMNS)
                .execute(Tuple.from(new Object[]{name, hash(token), token.substring(0, PREFIX.length() + 6), storeId, canWrite,
                        createdBy, expiresInDays}))
                .map(rows -> view(rows.iterator().next()).withToken(token));
    }

    public Uni<List<ApiToken>> list(Long storeId) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE ($1::bigint IS NULL OR store_id = $1)"
                        + " ORDER BY id DESC")
                .execute(Tuple.of(storeId)).map(ApiTokens::views);
    }

    /** Null when there is no such token. */
    public Uni<ApiToken> find(long id) {
        return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_tokens WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : view(rows.iterator().next()));
    }

    /** Revokes at once (the next request with it is refused); revoking twice keeps the first time. Null when unknown. */
    public Uni<ApiToken> revoke(long id) {
        return pool.preparedQuery("UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING "
                        + COLUMNS)
                .execute(Tuple.of(id)).map(rows -> rows.size() == 0 ? null : view(rows.iterator().next()));
    }

    /**
     * The caller a presented token stands for, or null when it is unknown, revoked or expired. Looked up by hash: the
     * index compares hashes, so the lookup's timing says nothing about the token. Last use is written at most once a
     * minute per token, so polling does not turn reads into writes.
     */
    public Uni<Caller> authenticate(String presented) {
        String hash = hash(presented);
        return pool.preparedQuery("SELECT id, name, store_id, can_write, expires_at,"
                        + " last_used_at IS NULL OR last_used_at < now() - interval '1 minute' AS stale"
                        + " FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now()")
                .execute(Tuple.of(hash))
                .chain(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row r = rows.iterator().next();
                    Caller caller = new Caller(r.getLong("id"), r.getString("name"), r.getLong("store_id"),
                            r.getBoolean("can_write"), r.getOffsetDateTime("expires_at"));
                    if (!r.getBoolean("stale")) {
                        return Uni.createFrom().item(caller);
                    }
                    return pool.preparedQuery("UPDATE api_tokens SET last_used_at = now() WHERE id = $1")
                            .execute(Tuple.of(caller.tokenId())).replaceWith(caller);
                });
    }

    private static List<ApiToken> views(RowSet<Row> rows) {
        List<ApiToken> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(view(r));
        }
        return out;
    }

    private static ApiToken view(Row r) {
        Long store = r.getLong("store_id");
        OffsetDateTime expires = r.getOffsetDateTime("expires_at");
        OffsetDateTime revoked = r.getOffsetDateTime("revoked_at");
        String status = revoked != null ? "revoked" : expires.isAfter(r.getOffsetDateTime("now")) ? "active" : "expired";
        return new ApiToken(r.getLong("id"), r.getString("name"), store == null ? "admin" : "store", store,
                r.getBoolean("can_write") ? "read-write" : "read-only", r.getString("token_prefix"),
                r.getOffsetDateTime("created_at"), r.getString("created_by"), expires, revoked,
                r.getOffsetDateTime("last_used_at"), status, null);
    }
}
