-- Retention purges (ec.stocksync.retention.RetentionJob) delete old pull runs and DONE movements that sync_logs rows may
-- still point at: those logs keep their figures and lose only the link.
ALTER TABLE sync_logs DROP CONSTRAINT sync_logs_pull_run_id_fkey,
    ADD CONSTRAINT sync_logs_pull_run_id_fkey FOREIGN KEY (pull_run_id) REFERENCES pull_runs (id) ON DELETE SET NULL;
ALTER TABLE sync_logs DROP CONSTRAINT sync_logs_movement_id_fkey,
    ADD CONSTRAINT sync_logs_movement_id_fkey FOREIGN KEY (movement_id) REFERENCES inventory_movements_queue (id)
        ON DELETE SET NULL;
-- Without these, every deleted run or movement would scan sync_logs to find the rows to unlink.
CREATE INDEX sync_logs_pull_run ON sync_logs (pull_run_id) WHERE pull_run_id IS NOT NULL;
CREATE INDEX sync_logs_movement ON sync_logs (movement_id) WHERE movement_id IS NOT NULL;

-- What each purge searches, oldest first. RUNNING runs and open movements are never purged, so they stay out.
CREATE INDEX sync_logs_created ON sync_logs (created_at);
CREATE INDEX pull_runs_finished ON pull_runs (finished_at) WHERE status <> 'RUNNING';
CREATE INDEX inventory_movements_done_at ON inventory_movements_queue (done_at) WHERE status = 'DONE';

-- The business keys of purged movements. The queue's unique business key is what stops a second booking, and a
-- reconciliation re-reads any order modified lately, however old (a refund 100 days after the sale): without the key,
-- the sale of that order would be booked again. A key is a few dozen bytes against a whole queue row.
CREATE TABLE inventory_movements_purged_keys (
    store_id      BIGINT NOT NULL REFERENCES stores (id),
    business_key  TEXT   NOT NULL,
    PRIMARY KEY (store_id, business_key)
);
