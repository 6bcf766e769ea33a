package dev.conveyor.chaos;

import dev.conveyor.devstack.DevKeys;
import dev.conveyor.devstack.Devstack;
import dev.conveyor.devstack.Ports;
import dev.conveyor.devstack.ServiceEnv;
import dev.conveyor.devstack.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The platform under chaos: devstack (PostgreSQL + Kafka) and the packaged services as separate JVMs — two task-api
 * replicas on one database, generation-service, two gateway replicas and three workers, the third of which runs only
 * the travel types. Every service can be killed and started again on its port; PostgreSQL can be fast-restarted.
 */
final class ChaosPlatform implements AutoCloseable {
    static final String TASKS_DB = "conveyor_tasks";
    static final String GENERATIONS_DB = "conveyor_generations";
    /**
     * Leases short enough that a killed or paused worker's task comes back within seconds (5 min / 30 min in
     * production); heartbeats run at a third of it, so live workers keep their tasks.
     */
    static final Duration LEASE = Duration.ofSeconds(8);

    static final List<String> TRAVEL_TYPES = List.of("travel_orchestrator", "travel_segment", "travel_stitch");

    final Devstack devstack;
    final DevKeys keys;
    final String workerToken;
    final String adminToken;
    final List<ServiceProcess> taskApis = new ArrayList<>();
    final ServiceProcess generation;
    final List<ServiceProcess> gateways = new ArrayList<>();
    final List<ServiceProcess> workers = new ArrayList<>();
    private final Path dir;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Ctrl-C or SIGTERM of the run: the services and devstack are child processes that would outlive it. */
    /** The server {@link #restartPostgres} started (devstack's handle knows only the first one). */
    private volatile Process restartedPostgres;

    private final Thread onExit = new Thread(this::closeQuietly, "chaos-platform-close");

    private ChaosPlatform(Devstack devstack, Path root, Path dir) {
        this.devstack = devstack;
        this.dir = dir;
        this.keys = DevKeys.in(dir.resolve("keys"));
        this.workerToken = keys.token(UUID.randomUUID(), List.of("worker"), Duration.ofHours(12));
        this.adminToken = keys.token(UUID.randomUUID(), List.of("admin", "user"), Duration.ofHours(12));
        Path logs = dir.resolve("logs");
        int[] apiPorts = {Ports.free(), Ports.free()};
        int[] gatewayPorts = {Ports.free(), Ports.free()};
        Map<String, String> apiProps = new HashMap<>();
        apiProps.put("conveyor.reaper.every", "1s");
        for (String type : List.of("single_image", "travel_orchestrator", "travel_segment", "travel_stitch")) {
            apiProps.put("conveyor.task-types." + type + ".lease", LEASE.toSeconds() + "s");
        }
        // the no-op type, run by the workers' bench handler
        apiProps.put("conveyor.task-types.noop.capability", "bench");
        apiProps.put("conveyor.task-types.noop.cost-base", "1");
        apiProps.put("quarkus.log.level", "WARN");
        for (int i = 0; i < 2; i++) {
            taskApis.add(service(
                    root,
                    "task-api",
                    "task-api-" + (i + 1),
                    apiPorts[i],
                    apiProps,
                    env(TASKS_DB, apiPorts[i], gatewayPorts[0]),
                    logs));
        }
        generation = service(
                root,
                "generation-service",
                "generation-service",
                Ports.free(),
                Map.of("quarkus.log.level", "WARN"),
                env(GENERATIONS_DB, apiPorts[0], gatewayPorts[0]),
                logs);
        for (int i = 0; i < 2; i++) {
            gateways.add(service(
                    root,
                    "realtime-gateway",
                    "gateway-" + (i + 1),
                    gatewayPorts[i],
                    Map.of("quarkus.log.level", "WARN"),
                    env(null, apiPorts[i], gatewayPorts[i]),
                    logs));
        }
        for (int i = 0; i < 3; i++) {
            int port = Ports.free();
            Map<String, String> props = new HashMap<>();
            props.put("conveyor.worker.id", "chaos-worker-" + (i + 1));
            props.put("conveyor.worker.bench-handlers", "true");
            props.put("quarkus.log.level", "WARN");
            if (i == 2) {
                props.put("conveyor.worker.task-types", String.join(",", TRAVEL_TYPES));
            }
            // workers 1 and 3 call task-api 1, worker 2 calls task-api 2: a killed replica cuts some workers off
            Map<String, String> workerEnv = env(null, apiPorts[i % 2], gatewayPorts[0]);
            workerEnv.put("WORKER_URL", "http://127.0.0.1:" + port);
            workerEnv.put("WORKER_OUTPUT_DIR", dir.resolve("outputs-" + (i + 1)).toString());
            workers.add(service(root, "task-worker", "worker-" + (i + 1), port, props, workerEnv, logs));
        }
    }

