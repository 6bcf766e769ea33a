package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Profiles of the service JVMs over one measure (the drain by default): a JFR recording (settings=profile, started
 * and stopped with jcmd, so only that measure is in it) and the CPU of each thread from /proc over the same window.
 * Prints what the optimisation pass starts from: top methods, the share of samples per framework, and where the CPU
 * went by thread.
 */
final class Profiler {
    /** Frameworks by package prefix: a sample counts for each framework that has a frame anywhere in its stack. */
    private static final Map<String, List<String>> FRAMEWORKS = new LinkedHashMap<>();

    static {
        FRAMEWORKS.put("dev.conveyor (own code)", List.of("dev.conveyor."));
        FRAMEWORKS.put("Netty / Vert.x", List.of("io.netty.", "io.vertx."));
        FRAMEWORKS.put("Jackson", List.of("com.fasterxml.jackson."));
        FRAMEWORKS.put("JWT (smallrye-jwt, jose4j)", List.of("io.smallrye.jwt.", "org.jose4j."));
        FRAMEWORKS.put("RESTEasy Reactive", List.of("org.jboss.resteasy."));
        FRAMEWORKS.put("Micrometer", List.of("io.micrometer."));
        FRAMEWORKS.put("Kafka client", List.of("org.apache.kafka."));
        FRAMEWORKS.put("PostgreSQL client", List.of("io.vertx.pgclient.", "io.vertx.sqlclient."));
        FRAMEWORKS.put(
                "Mutiny / context propagation / ArC",
                List.of("io.smallrye.mutiny.", "io.smallrye.context.", "io.quarkus.arc."));
    }

    private final Map<String, Long> pids;
    private final Path dir;
    private final String measure;
    private final Map<String, Map<String, Long>> threadsBefore = new HashMap<>();

    /** {@code measure} names the recordings: {@code <jvm>-<measure>.jfr} in {@code dir}. */
    Profiler(Map<String, Long> pids, Path dir, String measure) {
        this.pids = pids;
        this.dir = dir;
        this.measure = measure;
    }

    void start() {
        pids.forEach((name, pid) -> {
            Jcmd.startRecording(pid, "bench");
            threadsBefore.put(name, Proc.threadCpuMicros(pid));
        });
    }

    /** Stops the recordings and answers the findings as markdown. */
    String stop() throws IOException {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            Map<String, Long> threads = new HashMap<>(Proc.threadCpuMicros(e.getValue()));
            threadsBefore.get(e.getKey()).forEach((t, before) -> threads.merge(t, -before, Long::sum));
            Path file = dir.resolve(e.getKey() + "-" + measure + ".jfr");
            Jcmd.stopRecording(e.getValue(), "bench", file);
            s.append("**").append(e.getKey()).append("** (").append(file).append(")\n\n");
            s.append(threadTable(threads)).append('\n').append(samples(file)).append('\n');
        }
        return s.toString();
    }

    private static String threadTable(Map<String, Long> threads) {
        long total = threads.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder s = new StringBuilder("CPU by thread (from /proc, a trailing number folded to #): ");
        s.append(threads.entrySet().stream()
                .filter(t -> t.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(10)
                .map(t -> String.format("%s %d%%", t.getKey(), Math.round(100.0 * t.getValue() / Math.max(1, total))))
                .collect(Collectors.joining(", ")));
        return s.append(String.format(" (total %.2f s)%n", total / 1e6)).toString();
    }

    private static String samples(Path file) throws IOException {
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> framework = new LinkedHashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                continue;
            }
            List<RecordedFrame> frames = e.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            total++;
            top.merge(name(frames.get(0)), 1, Integer::sum);
            List<String> names = frames.stream().map(Profiler::name).toList();
            FRAMEWORKS.forEach((label, prefixes) -> {
                if (names.stream().anyMatch(n -> prefixes.stream().anyMatch(n::startsWith))) {
                    framework.merge(label, 1, Integer::sum);
                }
            });
        }
        final int n = Math.max(1, total);
        StringBuilder s = new StringBuilder(String.format("%d execution samples. Stacks containing: ", total));
        s.append(framework.entrySet().stream()
                        .map(f -> String.format("%s %d%%", f.getKey(), Math.round(100.0 * f.getValue() / n)))
                        .collect(Collectors.joining(", ")))
                .append(".\n\nTop methods (own time): ");
        s.append(top.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(12)
                .map(t -> String.format("`%s` %.1f%%", t.getKey(), 100.0 * t.getValue() / n))
                .collect(Collectors.joining(", ")));
        return s.append(".\n").toString();
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }
}
