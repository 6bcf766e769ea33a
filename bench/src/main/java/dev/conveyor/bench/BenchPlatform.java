package dev.conveyor.bench;

import dev.conveyor.devstack.DevKeys;
import dev.conveyor.devstack.Devstack;
import dev.conveyor.devstack.Ports;
import dev.conveyor.devstack.Postgres;
import dev.conveyor.devstack.ServiceEnv;
import dev.conveyor.devstack.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the benchmark runs on: devstack with a durable PostgreSQL (fsync, synchronous_commit, full_page_writes on) and
 * the four packaged services as separate production-like JVMs (full JIT, default collector), wired as the local run
 * wires them, plus the no-op task type and the gate type the measures use.
 */
final class BenchPlatform implements AutoCloseable {
    static final String GRAPHILE_DATABASE = "graphile_bench";
    final Devstack devstack;
    final DevKeys keys;
    final String workerToken;
    final ServiceProcess taskApi;
    final ServiceProcess generation;
    final ServiceProcess gateway;
    final ServiceProcess worker;

    private BenchPlatform(Devstack devstack, Path root, Path dir, Map<String, String> workerProps) {
        this.devstack = devstack;
        this.keys = DevKeys.in(dir.resolve("keys"));
        this.workerToken = keys.token(UUID.randomUUID(), List.of("worker"), Duration.ofHours(12));
        Path logs = dir.resolve("logs");
        int taskApiPort = Ports.free();
        int gatewayPort = Ports.free();
        int workerPort = Ports.free();
        Map<String, String> taskApiProps = new HashMap<>();
        // The benchmark's types: "noop" runs on the worker's bench handler; no worker runs "bench_gate", the driver
        // completes it to release a whole backlog in one transaction.
        taskApiProps.put("conveyor.task-types.noop.capability", "bench");
        taskApiProps.put("conveyor.task-types.noop.cost-base", "1");
        taskApiProps.put("conveyor.task-types.bench_gate.capability", "bench_gate");
        taskApiProps.put("conveyor.task-types.bench_gate.cost-base", "1");
        Map<String, String> worker = new HashMap<>(Map.of(
                "conveyor.worker.bench-handlers", "true",
                "conveyor.worker.task-types", "noop",
                // only the wake-up path counts for dispatch: the fallback poll never fires within a measure
                "conveyor.worker.poll-interval", "60s",
                "conveyor.worker.slots", "32",
                "conveyor.worker.batch", "32"));
        worker.putAll(workerProps);
        Map<String, String> quiet = Map.of("quarkus.log.level", "WARN");
        this.taskApi = service(
                        root,
                        "task-api",
                        taskApiPort,
                        merge(taskApiProps, quiet),
                        env("conveyor_tasks", taskApiPort, gatewayPort),
                        logs)
                .jvmOptions(jvm("task-api", "-Xmx512m"));
        this.generation = service(
                        root,
                        "generation-service",
                        Ports.free(),
                        quiet,
                        env("conveyor_generations", taskApiPort, gatewayPort),
                        logs)
                .jvmOptions(jvm("generation-service", "-Xmx256m"));
        this.gateway = service(root, "realtime-gateway", gatewayPort, quiet, env(null, taskApiPort, gatewayPort), logs)
                .jvmOptions(jvm("realtime-gateway", "-Xmx512m"));
        Map<String, String> workerEnv = env(null, taskApiPort, gatewayPort);
        workerEnv.put("WORKER_URL", "http://127.0.0.1:" + workerPort);
        workerEnv.put("WORKER_OUTPUT_DIR", dir.resolve("outputs").toString());
        this.worker = service(root, "task-worker", workerPort, merge(worker, quiet), workerEnv, logs)
                .jvmOptions(jvm("task-worker", "-Xmx256m"));
    }

