package dev.conveyor.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Parsed options (names as on the command line of ./bench/soak). */
record SoakOptions(
        Path root,
        Path dir,
        Path doc,
        String machine,
        int minutes,
        double rate,
        int warmupTasks,
        int probeTasks,
        int imageEvery) {
    static SoakOptions parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            m.put(args[i].replaceFirst("^--", ""), args[++i]);
        }
        return new SoakOptions(
                Path.of(m.get("root")),
                Path.of(m.get("dir")),
                Path.of(m.get("doc")),
                m.getOrDefault("machine", ""),
                Integer.parseInt(m.getOrDefault("minutes", "30")),
                Double.parseDouble(m.getOrDefault("rate", "0")),
                Integer.parseInt(m.getOrDefault("warmup-tasks", "2000")),
                Integer.parseInt(m.getOrDefault("probe-tasks", "5000")),
                Integer.parseInt(m.getOrDefault("image-every", "20")));
    }
}
