package ec.stocksync.sync;

/** What started a pull; the dashboard shows it as a badge ("Por venta", "Manual", "Programado"). */
public enum SyncTrigger {
    SALE, MANUAL, SCHEDULED
}
