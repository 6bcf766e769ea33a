package dev.conveyor.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The pure arithmetic of the benchmark: percentiles, medians over rounds, and the machine-readable summary line. */
public final class Stats {
    private Stats() {}

    /** Nearest-rank percentile (p in 0..100) of unsorted values. */
    public static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** The median of one figure over the rounds of a measure (the mean of the two middle ones for an even count). */
    public static double median(List<Measure> rounds, ToDoubleFunction<Measure> figure) {
        if (rounds.isEmpty()) {
            return Double.NaN;
        }
        double[] v = rounds.stream().mapToDouble(figure).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** All latencies of all rounds together (percentiles over the pooled samples, not a median of percentiles). */
    public static Measure pooledLatencies(List<Measure> rounds) {
        List<Long> all = new ArrayList<>();
        rounds.forEach(m -> all.addAll(m.latencyMicros()));
        Measure first = rounds.get(0);
        return new Measure(first.name(), first.system(), all.size(), 0, java.util.Map.of(), all, List.of());
    }

    /**
     * The last line of every run, numbers only, in the form issue 15 fixes so scripts can read it:
     * {@code summary: drain <tasks/s> <cpu µs per task>, single-create <tasks/s>, batch-create <tasks/s>,
     * dispatch <p50 ms> <p99 ms>, graphile-batched <jobs/s>, graphile-default <jobs/s>}.
     */
    public static String summaryLine(
            double drainRate,
            double drainCpuMicros,
            double singleCreateRate,
            double batchCreateRate,
            double dispatchP50Millis,
            double dispatchP99Millis,
            double graphileBatchedRate,
            double graphileDefaultRate) {
        return String.format(
                Locale.ROOT,
                "summary: drain %.0f %.0f, single-create %.0f, batch-create %.0f, dispatch %.1f %.1f, graphile-batched %.0f, graphile-default %.0f",
                orZero(drainRate),
                orZero(drainCpuMicros),
                orZero(singleCreateRate),
                orZero(batchCreateRate),
                orZero(dispatchP50Millis),
                orZero(dispatchP99Millis),
                orZero(graphileBatchedRate),
                orZero(graphileDefaultRate));
    }

    /** A measure the run left out (--measures) reads 0 in the summary: the line stays numbers only. */
    private static double orZero(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    /** a / b as "1.23x", or "-" when b is zero or either is not a number. */
    public static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2fx", a / b);
    }
}
