package dev.conveyor.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Helpers for the e2e tests that run node programs (the dashboard's browser check, the web SDK's integration tests). */
final class NodeTool {
    private NodeTool() {}

    /** Whether {@code command --version} runs and exits 0 within 20 s. */
    static boolean available(String command) {
        try {
            Process p = new ProcessBuilder(command, "--version")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException notOnPath) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Skips the test (a JUnit assumption) for {@code why}, or fails it when the env variable {@code requireVar} is 1. */
    static void skipOrFail(String why, String requireVar) {
        assertThat(System.getenv(requireVar))
                .as(why + " (" + requireVar + "=1 makes this a failure)")
                .isNotEqualTo("1");
        Assumptions.abort(why);
    }

    /** Ends a process and every process it started (npm starts node, node's test runner starts more). */
    static void destroyTree(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** The last {@code lines} lines of a log, for failure messages. */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }
}
