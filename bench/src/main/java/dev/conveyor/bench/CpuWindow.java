package dev.conveyor.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CPU each process used between {@link #open} and {@link #close}, plus the share of the JIT compiler threads in
 * the JVMs' CPU over the same window (a JVM that still compiles is not in steady state).
 */
final class CpuWindow {
    private final Map<String, Long> pids;
    private final Map<String, Long> start = new LinkedHashMap<>();
    private final Map<String, Long> compilerStart = new LinkedHashMap<>();

    private CpuWindow(Map<String, Long> pids) {
        this.pids = pids;
        pids.forEach((name, pid) -> {
            start.put(name, Proc.cpuMicros(pid));
            compilerStart.put(name, compilerMicros(pid));
        });
    }

    static CpuWindow open(Map<String, Long> pids) {
        return new CpuWindow(pids);
    }

    /** The result of a closed window: CPU µs per process, and of that, µs in compiler threads. */
    record Used(Map<String, Long> cpuMicros, Map<String, Long> compilerMicros) {
        /** "task-api 12%, task-worker 30%": the compiler threads' share of each JVM's CPU in the window. */
        String compilerShare(String... processes) {
            StringBuilder s = new StringBuilder("JIT threads ");
            for (String p : processes) {
                long cpu = cpuMicros.getOrDefault(p, 0L);
                s.append(p)
                        .append(' ')
                        .append(cpu == 0 ? 0 : Math.round(100.0 * compilerMicros.getOrDefault(p, 0L) / cpu))
                        .append("% ");
            }
            return s.toString().trim();
        }
    }

    Used close() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        Map<String, Long> compiler = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            cpu.put(name, Proc.cpuMicros(pid) - start.get(name));
            compiler.put(name, compilerMicros(pid) - compilerStart.get(name));
        });
        return new Used(cpu, compiler);
    }

    /** CPU of HotSpot's "C1 CompilerThre#" / "C2 CompilerThre#" threads (0 for processes that have none). */
    static long compilerMicros(long pid) {
        return Proc.threadCpuMicros(pid).entrySet().stream()
                .filter(e -> e.getKey().contains("CompilerThre"))
                .mapToLong(Map.Entry::getValue)
                .sum();
    }
}
