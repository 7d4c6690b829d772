package ec.stocksync.access;

import ec.stocksync.common.Caller;
import ec.stocksync.common.Paging;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The one owner of {@code api_audit_log}: who changed what through the API, and when. */
@ApplicationScoped
public class AuditLog {

    static final int PATH_MAX = 500;

    @RegisterForReflection
    public record Entry(long id, OffsetDateTime at, Long tokenId, String tokenName, String method, String path,
                        Long storeId, int status) {
    }

    @RegisterForReflection
    public record Page(List<Entry> items, int page, int size, long total) {
    }

    @Inject
    Pool pool;

    public Uni<Void> record(Caller caller, String method, String path, int status) {
        // PostgreSQL text cannot hold NUL: a request path carrying %00 (refused by the API with a 400) is still audited.
        String clean = path.replace('\0', '\uFFFD');
        String p = clean.length() > PATH_MAX ? clean.substring(0, PATH_MAX) : clean;
        return pool.preparedQuery("INSERT INTO api_audit_log (token_id, token_name, method, path, store_id, status)"
                        + " VALUES ($1, $2, $3, $4, $5, $6)")
                .execute(Tuple.from(new Object[]{caller.tokenId(), caller.tokenName(), method, p, caller.auditedStore(), status}))
                .replaceWithVoid();
    }

    /** Newest first; {@code storeId} null means every store and the writes that concern none (tokens, new stores). */
    public Uni<Page> page(Long storeId, Long tokenId, Paging paging) {
        String filter = " WHERE ($1::bigint IS NULL OR store_id = $1) AND ($2::bigint IS NULL OR token_id = $2)";
        Uni<List<Entry>> items = pool.preparedQuery("SELECT * FROM api_audit_log" + filter
                        + " ORDER BY at DESC, id DESC LIMIT $3 OFFSET $4")
                .execute(Tuple.of(storeId, tokenId, paging.size(), paging.offset()))
                .map(rows -> {
                    List<Entry> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Entry(r.getLong("id"), r.getOffsetDateTime("at"), r.getLong("token_id"),
                                r.getString("token_name"), r.getString("method"), r.getString("path"),
                                r.getLong("store_id"), r.getInteger("status")));
                    }
                    return out;
                });
        Uni<Long> total = pool.preparedQuery("SELECT count(*) FROM api_audit_log" + filter)
                .execute(Tuple.of(storeId, tokenId)).map(rows -> rows.iterator().next().getLong(0));
        return Uni.combine().all().unis(items, total).asTuple()
                .map(t -> new Page(t.getItem1(), paging.page(), paging.size(), t.getItem2()));
    }
}
