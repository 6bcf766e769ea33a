package dev.conveyor.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.socket.Outbound;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Clients that keep sending but never read, or keep asking for what they may not have: every reply counts toward the
 * outbound bounds (close 4408 instead of queuing without bound), and every refusal toward the bad-frame limit (4400).
 */
@io.quarkus.test.junit.QuarkusTest
@io.quarkus.test.common.QuarkusTestResource(DevstackResource.class)
class AbusiveClientTest extends LiveSessionTest {
    /** A socket that takes frames but never reports them written: a client that does not read. */
    static final class UnreadSocket implements Outbound {
        final List<String> frames = new CopyOnWriteArrayList<>();
        volatile Integer closeCode;

        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            frames.add(frame);
        }

        @Override
        public void close(int code, String reason) {
            closeCode = code;
        }

        long bytesHeld() {
            return frames.stream()
                    .mapToLong(f -> f.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .sum();
        }

        List<String> types() {
            return frames.stream().map(f -> json(f).get("type").asText()).toList();
        }

        List<String> errorCodes() {
            return frames.stream()
                    .map(LiveSessionTest::json)
                    .filter(f -> f.get("type").asText().equals("error"))
                    .map(f -> f.get("code").asText())
                    .toList();
        }
    }

    private static Session session(UnreadSocket socket, UUID user, SessionLimits limits) {
        Session session = new Session(
                "abuse-" + UUID.randomUUID(), socket, direct(), new TestHost(changeLog, user, limits, null));
        session.open(null);
        session.onText("{\"type\":\"auth\",\"token\":\"any\"}");
        assertThat(socket.types()).containsExactly("welcome");
        return session;
    }

    @Test
    void largePingsFromAClientThatNeverReadsCloseItWith4408InsteadOfQueuingWithoutBound() {
        UnreadSocket socket = new UnreadSocket();
        // the production bounds: 256 frames or 1 MiB written but not taken
        SessionLimits limits = new SessionLimits(
                Duration.ZERO, 256, 1 << 20, 64, Duration.ofSeconds(10), 50, 20, Duration.ofSeconds(2));
        Session session = session(socket, UUID.randomUUID(), limits);
        String ping = "{\"type\":\"ping\",\"id\":\"" + "x".repeat(60_000) + "\"}";

        for (int i = 0; i < 600 && socket.closeCode == null; i++) {
            session.onText(ping);
        }

        assertThat(socket.closeCode).isEqualTo(CloseCodes.SLOW_CONSUMER);
        // replies may overrun the 1 MiB bound up to twice, never more (the old code held 600 x 60 KB = 36 MB)
        assertThat(socket.bytesHeld()).isLessThanOrEqualTo(2L << 20);
        assertThat(socket.types()).hasSizeLessThan(600);
    }

    @Test
    void repliesThatFillTheQueueStartTheSlowConsumerClock() {
        UnreadSocket socket = new UnreadSocket();
        SessionLimits limits =
                new SessionLimits(Duration.ZERO, 3, 4, Duration.ofSeconds(1), 10, 5, Duration.ofSeconds(2));
        Session session = session(socket, UUID.randomUUID(), limits);
        // welcome + 3 pongs: the queue of 3 is full, without a single invalidation waiting
        for (int i = 0; i < 3; i++) {
            session.onText("{\"type\":\"ping\",\"id\":\"" + i + "\"}");
        }
        assertThat(socket.types()).containsExactly("welcome", "pong", "pong", "pong");
        session.sweep(System.nanoTime(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertThat(socket.closeCode).isNull();
        session.sweep(System.nanoTime() + Duration.ofSeconds(2).toNanos(), Long.MAX_VALUE / 4, Long.MAX_VALUE / 4);
        assertThat(socket.closeCode).isEqualTo(CloseCodes.SLOW_CONSUMER);
    }

    @Test
    void forbiddenSubscribesCountTowardTheBadFrameLimit() {
        UnreadSocket socket = new UnreadSocket();
        SessionLimits limits =
                new SessionLimits(Duration.ZERO, 256, 64, Duration.ofSeconds(10), 10, 5, Duration.ofSeconds(2));
        Session session = session(socket, UUID.randomUUID(), limits);
        String foreign = "{\"type\":\"subscribe\",\"channel\":\"" + Channel.user(UUID.randomUUID()) + "\"}";
        for (int i = 0; i < 5; i++) {
            session.onText(foreign);
        }
        assertThat(socket.errorCodes())
                .containsExactly("forbidden", "forbidden", "forbidden", "forbidden", "forbidden");
        assertThat(socket.closeCode).isNull();
        session.onText(foreign);
        assertThat(socket.closeCode).isEqualTo(CloseCodes.BAD_FRAMES);
    }

    @Test
    void forbiddenProjectSubscribesCountTowardTheBadFrameLimit() {
        UnreadSocket socket = new UnreadSocket();
        UUID owner = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        ownProject(owner, project);
        SessionLimits limits =
                new SessionLimits(Duration.ZERO, 256, 64, Duration.ofSeconds(10), 10, 2, Duration.ofSeconds(2));
        Session session = session(socket, UUID.randomUUID(), limits);
        String foreign = "{\"type\":\"subscribe\",\"channel\":\"" + Channel.project(project) + "\"}";
        for (int i = 0; i < 3; i++) {
            session.onText(foreign);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.closeCode != null);
        assertThat(socket.closeCode).isEqualTo(CloseCodes.BAD_FRAMES);
        assertThat(socket.errorCodes()).containsExactly("forbidden", "forbidden");
    }

    @Test
    void tooManySubscriptionsAnswersCountTowardTheBadFrameLimit() {
        UnreadSocket socket = new UnreadSocket();
        UUID user = UUID.randomUUID();
        SessionLimits limits =
                new SessionLimits(Duration.ZERO, 256, 64, Duration.ofSeconds(10), 1, 3, Duration.ofSeconds(2));
        Session session = session(socket, user, limits);
        session.onText("{\"type\":\"subscribe\",\"channel\":\"" + Channel.user(user) + "\"}");
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.types().contains("subscribed"));
        String another = "{\"type\":\"subscribe\",\"channel\":\"" + Channel.project(UUID.randomUUID()) + "\"}";
        for (int i = 0; i < 3; i++) {
            session.onText(another);
        }
        assertThat(socket.errorCodes())
                .containsExactly("too_many_subscriptions", "too_many_subscriptions", "too_many_subscriptions");
        assertThat(socket.closeCode).isNull();
        session.onText(another);
        assertThat(socket.closeCode).isEqualTo(CloseCodes.BAD_FRAMES);
    }
}
