package dev.conveyor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time and memory of processes, read from /proc (Linux). CPU counts a process, every live descendant, and the
 * children it has already reaped (cutime/cstime): PostgreSQL's backends come and go, and their CPU must not vanish
 * from the window when they exit.
 */
public final class Proc {
    /** USER_HZ: /proc counts CPU in clock ticks of 10 ms on every Linux this runs on. */
    static final long MICROS_PER_TICK = 10_000;

    private Proc() {}

    /** CPU µs used so far by the process tree rooted at pid (0 when it is gone). */
    public static long cpuMicros(long pid) {
        long ticks = 0;
        List<String> f = statFields(Path.of("/proc", Long.toString(pid), "stat"));
        if (!f.isEmpty()) {
            // fields after the command: state=0 ... utime=11, stime=12, cutime=13, cstime=14
            ticks += Long.parseLong(f.get(11))
                    + Long.parseLong(f.get(12))
                    + Long.parseLong(f.get(13))
                    + Long.parseLong(f.get(14));
        }
        for (long child : children(pid)) {
            ticks += cpuMicros(child) / MICROS_PER_TICK;
        }
        return ticks * MICROS_PER_TICK;
    }

    /** CPU µs per thread name of one process (a trailing number folded to "#", so "executor-thread-#" sums the pool). */
    public static Map<String, Long> threadCpuMicros(long pid) {
        Map<String, Long> byName = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(t -> {
                Path stat = t.resolve("stat");
                String name = threadName(stat);
                List<String> f = statFields(stat);
                if (name != null && !f.isEmpty()) {
                    long micros = (Long.parseLong(f.get(11)) + Long.parseLong(f.get(12))) * MICROS_PER_TICK;
                    byName.merge(name.replaceAll("[0-9]+$", "#"), micros, Long::sum);
                }
            });
        } catch (IOException | java.io.UncheckedIOException gone) {
            // the process or a thread ended while listing: what was read stands
        }
        return byName;
    }

    /**
     * Resident memory in KiB: VmRSS of the process plus RssAnon of each descendant (PostgreSQL's backends map the
     * same shared buffers, which summing their VmRSS would count once per backend).
     */
    public static long rssKiB(long pid) {
        long kib = statusField(pid, "VmRSS:");
        for (long child : descendants(pid)) {
            kib += statusField(child, "RssAnon:");
        }
        return kib;
    }

    static List<Long> children(long pid) {
        Path f = Path.of("/proc", Long.toString(pid), "task", Long.toString(pid), "children");
        try {
            String s = Files.readString(f).trim();
            return s.isEmpty()
                    ? List.of()
                    : Stream.of(s.split("\\s+")).map(Long::valueOf).toList();
        } catch (IOException gone) {
            return List.of();
        }
    }

    private static List<Long> descendants(long pid) {
        List<Long> all = new java.util.ArrayList<>();
        for (long c : children(pid)) {
            all.add(c);
            all.addAll(descendants(c));
        }
        return all;
    }

    private static long statusField(long pid, String field) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith(field))
                    .map(l -> l.replaceAll("[^0-9]", ""))
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(0);
        } catch (IOException gone) {
            return 0;
        }
    }

    /** The fields of a stat file after "(comm)" (comm may hold spaces and parentheses), or empty when it is gone. */
    private static List<String> statFields(Path stat) {
        try {
            String s = Files.readString(stat);
            return List.of(s.substring(s.lastIndexOf(')') + 2).trim().split(" "));
        } catch (IOException gone) {
            return List.of();
        }
    }

    private static String threadName(Path stat) {
        try {
            String s = Files.readString(stat);
            return s.substring(s.indexOf('(') + 1, s.lastIndexOf(')'));
        } catch (IOException gone) {
            return null;
        }
    }
}