    /**
     * A service's JVM options: its heap, then {@code BENCH_JVM_OPTS} (space-separated, e.g. {@code -XX:+UseSerialGC}
     * or {@code -XX:+PrintCompilation}), so a JVM setting can be measured without editing this class; later options
     * win, so it may also override the heap. {@code {service}} in an option becomes the module's name (a per-service
     * file, e.g. {@code -XX:SharedArchiveFile=/tmp/cds/{service}.jsa}).
     */
    private static List<String> jvm(String module, String heap) {
        List<String> options = new ArrayList<>(List.of(heap));
        String extra = System.getenv().getOrDefault("BENCH_JVM_OPTS", "").trim();
        if (!extra.isEmpty()) {
            for (String option : extra.split("\\s+")) {
                options.add(option.replace("{service}", module));
            }
        }
        return options;
    }

    static BenchPlatform start(Path root, Path dir, Map<String, String> workerProps) throws Exception {
        Files.createDirectories(dir.resolve("logs"));
        Devstack devstack = Devstack.start(
                0,
                0,
                dir.resolve("devstack"),
                false,
                List.of("conveyor_tasks", "conveyor_generations", GRAPHILE_DATABASE),
                Postgres.Durability.PRODUCTION);
        BenchPlatform platform;
        try {
            platform = new BenchPlatform(devstack, root, dir, workerProps);
        } catch (RuntimeException e) {
            devstack.close();
            throw e;
        }
        try {
            // One at a time, task-api first (the others call it or consume what it publishes). Not in parallel: on the
            // 2
            // shared cores, three JVMs starting at once missed ServiceProcess' 90 s readiness limit at load ~38.
            for (ServiceProcess s : List.of(platform.taskApi, platform.generation, platform.gateway, platform.worker)) {
                startPatiently(s);
            }
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        return platform;
    }

    /**
     * Starts a service; when it is alive but not ready within ServiceProcess' 90 s (a soak at load 44 saw
     * generation-service miss it while other engineers' builds ran), waits up to {@link #EXTRA_READY} more.
     */
    private static void startPatiently(ServiceProcess s) {
        try {
            s.start();
        } catch (IllegalStateException notReady) {
            if (!s.isAlive()) {
                throw notReady;
            }
            System.out.println("bench: " + s.name() + " not ready after 90 s, waiting up to " + EXTRA_READY.toMinutes()
                    + " min more (load " + Compare.loadAverage() + ")");
            s.awaitReady(EXTRA_READY);
        }
    }

    private static final Duration EXTRA_READY = Duration.ofMinutes(4);

    /** The processes whose CPU a Conveyor measure counts, by the name the table prints. */
    Map<String, Long> conveyorPids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("task-api", taskApi.jvm().pid());
        pids.put("task-worker", worker.jvm().pid());
        pids.put("generation", generation.jvm().pid());
        pids.put("gateway", gateway.jvm().pid());
        pids.put("postgres", postmasterPid());
        pids.put("kafka", devstack.kafka().pid());
        return pids;
    }

    List<ServiceProcess> services() {
        return List.of(taskApi, worker, generation, gateway);
    }

    /** The PostgreSQL server process (its first line of postmaster.pid); every backend is its child. */
    long postmasterPid() {
        try {
            return Long.parseLong(
                    Files.readAllLines(devstack.dir().resolve("postgres").resolve("postmaster.pid"))
                            .get(0)
                            .trim());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read postmaster.pid", e);
        }
    }

    String graphileDatabaseUrl() {
        return "postgres://" + Postgres.USER + ":" + Postgres.PASSWORD + "@127.0.0.1:"
                + devstack.postgres().port() + "/" + GRAPHILE_DATABASE;
    }

    private static ServiceProcess service(
            Path root, String module, int port, Map<String, String> props, Map<String, String> env, Path logs) {
        return new ServiceProcess(module, ServiceProcess.packagedJar(root, module), port, props, env, logs);
    }

    private Map<String, String> env(String database, int taskApiPort, int gatewayPort) {
        return ServiceEnv.of(devstack, keys.publicKey(), workerToken, taskApiPort, gatewayPort, database);
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new HashMap<>(a);
        m.putAll(b);
        return m;
    }

    private boolean closed;

    /** Stops the services, then devstack; once only (a shutdown hook may call it again after the normal close). */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        ServiceProcess.stopAll(services());
        devstack.close();
    }
}
