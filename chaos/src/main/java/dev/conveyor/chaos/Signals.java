package dev.conveyor.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** SIGSTOP and SIGCONT, which {@link ProcessHandle} cannot send: a network pause of a process, then its return. */
final class Signals {
    private Signals() {}

    static void pause(long pid) {
        send("-STOP", List.of(pid));
    }

    /** Pauses several processes with one {@code kill} (one fork on a loaded machine, not one per process). */
    static void pause(List<Long> pids) {
        send("-STOP", pids);
    }

    static void resume(List<Long> pids) {
        send("-CONT", pids);
    }

    static void resume(long pid) {
        send("-CONT", List.of(pid));
    }

    private static void send(String signal, List<Long> pids) {
        List<String> cmd = new ArrayList<>(List.of("kill", signal));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("kill " + signal + " " + pids + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
