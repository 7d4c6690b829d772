-- Pulls run in the background (issue: pulls never publish a stale figure, never zero a store by mistake).

-- A run is followed while it runs (progress), can be cancelled from any replica, and never stays RUNNING after its
-- replica died: the store's pull lock is held for exactly as long as the run is RUNNING, so a RUNNING row whose lock is
-- free belongs to a dead replica and is marked INTERRUPTED.
ALTER TABLE pull_runs DROP CONSTRAINT pull_runs_status_check;
ALTER TABLE pull_runs ADD CONSTRAINT pull_runs_status_check
    CHECK (status IN ('RUNNING', 'DONE', 'FAILED', 'BLOCKED', 'CANCELLED', 'INTERRUPTED'));
ALTER TABLE pull_runs DROP CONSTRAINT pull_runs_kind_check;
ALTER TABLE pull_runs ADD CONSTRAINT pull_runs_kind_check CHECK (kind IN ('FULL', 'DELTA', 'SELECTIVE'));
ALTER TABLE pull_runs
    ADD COLUMN force            BOOLEAN     NOT NULL DEFAULT FALSE,
    ADD COLUMN owner            TEXT,
    ADD COLUMN cancel_requested BOOLEAN     NOT NULL DEFAULT FALSE,
    ADD COLUMN total            INTEGER,
    ADD COLUMN processed        INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN updated          INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN unchanged        INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN skipped          INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN failed           INTEGER     NOT NULL DEFAULT 0,
    ADD COLUMN reason           TEXT,
    ADD COLUMN heartbeat_at     TIMESTAMPTZ;
CREATE INDEX pull_runs_running ON pull_runs (store_id) WHERE status = 'RUNNING';

-- What a pull can say of one SKU: held back because a movement of the SKU arrived or was pushed while the pull ran
-- (its own post-push pull publishes the figure), or left alone because the storefront does not manage its stock.
-- NOT VALID: the new list only adds actions, so every existing row (checked by the old constraint) passes; a big
-- log is not scanned at start-up while the table is locked.
ALTER TABLE sync_logs DROP CONSTRAINT sync_logs_action_check;
ALTER TABLE sync_logs ADD CONSTRAINT sync_logs_action_check CHECK (action IN
    ('UPDATED', 'UNCHANGED', 'SKIPPED_RECENT_PUSH', 'SKIPPED_NEWER_MOVEMENT', 'SKIPPED_UNMANAGED', 'DRY_RUN', 'ERROR'))
    NOT VALID;

CREATE OR REPLACE FUNCTION sync_status_latest_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Rows that read or changed nothing do not move the status table.
    IF NEW.action IN ('DRY_RUN', 'SKIPPED_RECENT_PUSH', 'SKIPPED_NEWER_MOVEMENT', 'SKIPPED_UNMANAGED') THEN
        RETURN NULL;
    END IF;
    INSERT INTO sync_status_latest (store_id, sku, log_id, trigger, action, error, created_at)
    VALUES (NEW.store_id, NEW.sku, NEW.id, NEW.trigger, NEW.action, NEW.error, NEW.created_at)
    ON CONFLICT (store_id, sku) DO UPDATE
    SET log_id = EXCLUDED.log_id, trigger = EXCLUDED.trigger, action = EXCLUDED.action, error = EXCLUDED.error,
        created_at = EXCLUDED.created_at
    WHERE (EXCLUDED.created_at, EXCLUDED.log_id) > (sync_status_latest.created_at, sync_status_latest.log_id);
    RETURN NULL;
END
$$;

-- Full and scheduled pulls log only what changed, failed or was held back; the cache remembers when each SKU was last
-- checked and by what, so an unchanged SKU still shows its last check. A post-push pull that failed is retried from
-- here (pull_retry_at), durably, whatever replica is up.
ALTER TABLE stock_cache
    ADD COLUMN last_checked_at      TIMESTAMPTZ,
    ADD COLUMN last_checked_trigger TEXT,
    ADD COLUMN pull_retry_at        TIMESTAMPTZ,
    ADD COLUMN pull_retry_attempts  INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stock_cache_pull_retry_due ON stock_cache (pull_retry_at) WHERE pull_retry_at IS NOT NULL;

-- Operators dismiss DEAD sales they settled by hand (V11 adds the column; repeated here so this migration stands alone).
ALTER TABLE inventory_movements_queue ADD COLUMN IF NOT EXISTS dismissed_at TIMESTAMPTZ;
