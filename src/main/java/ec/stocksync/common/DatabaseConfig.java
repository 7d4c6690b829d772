package ec.stocksync.common;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the service uses its PostgreSQL connections ({@code stocksync.db.*}), beside Quarkus' datasource settings. */
@ConfigMapping(prefix = "stocksync.db")
public interface DatabaseConfig {

    /**
     * Keep the hot statements ({@link PlannedOnce}) prepared on each connection: parsed and analysed once, and
     * PostgreSQL may then keep one generic plan for them. Off: no statement is kept prepared, for a pooler in
     * transaction mode that does not track prepared statements (PgBouncer before 1.21, or with
     * {@code max_prepared_statements = 0}), where a named statement can reach a server connection that never
     * prepared it.
     */
    @WithDefault("true")
    boolean statementCache();
}
