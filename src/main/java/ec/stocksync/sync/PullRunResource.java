package ec.stocksync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ec.stocksync.common.ApiException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** A store's recent pulls with their summaries. */
@Path("/api/stores/{id}/pulls")
@Produces(MediaType.APPLICATION_JSON)
public class PullRunResource {

    @Inject
    Pool pool;
    @Inject
    ObjectMapper mapper;

    @RegisterForReflection
    public record PullRun(long id, long storeId, Long integrationId, String trigger, String kind, boolean dryRun,
                          String status, JsonNode summary, OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    @GET
    public Uni<List<PullRun>> pulls(@RestPath long id, @RestQuery Integer limit) {
        int n = limit == null ? 20 : limit;
        if (n < 1 || n > 200) {
            throw ApiException.invalidField("limit", "must be between 1 and 200");
        }
        return pool.preparedQuery("""
                        SELECT id, store_id, integration_id, trigger, kind, dry_run, status, summary::text AS summary,
                               started_at, finished_at
                        FROM pull_runs WHERE store_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2""")
                .execute(Tuple.of(id, n))
                .map(rows -> {
                    List<PullRun> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new PullRun(r.getLong("id"), r.getLong("store_id"), r.getLong("integration_id"),
                                r.getString("trigger"), r.getString("kind"), r.getBoolean("dry_run"),
                                r.getString("status"), json(r.getString("summary")), r.getOffsetDateTime("started_at"),
                                r.getOffsetDateTime("finished_at")));
                    }
                    return out;
                });
    }

    private JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("pull_runs.summary is not JSON", e);
        }
    }
}
