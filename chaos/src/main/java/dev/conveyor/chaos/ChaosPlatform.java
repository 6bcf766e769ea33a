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
import java.util.stream.Stream;

/**
 * The platform under chaos: devstack (PostgreSQL + Kafka) and the packaged services as separate JVMs — two task-api
 * replicas on one database, generation-service, two gateway replicas and three workers, the third of which runs only
 * the travel types. Every service can be killed and started again on its port; PostgreSQL can be taken away and given back.
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
        // Every type the workload runs gets the short lease: a task whose worker died (or whose claim answer was lost)
        // must come back within the drain, not after a production lease of 5 or 30 minutes.
        for (String type : Stream.concat(Stream.of("noop", "single_image"), TRAVEL_TYPES.stream())
                .toList()) {
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
        Devstack devstack = startDevstack(dir);
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
                startPatiently(s);
            }
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    /**
     * Devstack, tried three times: at load 40 on two cores the Kafka broker missed its 90 s readiness limit (a failed
     * attempt stops what it started).
     */
    private static Devstack startDevstack(Path dir) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return Devstack.start(
                        0, 0, dir.resolve("devstack-" + attempt), false, List.of(TASKS_DB, GENERATIONS_DB));
            } catch (IllegalStateException slow) {
                if (attempt == 3) {
                    throw slow;
                }
                System.err.println("chaos: devstack attempt " + attempt + " failed (" + slow.getMessage() + "), again");
            }
        }
    }

    /** The Kafka broker stopped and started on its data; a second try when it missed its readiness limit. */
    void restartKafka() throws IOException {
        try {
            devstack.kafka().restart();
        } catch (IllegalStateException slow) {
            devstack.kafka().restart();
        }
    }

    /**
     * Starts a service as an orchestrator's restart policy would: waits for it to be ready, longer than
     * {@link ServiceProcess#start()}'s 90 s while it is alive (on two cores shared with other builds, load 30–60, a
     * gateway rebuilding its history took longer), and starts it again when it exited during start-up (at load 63 a
     * task-api replica's Flyway timed out acquiring its first connection and the JVM exited), three times at most.
     */
    static void startPatiently(ServiceProcess s) {
        for (int attempt = 1; ; attempt++) {
            try {
                s.start();
                return;
            } catch (IllegalStateException failed) {
                if (s.isAlive()) {
                    s.awaitReady(Duration.ofMinutes(5));
                    return;
                }
                if (attempt == 3) {
                    throw failed;
                }
                System.err.println("chaos: " + s.name() + " start attempt " + attempt + " failed ("
                        + failed.getMessage() + "), starting it again");
            }
        }
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
     * PostgreSQL goes away and comes back as in a fast restart, as far as its clients can tell: the postmaster and
     * every backend paused (SIGSTOP) for {@code outage} — new connections and running statements hang — then resumed
     * and every client connection of both databases terminated ({@code pg_terminate_backend}: open transactions rolled
     * back, pools must reconnect), which is what {@code pg_ctl restart -m fast} does to them. A real restart is not
     * possible here: pg_ctl and postgres refuse to start as root, which the build machines are, and devstack's
     * embedded server cannot be started a second time in the JVM that holds its lock.
     */
    String restartPostgres(Duration outage) throws IOException, SQLException {
        Path data = devstack.dir().resolve("postgres");
        long pid = Long.parseLong(
                Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
        ProcessHandle postmaster =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no postmaster " + pid));
        List<Long> cluster = new ArrayList<>();
        cluster.add(pid);
        postmaster.children().forEach(c -> cluster.add(c.pid()));
        Signals.pause(cluster);
        try {
            Rest.sleep(outage.toMillis());
        } finally {
            Signals.resume(cluster);
        }
        int terminated = 0;
        try (var c = java.sql.DriverManager.getConnection(
                        jdbcUrl(TASKS_DB),
                        dev.conveyor.devstack.Postgres.USER,
                        dev.conveyor.devstack.Postgres.PASSWORD);
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname IN ('" + TASKS_DB + "', '" + GENERATIONS_DB + "')"
                        + " AND pid <> pg_backend_pid()")) {
            rs.next();
            terminated = rs.getInt(1);
        }
        return cluster.size() + " processes paused " + outage.toSeconds() + " s, then " + terminated
                + " connections terminated";
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
    }
}
