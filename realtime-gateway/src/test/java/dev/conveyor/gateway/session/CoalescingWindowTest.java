package dev.conveyor.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.socket.Outbound;
import dev.conveyor.gateway.socket.TextFrame;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The coalescing window has a leading edge: a change after a quiet window is written at once (it never waits for the
 * window), and changes within the window after a frame wait for the window's end and go out together. A window of
 * one hour makes the two cases unmistakable without measuring time. Connections that collected the same changes in
 * one window write one frame, rendered once.
 */
@io.quarkus.test.junit.QuarkusTest
@io.quarkus.test.common.QuarkusTestResource(DevstackResource.class)
class CoalescingWindowTest extends LiveSessionTest {
    /** Writes complete at once; keeps the frames as written: the encoded instances, to tell a shared frame from an equal one. */
    static final class Socket implements Outbound {
        final List<TextFrame> frames = new CopyOnWriteArrayList<>();

        @Override
        public void send(TextFrame frame, Runnable written, Runnable failed) {
            frames.add(frame);
            written.run();
        }

        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            send(TextFrame.of(frame), written, failed);
        }

        @Override
        public void close(int code, String reason) {}

        List<TextFrame> invalidateFrames() {
            return frames.stream()
                    .filter(f -> json(f.text()).get("type").asText().equals("invalidate"))
                    .toList();
        }

        List<JsonNode> invalidates() {
            return invalidateFrames().stream().map(f -> json(f.text())).toList();
        }
    }

    @Test
    void aChangeAfterAQuietWindowGoesOutAtOnceAndTheNextOnesWaitForTheWindow() {
        UUID user = UUID.randomUUID();
        Channel channel = newOwnedProject(user);
        UUID project = channel.id();

        Socket socket = new Socket();
        SessionLimits limits =
                new SessionLimits(Duration.ofHours(1), 16, 64, Duration.ofSeconds(30), 10, 5, Duration.ofSeconds(2));
        Session session = new Session("w1", socket, onTimers(), new TestHost(changeLog, user, limits, null));
        openAndSubscribe(session, "any", channel);
        await().atMost(Duration.ofSeconds(5)).until(() -> socket.frames.size() == 2);

        UUID firstShot = UUID.randomUUID();
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, firstShot));
        // the first change did not wait for the one-hour window
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.invalidates().size() == 1);
        assertThat(socket.invalidates().get(0).toString()).contains(firstShot.toString());

        // the next change falls inside the window that frame opened: it is held back
        UUID secondShot = UUID.randomUUID();
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, secondShot));
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> socket.invalidates().size() == 1);
        session.close(CloseCodes.SERVICE_RESTART, "test over");
    }

    @Test
    void connectionsThatCollectedTheSameChangesWriteOneSharedCoalescedFrame() {
        UUID user = UUID.randomUUID();
        Channel channel = newOwnedProject(user);
        UUID project = channel.id();
        SessionLimits limits =
                new SessionLimits(Duration.ofSeconds(2), 16, 64, Duration.ofSeconds(30), 10, 5, Duration.ofSeconds(2));
        Socket first = new Socket();
        Socket second = new Socket();
        Session one = new Session("w1", first, onTimers(), new TestHost(changeLog, user, limits, null));
        Session two = new Session("w2", second, onTimers(), new TestHost(changeLog, user, limits, null));
        openAndSubscribe(one, "any", channel);
        openAndSubscribe(two, "any", channel);
        await().atMost(Duration.ofSeconds(5)).until(() -> first.frames.size() == 2 && second.frames.size() == 2);

        // the leading edge: one change, out at once, then two within the window that go out together
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, UUID.randomUUID()));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first.invalidateFrames().size() == 1
                        && second.invalidateFrames().size() == 1);
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, a));
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, b));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> first.invalidateFrames().size() == 2
                        && second.invalidateFrames().size() == 2);

        TextFrame coalesced = first.invalidateFrames().get(1);
        assertThat(coalesced.text()).contains(a.toString()).contains(b.toString());
        assertThat(second.invalidateFrames().get(1)).isSameAs(coalesced);
        one.close(CloseCodes.SERVICE_RESTART, "test over");
        two.close(CloseCodes.SERVICE_RESTART, "test over");
    }
}
