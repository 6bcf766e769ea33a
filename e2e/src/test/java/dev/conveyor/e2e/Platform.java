package dev.conveyor.e2e;

import dev.conveyor.devstack.DevKeys;
import dev.conveyor.devstack.Devstack;
import dev.conveyor.devstack.Ports;
import dev.conveyor.devstack.Postgres;
import dev.conveyor.devstack.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The whole platform for end-to-end tests: devstack (PostgreSQL + Kafka) in this JVM's children and the four packaged
 * services as separate JVMs, on random ports, wired exactly like the local run wires them.
 */
final class Platform implements AutoCloseable {
    /** single_image lease on the e2e platform (5 min in production): a killed worker's task comes back within seconds. */
    static final Duration SINGLE_IMAGE_LEASE = Duration.ofSeconds(6);
    /**
     * task-api's overrides for the e2e platform, as system properties (they win over application.properties): a short
     * single_image lease (heartbeats run at a third of it, so live workers keep their tasks) and a reaper every second.
     * Max attempts (3) and backoff (2 s doubling, up to half of it again as jitter) stay as shipped.
     */
    static final Map<String, String> TASK_API_PROPS = Map.of(
            "conveyor.task-types.single_image.lease",
            SINGLE_IMAGE_LEASE.toSeconds() + "s",
            "conveyor.reaper.every",
            "1s");

    final Devstack devstack;
    final DevKeys keys;
    final ServiceProcess taskApi;
    final ServiceProcess generation;
    final ServiceProcess gateway;
    final ServiceProcess worker;
    final String workerToken;
    final String adminToken;
    private final int gatewayPort;
    private final List<String> extraCorsOrigins;

    private Platform(Devstack devstack, DevKeys keys, Path root, Path logs, List<String> extraCorsOrigins)
            throws Exception {
        this.devstack = devstack;
        this.keys = keys;
        this.extraCorsOrigins = extraCorsOrigins;
        this.workerToken = keys.token(UUID.randomUUID(), List.of("worker"), Duration.ofHours(2));
        this.adminToken = keys.token(UUID.randomUUID(), List.of("admin", "user"), Duration.ofHours(2));
        int taskApiPort = Ports.free();
        this.gatewayPort = Ports.free();
        this.taskApi = service("task-api", root, taskApiPort, TASK_API_PROPS, env("conveyor_tasks", taskApiPort), logs);
        this.generation = service(
                "generation-service", root, Ports.free(), Map.of(), env("conveyor_generations", taskApiPort), logs);
        this.gateway = service("realtime-gateway", root, gatewayPort, Map.of(), env(null, taskApiPort), logs);
        int workerPort = Ports.free();
        Map<String, String> workerEnv = env(null, taskApiPort);
        workerEnv.put("WORKER_URL", "http://127.0.0.1:" + workerPort);
        workerEnv.put("WORKER_OUTPUT_DIR", logs.resolveSibling("outputs").toString());
        this.worker = service("task-worker", root, workerPort, Map.of(), workerEnv, logs);
    }

    private static ServiceProcess service(
            String module, Path root, int port, Map<String, String> props, Map<String, String> env, Path logs) {
        return new ServiceProcess(module, ServiceProcess.packagedJar(root, module), port, props, env, logs);
    }

    private Map<String, String> env(String database, int taskApiPort) {
        Map<String, String> env = new HashMap<>();
        env.put("KAFKA_BOOTSTRAP_SERVERS", devstack.kafka().bootstrapServers());
        env.put("JWT_PUBLIC_KEY", keys.publicKey().toString());
        env.put("TASK_API_URL", "http://127.0.0.1:" + taskApiPort);
        env.put("WORKER_TOKEN", workerToken);
        // the dashboard is served by the gateway and calls task-api and generation-service from the browser
        // (and a test may add the origin of another browser app, e.g. the studio)
        env.put(
                "CORS_ORIGINS",
                String.join(
                        ",",
                        Stream.concat(Stream.of("http://127.0.0.1:" + gatewayPort), extraCorsOrigins.stream())
                                .toList()));
        env.put("PG_USER", Postgres.USER);
        env.put("PG_PASSWORD", Postgres.PASSWORD);
        if (database != null) {
            env.put("PG_JDBC_URL", devstack.postgres().jdbcUrl(database));
            env.put("PG_REACTIVE_URL", devstack.postgres().reactiveUrl(database));
        }
        return env;
    }

    static Platform start(String testName) throws Exception {
        return start(testName, List.of());
    }

    /** The platform whose services also allow browser calls from {@code extraCorsOrigins} (e.g. {@code http://127.0.0.1:5173}). */
    static Platform start(String testName, List<String> extraCorsOrigins) throws Exception {
        Path root = Path.of(System.getProperty("conveyor.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path dir = Path.of(
                        "target",
                        "e2e",
                        testName + "-" + ProcessHandle.current().pid())
                .toAbsolutePath();
        Path logs = dir.resolve("logs");
        Files.createDirectories(logs);
        Devstack devstack =
                Devstack.start(0, 0, dir.resolve("devstack"), false, List.of("conveyor_tasks", "conveyor_generations"));
        Platform platform;
        try {
            platform = new Platform(devstack, DevKeys.in(dir.resolve("keys")), root, logs, extraCorsOrigins);
        } catch (Exception e) {
            devstack.close();
            throw e;
        }
        try {
            // task-api first: the others call it or consume what it publishes.
            platform.taskApi.start();
            platform.generation.start();
            platform.gateway.start();
            platform.worker.start();
        } catch (Exception e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    Api userApi(UUID userId) {
        return new Api(keys.token(userId, List.of("user"), Duration.ofHours(1)));
    }

    Api adminApi() {
        return new Api(adminToken);
    }

    @Override
    public void close() throws Exception {
        for (ServiceProcess s : List.of(worker, gateway, generation, taskApi)) {
            s.close();
        }
        devstack.close();
    }
}
