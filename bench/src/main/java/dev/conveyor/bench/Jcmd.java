package dev.conveyor.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Diagnostic commands to a running service JVM (the JDK's jcmd): JIT compile counts and flight recordings. */
final class Jcmd {
    private Jcmd() {}

    /**
     * Methods the JIT has compiled since the JVM started ({@code sun.ci.totalCompiles}). Its growth between two
     * identical rounds of load is the warm-up criterion: a settled JVM has (nearly) nothing left to compile.
     */
    static long totalCompiles(long pid) {
        for (String line : run(pid, "PerfCounter.print").split("\n")) {
            if (line.startsWith("sun.ci.totalCompiles=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1).trim());
            }
        }
        throw new IllegalStateException("no sun.ci.totalCompiles from pid " + pid);
    }

    /** Starts a flight recording with the JDK's "profile" settings (method samples every 10/20 ms). */
    static void startRecording(long pid, String name) {
        run(pid, "JFR.start", "name=" + name, "settings=profile");
    }

    static void stopRecording(long pid, String name, Path file) {
        run(pid, "JFR.stop", "name=" + name, "filename=" + file.toAbsolutePath());
    }

    /** Heap and metaspace of a JVM in MiB; heap "after GC" is read right after a full collection. */
    record Heap(long usedMiB, long committedMiB, long metaspaceMiB) {}

    /**
     * The live set: asks the JVM for a full collection ({@code GC.run}, i.e. System.gc()), then reads
     * {@code GC.heap_info}. Heap used sampled at a random moment rises and falls with allocation; only what survives a
     * full collection tells a leak. Costs one full GC (tens of ms on these heaps) per call.
     */
    static Heap heapAfterFullGc(long pid) {
        run(pid, "GC.run");
        return parseHeapInfo(run(pid, "GC.heap_info"));
    }

    /**
     * Parses {@code GC.heap_info}: the first "total NK, used NK" line is the whole heap (G1's "garbage-first heap", or
     * Serial's young + old lines, which are summed), "Metaspace used NK" the class metadata.
     */
    static Heap parseHeapInfo(String out) {
        java.util.regex.Pattern gen = java.util.regex.Pattern.compile(
                "^\\s*(garbage-first heap|def new generation|tenured generation|PSYoungGen|ParOldGen|shenandoah|ZHeap)"
                        + "\\s+total (\\d+)K, used (\\d+)K");
        java.util.regex.Pattern meta = java.util.regex.Pattern.compile("^\\s*Metaspace\\s+used (\\d+)K");
        long total = 0;
        long used = 0;
        long metaspace = 0;
        for (String line : out.split("\n")) {
            java.util.regex.Matcher g = gen.matcher(line);
            if (g.find()) {
                total += Long.parseLong(g.group(2));
                used += Long.parseLong(g.group(3));
            }
            java.util.regex.Matcher m = meta.matcher(line);
            if (m.find()) {
                metaspace = Long.parseLong(m.group(1));
            }
        }
        if (total == 0) {
            throw new IllegalStateException("no heap in GC.heap_info: " + out);
        }
        return new Heap(used / 1024, total / 1024, metaspace / 1024);
    }

    /** Live objects per class ({@code GC.class_histogram}, after a full GC): class name -> bytes. */
    static java.util.Map<String, Long> classHistogram(long pid) {
        return parseHistogram(run(pid, "GC.class_histogram"));
    }

    static java.util.Map<String, Long> parseHistogram(String out) {
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\s*\\d+:\\s+\\d+\\s+(\\d+)\\s+(\\S+)");
        java.util.Map<String, Long> bytes = new java.util.HashMap<>();
        for (String line : out.split("\n")) {
            java.util.regex.Matcher m = row.matcher(line);
            if (m.find()) {
                bytes.merge(m.group(2), Long.parseLong(m.group(1)), Long::sum);
            }
        }
        return bytes;
    }

    private static String run(long pid, String... command) {
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid)));
        cmd.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("jcmd could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
