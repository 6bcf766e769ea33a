package dev.conveyor.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.generation.messaging.DeadLetters;
import dev.conveyor.generation.messaging.KafkaClients;
import dev.conveyor.kit.consumer.ConsumerLoop;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/**
 * Offsets are committed at most once per commit interval, never before the records they cover were handled, and what
 * was handled is committed when the loop closes. A private topic, a handler that only counts.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class ConsumerCommitTest {
    private static final int RECORDS = 30;

    @Inject
    KafkaClients kafka;

    @Inject
    DeadLetters deadLetters;

    @Test
    void handledOffsetsWaitForTheCommitIntervalAndAreAllCommittedWhenTheLoopCloses() throws Exception {
        String topic = "task-events-commit-" + UUID.randomUUID();
        String group = "commit-" + UUID.randomUUID();
        Fixtures.createTopic(topic, 1);
        UUID projectId = UUID.randomUUID();
        for (int i = 0; i < RECORDS; i++) {
            EventEnvelope event = Fixtures.singleImage(projectId, UUID.randomUUID(), UUID.randomUUID(), null);
            Fixtures.send(topic, projectId.toString(), event);
        }
        AtomicInteger handled = new AtomicInteger();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConsumerLoop loop = new ConsumerLoop(
                            topic,
                            kafka.consumerConfig(group, 7),
                            records -> {
                                handled.addAndGet(records.size());
                                return Uni.createFrom().voidItem();
                            },
                            deadLetters,
                            Duration.ofMillis(200),
                            Duration.ofHours(1))
                    .start();
            await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == RECORDS);

            // The first poll's records were committed at once; the rest wait for the hour-long interval.
            long beforeClose = Fixtures.committed(admin, group);
            assertThat(beforeClose).isBetween(1L, 7L);

            loop.close();
            assertThat(Fixtures.committed(admin, group)).isEqualTo(RECORDS);
        }
    }
}
