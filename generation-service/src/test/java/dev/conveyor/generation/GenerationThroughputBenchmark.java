package dev.conveyor.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.generation.messaging.DeadLetters;
import dev.conveyor.generation.messaging.KafkaClients;
import dev.conveyor.generation.messaging.TaskEventsHandler;
import dev.conveyor.kit.consumer.ConsumerLoop;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, run on demand (not part of the test suite: the name does not end in Test):
 * {@code ./mvnw -B -o -pl generation-service verify -Dtest=GenerationThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * <p>
 * Completion events -> generations per second through the real consumer (one {@link ConsumerLoop}, 6 partitions,
 * one transaction per event with the processed-event record, generation and outbox rows), on real Kafka and PostgreSQL,
 * while the application's outbox relay publishes the resulting {@code generation.created} events. Then the same records
 * again with a fresh group (every event a duplicate). Settings: {@code -Dbench.events=20000 -Dbench.runs=3}.
 * Results go to {@code target/benchmarks/generation-throughput.md}.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class GenerationThroughputBenchmark {
    private static final int PROJECTS = 60;

    @Inject
    Pool pool;

    @Inject
    KafkaClients kafka;

    @Inject
    TaskEventsHandler handler;

    @Inject
    DeadLetters deadLetters;

    record Run(double firstPassPerSecond, double replayPerSecond, double relayDrainSeconds) {}

    @Test
    void completionEventsToGenerationsPerSecond() throws Exception {
        int events = Integer.getInteger("bench.events", 20_000);
        int runs = Integer.getInteger("bench.runs", 3);
        List<Run> results = new ArrayList<>();
        for (int run = 0; run < runs + 1; run++) {
            Run result = once(events);
            if (run > 0) { // the first run warms up the JIT and the pools
                results.add(result);
            }
            System.out.printf(
                    "run %d: %.0f generations/s, replay %.0f events/s, relay drained %.1f s after%n",
                    run, result.firstPassPerSecond(), result.replayPerSecond(), result.relayDrainSeconds());
        }
        double first =
                median(results.stream().mapToDouble(Run::firstPassPerSecond).toArray());
        double replay =
                median(results.stream().mapToDouble(Run::replayPerSecond).toArray());
        double drain =
                median(results.stream().mapToDouble(Run::relayDrainSeconds).toArray());
        String report = String.format(
                """
                        | what | median of %d runs | runs |
                        |---|---|---|
                        | completion events -> generations (new) | %.0f /s | %s |
                        | redelivered completions (all duplicates, fresh group) | %.0f events/s | %s |
                        | outbox relay drained after the last generation | %.1f s | %s |
                        events per run: %d over %d projects (6 partitions); measured %s
                        """,
                results.size(),
                first,
                list(results.stream().mapToDouble(Run::firstPassPerSecond).toArray()),
                replay,
                list(results.stream().mapToDouble(Run::replayPerSecond).toArray()),
                drain,
                list(results.stream().mapToDouble(Run::relayDrainSeconds).toArray()),
                events,
                PROJECTS,
                Instant.now());
        Path out = Path.of("target", "benchmarks", "generation-throughput.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        assertThat(first).isPositive();
    }

    private Run once(int events) throws Exception {
        String topic = "bench-task-events-" + UUID.randomUUID();
        List<UUID> projects = new ArrayList<>();
        for (int i = 0; i < PROJECTS; i++) {
            projects.add(UUID.randomUUID());
        }
        UUID owner = UUID.randomUUID();
        Fixtures.createTopic(topic, 6);
        for (int i = 0; i < events; i++) {
            UUID projectId = projects.get(i % PROJECTS);
            byte[] value = Fixtures.singleImage(projectId, owner, UUID.randomUUID(), null)
                    .toJson()
                    .getBytes(StandardCharsets.UTF_8);
            Fixtures.producer().send(new ProducerRecord<>(topic, projectId.toString(), value));
        }
        Fixtures.producer().flush();
        UUID[] ids = projects.toArray(new UUID[0]);

        double firstPass = consume(topic, "bench-" + UUID.randomUUID(), events, group -> generations(ids));
        long drainStart = System.nanoTime();
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> unpublished(ids) == 0);
        double drain = (System.nanoTime() - drainStart) / 1e9;
        // Duplicates leave no trace in the database: their progress is the group's committed offsets.
        double replay;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            replay = consume(
                    topic, "bench-replay-" + UUID.randomUUID(), events, group -> Fixtures.committed(admin, group));
        }
        assertThat(generations(ids)).isEqualTo(events);
        return new Run(firstPass, replay, drain);
    }

    /** Runs a fresh consumer group over the topic; rate from the first effect to the last (group join excluded). */
    private double consume(String topic, String group, int events, ToLongFunction<String> progress) {
        long baseline = progress.applyAsLong(group);
        long[] firstSeen = {0};
        try (ConsumerLoop loop = new ConsumerLoop(
                        topic,
                        kafka.consumerConfig(group, 500),
                        handler::handleBatch,
                        deadLetters,
                        Duration.ofMillis(200))
                .start()) {
            await().atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        long done = progress.applyAsLong(group) - baseline;
                        if (done > 0 && firstSeen[0] == 0) {
                            firstSeen[0] = System.nanoTime();
                        }
                        return done >= events;
                    });
            return events / ((System.nanoTime() - firstSeen[0]) / 1e9);
        }
    }

    private long generations(UUID[] projects) {
        return count("select count(*) from generations where project_id = any($1)", projects);
    }

    private long unpublished(UUID[] projects) {
        String[] keys = Arrays.stream(projects).map(UUID::toString).toArray(String[]::new);
        return count("select count(*) from outbox where published_at is null and record_key = any($1)", keys);
    }

    private long count(String sql, Object arg) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(arg))
                .await()
                .atMost(Duration.ofSeconds(10))
                .iterator()
                .next()
                .getLong(0);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1
                ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }

    private static String list(double[] values) {
        return Arrays.stream(values)
                .mapToObj(v -> String.format("%.1f", v))
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }
}
