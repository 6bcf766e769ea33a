package dev.conveyor.worker.e2e;

import dev.conveyor.devstack.ServiceProcess;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import org.junit.jupiter.api.Test;

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

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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

    private final StringBuilder report = new StringBuilder();

    @Test
    void run() throws Exception {
        String taskApi = TaskApiProcess.url();
        line("| measure | result |");
        line("|---|---|");
        for (int round = 1; round <= LATENCY_ROUNDS; round++) {
            latency("round " + round + ": Kafka wake-ups", Map.of());
            latency("round " + round + ": long-poll only", Map.of("conveyor.worker.kafka-wakeups", "false"));
        }
        // Batch complete on and off alternate within each round, so both see the same machine load.
        for (int round = 1; round <= THROUGHPUT_ROUNDS; round++) {
            for (int processes : new int[] {1, 4}) {
                throughput("round " + round, processes, true);
                throughput("round " + round, processes, false);
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
        int port = ServiceProcess.freePort();
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
        return new ServiceProcess("bench-worker", ServiceProcess.jarFromProperty("worker.jar"), port, props, Map.of(), Path.of("target", "processes")).start();
    }

    private void latency(String label, Map<String, String> config) throws Exception {
        Api api = new Api(TaskApiProcess.url());
        UUID project = api.newProject(1_000_000);
        try (ServiceProcess w = worker(config)) {
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < LATENCY_SAMPLES + 20; i++) {
                Instant before = Instant.now();
                UUID id = UUID.fromString(api.createTask(project, "noop", Api.json("{}")).path("id").asText());
                JsonNode[] done = new JsonNode[1];
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(5)).until(() -> {
                    done[0] = api.task(id);
                    return "complete".equals(done[0].path("status").asText());
                });
                Instant started = Instant.parse(done[0].path("metadata").path("startedAt").asText());
                if (i >= 20) { // warm-up excluded
                    micros.add(Duration.between(before, started).toNanos() / 1000);
                }
            }
            Collections.sort(micros);
            line(String.format("| create -> handler start, %s (n=%d) | p50 %.1f ms, p99 %.1f ms |", label, micros.size(),
                    pct(micros, 50) / 1000.0, pct(micros, 99) / 1000.0));
        }
    }

    private void throughput(String label, int processes, boolean completeBatch) throws Exception {
        Api api = new Api(TaskApiProcess.url());
        UUID project = api.newProject(1_000_000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> creates = new ArrayList<>();
            for (int i = 0; i < THROUGHPUT_TASKS; i++) {
                creates.add(pool.submit(() -> api.createTask(project, "noop", Api.json("{}"))));
            }
            for (Future<?> f : creates) {
                f.get();
            }
            List<Future<ServiceProcess>> starting = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                starting.add(pool.submit(() -> worker(Map.of("conveyor.worker.slots", "32", "conveyor.worker.batch", "32",
                        "conveyor.worker.complete-batch", Boolean.toString(completeBatch)))));
            }
            List<ServiceProcess> workers = new ArrayList<>();
            for (Future<ServiceProcess> f : starting) {
                workers.add(f.get());
            }
            try {
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500))
                        .until(() -> api.statusCounts(project).path("complete").asInt() == THROUGHPUT_TASKS);
            } finally {
                workers.forEach(ServiceProcess::close);
            }
            Instant firstClaim = Instant.MAX;
            Instant lastComplete = Instant.MIN;
            for (int page = 1; page <= (THROUGHPUT_TASKS + 99) / 100; page++) {
                for (JsonNode t : api.tasksPage(project, page)) {
                    Instant claimed = Instant.parse(t.path("claimedAt").asText());
                    Instant completed = Instant.parse(t.path("completedAt").asText());
                    firstClaim = claimed.isBefore(firstClaim) ? claimed : firstClaim;
                    lastComplete = completed.isAfter(lastComplete) ? completed : lastComplete;
                }
            }
            double seconds = Duration.between(firstClaim, lastComplete).toNanos() / 1e9;
            line(String.format("| no-op throughput, %s, %d worker process(es) x 32 slots, claim batch 32, batch complete %s (n=%d) "
                    + "| %.0f tasks/s |", label, processes, completeBatch ? "on" : "off", THROUGHPUT_TASKS, THROUGHPUT_TASKS / seconds));
        } finally {
            pool.shutdownNow();
        }
    }

    private static long pct(List<Long> sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }
}
