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
