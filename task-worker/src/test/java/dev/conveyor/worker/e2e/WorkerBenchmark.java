package dev.conveyor.worker.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.Ports;
import dev.conveyor.devstack.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * On-demand benchmark (never part of the normal build: the name matches neither *Test nor *IT). Run:
 * <pre>./mvnw -B -o -pl task-worker verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=WorkerBenchmark</pre>
 * Packaged task-api + packaged worker processes on devstack; results go to target/worker-benchmark.md.
 * <ul>
 * <li>dispatch latency: create (before the POST) -> no-op handler start (wall clock, same machine), one task at a time
 * on an idle worker, with Kafka wake-ups and with long-polling only;</li>
 * <li>throughput: N no-op tasks queued first, then drained by 1 and by 4 worker processes, with batch complete
 * (group commit) on and off in turn; tasks/s = N / (last completedAt - first claimedAt).</li>
 * </ul>
 */
class WorkerBenchmark {
    private static final int LATENCY_SAMPLES = Integer.getInteger("bench.latency.samples", 200);
    private static final int THROUGHPUT_TASKS = Integer.getInteger("bench.throughput.tasks", 2000);
    private static final int LATENCY_ROUNDS = Integer.getInteger("bench.latency.rounds", 1);
    private static final int THROUGHPUT_ROUNDS = Integer.getInteger("bench.throughput.rounds", 3);
    private static final int CREATE_BATCH = Integer.getInteger("bench.create.batch", 50);
    private static final int WARM_UP_TASKS = Integer.getInteger("bench.warmup.tasks", 500);
    private static final List<Integer> PROCESSES = java.util.Arrays.stream(
                    System.getProperty("bench.processes", "1,4").split(","))
            .map(String::trim)
            .map(Integer::valueOf)
            .toList();
    private static final List<Boolean> COMPLETE_BATCH = java.util.Arrays.stream(
                    System.getProperty("bench.complete-batch", "on,off").split(","))
            .map(String::trim)
            .map("on"::equals)
            .toList();

    private final StringBuilder report = new StringBuilder();

    /**
     * Production-like JVMs (full JIT, the default collector) unless -Dbench.jvm=test: the tests' C1-only 256 MB JVMs
     * start fast but run the hot paths several times slower.
     */
    private static final List<String> TASK_API_JVM =
            "test".equals(System.getProperty("bench.jvm")) ? ServiceProcess.TEST_JVM : List.of("-Xmx512m");

    private static final List<String> WORKER_JVM =
            "test".equals(System.getProperty("bench.jvm")) ? ServiceProcess.TEST_JVM : List.of("-Xmx256m");

    @Test
    void run() throws Exception {
        TaskApiProcess.jvmOptions(TASK_API_JVM);
        String taskApi = TaskApiProcess.url();
        line("| measure | result |");
        line("|---|---|");
        for (int round = 1; round <= LATENCY_ROUNDS; round++) {
            latency("round " + round + ": Kafka wake-ups", Map.of());
            latency("round " + round + ": long-poll only", Map.of("conveyor.worker.kafka-wakeups", "false"));
        }
        // Batch complete on and off alternate within each round, so both see the same machine load.
        for (int round = 1; round <= THROUGHPUT_ROUNDS; round++) {
            for (int processes : PROCESSES) {
                for (boolean completeBatch : COMPLETE_BATCH) {
                    throughput("round " + round, processes, completeBatch);
                }
            }
        }
        Path out = Path.of("target", "worker-benchmark.md");
        Files.writeString(out, report);
        System.out.println(report);
        assertThat(taskApi).isNotBlank();
    }

    private void line(String s) {
        report.append(s).append('\n');
    }

