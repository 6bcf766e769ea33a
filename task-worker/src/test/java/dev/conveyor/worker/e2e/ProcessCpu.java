package dev.conveyor.worker.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time a process (or its threads whose name starts with a prefix) has used so far, read from Linux's {@code /proc}
 * (utime + stime, in clock ticks of 10 ms): the benchmark reads it before and after a measured window and divides by the
 * tasks in it. Zero where {@code /proc} is absent.
 */
final class ProcessCpu {
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ProcessCpu() {}

    /** CPU nanoseconds used by process {@code pid}. */
    static long nanos(long pid) {
        return ticks(Path.of("/proc", Long.toString(pid), "stat")) * NANOS_PER_TICK;
    }

    /**
     * CPU nanoseconds used by the threads of {@code pid} whose name (as {@code /proc} shows it: the first 15
     * characters) starts with {@code threadPrefix}.
     */
    static long threadNanos(long pid, String threadPrefix) {
        String prefix = threadPrefix.length() > 15 ? threadPrefix.substring(0, 15) : threadPrefix;
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        long ticks = 0;
        try (Stream<Path> threads = Files.list(tasks)) {
            for (Path thread : threads.toList()) {
                if (read(thread.resolve("comm")).strip().startsWith(prefix)) {
                    ticks += ticks(thread.resolve("stat"));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * NANOS_PER_TICK;
    }

    /** utime + stime of a {@code stat} file; the fields after the command name, which may hold spaces, in brackets. */
    private static long ticks(Path stat) {
        String text = read(stat);
        int end = text.lastIndexOf(')');
        if (end < 0) {
            return 0;
        }
        String[] fields = text.substring(end + 2).split(" ");
        // fields[0] is field 3 (state): utime is field 14, stime field 15.
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
