package dev.conveyor.bench;

import java.util.List;
import java.util.Map;

/**
 * One measured window of one system.
 *
 * @param name      what was measured ("drain", "single-create", ...)
 * @param system    "conveyor" or "graphile"
 * @param tasks     tasks (jobs) that went through in the window
 * @param seconds   the throughput window (see each measure for where it starts and ends)
 * @param cpuMicros CPU time used in the window per process (µs, from /proc), in the order to print them
 * @param latencyMicros per-task latencies, when the measure has them (else empty)
 * @param notes     short facts about the window ("frames/task 4.1", "compiles +12"), printed beside the figures
 */
public record Measure(
        String name,
        String system,
        int tasks,
        double seconds,
        Map<String, Long> cpuMicros,
        List<Long> latencyMicros,
        List<String> notes) {

    public double tasksPerSecond() {
        return seconds <= 0 ? 0 : tasks / seconds;
    }

    /** CPU µs per task summed over every process measured (the load generator is never among them). */
    public double cpuMicrosPerTask() {
        return cpuMicros.values().stream().mapToLong(Long::longValue).sum() / (double) Math.max(1, tasks);
    }

    public double cpuMicrosPerTask(String process) {
        return cpuMicros.getOrDefault(process, 0L) / (double) Math.max(1, tasks);
    }

    /** The p-th percentile of the latencies in ms (nearest rank), NaN when there are none. */
    public double latencyMillis(double p) {
        return latencyMicros.isEmpty() ? Double.NaN : Stats.percentile(latencyMicros, p) / 1000.0;
    }
}
