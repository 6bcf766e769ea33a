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

        /**
         * "without JIT threads 2,345 µs/task (task-api 600, ...)": the CPU per task with every JVM's compiler threads
         * taken out, i.e. what the application threads (and PostgreSQL) used. An estimate of the steady state, where the
         * compilers idle; an upper bound, since code still being compiled runs interpreted or at C1 meanwhile.
         */
        String withoutCompilers(int tasks) {
            long all = 0;
            StringBuilder per = new StringBuilder();
            for (Map.Entry<String, Long> e : cpuMicros.entrySet()) {
                long own = Math.max(0, e.getValue() - compilerMicros.getOrDefault(e.getKey(), 0L));
                all += own;
                per.append(per.length() == 0 ? "" : ", ")
                        .append(e.getKey())
                        .append(' ')
                        .append(Report.fmt(own / (double) Math.max(1, tasks)));
            }
            return "without JIT threads " + Report.fmt(all / (double) Math.max(1, tasks)) + " µs/task (" + per + ")";
        }
    }

    Used close() {
        Map<String, Long> cpu = new LinkedHashMap<>();
        Map<String, Long> compiler = new LinkedHashMap<>();
        pids.forEach((name, pid) -> {
            cpu.put(name, Proc.cpuMicros(pid) - start.get(name));
            // Compiler threads come and go (UseDynamicNumberOfCompilerThreads): one that ended in the window takes its
            // CPU with it, so the difference can come out below zero; it is then counted as none.
            compiler.put(name, Math.max(0, compilerMicros(pid) - compilerStart.get(name)));
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