    private static ServiceProcess worker(Map<String, String> extra) {
        int port = Ports.free();
        Map<String, String> props = new HashMap<>();
        props.put("task-api.url", TaskApiProcess.url());
        props.put("task-api.token", TaskApiProcess.workerToken());
        props.put("kafka.bootstrap.servers", DevstackResource.devstack().kafka().bootstrapServers());
        props.put("conveyor.worker.public-url", "http://127.0.0.1:" + port);
        props.put("conveyor.worker.bench-handlers", "true");
        props.put("conveyor.worker.task-types", "noop");
        props.put("conveyor.worker.poll-interval", "60s");
        props.put("quarkus.log.level", "WARN");
        props.putAll(extra);
        // -Dbench.worker.<key>=<value> sets conveyor.worker.<key> on every benchmark worker (e.g. claim-linger=0).
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("bench.worker."))
                .forEach(k ->
                        props.put("conveyor.worker." + k.substring("bench.worker.".length()), System.getProperty(k)));
        return new ServiceProcess(
                        "bench-worker",
                        ServiceProcess.jarFromProperty("worker.jar"),
                        port,
                        props,
                        Map.of(),
                        Path.of("target", "processes"))
                .jvmOptions(WORKER_JVM)
                .start();
    }

    private void latency(String label, Map<String, String> config) throws Exception {
        Api api = new Api(TaskApiProcess.url());
        UUID project = api.newProject(1_000_000);
        try (ServiceProcess w = worker(config)) {
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < LATENCY_SAMPLES + 20; i++) {
                Instant before = Instant.now();
                UUID id = UUID.fromString(api.createTask(project, "noop", Api.json("{}"))
                        .path("id")
                        .asText());
                JsonNode[] done = new JsonNode[1];
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> {
                            done[0] = api.task(id);
                            return "complete".equals(done[0].path("status").asText());
                        });
                Instant started =
                        Instant.parse(done[0].path("metadata").path("startedAt").asText());
                if (i >= 20) { // warm-up excluded
                    micros.add(Duration.between(before, started).toNanos() / 1000);
                }
            }
            Collections.sort(micros);
            line(String.format(
                    "| create -> handler start, %s (n=%d) | p50 %.1f ms, p99 %.1f ms |",
                    label, micros.size(), pct(micros, 50) / 1000.0, pct(micros, 99) / 1000.0));
        }
    }

    /**
     * Workers are started and warmed up first (JIT, connections), outside the measured window. The measured tasks are
     * created waiting on a gate task that no worker runs; completing the gate queues all of them in one transaction.
     * <ul>
     * <li>drain: tasks/s = N / (last completedAt - gate completedAt): the backlog through claim, handler, complete;</li>
     * <li>live: N tasks created by 8 client threads while the workers run; tasks/s = N / (last completedAt - first
     * createdAt): create -> claim -> complete through the whole platform, as PERFORMANCE.md defines it.</li>
     * </ul>
     */
    private void throughput(String label, int processes, boolean completeBatch) throws Exception {
        Api api = new Api(TaskApiProcess.url());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<ServiceProcess> workers = new ArrayList<>();
        try {
            List<Future<ServiceProcess>> starting = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                starting.add(pool.submit(() -> worker(Map.of(
                        "conveyor.worker.slots",
                        "32",
                        "conveyor.worker.batch",
                        "32",
                        "conveyor.worker.complete-batch",
                        Boolean.toString(completeBatch)))));
            }
            for (Future<ServiceProcess> f : starting) {
                workers.add(f.get());
            }
            UUID warmUp = api.newProject(1_000_000);
            createAll(pool, WARM_UP_TASKS, () -> api.createTask(warmUp, "noop", Api.json("{}")));
            awaitComplete(api, warmUp, WARM_UP_TASKS);

            UUID drain = api.newProject(1_000_000);
            UUID gate = UUID.fromString(api.createTask(drain, "bench_gate", Api.json("{}"))
                    .path("id")
                    .asText());
            createAll(pool, THROUGHPUT_TASKS, () -> api.createTask(drain, "noop", Api.json("{}"), List.of(gate)));
            Cpu before = Cpu.of(workers);
            JsonNode gateDone = api.claimAndComplete(TaskApiProcess.workerToken(), "bench_gate", "bench_gate");
            awaitComplete(api, drain, THROUGHPUT_TASKS + 1);
            Cpu drainCpu = Cpu.of(workers).minus(before);
            Instant released = Instant.parse(gateDone.path("completedAt").asText());
            double drainSeconds =
                    Duration.between(released, span(api, drain, gate).lastComplete())
                                    .toNanos()
                            / 1e9;

            double liveOneUser = live(pool, 1, 1);
            double liveEightUsers = live(pool, 8, 1);
            double liveBatched = live(pool, 1, CREATE_BATCH);

            double claims = 0;
            double claimed = 0;
            for (ServiceProcess w : workers) {
                claims += metric(w, "conveyor_worker_claim_requests_total");
                claimed += metric(w, "conveyor_worker_claimed_tasks_total");
            }
            line(String.format(
                    "| no-op throughput, %s, %d worker process(es) x 32 slots, claim batch 32, batch complete %s (n=%d) "
                            + "| drain %.0f tasks/s; live create->complete, 1 user %.0f tasks/s, 8 users %.0f tasks/s, 1 user creating in "
                            + "batches of %d %.0f tasks/s; %.1f tasks per claim request; drain CPU per task: "
                            + "workers %.0f µs (their task-events wake-up threads %.0f µs), task-api %.0f µs |",
                    label,
                    processes,
                    completeBatch ? "on" : "off",
                    THROUGHPUT_TASKS,
                    THROUGHPUT_TASKS / drainSeconds,
                    liveOneUser,
                    liveEightUsers,
                    CREATE_BATCH,
                    liveBatched,
                    claims == 0 ? 0 : claimed / claims,
                    drainCpu.workers() / 1000.0 / THROUGHPUT_TASKS,
                    drainCpu.wakeups() / 1000.0 / THROUGHPUT_TASKS,
                    drainCpu.taskApi() / 1000.0 / THROUGHPUT_TASKS));
        } finally {
            workers.forEach(ServiceProcess::close);
            pool.shutdownNow();
        }
    }

    /**
     * CPU nanoseconds used so far (from /proc) by the worker processes, their task-events wake-up consumer threads and
     * task-api (its outbox relay included); differences of two readings measure a window.
     */
    private record Cpu(long workers, long wakeups, long taskApi) {
        static Cpu of(List<ServiceProcess> workers) {
            long all = 0;
            long wakeups = 0;
            for (ServiceProcess w : workers) {
                all += ProcessCpu.nanos(w.jvm().pid());
                wakeups += ProcessCpu.threadNanos(w.jvm().pid(), "task-events-wakeups");
            }
            return new Cpu(all, wakeups, ProcessCpu.nanos(TaskApiProcess.jvm().pid()));
        }

        Cpu minus(Cpu earlier) {
            return new Cpu(workers - earlier.workers, wakeups - earlier.wakeups, taskApi - earlier.taskApi);
        }
    }

    /** A counter's value from a worker's Prometheus endpoint (0 when absent). */
    private static double metric(ServiceProcess worker, String name) {
        String text = new String(Api.download(worker.url() + "/q/metrics"), java.nio.charset.StandardCharsets.UTF_8);
        return text.lines()
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * N tasks created by 8 client threads ({@code perRequest} per request: 1 = POST /v1/tasks, more = POST
     * /v1/tasks/batch; N must be a multiple), spread over {@code users} users (each with a project), while the workers run;
     * answers N / (last completedAt - first createdAt).
     */
    private static double live(ExecutorService pool, int users, int perRequest) throws Exception {
        List<Api> apis = new ArrayList<>();
        List<UUID> projects = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            Api a = new Api(TaskApiProcess.url());
            apis.add(a);
            projects.add(a.newProject(1_000_000));
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        createAll(pool, THROUGHPUT_TASKS / perRequest, () -> {
            int u = next.getAndIncrement() % users;
            return perRequest == 1
                    ? apis.get(u).createTask(projects.get(u), "noop", Api.json("{}"))
                    : apis.get(u).createTasks(projects.get(u), "noop", Api.json("{}"), perRequest);
        });
        Instant firstCreate = Instant.MAX;
        Instant lastComplete = Instant.MIN;
        for (int u = 0; u < users; u++) {
            int expected = THROUGHPUT_TASKS / users + (u < THROUGHPUT_TASKS % users ? 1 : 0);
            awaitComplete(apis.get(u), projects.get(u), expected);
            Span span = span(apis.get(u), projects.get(u), null);
            firstCreate = span.firstCreate().isBefore(firstCreate) ? span.firstCreate() : firstCreate;
            lastComplete = span.lastComplete().isAfter(lastComplete) ? span.lastComplete() : lastComplete;
        }
        return THROUGHPUT_TASKS / (Duration.between(firstCreate, lastComplete).toNanos() / 1e9);
    }

    private record Span(Instant firstCreate, Instant lastComplete) {}

    private static void createAll(ExecutorService pool, int n, java.util.concurrent.Callable<?> create)
            throws Exception {
        List<Future<?>> creates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            creates.add(pool.submit(create));
        }
        for (Future<?> f : creates) {
            f.get();
        }
    }

    private static void awaitComplete(Api api, UUID project, int n) {
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> api.statusCounts(project).path("complete").asInt() == n);
    }

    /** First createdAt and last completedAt over a project's tasks, leaving out {@code except}. */
    private static Span span(Api api, UUID project, UUID except) {
        Instant firstCreate = Instant.MAX;
        Instant lastComplete = Instant.MIN;
        for (int page = 1; page <= (THROUGHPUT_TASKS + 100) / 100; page++) {
            for (JsonNode t : api.tasksPage(project, page)) {
                if (except != null && except.toString().equals(t.path("id").asText())) {
                    continue;
                }
                Instant created = Instant.parse(t.path("createdAt").asText());
                Instant completed = Instant.parse(t.path("completedAt").asText());
                firstCreate = created.isBefore(firstCreate) ? created : firstCreate;
                lastComplete = completed.isAfter(lastComplete) ? completed : lastComplete;
            }
        }
        return new Span(firstCreate, lastComplete);
    }

    private static long pct(List<Long> sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