    private Map<String, String> env(String database, int taskApiPort, int gatewayPort) {
        return ServiceEnv.of(devstack, keys.publicKey(), workerToken, taskApiPort, gatewayPort, database);
    }

    private static ServiceProcess service(
            Path root,
            String module,
            String name,
            int port,
            Map<String, String> props,
            Map<String, String> env,
            Path logs) {
        return new ServiceProcess(name, ServiceProcess.packagedJar(root, module), port, props, env, logs);
    }

    static ChaosPlatform start(Path root, Path dir) throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Devstack devstack = Devstack.start(0, 0, dir.resolve("devstack"), false, List.of(TASKS_DB, GENERATIONS_DB));
        ChaosPlatform platform;
        try {
            platform = new ChaosPlatform(devstack, root, dir);
        } catch (RuntimeException e) {
            devstack.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(platform.onExit);
        try {
            // One at a time, task-api first (the others call it or consume what it publishes): on two shared cores
            // JVMs starting together miss their readiness limit.
            for (ServiceProcess s : platform.services()) {
                s.start();
            }
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    List<ServiceProcess> services() {
        List<ServiceProcess> all = new ArrayList<>(taskApis);
        all.add(generation);
        all.addAll(gateways);
        all.addAll(workers);
        return all;
    }

    List<String> taskApiUrls() {
        return taskApis.stream().map(ServiceProcess::url).toList();
    }

    List<String> gatewayUrls() {
        return gateways.stream().map(ServiceProcess::url).toList();
    }

    String jdbcUrl(String database) {
        return devstack.postgres().jdbcUrl(database);
    }

    /**
     * A fast restart of PostgreSQL, as {@code pg_ctl restart -m fast} does it (pg_ctl refuses to run as root, which the
     * build machines are): SIGINT to the postmaster (fast shutdown: open transactions rolled back, every connection
     * cut), then the server started again with the command line it recorded in {@code postmaster.opts} (same port,
     * same data directory, same settings). Returns when it accepts connections again.
     */
    void restartPostgres() throws IOException, SQLException {
        Path data = devstack.dir().resolve("postgres");
        long pid = Long.parseLong(
                Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        List<String> command = quoted(Files.readString(data.resolve("postmaster.opts")));
        ProcessHandle postmaster =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        Signals.interrupt(pid);
        try {
            postmaster.onExit().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("postmaster " + pid + " did not stop within 60 s", e);
        }
        restartedPostgres = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("logs").resolve("postgres-restarted.log").toFile()))
                .start();
        java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
        while (true) {
            try (var c = java.sql.DriverManager.getConnection(
                    jdbcUrl(TASKS_DB), dev.conveyor.devstack.Postgres.USER, dev.conveyor.devstack.Postgres.PASSWORD)) {
                return;
            } catch (SQLException notYet) {
                if (!restartedPostgres.isAlive() || java.time.Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException(
                            "PostgreSQL did not come back; see " + dir.resolve("logs/postgres-restarted.log"), notYet);
                }
                Rest.sleep(200);
            }
        }
    }

    /** The arguments of a postmaster.opts line: the binary, then each argument in double quotes. */
    static List<String> quoted(String line) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(line.trim());
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return out;
    }

    Path dir() {
        return dir;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (Exception e) {
            System.err.println("chaos: closing the platform: " + e);
        }
    }

    @Override
    public void close() throws Exception {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs already
            }
        }
        List<ServiceProcess> reversed = new ArrayList<>(services());
        java.util.Collections.reverse(reversed);
        for (ServiceProcess s : reversed) {
            // a paused worker would ignore SIGTERM until its grace ran out
            if (s.isAlive()) {
                Signals.resume(s.jvm().pid());
            }
        }
        ServiceProcess.stopAll(reversed);
        devstack.close();
        Process pg = restartedPostgres;
        if (pg != null && pg.isAlive()) {
            Signals.interrupt(pg.pid());
            if (!pg.waitFor(30, TimeUnit.SECONDS)) {
                pg.destroyForcibly();
            }
        }
    }
}
