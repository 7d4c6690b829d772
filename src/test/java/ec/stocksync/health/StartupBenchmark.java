package ec.stocksync.health;

import ec.stocksync.support.BenchFigures;
import ec.stocksync.support.PackagedApp;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The packaged app started the way an operator starts it: no JVM options, only the settings prod requires. Start to
 * ready is from launching the JVM to the first 200 of {@code /q/health/ready} (migrations applied, pools up); idle RSS
 * is {@code VmRSS} ten seconds after that. Once on a fresh schema (the migrations run), then again on the migrated one,
 * then as the Kubernetes manifests run the JVM image, with its AppCDS archive (for information: the targets are for
 * the default settings).
 */
@Tag("benchmark")
class StartupBenchmark {

    static final String SECTION = "start-up (packaged jar, prod profile, default JVM settings)";
    static final String POD = "start-up as a pod of the manifests runs the image (1 CPU, 768 MiB limit, heap 60 %, AppCDS)";
    static final String SCHEMA = PackagedApp.schema("boot");

    @Test
    void startToReadyOnAFreshAndOnAMigratedDatabaseAndIdleRss() throws Exception {
        PackagedApp.freshSchema(SCHEMA);
        try (PackagedApp fresh = PackagedApp.start("startup-fresh", SCHEMA, List.of(), Map.of())) {
            BenchFigures.info(SECTION, "start to ready, fresh database (migrations run)",
                    BenchFigures.fmt(fresh.secondsToReady()) + " s");
        }
        try (PackagedApp migrated = PackagedApp.start("startup-migrated", SCHEMA, List.of(), Map.of())) {
            BenchFigures.atMost(SECTION, "start to ready, migrated database", migrated.secondsToReady(), "s", 3);
            BenchFigures.info(SECTION, "of which Quarkus' own \"started in\"", migrated.quarkusStartedIn());
            Thread.sleep(10_000);
            BenchFigures.atMost(SECTION, "idle RSS, 10 s after ready", migrated.rssMiB(), "MiB", 200);
        }
        // What a pod of the generated manifests gets: a 1-CPU, 768 MiB limit and JAVA_MAX_MEM_RATIO=60, which the JVM
        // image's run-java.sh turns into the heap's share. The JVM's container ergonomics then pick the serial
        // collector and a smaller heap, so the figures differ from a bare `java -jar` on this machine. The image also
        // carries an AppCDS archive written at build time (Dockerfile.jvm); -Xshare:on here makes a refused archive an
        // error instead of a silently slower start.
        Path archive = PackagedApp.appCdsArchive();
        try (PackagedApp pod = PackagedApp.start("startup-pod", SCHEMA,
                List.of("-XX:ActiveProcessorCount=1", "-XX:MaxRAM=768m", "-XX:MaxRAMPercentage=60",
                        "-XX:SharedArchiveFile=" + archive, "-Xshare:on"), Map.of())) {
            BenchFigures.info(POD, "start to ready, migrated database", BenchFigures.fmt(pod.secondsToReady()) + " s");
            Thread.sleep(10_000);
            BenchFigures.info(POD, "idle RSS, 10 s after ready", BenchFigures.fmt(pod.rssMiB()) + " MiB");
        }
    }
}
