package ec.stocksync.movement;

/** A movement leaves the queue only as DONE or DEAD (after its retry budget), never silently. */
public enum MovementStatus {
    PENDING, IN_PROGRESS, DONE, DEAD
}
