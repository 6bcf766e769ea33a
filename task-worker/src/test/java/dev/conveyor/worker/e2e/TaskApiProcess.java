package dev.conveyor.worker.e2e;

import dev.conveyor.devstack.DevKeys;
import dev.conveyor.devstack.Devstack;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.Ports;
import dev.conveyor.devstack.Postgres;
import dev.conveyor.devstack.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The real task-api, started once per test JVM from its packaged jar on devstack's PostgreSQL and Kafka, with short
 * leases and a fast reaper so lease expiry is testable in seconds.
 */
public final class TaskApiProcess {
    public static final String DATABASE = "conveyor_tasks_worker_test";
    /** The lease of every task type in this task-api (heartbeats come every third of it). */
    public static final Duration LEASE = Duration.ofSeconds(6);

    private static ServiceProcess process;
    private static List<String> jvmOptions = ServiceProcess.TEST_JVM;

    private TaskApiProcess() {}

    /** JVM options for the task-api started by the next {@link #url()} (benchmarks want production-like ones). */
    public static synchronized void jvmOptions(List<String> options) {
        jvmOptions = List.copyOf(options);
    }

    public static synchronized String url() {
        if (process == null || !process.isAlive()) {
            process = start();
            ServiceProcess p = process;
            Runtime.getRuntime().addShutdownHook(new Thread(p::close, "task-api-stop"));
        }
        return process.url();
    }

    /** The running task-api's JVM (the benchmark reads its CPU time). */
    public static synchronized ProcessHandle jvm() {
        url();
        return process.jvm();
    }

    private static ServiceProcess start() {
        var jar = ServiceProcess.jarFromProperty("taskapi.jar");
        Devstack stack = DevstackResource.devstack();
        try {
            stack.postgres().createDatabase(DATABASE);
        } catch (Exception e) {
            throw new IllegalStateException("could not create " + DATABASE, e);
        }
        Map<String, String> props = new HashMap<>();
        props.put("kafka.bootstrap.servers", stack.kafka().bootstrapServers());
        props.put("quarkus.datasource.jdbc.url", stack.postgres().jdbcUrl(DATABASE));
        props.put("quarkus.datasource.reactive.url", stack.postgres().reactiveUrl(DATABASE));
        props.put("quarkus.datasource.username", Postgres.USER);
        props.put("quarkus.datasource.password", Postgres.PASSWORD);
        props.put(
                "mp.jwt.verify.publickey.location",
                DevstackResource.keys().publicKey().toAbsolutePath().toString());
        props.put("mp.jwt.verify.issuer", DevKeys.ISSUER);
        props.put("quarkus.otel.sdk.disabled", "true");
        props.put("conveyor.reaper.every", "500ms");
        for (String type : List.of("single_image", "travel_orchestrator", "travel_segment", "travel_stitch")) {
            props.put("conveyor.task-types." + type + ".lease", LEASE.toSeconds() + "s");
            props.put("conveyor.task-types." + type + ".backoff-base", "200ms");
            props.put("conveyor.task-types." + type + ".backoff-cap", "1s");
        }
        // A no-op type for the benchmark (workers run it only with conveyor.worker.bench-handlers=true).
        props.put("conveyor.task-types.noop.capability", "bench");
        props.put("conveyor.task-types.noop.cost-base", "1");
        // The benchmark's gate: no worker runs it; the benchmark completes it itself to release a backlog at once.
        props.put("conveyor.task-types.bench_gate.capability", "bench_gate");
        props.put("conveyor.task-types.bench_gate.cost-base", "1");
        return new ServiceProcess("task-api", jar, Ports.free(), props, Map.of(), Path.of("target", "processes"))
                .jvmOptions(jvmOptions)
                .start();
    }

    public static String workerToken() {
        return DevstackResource.keys().token(UUID.randomUUID(), List.of("worker"), Duration.ofHours(1));
    }
}
