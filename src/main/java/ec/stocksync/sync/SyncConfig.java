package ec.stocksync.sync;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** Pull settings ({@code stocksync.sync.*}). */
@ConfigMapping(prefix = "stocksync.sync")
public interface SyncConfig {

    /** A pull without skipRecentPushCheck leaves alone SKUs pushed this recently (their own post-push pull covers them). */
    @WithDefault("5m")
    Duration recentPushWindow();

    /** Cron of the scheduled full pulls (Quarkus syntax, seconds first); {@code off} disables them. */
    @WithDefault("0 */15 * * * ?")
    String schedule();

    /** SKUs read from Contifico at once during a pull. */
    @WithDefault("4")
    int concurrency();
}
