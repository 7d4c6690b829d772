package ec.stocksync.jvm;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

/** What the service does about its own memory ({@code stocksync.memory.*}). */
@ConfigMapping(prefix = "stocksync.memory")
public interface MemoryConfig {

    /**
     * Once, shortly after start-up, hand the start-up's garbage back to the operating system (a full collection with
     * the heap allowed to shrink, then the C heap trimmed): about 70 MiB of an idle replica's resident memory.
     */
    @WithDefault("true")
    boolean releaseAfterStart();

    /** How long after start-up: long enough for the first probes and the workers' first round to be done. */
    @WithDefault("2s")
    Duration releaseDelay();
}
