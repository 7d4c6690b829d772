-- The newest meaningful sync_logs row per (store, SKU), kept by a trigger so the status table never has to search the
-- log for 10,000 SKUs on every poll. Dry runs and skipped pulls read or changed nothing, so they do not count.
CREATE TABLE sync_status_latest (
    store_id    BIGINT      NOT NULL REFERENCES stores (id),
    sku         TEXT        NOT NULL,
    log_id      BIGINT      NOT NULL,
    trigger     TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    error       TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (store_id, sku)
);

CREATE FUNCTION sync_status_latest_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.action IN ('DRY_RUN', 'SKIPPED_RECENT_PUSH') THEN
        RETURN NULL;
    END IF;
    INSERT INTO sync_status_latest (store_id, sku, log_id, trigger, action, error, created_at)
    VALUES (NEW.store_id, NEW.sku, NEW.id, NEW.trigger, NEW.action, NEW.error, NEW.created_at)
    ON CONFLICT (store_id, sku) DO UPDATE
    SET log_id = EXCLUDED.log_id, trigger = EXCLUDED.trigger, action = EXCLUDED.action, error = EXCLUDED.error,
        created_at = EXCLUDED.created_at
    -- Two pulls of one SKU may commit out of order: the newer row wins whatever the order of arrival.
    WHERE (EXCLUDED.created_at, EXCLUDED.log_id) > (sync_status_latest.created_at, sync_status_latest.log_id);
    RETURN NULL;
END
$$;

CREATE TRIGGER sync_logs_track_latest AFTER INSERT ON sync_logs
    FOR EACH ROW EXECUTE FUNCTION sync_status_latest_track();

INSERT INTO sync_status_latest (store_id, sku, log_id, trigger, action, error, created_at)
SELECT DISTINCT ON (store_id, sku) store_id, sku, id, trigger, action, error, created_at
FROM sync_logs
WHERE action NOT IN ('DRY_RUN', 'SKIPPED_RECENT_PUSH')
ORDER BY store_id, sku, created_at DESC, id DESC;

-- The status table reads only the open part of the queue (pending, in progress, dead) per store; DONE rows pile up.
CREATE INDEX inventory_movements_open_by_store ON inventory_movements_queue (store_id, sku) WHERE status <> 'DONE';
