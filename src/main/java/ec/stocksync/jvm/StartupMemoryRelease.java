package ec.stocksync.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives back, once, the memory start-up used and the running service does not need.
 *
 * <p>Start-up (configuration, CDI, Hibernate's metamodel, Flyway, the OpenAPI document) allocates far more than an
 * idle replica keeps: measured on the packaged app, a full collection finds about 22 MiB live in a heap of 100 MiB it
 * has touched, and the C heap holds about 20 MiB of freed blocks in glibc's per-thread arenas. The JVM returns
 * neither by itself: G1 shrinks the heap only after a full or concurrent cycle and only down to
 * {@code MaxHeapFreeRatio} (70 %) of free space, and glibc keeps freed arena memory. On Kubernetes that is memory
 * the pod is billed and limited for; this class does, once, what {@code -XX:G1PeriodicGCInterval} and
 * {@code -XX:TrimNativeHeapInterval} would do, without asking operators for JVM options.
 *
 * <p>A full collection with the free-space ratios lowered for its duration (both are manageable flags; an operator's
 * own values are left alone), the ratios put back (later collections size the heap as the JVM always would), then
 * glibc's {@code malloc_trim} through the JVM's {@code System.trim_native_heap} diagnostic command. It runs on a
 * thread of its own a couple of seconds after start-up, not on an event loop: the collection stops the application for
 * a few tens of milliseconds, once.
 */
@ApplicationScoped
public class StartupMemoryRelease {

    private static final Logger LOG = Logger.getLogger(StartupMemoryRelease.class);
    private static final String MIN_FREE = "MinHeapFreeRatio";
    private static final String MAX_FREE = "MaxHeapFreeRatio";

    @Inject
    MemoryConfig config;

    void onStart(@Observes StartupEvent event) {
        // A native image has neither HotSpot's flags nor its diagnostic commands, and a small heap to begin with.
        if (!config.releaseAfterStart() || ImageMode.current().isNativeImage()) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(config.releaseDelay().toMillis());
                release();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // Only a footprint is at stake: the service runs the same without it.
                LOG.warnf("start-up memory not released: %s", e.toString());
            }
        }, "startup-memory-release");
        t.setDaemon(true);
        t.start();
    }

    /** What one release did, for the log and for tests. */
    public record Released(long rssBeforeKiB, long rssAfterKiB, boolean ratiosLowered, String nativeTrim) {
    }

    public Released release() {
        long before = rssKiB();
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        VMOption min = hotspot.getVMOption(MIN_FREE);
        VMOption max = hotspot.getVMOption(MAX_FREE);
        boolean lower = min.getOrigin() == VMOption.Origin.DEFAULT && max.getOrigin() == VMOption.Origin.DEFAULT;
        if (lower) {
            // Min first, so min <= max holds at every step (the JVM refuses a value that breaks it).
            hotspot.setVMOption(MIN_FREE, "10");
            hotspot.setVMOption(MAX_FREE, "20");
        }
        try {
            System.gc();
        } finally {
            if (lower) {
                hotspot.setVMOption(MAX_FREE, max.getValue());
                hotspot.setVMOption(MIN_FREE, min.getValue());
            }
        }
        String trim = trimNativeHeap();
        Released r = new Released(before, rssKiB(), lower, trim);
        LOG.infof("start-up memory released: resident %d MiB -> %d MiB", r.rssBeforeKiB() / 1024, r.rssAfterKiB() / 1024);
        return r;
    }

    /** glibc's malloc_trim through the JVM (JDK 17.0.9 and later); null where the JVM or the C library has none. */
    private static String trimNativeHeap() {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "systemTrimNativeHeap",
                    new Object[]{new String[0]}, new String[]{String[].class.getName()});
            return out == null ? null : out.toString().trim();
        } catch (Exception e) {
            LOG.debugf("native heap not trimmed: %s", e.toString());
            return null;
        }
    }

    /** This process's resident set from /proc (Linux); -1 elsewhere. */
    static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or /proc not mounted: the figure is only for the log.
        }
        return -1;
    }
}
