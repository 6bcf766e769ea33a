package dev.conveyor.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.fanout.Resume;
import dev.conveyor.gateway.fanout.Subscriber;
import dev.conveyor.gateway.kafka.ChangeLog;
import dev.conveyor.gateway.kafka.ChangeLogSettings;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Two gateway replicas on one Kafka: the Quarkus app, and a second ChangeLog (the replica's Kafka side) started here.
 * A position taken from the first resumes on the second, because positions are Kafka offsets.
 */
@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class CrossReplicaResumeTest {

    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URI base;

    @Test
    void aPositionTakenOnOneReplicaResumesOnASecondReplicaStartedLater() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        UUID shot = UUID.randomUUID();
        try (TestEvents events = new TestEvents();
                WsClient ws = WsClient.authenticated(
                        vertx, base, DevstackResource.keys().token(user, List.of("user"), Duration.ofMinutes(10)))) {
            events.project(project, user);
            String taken = ws.subscribe("project:" + project).get("position").asText();
            ws.close(); // the client goes away holding its position

            UUID task = UUID.randomUUID();
            events.task(EventTypes.TASK_CREATED, project, user, null, task);
            events.shotLink(project, user, shot);

            // replica 2 starts after the events: it rebuilds its history by seeking back in Kafka by timestamp
            ChangeLogSettings settings = new ChangeLogSettings(
                    DevstackResource.devstack().kafka().bootstrapServers(),
                    Duration.ofMinutes(15),
                    64,
                    1000,
                    Duration.ofSeconds(30));
            try (ChangeLog replica2 = new ChangeLog(settings, "replica-2").start()) {
                await().atMost(Duration.ofSeconds(20)).until(replica2::caughtUp);
                assertThat(replica2.owner(project)).contains(user);

                Recorder subscriber = new Recorder(user);
                Resume resume = replica2.attach(Channel.project(project), Position.parse(taken), subscriber);
                assertThat(resume.reset()).isFalse();
                assertThat(resume.keys())
                        .containsExactlyInAnyOrder(
                                CacheKey.of("task-status-counts", project),
                                CacheKey.of("tasks", "paginated", project, 1),
                                CacheKey.of("task", task),
                                CacheKey.of("unified-generations", "project", project),
                                CacheKey.of("unified-generations", "shot", shot),
                                CacheKey.of("unpositioned-count", shot));

                // the same position on the first replica (the Quarkus app) gives the same answer
                try (WsClient again = WsClient.authenticated(
                        vertx, base, DevstackResource.keys().token(user, List.of("user"), Duration.ofMinutes(10)))) {
                    again.send(Map.of("type", "subscribe", "channel", "project:" + project, "since", taken));
                    JsonNode replay = again.awaitFrame("invalidate");
                    assertThat(again.awaitFrame("subscribed").get("recovered").asBoolean())
                            .isTrue();
                    assertThat(replay.get("position").asText())
                            .isEqualTo(resume.position().toString());
                    assertThat(WsClient.keys(replay)).hasSize(resume.keys().size());

                    // and both replicas go on live from there
                    events.task(EventTypes.TASK_COMPLETED, project, user, null);
                    await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.changes.size() == 1);
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> again.ofType("invalidate").size() == 2);
                    assertThat(again.ofType("invalidate").get(1).get("position").asText())
                            .isEqualTo(subscriber.changes.get(0).toString());
                }
            }
        }
    }

    @Test
    void aPositionFromAnotherChannelsPartitionsResets() {
        UUID user = UUID.randomUUID();
        ChangeLogSettings settings = new ChangeLogSettings(
                DevstackResource.devstack().kafka().bootstrapServers(),
                Duration.ofMinutes(15),
                64,
                1000,
                Duration.ofSeconds(30));
        try (ChangeLog replica = new ChangeLog(settings, "replica-3").start()) {
            await().atMost(Duration.ofSeconds(20)).until(replica::caughtUp);
            Position foreign = Position.parse("account-events:0:0,task-events:0:0");
            Resume resume = replica.attach(Channel.user(user), foreign, new Recorder(user));
            assertThat(resume.reset()).isTrue();
            assertThat(resume.keys()).containsExactly(CacheKey.of("account", user), CacheKey.of("task-lead", user));
        }
    }

    /** Records the position of every change it hears. */
    static final class Recorder implements Subscriber {
        final List<Position> changes = new CopyOnWriteArrayList<>();
        private final UUID user;

        Recorder(UUID user) {
            this.user = user;
        }

        @Override
        public UUID user() {
            return user;
        }

        @Override
        public void onChange(Channel channel, List<CacheKey> keys, Position position, Instant occurredAt) {
            changes.add(position);
        }

        @Override
        public void onRevoked(Channel channel) {}
    }
}
