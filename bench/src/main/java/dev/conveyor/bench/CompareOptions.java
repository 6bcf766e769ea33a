package dev.conveyor.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parsed options (names as on the command line of ./bench/compare). */
record CompareOptions(
        String mode,
        Path root,
        Path dir,
        Path doc,
        String machine,
        int rounds,
        int tasks,
        int graphileJobs,
        int dispatchSamples,
        int warmupTasks,
        int warmupMax,
        long jitSettled,
        boolean profile,
        String profileMeasure,
        int longMinutes,
        Set<String> measures,
        Map<String, String> workerProps) {
    static final List<String> MEASURES = List.of("drain", "single-create", "batch-create", "dispatch");

    static CompareOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        Map<String, String> worker = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String key = args[i].replaceFirst("^--", "");
            if (key.equals("profile") || key.equals("quick")) {
                m.put(key, "true");
            } else if (key.equals("worker")) {
                String[] kv = args[++i].split("=", 2);
                worker.put("conveyor.worker." + kv[0], kv[1]);
            } else {
                m.put(key, args[++i]);
            }
        }
        boolean quick = m.containsKey("quick");
        return new CompareOptions(
                quick ? "--quick" : "full",
                Path.of(m.get("root")),
                Path.of(m.get("dir")),
                Path.of(m.get("doc")),
                m.getOrDefault("machine", ""),
                i(m, "rounds", quick ? 1 : 3),
                i(m, "tasks", quick ? 2000 : 5000),
                i(m, "graphile-jobs", quick ? 10000 : 20000),
                i(m, "dispatch-samples", quick ? 100 : 200),
                i(m, "warmup-tasks", 2000),
                i(m, "warmup-max", quick ? 5 : 12),
                i(m, "jit-settled", 50),
                m.containsKey("profile") || m.containsKey("profile-measure"),
                profileMeasure(m.getOrDefault("profile-measure", "drain")),
                i(m, "long-minutes", quick ? 0 : 10),
                measures(m.get("measures")),
                worker);
    }

    private static String profileMeasure(String measure) {
        if (!List.of("drain", "single-create", "batch-create").contains(measure)) {
            throw new IllegalArgumentException(
                    "--profile-measure is drain, single-create or batch-create, not " + measure);
        }
        return measure;
    }

    /** {@code --measures dispatch,drain}: only these (warm-up included); null = all. */
    private static Set<String> measures(String list) {
        if (list == null) {
            return Set.copyOf(MEASURES);
        }
        Set<String> chosen = Set.of(list.split(","));
        for (String name : chosen) {
            if (!MEASURES.contains(name)) {
                throw new IllegalArgumentException("--measures takes names from " + MEASURES + ", not " + name);
            }
        }
        return chosen;
    }

    /** A run of some measures only: a probe, whose figures must not replace the doc's section of a whole run. */
    boolean partial() {
        return measures.size() < MEASURES.size();
    }

    private static int i(Map<String, String> m, String key, int dflt) {
        return m.containsKey(key) ? Integer.parseInt(m.get(key)) : dflt;
    }
}
