package dev.conveyor.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.core.ConditionTimeoutException;

import static org.awaitility.Awaitility.await;

/** One packaged Quarkus service (target/quarkus-app/quarkus-run.jar) running as its own JVM, like in production. */
final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final String name;
    final int port;
    private final Path jar;
    private final Map<String, String> env;
    private final List<String> jvmArgs;
    private final Path log;
    private Process process;

    ServiceProcess(String name, Path root, int port, Map<String, String> env, Path logDir) {
        this(name, root, port, env, List.of(), logDir);
    }

    /** {@code jvmArgs}: extra JVM options, e.g. {@code -Dconveyor.reaper.every=1s} (system properties win over every other config source). */
    ServiceProcess(String name, Path root, int port, Map<String, String> env, List<String> jvmArgs, Path logDir) {
        this.name = name;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.port = port;
        this.jar = root.resolve(name).resolve("target/quarkus-app/quarkus-run.jar");
        this.env = env;
        this.log = logDir.resolve(name + ".log");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package the services first (./mvnw -B verify builds them before e2e)");
        }
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    Path log() {
        return log;
    }

    void start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + log.getParent().toAbsolutePath()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        process = pb.start();
        awaitReady(Duration.ofSeconds(90));
    }

    /** Polls {@code /q/health/ready} until it answers 200; fails at once when the JVM exits. */
    void awaitReady(Duration timeout) {
        try {
            await(name + " ready").atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(this::ready);
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException(name + " not ready within " + timeout.toSeconds() + " s; log: " + log, e);
        }
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log: " + log);
        }
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException notYet) {
            return false; // not listening yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The service's JVM as the OS sees it. The JVM is started directly (no shell wrapper), so this is the process a
     * signal from {@link #stop()} or {@link #kill()} reaches.
     */
    ProcessHandle jvm() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.toHandle();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Graceful stop (SIGTERM), as Kubernetes does. */
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            waitFor(Duration.ofSeconds(30));
            if (process.isAlive()) {
                process.destroyForcibly();
                waitFor(Duration.ofSeconds(10));
            }
        }
    }

    /** A crash: SIGKILL, no shutdown hooks. */
    void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }

    void restart() throws IOException {
        stop();
        start();
    }

    private void waitFor(Duration d) {
        try {
            process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
