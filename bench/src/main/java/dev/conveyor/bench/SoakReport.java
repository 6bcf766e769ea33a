package dev.conveyor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The soak's arithmetic and its tables, kept free of processes so they can be tested: whether a series of per-minute
 * samples is flat or growing, and the markdown the run prints and writes.
 *
 * <p>Verdict, per process:
 * <ul>
 *   <li><b>heap</b> (JVMs): the least-squares slope of the heap after a full GC over the second half of the run (the
 *       first half may still hold warm-up: caches filling, pools growing). Growing when it exceeds
 *       {@value #HEAP_SLOPE_MIB_PER_MIN} MiB/min <em>and</em> {@value #HEAP_SLOPE_SHARE_PER_MIN} of the half's mean
 *       heap per minute: a live set that keeps growing after warm-up is a leak whatever its size, and the share keeps
 *       a few objects of noise on a small heap from counting;</li>
 *   <li><b>RSS</b>: the mean of the last third minus the mean of the first third. Growing when it exceeds
 *       {@value #RSS_GROWTH_MIB} MiB <em>and</em> {@value #RSS_GROWTH_SHARE} of the first third's mean: RSS also holds
 *       native memory (thread stacks, code cache, malloc arenas, PostgreSQL's backends) that the heap does not show.</li>
 * </ul>
 * Fewer than {@value #MIN_SAMPLES} samples give no verdict.
 */
final class SoakReport {
    static final double HEAP_SLOPE_MIB_PER_MIN = 0.25;
    static final double HEAP_SLOPE_SHARE_PER_MIN = 0.005;
    static final long RSS_GROWTH_MIB = 32;
    static final double RSS_GROWTH_SHARE = 0.10;
    static final int MIN_SAMPLES = 6;

    private SoakReport() {}

    /** Flat or growing, and the figures that decided it. */
    record Verdict(String process, boolean decided, boolean growing, String why) {
        String word() {
            return !decided ? "too short" : growing ? "GROWING" : "flat";
        }
    }

    /** Least-squares slope of y over x (units of y per unit of x); 0 for fewer than two points. */
    static double slope(double[] x, double[] y) {
        int n = x.length;
        if (n < 2) {
            return 0;
        }
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? 0 : sxy / sxx;
    }

    static Verdict verdict(String process, List<SoakSample> samples) {
        int n = samples.size();
        if (n < MIN_SAMPLES) {
            return new Verdict(process, false, false, n + " samples, at least " + MIN_SAMPLES + " needed");
        }
        List<String> why = new ArrayList<>();
        boolean growing = false;
        List<SoakSample> second = samples.subList(n / 2, n);
        boolean jvm = second.stream().allMatch(s -> s.memory().get(process).hasHeap());
        if (jvm) {
            double[] x = values(second, s -> s.minute());
            double[] y = values(second, s -> s.memory().get(process).heapAfterGcMiB());
            double slope = slope(x, y);
            double mean = mean(y);
            boolean heapGrows = slope > HEAP_SLOPE_MIB_PER_MIN && slope > HEAP_SLOPE_SHARE_PER_MIN * mean;
            growing |= heapGrows;
            why.add(String.format(
                    Locale.ROOT, "heap after GC %+.2f MiB/min over the 2nd half (mean %.0f MiB)", slope, mean));
        }
        int third = n / 3;
        double first = mean(
                values(samples.subList(0, third), s -> s.memory().get(process).rssMiB()));
        double last = mean(values(
                samples.subList(n - third, n), s -> s.memory().get(process).rssMiB()));
        double growth = last - first;
        boolean rssGrows = growth > RSS_GROWTH_MIB && growth > RSS_GROWTH_SHARE * first;
        growing |= rssGrows;
        why.add(String.format(
                Locale.ROOT, "RSS %+.0f MiB last third vs first (%.0f -> %.0f MiB)", growth, first, last));
        return new Verdict(process, true, growing, String.join("; ", why));
    }

    /** The per-minute table: JVM cells read "RSS / heap after GC / heap committed" in MiB, others RSS. */
    static String table(List<SoakSample> samples, List<String> processes) {
        StringBuilder s = new StringBuilder("| min | load | created/s | completed/s | backlog | Kafka lag |");
        StringBuilder rule = new StringBuilder("|---|---|---|---|---|---|");
        for (String p : processes) {
            s.append(' ').append(p).append(" |");
            rule.append("---|");
        }
        s.append('\n').append(rule).append('\n');
        for (SoakSample x : samples) {
            s.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f | %.0f | %.0f | %d | %s |",
                    x.minute(),
                    x.load1(),
                    x.createdPerSecond(),
                    x.completedPerSecond(),
                    x.backlog(),
                    x.lag() < 0 ? "?" : Long.toString(x.lag())));
            for (String p : processes) {
                SoakSample.Memory m = x.memory().get(p);
                s.append(' ')
                        .append(
                                m.hasHeap()
                                        ? m.rssMiB() + " / " + m.heapAfterGcMiB() + " / " + m.heapCommittedMiB()
                                        : Long.toString(m.rssMiB()))
                        .append(" |");
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** One line for all processes: which grew, or flat, or that the run was too short to tell. */
    static String headline(List<Verdict> verdicts) {
        List<String> growing =
                verdicts.stream().filter(Verdict::growing).map(Verdict::process).toList();
        List<String> undecided = verdicts.stream()
                .filter(v -> !v.decided())
                .map(Verdict::process)
                .toList();
        if (!growing.isEmpty()) {
            return "GROWTH in " + String.join(", ", growing);
        }
        if (undecided.size() == verdicts.size()) {
            return "none yet (too few minutes)";
        }
        return undecided.isEmpty()
                ? "every process flat"
                : "flat, except too short to tell for " + String.join(", ", undecided);
    }

    static String verdicts(List<Verdict> verdicts) {
        StringBuilder s = new StringBuilder("| process | verdict | figures |\n|---|---|---|\n");
        verdicts.forEach(v -> s.append("| ")
                .append(v.process())
                .append(" | ")
                .append(v.word())
                .append(" | ")
                .append(v.why())
                .append(" |\n"));
        return s.toString();
    }

    /** The {@code top} classes whose live bytes grew most between two histograms, as "class +KiB" lines. */
    static List<String> histogramGrowth(
            java.util.Map<String, Long> before, java.util.Map<String, Long> after, int top) {
        return after.entrySet().stream()
                .map(e -> java.util.Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0)
                .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top)
                .map(e -> String.format(Locale.ROOT, "%s %+,d KiB", e.getKey(), e.getValue() / 1024))
                .toList();
    }

    private static double[] values(List<SoakSample> samples, ToDoubleFunction<SoakSample> f) {
        return samples.stream().mapToDouble(f).toArray();
    }

    private static double mean(double[] v) {
        double sum = 0;
        for (double d : v) {
            sum += d;
        }
        return v.length == 0 ? 0 : sum / v.length;
    }
}
