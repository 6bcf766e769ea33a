package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The results of a run as markdown (medians over the rounds), and their section of docs/benchmarks.md. */
final class Report {
    /** Which Graphile measure each Conveyor measure is compared with. */
    static final Map<String, List<String>> PAIRS = Map.of(
            "drain", List.of("drain default", "drain batched"),
            "single-create", List.of("single-add"),
            "batch-create", List.of("batch-add"),
            "dispatch", List.of("dispatch"));

    private final Map<String, List<Measure>> rounds = new LinkedHashMap<>();

    void add(Measure m) {
        rounds.computeIfAbsent(m.system() + "/" + m.name(), k -> new ArrayList<>())
                .add(m);
    }

    List<Measure> rounds(String system, String name) {
        return rounds.getOrDefault(system + "/" + name, List.of());
    }

    double rate(String system, String name) {
        return Stats.median(rounds(system, name), Measure::tasksPerSecond);
    }

    double cpuPerTask(String system, String name) {
        return Stats.median(rounds(system, name), Measure::cpuMicrosPerTask);
    }

    double latency(String system, String name, double p) {
        List<Measure> r = rounds(system, name);
        return r.isEmpty() ? Double.NaN : Stats.pooledLatencies(r).latencyMillis(p);
    }

    /** One row per measure: median rate and CPU per task (total and per process), pooled latencies, round figures. */
    String table() {
        StringBuilder s = new StringBuilder();
        s.append(
                "| system | measure | tasks/s (median) | CPU µs/task, all processes | CPU µs/task by process | p50 / p99 ms | rounds: tasks/s | notes (last round) |\n");
        s.append("|---|---|---|---|---|---|---|---|\n");
        rounds.forEach((key, list) -> {
            Measure first = list.get(0);
            String perProcess = first.cpuMicros().keySet().stream()
                    .map(p -> p + " " + fmt(Stats.median(list, m -> m.cpuMicrosPerTask(p))))
                    .collect(Collectors.joining(", "));
            String latency = first.latencyMicros().isEmpty()
                    ? ""
                    : fmt1(latency(first.system(), first.name(), 50)) + " / "
                            + fmt1(latency(first.system(), first.name(), 99));
            String rate = first.seconds() == 0 ? "" : fmt(Stats.median(list, Measure::tasksPerSecond));
            String perRound = first.seconds() == 0
                    ? ""
                    : list.stream().map(m -> fmt(m.tasksPerSecond())).collect(Collectors.joining(", "));
            s.append(String.format(
                    "| %s | %s (n=%d) | %s | %s | %s | %s | %s | %s |%n",
                    first.system(),
                    first.name(),
                    first.tasks(),
                    rate,
                    fmt(Stats.median(list, Measure::cpuMicrosPerTask)),
                    perProcess,
                    latency,
                    perRound,
                    String.join("; ", list.get(list.size() - 1).notes())));
        });
        return s.toString();
    }

    /** Conveyor against Graphile per pair: throughput ratio, CPU ratio, latency ratio (Conveyor / Graphile). */
    String ratios() {
        StringBuilder s = new StringBuilder(
                "| Conveyor measure | Graphile measure | tasks/s ratio | CPU per task ratio | p50 / p99 ratio |\n|---|---|---|---|---|\n");
        for (String c : List.of("drain", "single-create", "batch-create", "dispatch")) {
            for (String g : PAIRS.get(c)) {
                if (rounds(Compare.CONVEYOR, c).isEmpty()
                        || rounds(Compare.GRAPHILE, g).isEmpty()) {
                    continue;
                }
                boolean latencyOnly = c.equals("dispatch");
                s.append(String.format(
                        "| %s | %s | %s | %s | %s |%n",
                        c,
                        g,
                        latencyOnly ? "" : Stats.ratio(rate(Compare.CONVEYOR, c), rate(Compare.GRAPHILE, g)),
                        Stats.ratio(cpuPerTask(Compare.CONVEYOR, c), cpuPerTask(Compare.GRAPHILE, g)),
                        latencyOnly
                                ? Stats.ratio(latency(Compare.CONVEYOR, c, 50), latency(Compare.GRAPHILE, g, 50))
                                        + " / "
                                        + Stats.ratio(
                                                latency(Compare.CONVEYOR, c, 99), latency(Compare.GRAPHILE, g, 99))
                                : ""));
            }
        }
        return s.toString();
    }

    String summary() {
        return Stats.summaryLine(
                rate(Compare.CONVEYOR, "drain"),
                cpuPerTask(Compare.CONVEYOR, "drain"),
                rate(Compare.CONVEYOR, "single-create"),
                rate(Compare.CONVEYOR, "batch-create"),
                latency(Compare.CONVEYOR, "dispatch", 50),
                latency(Compare.CONVEYOR, "dispatch", 99),
                rate(Compare.GRAPHILE, "drain batched"),
                rate(Compare.GRAPHILE, "drain default"));
    }

    /**
     * Replaces the section between {@code <!-- bench/compare <mode>: begin -->} and its end marker in the doc (appends
     * it the first time); everything else in the file stays as it is.
     */
    static void writeSection(Path doc, String mode, String body) throws IOException {
        Files.writeString(doc, replaceSection(Files.exists(doc) ? Files.readString(doc) : "", mode, body));
    }

    static String replaceSection(String text, String mode, String body) {
        return replaceBetween(
                text,
                "<!-- bench/compare " + mode + ": begin (written by ./bench/compare; edits inside are replaced) -->",
                "<!-- bench/compare " + mode + ": end -->",
                body);
    }

    /** Replaces the text between the two markers (markers included), or appends the block when they are absent. */
    static String replaceBetween(String text, String begin, String end, String body) {
        String section = begin + "\n" + body.strip() + "\n" + end;
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        return b >= 0 && e > b
                ? text.substring(0, b) + section + text.substring(e + end.length())
                : text.stripTrailing() + "\n\n" + section + "\n";
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String fmt1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }
}
