package ec.stocksync.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-off release after start-up (off in the test profile, so it runs here when called). */
@QuarkusTest
class StartupMemoryReleaseTest {

    @Inject
    StartupMemoryRelease release;

    @Test
    void theReleaseLeavesTheHeapSizingRatiosAsTheyWereAndTrimsTheCHeap() {
        HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String min = hotspot.getVMOption("MinHeapFreeRatio").getValue();
        String max = hotspot.getVMOption("MaxHeapFreeRatio").getValue();

        StartupMemoryRelease.Released r = release.release();

        // The test JVM runs with the JVM's defaults, so the ratios were lowered for the collection, then put back:
        // left at 10/20 they would make every later collection shrink the heap hard and collect more often.
        assertTrue(r.ratiosLowered(), "the default ratios are lowered for the collection");
        assertEquals(min, hotspot.getVMOption("MinHeapFreeRatio").getValue());
        assertEquals(max, hotspot.getVMOption("MaxHeapFreeRatio").getValue());
        // The JDK this project builds on (17.0.9 and later, on glibc) has the trim command and reports what it did.
        assertNotNull(r.nativeTrim(), "the C heap was trimmed");
        assertTrue(r.nativeTrim().contains("Trim native heap"), r.nativeTrim());
        assertTrue(r.rssBeforeKiB() > 0 && r.rssAfterKiB() > 0, "resident sizes read from /proc");
    }
}
