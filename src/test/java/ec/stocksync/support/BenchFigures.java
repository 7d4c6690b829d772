package ec.stocksync.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What the benchmarks measured, one line per figure in {@code target/benchmark/figures.tsv} (section, figure, measured,
 * target, verdict), which {@code bench/run.sh} prints as one table. A verdict compares with the target and is
 * only printed: benchmarks never fail on time (the machine decides that, not the code).
 */
public final class BenchFigures {

    public static final Path FILE = Path.of("target", "benchmark", "figures.tsv");

    private BenchFigures() {
    }

    /** A figure with no target. */
    public static void info(String section, String figure, String measured) {
        write(section, figure, measured, "", "");
    }

    /** A figure that should be at most {@code target} (milliseconds, seconds, MiB...). */
    public static void atMost(String section, String figure, double value, String unit, double target) {
        write(section, figure, withUnit(value, unit), "≤ " + withUnit(target, unit), value <= target ? "PASS" : "MISS");
    }

    /** A figure that should be at least {@code target}. */
    public static void atLeast(String section, String figure, double value, String unit, double target) {
        write(section, figure, withUnit(value, unit), "≥ " + withUnit(target, unit), value >= target ? "PASS" : "MISS");
    }

    private static String withUnit(double value, String unit) {
        return unit.isEmpty() ? fmt(value) : fmt(value) + " " + unit;
    }

    private static synchronized void write(String section, String figure, String measured, String target,
                                           String verdict) {
        String line = String.join("\t", section, figure, measured, target, verdict);
        System.out.println("BENCHMARK " + line.replace('\t', '|'));
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String fmt(double v) {
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "");
    }

    /** Milliseconds at the given percentile (0-100), nearest rank. */
    public static double percentile(List<Double> samples, double p) {
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
