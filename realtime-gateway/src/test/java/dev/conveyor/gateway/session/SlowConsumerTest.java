package dev.conveyor.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.socket.Outbound;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A session whose socket stops taking frames, against the real change log on the real broker: the bounded queue
 * fills, keys coalesce, too many keys turn into a reset, and a queue that stays full closes the connection with 4408.
 */
@io.quarkus.test.junit.QuarkusTest
@io.quarkus.test.common.QuarkusTestResource(DevstackResource.class)
class SlowConsumerTest extends LiveSessionTest {
    /** A socket that accepts frames but never reports them written until told to. */
    static final class StuckSocket implements Outbound {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        final List<Runnable> unwritten = new CopyOnWriteArrayList<>();
        volatile Integer closeCode;

        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            frames.add(json(frame));
            unwritten.add(written);
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
        }

        void drainOne() {
            unwritten.remove(0).run();
        }

        List<String> types() {
            return frames.stream().map(f -> f.get("type").asText()).toList();
        }
    }

    @Test
    void aFullQueueCoalescesThenResetsAndAQueueThatStaysFullClosesWith4408() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        Channel channel = Channel.project(project);
        ownProject(user, project);

        StuckSocket socket = new StuckSocket();
        SessionLimits limits =
                new SessionLimits(Duration.ZERO, 3, 4, Duration.ofSeconds(1), 10, 5, Duration.ofSeconds(2));
        Session session = new Session("s1", socket, direct(), new TestHost(changeLog, user, limits, "let-me-in"));
        openAndSubscribe(session, "let-me-in", channel);
        await().atMost(Duration.ofSeconds(5)).until(() -> socket.types().equals(List.of("welcome", "subscribed")));

        // the third frame fills the queue (3)
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> socket.types().equals(List.of("welcome", "subscribed", "invalidate")));
        // while full, keys only accumulate: two more links are 5 distinct keys > 4 kept -> the channel will get a reset
        events.shotLink(project, user, UUID.randomUUID());
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, UUID.randomUUID()));
        assertThat(socket.frames).hasSize(3);

        socket.drainOne(); // the client reads one frame: room for one more
        assertThat(socket.types()).containsExactly("welcome", "subscribed", "invalidate", "reset");
        JsonNode reset = socket.frames.get(3);
        assertThat(reset.get("channel").asText()).isEqualTo(channel.toString());
        assertThat(reset.get("position").asText())
                .isEqualTo(changeLog.current(channel).toString());

        // full again, and it stays full past the slow-consumer timeout
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, UUID.randomUUID()));
        assertThat(socket.frames).hasSize(4);
        session.sweep(System.nanoTime(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertThat(socket.closeCode).isNull();
        session.sweep(System.nanoTime() + Duration.ofSeconds(2).toNanos(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertThat(socket.closeCode).isEqualTo(CloseCodes.SLOW_CONSUMER);
    }
}
