package dev.conveyor.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.messaging.ChangeLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The coalescing window has a leading edge: a change after a quiet window is written at once (it never waits for the
 * window), and changes within the window after a frame wait for the window's end and go out together. A window of
 * one hour makes the two cases unmistakable without measuring time.
 */
@io.quarkus.test.junit.QuarkusTest
@io.quarkus.test.common.QuarkusTestResource(DevstackResource.class)
class CoalescingWindowTest {
    static ChangeLog changeLog;
    static dev.conveyor.gateway.TestEventsAccess events;
    static ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @BeforeAll
    static void start() {
        changeLog = LiveChangeLog.start("coalescing-window-test");
        events = new dev.conveyor.gateway.TestEventsAccess();
    }

    @AfterAll
    static void stop() {
        changeLog.close();
        events.close();
        timers.shutdownNow();
    }

    /** Writes complete at once; records the frames. */
    static final class Socket implements Outbound {
        final List<JsonNode> frames = new CopyOnWriteArrayList<>();

        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            try {
                frames.add(Json.MAPPER.readTree(frame));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            written.run();
        }

        @Override
        public void close(int code, String reason) {
        }

        List<JsonNode> invalidates() {
            return frames.stream().filter(f -> f.get("type").asText().equals("invalidate")).toList();
        }
    }

    static final Loop LOOP = new Loop() {
        @Override
        public void execute(Runnable task) {
            timers.execute(task);
        }

        @Override
        public void schedule(long delayMillis, Runnable task) {
            timers.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        }
    };


    @Test
    void aChangeAfterAQuietWindowGoesOutAtOnceAndTheNextOnesWaitForTheWindow() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        Channel channel = Channel.project(project);
        events.project(project, user);
        LiveChangeLog.awaitOwner(changeLog, project);

        Socket socket = new Socket();
        SessionLimits limits = new SessionLimits(Duration.ofHours(1), 16, 64, Duration.ofSeconds(30), 10, 5, Duration.ofSeconds(2));
        Session session = new Session("w1", socket, LOOP, new TestHost(changeLog, user, limits, null));
        session.open(null);
        session.onText("{\"type\":\"auth\",\"token\":\"any\"}");
        session.onText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        await().atMost(Duration.ofSeconds(5)).until(() -> socket.frames.size() == 2);

        UUID firstShot = UUID.randomUUID();
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, firstShot));
        // the first change did not wait for the one-hour window
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.invalidates().size() == 1);
        assertThat(socket.invalidates().get(0).toString()).contains(firstShot.toString());

        // the next change falls inside the window that frame opened: it is held back
        UUID secondShot = UUID.randomUUID();
        LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, secondShot));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> socket.invalidates().size() == 1);
        session.close(CloseCodes.SERVICE_RESTART, "test over");
    }
}
