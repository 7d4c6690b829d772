package ec.stocksync.sync;

/**
 * @param dryRun              report what would change, write nothing to the storefront, the cache or the log
 * @param limit               most SKUs to process (null: all)
 * @param skipRecentPushCheck also pull SKUs pushed in the last minutes (the post-push pull does: it reads after its own push)
 * @param force               write even when the pull would take many SKUs from above 0 to 0
 */
public record SyncOptions(boolean dryRun, Integer limit, boolean skipRecentPushCheck, boolean force) {

    public static final SyncOptions AFTER_PUSH = new SyncOptions(false, null, true, false);
    public static final SyncOptions SCHEDULED = new SyncOptions(false, null, false, false);

    public SyncOptions(boolean dryRun, Integer limit, boolean skipRecentPushCheck) {
        this(dryRun, limit, skipRecentPushCheck, false);
    }
}
