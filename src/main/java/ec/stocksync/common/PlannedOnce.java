package ec.stocksync.common;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.List;
import java.util.Optional;

/**
 * The service's connection pool, with a prepared-statement cache for the statements marked {@link #MARK} and only
 * for those. A cached statement is parsed and analysed once per connection, and after five executions PostgreSQL
 * may keep one generic plan for it (made without the parameters' values) instead of planning every execution (it
 * does not for the webhook ingest's record statement, whose custom plans it prices lower: architecture notes,
 * "Statement cache").
 *
 * <p>Opt-in (the client's own default caches every statement under 2,048 characters), because a statement is only
 * safe to cache when:
 * <ul>
 * <li>its generic plan is good whatever the parameters and the table statistics it was made on (every look-up
 * bound to an index on its key); {@code IngestStatementCacheTest} and {@code StatusStatementPlansTest} read the
 * marked statements' generic plans;</li>
 * <li>it names its result columns: PostgreSQL refuses a cached statement whose {@code SELECT *} columns changed
 * under it ("cached plan must not change result type"), as a newer release's migration does to old replicas
 * still running during a rolling deploy, and the client keeps the broken statement for the connection's life.</li>
 * </ul>
 */
@Singleton
public class PlannedOnce implements PgPoolCreator {

    /** The comment that opens a statement to cache. Visible in {@code pg_stat_statements} and server logs too. */
    public static final String MARK = "/* planned once */ ";

    private final boolean enabled;

    public PlannedOnce(DatabaseConfig config,
                       @ConfigProperty(name = "quarkus.datasource.reactive.cache-prepared-statements")
                       Optional<Boolean> quarkusCache) {
        // An operator who turned Quarkus' own cache off meant no cached statement at all.
        this.enabled = config.statementCache() && quarkusCache.orElse(true);
    }

    /** {@code sql}, marked for the statement cache. */
    public static String cached(String sql) {
        return MARK + sql;
    }

    @Override
    public Pool create(Input input) {
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            options.setCachePreparedStatements(enabled);
            if (enabled) {
                // The filter replaces the client's 2,048-character limit, which left the record statement out.
                // Eight marked statements today: 64 is headroom (the cache closes what it evicts).
                options.setPreparedStatementCacheMaxSize(64)
                        .setPreparedStatementCacheSqlFilter(sql -> sql.startsWith(MARK));
            }
        }
        return PgBuilder.pool().with(input.poolOptions())
                .connectingTo(List.<SqlConnectOptions>copyOf(input.pgConnectOptionsList()))
                .using(input.vertx()).build();
    }
}
