package dev.conveyor.devstack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One packaged Quarkus service ({@code target/quarkus-app/quarkus-run.jar}) in its own JVM, as in production: for
 * tests that cross process boundaries (crash with SIGKILL, graceful stop with SIGTERM, restart on the same port).
 * Ready when {@code /q/health/ready} answers 200.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Quick to start and small, for tests; benchmarks pass production-like options with {@link #jvmOptions}. */
    public static final List<String> TEST_JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private final String name;
    private final Path jar;
    private final int port;
    private final Map<String, String> props;
    private final Map<String, String> env;
    private final Path log;
    private List<String> jvmOptions = TEST_JVM;
    private Process process;

    /**
     * @param props system properties for the service ({@code -Dkey=value}, Quarkus config)
     * @param env   environment variables for the service
     * @param dir   where the log ({@code <name>-<port>.log}) and the service's temp files go
     */
    public ServiceProcess(
            String name, Path jar, int port, Map<String, String> props, Map<String, String> env, Path dir) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    jar.toAbsolutePath() + " is missing: package the service first"
                            + " (the reactor build `./mvnw -B verify` packages every service before the tests that launch them)");
        }
        this.name = name;
        this.jar = jar.toAbsolutePath();
        this.port = port;
        this.props = new LinkedHashMap<>(props);
        this.env = new LinkedHashMap<>(env);
        this.log = dir.toAbsolutePath().resolve(name + "-" + port + ".log");
    }

    /** The packaged jar of a reactor module, e.g. {@code packagedJar(root, "task-api")}. */
    public static Path packagedJar(Path reactorRoot, String module) {
        return reactorRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** The jar named by a system property (set by the module's pom); a clear failure, never a silent skip. */
    public static Path jarFromProperty(String property) {
        String path = System.getProperty(property);
        if (path == null || path.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (the module's pom sets it)");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: package it first (the reactor build"
                    + " packages it before this module; while developing pass -D" + property
                    + "=<path to quarkus-run.jar>)");
        }
        return jar;
    }

    /** JVM options instead of {@link #TEST_JVM} (heap, GC, JIT), for the next {@link #start()}. Returns this for chaining. */
    public ServiceProcess jvmOptions(List<String> options) {
        this.jvmOptions = List.copyOf(options);
        return this;
    }

    /** Starts the JVM and waits until it is ready (90 s at most). Returns this for chaining. */
    public ServiceProcess start() {
        try {
            Files.createDirectories(log.getParent());
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(jvmOptions);
            cmd.add("-Djava.io.tmpdir=" + log.getParent());
            cmd.add("-Dquarkus.http.port=" + port);
            props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
            cmd.add("-jar");
            cmd.add(jar.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + name, e);
        }
        awaitReady(Duration.ofSeconds(90));
        return this;
    }

    /**
     * Polls the readiness endpoint until it answers 200. Between polls it waits on a delayed future (no sleeping
     * thread loop), and it gives up early when the process has exited.
     */
    public void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; log: " + log);
            }
            if (ready()) {
                return;
            }
            try {
                process.onExit().get(100, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // poll again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " not ready within " + timeout.toSeconds() + " s; log: " + log);
    }

    private boolean ready() {
        try {
            HttpResponse<Void> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * The service's JVM as the OS sees it. The JVM is started directly (no shell wrapper), so this is the process a
     * signal from {@link #stop()} or {@link #kill()} reaches.
     */
    public ProcessHandle jvm() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.toHandle();
    }

    /** SIGTERM (graceful, as Kubernetes does); waits up to {@code wait}. Returns whether it exited in time. */
    public boolean terminate(Duration wait) {
        if (process == null) {
            return true;
        }
        process.destroy();
        return waitFor(wait);
    }

    /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
    public void stop() {
        if (isAlive() && !terminate(Duration.ofSeconds(30))) {
            kill();
        }
    }

    /** A crash: SIGKILL, no shutdown hooks, nothing reported. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
    }

    /** Graceful stop, then a new JVM on the same port with the same configuration. */
    public ServiceProcess restart() {
        stop();
        return start();
    }

    private boolean waitFor(Duration d) {
        try {
            return process.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** Stops several services at once (in parallel, each gracefully). */
    public static void stopAll(List<ServiceProcess> services) {
        CompletableFuture.allOf(services.stream()
                        .map(s -> CompletableFuture.runAsync(s::stop))
                        .toArray(CompletableFuture[]::new))
                .join();
    }
}
