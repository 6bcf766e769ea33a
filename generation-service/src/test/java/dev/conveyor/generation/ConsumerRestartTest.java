package dev.conveyor.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.contracts.EventEnvelope;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A consumer that dies after its database transactions committed but before its offsets did: its replacement in the
 * same group re-reads the records from offset 0 and creates nothing twice. Uses a private topic so that only the
 * consumers of this test read it.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class ConsumerRestartTest {
    private static final int TASKS = 30;

    @Inject
    Pool pool;

    @Inject
    KafkaClients kafka;

    @Inject
    TaskEventsHandler handler;

    @Inject
    DeadLetters deadLetters;

    /** Crashes at its first offset commit, after the batch's transactions committed. */
    static final class CrashBeforeOffsetCommit extends ConsumerLoop {
        final AtomicInteger crashes = new AtomicInteger();

        CrashBeforeOffsetCommit(
                String topic, Map<String, Object> config, TaskEventsHandler handler, DeadLetters deadLetters) {
            super(topic, config, handler::handleBatch, deadLetters, Duration.ofMillis(200));
        }

        @Override
        protected void commit(KafkaConsumer<byte[], byte[]> kafka, Map<TopicPartition, OffsetAndMetadata> offsets) {
            crashes.incrementAndGet();
            throw new IllegalStateException("simulated crash between the database commit and the offset commit");
        }
    }

    @Test
    void aConsumerRestartedBetweenItsDatabaseCommitAndItsOffsetCommitCreatesNoDuplicate() throws Exception {
        String topic = "task-events-restart-" + UUID.randomUUID();
        String group = "restart-" + UUID.randomUUID();
        Fixtures.createTopic(topic, 2);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {

            UUID owner = UUID.randomUUID();
            UUID projectId = UUID.randomUUID();
            List<UUID> tasks = new ArrayList<>();
            for (int i = 0; i < TASKS; i++) {
                UUID taskId = UUID.randomUUID();
                tasks.add(taskId);
                EventEnvelope event = Fixtures.singleImage(projectId, owner, taskId, null);
                Fixtures.send(topic, projectId.toString(), event);
            }

            CrashBeforeOffsetCommit crashing =
                    new CrashBeforeOffsetCommit(topic, kafka.consumerConfig(group, 500), handler, deadLetters);
            crashing.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> !crashing.isRunning());
            crashing.close();
            assertThat(crashing.crashes.get()).isEqualTo(1);
            long madeBeforeCrash = generations(projectId);
            assertThat(madeBeforeCrash).isPositive();
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .values())
                    .allSatisfy(offset -> assertThat(offset).isNull());

            try (ConsumerLoop replacement = new ConsumerLoop(
                            topic,
                            kafka.consumerConfig(group, 7),
                            handler::handleBatch,
                            deadLetters,
                            Duration.ofMillis(200))
                    .start()) {
                await().atMost(Duration.ofSeconds(30)).until(() -> Fixtures.committed(admin, group) == TASKS);
            }

            assertThat(generations(projectId)).isEqualTo(TASKS);
            for (UUID taskId : tasks) {
                assertThat(count("select count(*) from generations where task_id = $1", taskId))
                        .isEqualTo(1);
                assertThat(count("select count(*) from processed_events where task_id = $1", taskId))
                        .isEqualTo(1);
            }
        }
    }

    private long generations(UUID projectId) {
        return count("select count(*) from generations where project_id = $1", projectId);
    }

    private long count(String sql, Object arg) {
        return pool.preparedQuery(sql)
                .execute(Tuple.of(arg))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }
}
